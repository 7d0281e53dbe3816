"""Recording through the live room service and real Janus: policy, role, announcement,
teacher-only files, stop on leave/end, consent, a teacher's own list/delete, retention."""

from __future__ import annotations

import asyncio
import logging
import stat
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import klasse.app.protocol as p
from klasse.app.protocol import ErrorCode
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from klasse.server import logs
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_process import JanusProcess
from klasse.server.recording.hub import RecordingHub
from klasse.server.recording.policy import RecordingPolicy
from klasse.server.recording.store import RecordingInfo
from klasse.server.service import RoomService
from tests.media_facts import stream_facts
from tests.server_fixtures import (
    PUPIL_ACCOUNT,
    PUPIL_PASSWORD,
    SERVER_ADDR,
    TEACHER,
    TEACHER_PASSWORD,
    LiveService,
    LogCapture,
    TestClient,
    join,
    lesson,
    publish,
    sent_for,
    wait_publishing,
)

TEACHER_SIZE, PUPIL_SIZE, OTHER_SIZE = (160, 120), (128, 96), (96, 64)
TEACHER_HZ, PUPIL_HZ = 440.0, 1200.0
OTHER_TEACHER, OTHER_PASSWORD = "teacher.two", "yet another long password"
DAY = 86400.0


def _config(janus: JanusProcess, data: Path, **recording: object) -> Config:
    s = janus.settings
    return Config(listen=SERVER_ADDR, port=0, data=data, teacher_grace_s=2.0,
                  resume_grace_s=1.0, recording_allowed=True,
                  recording=RecordingPolicy(announce_s=1.0, **recording),  # type: ignore[arg-type]
                  janus=(JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret,
                                       s.admin_secret),))


async def _service(cfg: Config) -> RoomService:
    service = RoomService(cfg)
    service.accounts.add(TEACHER, "teacher", TEACHER_PASSWORD)
    service.accounts.add(OTHER_TEACHER, "teacher", OTHER_PASSWORD)
    service.accounts.add(PUPIL_ACCOUNT, "pupil", PUPIL_PASSWORD)
    await service.start()
    return service


@pytest.fixture(scope="module")
async def recording_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                            ) -> AsyncIterator[LiveService]:
    """A room service whose deployment allows recording (teacher only), 1 s countdown."""
    service = await _service(_config(janus, tmp_path_factory.mktemp("rec-data")))
    yield LiveService(service, LogCapture())
    await service.stop()


@pytest.fixture(scope="module")
async def consent_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                          ) -> AsyncIterator[LiveService]:
    """A deployment that also records pupils, each only with their consent."""
    service = await _service(_config(janus, tmp_path_factory.mktemp("consent-data"),
                                     record_pupils=True))
    yield LiveService(service, LogCapture())
    await service.stop()


def _av(size: tuple[int, int], hz: float) -> list:  # type: ignore[type-arg]
    return [SyntheticAudioTrack(frequency=hz), SyntheticVideoTrack(*size, fps=15)]


async def _finalised(service: RoomService, timeout: float = 30.0) -> list[RecordingInfo]:
    """Every recording of the service, once none is still being written or converted."""
    store = service.recording.store
    assert store is not None
    deadline = time.monotonic() + timeout
    while True:
        infos = store.recordings()
        if infos and all(i.state in ("ready", "failed") for i in infos):
            return infos
        assert time.monotonic() < deadline, f"not finalised: {infos}"
        await asyncio.sleep(0.1)


async def _session(url: str, user: str, password: str) -> tuple[TestClient, str]:
    c = await TestClient.connect(url)
    await c.send(p.Login(v=p.PROTOCOL_VERSION, user=user, password=password))
    return c, (await c.recv(p.Session)).token


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _end(teacher: TestClient, *others: TestClient) -> None:
    await teacher.send(p.End())
    await teacher.recv(p.Closed)
    for c in (teacher, *others):
        await c.close()


