"""The call engine through recording, on the real stack: headless participants see a
recording announced (counting down), active and off; a late joiner learns of it
before publishing; consent and its refusal; audio levels of a tone vs silence."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from klasse.app.events import RecordingChanged
from klasse.server.janus_process import JanusProcess
from tests.integration.call_helpers import Headless, Recorder, is_event, participant_id, session
from tests.integration.test_recording_service import _config, _service
from tests.server_fixtures import LiveService, LogCapture

SYNTH = ("--camera", "synthetic", "--mic", "synthetic", "--blur", "off")


@pytest.fixture(scope="module")
async def rec_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                      ) -> AsyncIterator[LiveService]:
    """recording_allowed = true, a 3 s announcement."""
    cfg = _config(janus, tmp_path_factory.mktemp("call-rec"))
    service = await _service(replace(cfg, recording=replace(cfg.recording, announce_s=3.0)))
    yield LiveService(service, LogCapture())
    await service.stop()


@pytest.fixture(scope="module")
async def consent_rec_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                              ) -> AsyncIterator[LiveService]:
    service = await _service(_config(janus, tmp_path_factory.mktemp("call-consent"),
                                     record_pupils=True))
    yield LiveService(service, LogCapture())
    await service.stop()


def _dirs(tmp_path: Path, *names: str) -> list[Path]:
    out = []
    for n in names:
        (tmp_path / n).mkdir(mode=0o700)
        out.append(tmp_path / n)
    return out


async def test_pupil_follows_a_recording_and_a_late_joiner_knows_before_publishing(
        rec_service: LiveService, tmp_path: Path) -> None:
    room = rec_service.new_room("Physics")
    dt, dp, dl = _dirs(tmp_path, "t", "p", "late")
    teacher = await Headless.start(room["teacher_link"], "Ms Teacher", room["pin"], dt, *SYNTH)
    pupil = await Headless.start(room["pupil_link"], "Anna", room["pin"], dp, *SYNTH)
    late_rec = Recorder()
    late = None
    try:
        await teacher.wait(is_event("state", state="joined"))
        await pupil.wait(is_event("state", state="waiting"))
        await teacher.wait(lambda e: e["event"] == "participants" and any(
            x["name"] == "Anna" for x in e["participants"]))
        await teacher.send({"cmd": "admit", "participant": participant_id(teacher.events, "Anna")})
        await pupil.wait(is_event("state", state="joined"))
        await teacher.send({"cmd": "camera", "on": True})
        await teacher.send({"cmd": "mic", "on": True})
        await pupil.wait(lambda e: e["event"] == "video" and e["frames"] > 5)

        n = len(pupil.events)
        await teacher.send({"cmd": "record", "start": True})
        first = await pupil.wait(is_event("recording", state="announced"), after=n)
        assert first["starts_in"] == pytest.approx(3.0, abs=0.5)
        assert first["what"] == ["teacher camera", "teacher microphone"]
        assert first["consent_required"] is False
        # The engine counts down between the service's messages.
        tick = await pupil.wait(lambda e: e["event"] == "recording" and e["state"] == "announced"
                                and e["starts_in"] < first["starts_in"] - 0.5, after=n)
        assert tick["what"] == first["what"]
        await pupil.wait(is_event("recording", state="active", active=True), after=n, timeout=10)
        assert not [e for e in pupil.events[n:] if e["event"] == "consent_request"]

        # A participant joining now learns of the recording before it publishes.
        published_when_told: list[bool] = []

        def watch(event: object) -> None:
            if isinstance(event, RecordingChanged) and not published_when_told:
                published_when_told.append(late is not None and late._publisher is not None)
            late_rec(event)

        late = session(room["teacher_link"], "Mr Second", room["pin"], watch, dl,
                       blur="off")
        task = asyncio.ensure_future(late.run())
        ev = await late_rec.wait(lambda e: e["event"] == "recording")
        assert ev["state"] == "active" and published_when_told == [False]

        n = len(pupil.events)
        await teacher.send({"cmd": "record", "start": False})
        await pupil.wait(is_event("recording", state="off", active=False), after=n)
        await late_rec.wait(lambda e: e["event"] == "recording" and e["state"] == "off")
        await late.leave()
        await asyncio.wait_for(task, 15)
        for who in (pupil, teacher):
            await who.send({"cmd": "leave"})
            assert await who.finish() == 0
    finally:
        for who in (teacher, pupil):
            await who.kill()


async def test_pupil_declining_consent_keeps_devices_off(
        consent_rec_service: LiveService, tmp_path: Path) -> None:
    room = consent_rec_service.new_room("Chemistry")
    dt, dp = _dirs(tmp_path, "t", "p")
    teacher = await Headless.start(room["teacher_link"], "Ms Teacher", room["pin"], dt, *SYNTH)
    pupil = await Headless.start(room["pupil_link"], "Ben", room["pin"], dp, *SYNTH)
    try:
        await teacher.wait(is_event("state", state="joined"))
        await teacher.wait(lambda e: e["event"] == "participants" and any(
            x["name"] == "Ben" for x in e["participants"]))
        await teacher.send({"cmd": "admit", "participant": participant_id(teacher.events, "Ben")})
        await pupil.wait(is_event("state", state="joined"))
        await pupil.send({"cmd": "mic", "on": True})
        await pupil.wait(is_event("local_media", mic=True))

        n = len(pupil.events)
        await teacher.send({"cmd": "record", "start": True})
        req = await pupil.wait(is_event("consent_request"), after=n)
        assert "teacher camera" in req["what"]
        await pupil.wait(is_event("local_media", mic=False, mic_locked=True,
                                  recording_lock=True), after=n)
        # The service turns the devices off too, and says it was the service.
        mod = await pupil.wait(is_event("moderation", action="turn_off", device="mic"), after=n)
        assert mod["by"] == "" and mod["by_server"] is True
        await pupil.send({"cmd": "consent", "recording": False})
        await pupil.send({"cmd": "mic", "on": True})
        err = await pupil.wait(is_event("error", code="recording_not_allowed"), after=n)
        assert "consent" in err["message"] or "agree" in err["message"]
        await pupil.wait(is_event("recording", state="active"), after=n, timeout=10)
        assert not [e for e in pupil.events[n:] if e["event"] == "local_media" and e["mic"]]

        # Consent lifts the lock; the pupil may turn the microphone on again.
        m = len(pupil.events)
        await pupil.send({"cmd": "consent", "recording": True})
        await pupil.wait(is_event("local_media", recording_lock=False), after=m)
        await pupil.send({"cmd": "mic", "on": True})
        await pupil.wait(is_event("local_media", mic=True), after=m)
        await teacher.send({"cmd": "record", "start": False})
        for who in (pupil, teacher):
            await who.send({"cmd": "leave"})
            assert await who.finish() == 0
    finally:
        for who in (teacher, pupil):
            await who.kill()


def _silence(path: Path, seconds: float = 2.0) -> Path:
    """A WAV file of digital silence, to use as a `file:` microphone."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=48000, layout="mono")
        n = int(48000 * seconds)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, n), np.int16), format="s16",
                                           layout="mono")
        frame.sample_rate = 48000
        frame.pts = 0
        for pkt in stream.encode(frame):
            out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return path


