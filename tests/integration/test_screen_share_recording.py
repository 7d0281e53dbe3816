"""Recording and the shared screen, on the real stack: the recorded teacher's share is
in the recording (its own file, at the source's size), the announcement names it,
and a pupil's share stays out of a recording the pupil did not consent to; under
`record_pupils`, a consenting pupil's share is recorded and another pupil's is not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest

from klasse.server.janus_process import JanusProcess
from tests.integration.call_helpers import Recorder, is_event, session
from tests.integration.test_recording_service import _config, _finalised, _service
from tests.media_facts import stream_facts
from tests.server_fixtures import LiveService, LogCapture


@pytest.fixture(scope="module")
async def share_rec_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                            ) -> AsyncIterator[LiveService]:
    service = await _service(_config(janus, tmp_path_factory.mktemp("share-rec")))
    yield LiveService(service, LogCapture())
    await service.stop()


async def test_recorded_teacher_share_is_recorded_and_a_pupil_share_is_not(
        share_rec_service: LiveService, tmp_path: Path) -> None:
    svc = share_rec_service.service
    room = share_rec_service.new_room("Geography")
    trec, prec = Recorder(), Recorder()
    teacher = session(room["teacher_link"], "Ms T", room["pin"], trec, tmp_path,
                      screen="synthetic")
    pupil = session(room["pupil_link"], "Ann", room["pin"], prec, tmp_path, camera="off",
                    mic="off", screen="synthetic")
    tasks = [asyncio.ensure_future(teacher.run())]
    try:
        await trec.wait(is_event("state", state="joined"))
        tasks.append(asyncio.ensure_future(pupil.run()))
        await prec.wait(is_event("state", state="waiting"))
        await teacher.admit(pupil.machine.me)  # type: ignore[arg-type]
        await prec.wait(is_event("state", state="joined"))
        tid, pid = teacher.machine.me, pupil.machine.me
        await teacher.set_camera(True)
        await prec.wait(lambda e: e["event"] == "video" and e["from"] == tid and e["frames"] > 5)

        await teacher.record(True)
        told = await prec.wait(is_event("recording", state="announced"))
        assert told["what"] == ["teacher camera", "teacher microphone"]   # no share yet
        await prec.wait(is_event("recording", state="active"), timeout=10)
        n = len(prec.events)
        await teacher.share(True)
        # Sharing during the recording: everyone is told the screen is recorded now.
        again = await prec.wait(lambda e: e["event"] == "recording"
                                and "teacher screen" in e["what"], after=n)
        assert again["state"] == "active"
        await prec.wait(lambda e: e["event"] == "screen" and e["from"] == tid
                        and e["frames"] >= 10)
        await teacher.share(False)
        await prec.wait(is_event("share", sharer=None), after=n)

        # The pupil presents (with permission) while the teacher is recorded: the
        # deployment records no pupils, so this share must be in no file.
        await teacher.share_permission(pid, True)  # type: ignore[arg-type]
        await pupil.share(True)
        await trec.wait(lambda e: e["event"] == "screen" and e["from"] == pid
                        and e["frames"] >= 10)
        await teacher.record(False)
        await prec.wait(is_event("recording", state="off"))
    finally:
        await pupil.leave()
        await teacher.end()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)

    [info] = await _finalised(svc)
    assert info.state == "ready", info.error
    folder = svc.recording.store.folder(info.id)  # type: ignore[union-attr]
    screens = [f for f in info.files if f != "teacher.webm"]
    assert "teacher.webm" in info.files and len(screens) == 1, info.files
    assert screens[0].startswith("teacher-video-"), info.files   # no pupil file at all
    facts = stream_facts(folder / screens[0])
    assert set(facts) == {"video"}
    assert (facts["video"]["width"], facts["video"]["height"]) == (1920, 1080)
    with av.open(str(folder / screens[0])) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert frames >= 8
    cam = stream_facts(folder / "teacher.webm")
    assert (cam["video"]["width"], cam["video"]["height"]) == (160, 120)
    svc.recording.store.delete(info.id)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
async def share_consent_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                                ) -> AsyncIterator[LiveService]:
    """A deployment that records pupils too, each only with their consent."""
    service = await _service(_config(janus, tmp_path_factory.mktemp("share-consent"),
                                     record_pupils=True))
    yield LiveService(service, LogCapture())
    await service.stop()


async def test_under_record_pupils_a_consenting_pupils_share_is_recorded_another_is_not(
        share_consent_service: LiveService, tmp_path: Path) -> None:
    svc = share_consent_service.service
    room = share_consent_service.new_room("Presentations")
    recs = [Recorder() for _ in range(3)]
    teacher = session(room["teacher_link"], "Ms T", room["pin"], recs[0], tmp_path,
                      screen="off")
    pupils = [session(room["pupil_link"], name, room["pin"], rec, tmp_path, camera="off",
                      mic="off", screen="synthetic") for name, rec in (("Ann", recs[1]),
                                                                      ("Ben", recs[2]))]
    trec, arec, brec = recs
    ann, ben = pupils
    tasks = [asyncio.ensure_future(teacher.run())]
    try:
        await trec.wait(is_event("state", state="joined"))
        for pupil, rec in zip(pupils, recs[1:], strict=True):
            tasks.append(asyncio.ensure_future(pupil.run()))
            await rec.wait(is_event("state", state="waiting"))
            await teacher.admit(pupil.machine.me)  # type: ignore[arg-type]
            await rec.wait(is_event("state", state="joined"))
        tid, aid, bid = teacher.machine.me, ann.machine.me, ben.machine.me
        await teacher.set_camera(True)
        await arec.wait(lambda e: e["event"] == "video" and e["from"] == tid and e["frames"] > 5)
        await ann.consent(True)          # Ann agrees to be recorded; Ben does not

        await teacher.record(True)
        told = await brec.wait(is_event("recording", state="announced"))
        assert any("shared screen" in w and "consented" in w for w in told["what"]), told
        await arec.wait(is_event("recording", state="active"), timeout=10)

        # Ann presents: she consented, so her share is in the recording.
        await teacher.share_permission(aid, True)  # type: ignore[arg-type]
        await ann.share(True)
        await trec.wait(lambda e: e["event"] == "screen" and e["from"] == aid
                        and e["frames"] >= 10)
        await ann.share(False)
        await trec.wait(is_event("share", sharer=None))
        # Ben presents next: he did not consent, so his share is in no file.
        await teacher.share_permission(bid, True)  # type: ignore[arg-type]
        await ben.share(True)
        await trec.wait(lambda e: e["event"] == "screen" and e["from"] == bid
                        and e["frames"] >= 10)
        await teacher.record(False)
        await brec.wait(is_event("recording", state="off"))
    finally:
        for pupil in pupils:
            await pupil.leave()
        await teacher.end()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)

    [info] = await _finalised(svc)
    assert info.state == "ready", info.error
    folder = svc.recording.store.folder(info.id)  # type: ignore[union-attr]
    # The teacher (camera, no share) and Ann's screen, her feed's only stream that
    # sent anything (camera and microphone off), so it takes the feed's name; nothing
    # of Ben's.
    assert sorted(info.files) == ["pupil-1.webm", "teacher.webm"], info.files
    facts = stream_facts(folder / "pupil-1.webm")
    assert set(facts) == {"video"}
    assert (facts["video"]["width"], facts["video"]["height"]) == (1920, 1080)   # the slide
    with av.open(str(folder / "pupil-1.webm")) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert frames >= 8
    svc.recording.store.delete(info.id)  # type: ignore[union-attr]