async def test_start_is_refused_for_pupils_and_where_policy_forbids(
        live_service: LiveService, recording_service: LiveService) -> None:
    # The shared service runs with the default policy: recording off.
    room, teacher, [(pupil, _)] = await lesson(live_service)
    await teacher.send(p.Record(start=True))
    assert (await teacher.error()).code is ErrorCode.RECORDING_NOT_ALLOWED
    await pupil.send(p.Record(start=True))
    assert (await pupil.error()).code is ErrorCode.NOT_ALLOWED
    assert live_service.service.recording.store is None
    assert not (live_service.service.config.data / "recordings").exists()
    await pupil.roundtrip()
    assert not any(isinstance(m, p.Recording) for m in pupil.seen + teacher.seen)
    await _end(teacher, pupil)

    # Where policy allows it, still only a teacher starts or stops it.
    room, teacher, [(pupil, _)] = await lesson(recording_service)
    for start in (True, False):
        await pupil.send(p.Record(start=start))
        assert (await pupil.error()).code is ErrorCode.NOT_ALLOWED
    await teacher.send(p.Record(start=False))
    assert (await teacher.error()).code is ErrorCode.OUT_OF_ORDER  # nothing to stop
    await teacher.roundtrip()
    assert recording_service.service.recording.state_of_rooms() == {}
    await _end(teacher, pupil)


async def test_teacher_recording_is_announced_then_holds_the_teacher_only(
        recording_service: LiveService) -> None:
    svc = recording_service.service
    store = svc.recording.store
    assert store is not None
    capture = LogCapture()
    logs.setup("info", capture)  # the default level
    room, teacher, [(pupil, pw)] = await lesson(recording_service)
    tw = next(m for m in teacher.seen if isinstance(m, p.Welcome))
    assert tw.recording.state == "off"
    pcs = [await publish(teacher, _av(TEACHER_SIZE, TEACHER_HZ)),
           await publish(pupil, _av(PUPIL_SIZE, PUPIL_HZ))]
    await wait_publishing(teacher, pw.participant)
    await wait_publishing(pupil, tw.participant)

    await teacher.send(p.Record(start=True))
    for c in (teacher, pupil):
        told = (await c.recv(p.Recording)).recording
        assert told.state == "announced" and told.starts_in == 1.0
        assert told.what == ["teacher camera", "teacher microphone"]
        assert not told.consent_required
    # Announced: nothing is written yet.
    assert store.recordings() == [] and list(store.root.iterdir()) == []
    # Someone arriving during the countdown learns it first thing, in Welcome.
    late, lw = await join(svc.url, room["pupil_link"], "Late", room["pin"])
    assert lw.recording.state == "announced" and lw.recording.what == told.what
    assert 0 < (lw.recording.starts_in or 0) <= 1.0

    for c in (teacher, pupil, late):  # the waiting pupil is told too
        assert (await c.recv(p.Recording)).recording.state == "active"
    late2, l2w = await join(svc.url, room["pupil_link"], "Later", room["pin"])
    assert l2w.recording.state == "active"
    await sent_for(pcs, 2.0)
    await teacher.send(p.Record(start=False))
    for c in (teacher, pupil, late, late2):
        assert (await c.recv(p.Recording)).recording.state == "off"

    [info] = await _finalised(svc)
    assert info.state == "ready", info.error
    assert info.owner == TEACHER and info.files == ["teacher.webm"]
    folder = store.folder(info.id)
    assert sorted(f.name for f in folder.iterdir()) == ["meta.json", "teacher.webm"]
    assert _mode(store.root) == 0o700 and _mode(folder) == 0o700
    assert all(_mode(f) == 0o600 for f in folder.iterdir())
    facts = stream_facts(folder / "teacher.webm")
    assert set(facts) == {"video", "audio"}
    assert (facts["video"]["width"], facts["video"]["height"]) == TEACHER_SIZE
    assert abs(facts["audio"]["pitch"] - TEACHER_HZ) < 20
    for kind in ("video", "audio"):
        assert 1.5 <= facts[kind]["duration"] <= 3.5, facts
    # Nothing about the pupils in the metadata either.
    meta = (folder / "meta.json").read_text()
    assert "Pupil" not in meta and "Late" not in meta and pw.participant not in meta

    # The teacher lists and deletes their own recordings; nobody else can.
    owner, token = await _session(svc.url, TEACHER, TEACHER_PASSWORD)
    await owner.send(p.ListRecordings(session=token))
    [entry] = (await owner.recv(p.Recordings)).recordings
    assert (entry.id, entry.state) == (info.id, "ready")
    assert entry.expires == pytest.approx(info.started + 7 * DAY)
    other, other_token = await _session(svc.url, OTHER_TEACHER, OTHER_PASSWORD)
    await other.send(p.ListRecordings(session=other_token))
    assert (await other.recv(p.Recordings)).recordings == []
    await other.send(p.DeleteRecording(session=other_token, id=info.id))
    assert (await other.error()).code is ErrorCode.NO_SUCH_RECORDING
    kid, kid_token = await _session(svc.url, PUPIL_ACCOUNT, PUPIL_PASSWORD)
    await kid.send(p.ListRecordings(session=kid_token))
    assert (await kid.error()).code is ErrorCode.NOT_ALLOWED
    await kid.send(p.DeleteRecording(session="forged", id=info.id))
    assert (await kid.error()).code is ErrorCode.SESSION_INVALID
    assert folder.exists()
    await owner.send(p.DeleteRecording(session=token, id=info.id))
    assert (await owner.recv(p.Recordings)).recordings == []
    assert not folder.exists()

    for pc in pcs:
        await pc.close()
    for c in (owner, other, kid):
        await c.close()
    await _end(teacher, pupil, late, late2)
    logging.getLogger().removeHandler(capture)
    # Recording was logged (by ids), but no name or account ever reached the log.
    assert any("recording" in line for line in capture.lines)
    for secret in ("Ms Teacher", "Pupil 0", "Late", "Later", TEACHER, OTHER_TEACHER):
        assert not any(secret in line for line in capture.lines), secret


