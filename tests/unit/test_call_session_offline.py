"""CallSession without a room service: privacy defaults that hold before any network."""

from __future__ import annotations

from pathlib import Path

from aiortc import RTCRtpTransceiver

from klasse.app import protocol as p
from klasse.app.call_session import CallSession
from klasse.app.events import ErrorRaised, Event, LocalMediaChanged

LINK = p.parse_link("klasse://10.77.0.1:8443/join/tok?tls=0")
NOTICE = p.Notice(version="1", controller="School", dpo_contact="dpo", retention="none")


def _welcome(ice: list[p.IceServer]) -> p.Welcome:
    return p.Welcome(participant="me", role="teacher", room_title="R", state="joined",
                     resume="r", ice_servers=ice, notice=NOTICE, recording=p.RecordingState())


def _gatherer_servers(t: RTCRtpTransceiver) -> tuple[object, object]:
    conn = t.sender.transport.transport.iceGatherer._connection
    return conn.stun_server, conn.turn_server


async def test_peer_connections_use_only_the_services_ice_servers(tmp_path: Path) -> None:
    events: list[Event] = []
    s = CallSession(LINK, "T", events.append, cache_root=tmp_path)
    s.machine.receive(_welcome([]))
    pc = s._new_pc()
    t = pc.addTransceiver("video", direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    # No ICE server at all, so never aiortc's default public STUN server.
    assert _gatherer_servers(t) == (None, None)
    assert "srflx" not in pc.localDescription.sdp
    await pc.close()

    s = CallSession(LINK, "T", events.append, cache_root=tmp_path)
    s.machine.receive(_welcome([p.IceServer(urls=["turn:10.77.0.1:3478"], username="u",
                                            credential="c")]))
    pc = s._new_pc()
    t = pc.addTransceiver("video", direction="sendonly")
    assert _gatherer_servers(t) == (None, ("10.77.0.1", 3478))
    await pc.close()


async def test_camera_without_a_source_reports_device_failed(tmp_path: Path) -> None:
    events: list[Event] = []
    s = CallSession(LINK, "P", events.append, cache_root=tmp_path, camera="off")
    await s.set_camera(True)
    assert [e.code for e in events if isinstance(e, ErrorRaised)] == ["device_failed"]
    assert events[-1] == LocalMediaChanged(False, False, False, False)
    assert not s.camera_gate.is_on


async def test_synthetic_camera_opens_only_on_request(tmp_path: Path) -> None:
    events: list[Event] = []
    s = CallSession(LINK, "P", events.append, cache_root=tmp_path, camera="synthetic",
                    mic="synthetic")
    cam, mic = s.camera_gate.source, s.mic_gate.source
    assert cam is not None and mic is not None
    assert (cam.opens, mic.opens, cam.is_open, mic.is_open) == (0, 0, False, False)
    await s.set_camera(True)
    assert (cam.opens, cam.is_open, mic.is_open) == (1, True, False)
    await s.set_camera(False)
    assert cam.is_open is False
    await s.camera.stop()


async def test_no_private_cache_folder_refuses_the_call(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import tempfile

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / f"klasse-{os.getuid()}").symlink_to(tmp_path / "elsewhere")
    events: list[Event] = []
    s = CallSession(LINK, "P", events.append)
    await s.run()   # never connects: the refusal comes first
    codes = [e.code for e in events if isinstance(e, ErrorRaised)]
    assert codes == ["cache_unavailable"]
    assert s.left is not None and s.left.reason == "cache_unavailable"
    assert list((tmp_path / "elsewhere").iterdir()) == []