async def test_a_speaking_mic_has_a_higher_level_than_a_silent_one(
        rec_service: LiveService, tmp_path: Path) -> None:
    room = rec_service.new_room("Music")
    dt, da, db = _dirs(tmp_path, "t", "a", "b")
    quiet = _silence(tmp_path / "silence.wav")
    teacher = await Headless.start(room["teacher_link"], "Ms Teacher", room["pin"], dt, *SYNTH)
    loud = await Headless.start(room["pupil_link"], "Loud", room["pin"], da, *SYNTH)
    silent = await Headless.start(room["pupil_link"], "Silent", room["pin"], db,
                                  "--mic", f"file:{quiet}")
    try:
        await teacher.wait(lambda e: e["event"] == "participants" and len(
            [x for x in e["participants"] if x["state"] == "waiting"]) == 2)
        await teacher.send({"cmd": "admit_all"})
        for pupil in (loud, silent):
            await pupil.wait(is_event("state", state="joined"))
            await pupil.send({"cmd": "mic", "on": True})
        loud_id = participant_id(teacher.events, "Loud")
        silent_id = participant_id(teacher.events, "Silent")

        def level(sender: str) -> float | None:
            got = [e["level"] for e in teacher.events
                   if e["event"] == "audio" and e["from"] == sender]
            return got[-1] if len(got) >= 3 else None   # after a second of audio

        await teacher.wait(lambda e: level(loud_id) is not None and level(silent_id) is not None)
        assert level(loud_id) > -40.0                 # the synthetic tone is about -24 dBFS
        assert level(silent_id) < -60.0
        for who in (loud, silent, teacher):
            await who.send({"cmd": "leave"})
            assert await who.finish() == 0
    finally:
        for who in (teacher, loud, silent):
            await who.kill()