@pytest.mark.parametrize("how", ["teacher leaves", "room ends"])
async def test_recording_stops_and_is_finalised(recording_service: LiveService, how: str) -> None:
    svc = recording_service.service
    room, teacher, [(pupil, pw)] = await lesson(recording_service)
    pcs = [await publish(teacher, _av(TEACHER_SIZE, TEACHER_HZ)),
           await publish(pupil, _av(PUPIL_SIZE, PUPIL_HZ))]
    await wait_publishing(pupil, next(m for m in teacher.seen
                                      if isinstance(m, p.Welcome)).participant)
    await teacher.send(p.Record(start=True))
    await pupil.recv(p.Recording, lambda m: m.recording.state == "active")
    await sent_for(pcs, 1.5)
    if how == "teacher leaves":
        await teacher.send(p.Leave())
        assert (await teacher.recv(p.Closed)).reason == "left"
        # The pupil stays in the (closing) room and is told the recording is off.
        await pupil.recv(p.Recording, lambda m: m.recording.state == "off")
    else:
        await teacher.send(p.End())
        assert (await pupil.recv(p.Closed)).reason == "ended"
    [info] = await _finalised(svc)
    assert info.state == "ready", info.error
    facts = stream_facts(svc.recording.store.folder(info.id) / "teacher.webm")  # type: ignore[union-attr]
    assert (facts["video"]["width"], facts["video"]["height"]) == TEACHER_SIZE
    assert facts["video"]["duration"] >= 1.0 and facts["audio"]["duration"] >= 1.0
    assert svc.recording.state_of_rooms() == {}
    for pc in pcs:
        await pc.close()
    for c in (teacher, pupil):
        await c.close()
    svc.recording.store.delete(info.id)  # type: ignore[union-attr]


async def test_retention_deletes_recordings_when_it_runs_out(
        recording_service: LiveService) -> None:
    svc = recording_service.service
    room, teacher, _ = await lesson(recording_service, pupils=0)
    pc = await publish(teacher, _av(TEACHER_SIZE, TEACHER_HZ))
    await teacher.recv(p.Participants, lambda m: any(x.publishing for x in m.participants))
    await teacher.send(p.Record(start=True))
    await teacher.recv(p.Recording, lambda m: m.recording.state == "active")
    await sent_for([pc], 1.0)
    await teacher.send(p.Record(start=False))
    [info] = await _finalised(svc)
    folder = svc.recording.store.folder(info.id)  # type: ignore[union-attr]
    assert folder.exists()
    # The running service's periodic sweep: nothing has expired yet.
    assert svc.recording.sweeper is not None and svc.recording.sweeper.sweep() == []
    # The service restarted 7 days and a minute later: its start-up sweep deletes it.
    later = RecordingHub(svc.config, lambda room: None,
                         clock=lambda: info.started + 7 * DAY + 60)
    await later.start()
    await later.stop()
    assert not folder.exists() and later.store is not None and later.store.recordings() == []
    await pc.close()
    await _end(teacher)


async def test_record_pupils_needs_consent_and_keeps_the_others_off(
        consent_service: LiveService) -> None:
    svc = consent_service.service
    room, teacher, [(yes, yw), (no, nw)] = await lesson(consent_service, pupils=2)
    tid = next(m for m in teacher.seen if isinstance(m, p.Welcome)).participant
    await yes.send(p.Consent(recording=True))
    pcs = [await publish(teacher, _av(TEACHER_SIZE, TEACHER_HZ)),
           await publish(yes, _av(PUPIL_SIZE, PUPIL_HZ)),
           await publish(no, _av(OTHER_SIZE, PUPIL_HZ))]
    for c in (yes, no):
        await c.send(p.MediaState(camera=True, mic=True))
    await teacher.recv(p.Participants, lambda m: all(
        x.camera and x.mic and x.publishing for x in m.participants if x.role == "pupil"))
    await wait_publishing(yes, tid)
    teacher.drop(p.Participants)

    await teacher.send(p.Record(start=True))
    told = (await no.recv(p.Recording)).recording
    assert told.consent_required and "teacher camera" in told.what
    # The pupil without consent: camera and mic turned off by the server...
    offs = {(await no.recv(p.Moderation)).device for _ in range(2)}
    assert offs == {"camera", "mic"}
    listed = await teacher.recv(p.Participants, lambda m: any(
        x.id == nw.participant and not x.camera and not x.mic for x in m.participants))
    assert any(x.id == yw.participant and x.camera for x in listed.participants)
    # ...and they cannot turn them on while the recording is on.
    await no.send(p.MediaState(camera=True, mic=False))
    assert (await no.error()).code is ErrorCode.RECORDING_NOT_ALLOWED
    assert not any(isinstance(m, p.Moderation) for m in yes.seen)

    await yes.recv(p.Recording, lambda m: m.recording.state == "active")
    await sent_for(pcs, 2.0)
    # Consent withdrawn mid-recording: out of the recording from now on, devices off.
    await yes.send(p.Consent(recording=False))
    assert {(await yes.recv(p.Moderation)).device for _ in range(2)} == {"camera", "mic"}
    await sent_for(pcs[:1], 1.5)   # the teacher's
    await teacher.send(p.Record(start=False))
    await no.recv(p.Recording, lambda m: m.recording.state == "off")
    [info] = await _finalised(svc)
    assert info.state == "ready", info.error
    # The teacher and the consenting pupil; the other pupil is in no file.
    assert info.files == ["pupil-1.webm", "teacher.webm"]
    folder = svc.recording.store.folder(info.id)  # type: ignore[union-attr]
    sizes, lengths = {}, {}
    for name in info.files:
        facts = stream_facts(folder / name)
        sizes[name] = (facts["video"]["width"], facts["video"]["height"])
        lengths[name] = facts["video"]["duration"]
    assert sizes == {"teacher.webm": TEACHER_SIZE, "pupil-1.webm": PUPIL_SIZE}
    # The pupil's part ends where the consent was withdrawn.
    assert lengths["pupil-1.webm"] < lengths["teacher.webm"] - 1.0, lengths
    # Recording over: the pupil's devices are theirs again.
    await no.send(p.MediaState(camera=True, mic=True))
    await no.roundtrip()
    assert not any(isinstance(m, p.Error) for m in no.inbox)
    for pc in pcs:
        await pc.close()
    svc.recording.store.delete(info.id)  # type: ignore[union-attr]
    await _end(teacher, yes, no)


async def test_a_republished_teacher_feed_is_kept_in_two_parts(
        recording_service: LiveService) -> None:
    svc = recording_service.service
    room, teacher, _ = await lesson(recording_service, pupils=0)
    tid = next(m for m in teacher.seen if isinstance(m, p.Welcome)).participant

    def publishing(on: bool):  # type: ignore[no-untyped-def]
        return lambda m: any(x.id == tid and x.publishing is on for x in m.participants)

    first = await publish(teacher, _av(TEACHER_SIZE, TEACHER_HZ))
    await teacher.recv(p.Participants, publishing(True))
    await teacher.send(p.Record(start=True))
    await teacher.recv(p.Recording, lambda m: m.recording.state == "active")
    await sent_for([first], 1.5)
    # The teacher's connection to Janus drops (a network change); the client publishes again.
    await first.close()
    await teacher.recv(p.Participants, publishing(False), timeout=20)
    second = await publish(teacher, _av(TEACHER_SIZE, TEACHER_HZ))
    await teacher.recv(p.Participants, publishing(True))
    await sent_for([second], 1.5)
    await teacher.send(p.Record(start=False))
    [info] = await _finalised(svc)
    assert info.state == "ready", info.error
    # The first part was not overwritten by the second.
    assert info.files == ["teacher-2.webm", "teacher.webm"]
    folder = svc.recording.store.folder(info.id)  # type: ignore[union-attr]
    for name in info.files:
        assert stream_facts(folder / name)["video"]["duration"] >= 1.0
    await second.close()
    svc.recording.store.delete(info.id)  # type: ignore[union-attr]
    await _end(teacher)
