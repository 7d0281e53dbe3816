"""`klasse join LINK --headless`: a participant driven by JSON lines (docs/headless.md).

Commands arrive on stdin, one JSON object per line with a `cmd` key; events leave on
stdout, one JSON object per line with an `event` key. The last line is always a
`left` event saying whether the call cache was wiped. Nothing is written to disk
except the call cache, which is gone by then.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable
from typing import Literal

import msgspec

from klasse.app.call_session import CallSession
from klasse.app.events import ErrorRaised, Event, Left, StateChanged, Welcomed
from klasse.app.join_flow import Decline, JoinFlow, Release, ShowNotice, Step
from klasse.app.protocol import MAX_MESSAGE_BYTES, Link, Notice, ProtocolError, parse_link

Device = Literal["camera", "mic"]


class _Cmd(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="cmd"):
    pass


class CameraCmd(_Cmd, frozen=True, tag="camera"):
    on: bool


class MicCmd(_Cmd, frozen=True, tag="mic"):
    on: bool


class BlurCmd(_Cmd, frozen=True, tag="blur"):
    mode: Literal["off", "blur", "replace", "full"]


class ChatCmd(_Cmd, frozen=True, tag="chat"):
    text: str


class HandCmd(_Cmd, frozen=True, tag="hand"):
    up: bool


class ConsentCmd(_Cmd, frozen=True, tag="consent"):
    recording: bool


class LeaveCmd(_Cmd, frozen=True, tag="leave"):
    pass


class AdmitCmd(_Cmd, frozen=True, tag="admit"):
    participant: str


class AdmitAllCmd(_Cmd, frozen=True, tag="admit_all"):
    pass


class DenyAllCmd(_Cmd, frozen=True, tag="deny_all"):
    pass


class LockRoomCmd(_Cmd, frozen=True, tag="lock_room"):
    locked: bool


class DenyCmd(_Cmd, frozen=True, tag="deny"):
    participant: str


class CameraOffCmd(_Cmd, frozen=True, tag="camera_off"):
    participant: str | None = None   # None: every pupil
    lock: bool = False


class MicOffCmd(_Cmd, frozen=True, tag="mic_off"):
    participant: str | None = None
    lock: bool = False


class UnlockCmd(_Cmd, frozen=True, tag="unlock"):
    participant: str
    device: Device


class AskOnCmd(_Cmd, frozen=True, tag="ask_on"):
    participant: str
    device: Device


class KickCmd(_Cmd, frozen=True, tag="kick"):
    participant: str


class LowerHandsCmd(_Cmd, frozen=True, tag="lower_hands"):
    participant: str | None = None


class RecordCmd(_Cmd, frozen=True, tag="record"):
    start: bool


class EndCmd(_Cmd, frozen=True, tag="end"):
    pass


class VolumeCmd(_Cmd, frozen=True, tag="volume"):
    participant: str
    volume: float     # 0 to 2; 1 plays the participant as received


class SpeakerCmd(_Cmd, frozen=True, tag="speaker"):
    device: str       # null, default, pulse:NAME, device:NAME


class TestSoundCmd(_Cmd, frozen=True, tag="test_sound"):
    pass


class NoiseSuppressionCmd(_Cmd, frozen=True, tag="noise_suppression"):
    on: bool
class ShareCmd(_Cmd, frozen=True, tag="share"):
    on: bool = True
    source: str | None = None    # default: the --screen source
    replace: bool = False        # take over from someone else's share


class ShareOffCmd(_Cmd, frozen=True, tag="share_off"):
    pass


class SharePermissionCmd(_Cmd, frozen=True, tag="share_permission"):
    participant: str
    allow: bool


Command = (CameraCmd | MicCmd | BlurCmd | ChatCmd | HandCmd | ConsentCmd | LeaveCmd | AdmitCmd
           | AdmitAllCmd | DenyAllCmd | LockRoomCmd | DenyCmd | CameraOffCmd | MicOffCmd | UnlockCmd | AskOnCmd | KickCmd
           | LowerHandsCmd | RecordCmd | EndCmd | VolumeCmd | SpeakerCmd | TestSoundCmd
           | NoiseSuppressionCmd | ShareCmd | ShareOffCmd | SharePermissionCmd)
_decoder = msgspec.json.Decoder(Command)


class CommandError(Exception):
    pass


def parse_command(line: str | bytes) -> Command:
    """One stdin line -> a command, or CommandError with a message for the user."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise CommandError(f"command line over {MAX_MESSAGE_BYTES} bytes")
    try:
        return _decoder.decode(line)
    except msgspec.ValidationError as exc:
        raise CommandError(f"invalid command: {exc}") from None
    except msgspec.DecodeError as exc:
        raise CommandError(f"not a JSON command: {exc}") from None


async def dispatch(session: CallSession, cmd: Command) -> None:
    """Forward one command to the call engine (which refuses what it must)."""
    match cmd:
        case CameraCmd(on=on):
            await session.set_camera(on)
        case MicCmd(on=on):
            await session.set_mic(on)
        case BlurCmd(mode=mode):
            await session.set_blur(mode)
        case ChatCmd(text=text):
            await session.chat(text)
        case HandCmd(up=up):
            await session.hand(up)
        case ConsentCmd(recording=rec):
            await session.consent(rec)
        case LeaveCmd():
            await session.leave()
        case AdmitCmd(participant=who):
            await session.admit(who)
        case AdmitAllCmd():
            await session.admit_all()
        case DenyAllCmd():
            await session.deny_all()
        case LockRoomCmd(locked=locked):
            await session.lock_room(locked)
        case DenyCmd(participant=who):
            await session.deny(who)
        case CameraOffCmd(participant=who, lock=lock):
            await session.turn_off(who, "camera", lock)
        case MicOffCmd(participant=who, lock=lock):
            await session.turn_off(who, "mic", lock)
        case UnlockCmd(participant=who, device=dev):
            await session.unlock(who, dev)
        case AskOnCmd(participant=who, device=dev):
            await session.ask_on(who, dev)
        case KickCmd(participant=who):
            await session.kick(who)
        case LowerHandsCmd(participant=who):
            await session.lower_hands(who)
        case RecordCmd(start=start):
            await session.record(start)
        case EndCmd():
            await session.end()
        case VolumeCmd(participant=who, volume=volume):
            await session.set_volume(who, volume)
        case SpeakerCmd(device=device):
            await session.set_output(device)
        case TestSoundCmd():
            await session.play_test_sound()
        case NoiseSuppressionCmd(on=on):
            await session.set_noise_suppression(on)
        case ShareCmd(on=on, source=source, replace=replace):
            await session.share(on, source, replace)
        case ShareOffCmd():
            await session.share(False)
        case SharePermissionCmd(participant=who, allow=allow):
            await session.share_permission(who, allow)


def _writer(stream: object) -> Callable[[Event], None]:
    lock = threading.Lock()

    def emit(event: Event) -> None:
        line = json.dumps(event.as_json(), separators=(",", ":"), ensure_ascii=False)
        with lock, contextlib.suppress(BrokenPipeError, ValueError):
            stream.write(line + "\n")  # type: ignore[attr-defined]
            stream.flush()  # type: ignore[attr-defined]
    return emit


def _read_stdin(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """A daemon thread: works for pipes, files and terminals, and never blocks exit."""
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


class NoticeGate:
    """The join flow (app/join_flow.py) for a participant whose answer to the privacy
    notice is on its command line (`--notice`): it is given when the Welcome names
    the notice, and camera and mic commands wait for it, as in the window."""

    def __init__(self, answer: str = "accept") -> None:
        self.answer = answer
        self.flow: JoinFlow[None] = JoinFlow(lambda server: None, lambda server, version: None)
        self.released = asyncio.Event()
        self.camera = True

    def welcomed(self, link: Link, notice: Notice) -> list[Step[None]]:
        steps = self.flow.welcomed(link, notice)
        if any(isinstance(step, ShowNotice) for step in steps):
            steps = (self.flow.decline() if self.answer == "decline"
                     else self.flow.accept(allow_camera=self.answer == "accept"))
        for step in steps:
            if isinstance(step, Release):
                self.camera = step.camera
                self.released.set()
        return steps


async def _commands(session: CallSession, queue: asyncio.Queue[str | None],
                    emit: Callable[[Event], None], gate: NoticeGate | None = None) -> None:
    gate = gate or NoticeGate()
    while True:
        line = await queue.get()
        if line is None:
            return   # no more commands; the call goes on (see docs/headless.md)
        if not line.strip():
            continue
        try:
            cmd = parse_command(line)
        except CommandError as exc:
            emit(ErrorRaised("bad_command", str(exc)))
            continue
        if isinstance(cmd, CameraCmd | MicCmd):
            await gate.released.wait()     # nothing opens before the notice is answered
            if isinstance(cmd, CameraCmd) and cmd.on and not gate.camera:
                emit(ErrorRaised("sound_only", "you chose sound only: the camera stays off"))
                continue
        await dispatch(session, cmd)


async def _main(args: argparse.Namespace, emit: Callable[[Event], None]) -> int:
    link = parse_link(args.link)
    blur = "blur" if args.blur == "on" else "off"
    welcomed = False
    gate = NoticeGate(getattr(args, "notice", "accept"))

    def sink(event: Event) -> None:
        nonlocal welcomed
        if isinstance(event, StateChanged) and event.state in ("waiting", "joined"):
            welcomed = True
        emit(event)
        if isinstance(event, Welcomed) and any(
                isinstance(step, Decline) for step in gate.welcomed(link, event.notice)):
            asyncio.ensure_future(session.leave())

    session = CallSession(link, args.name, sink, pin=args.pin, camera=args.camera,
                          mic=args.mic, blur=blur, speaker=getattr(args, "speaker", "null"),
                          noise_suppression=getattr(args, "noise_suppression", "on") == "on",
                          auto_gain=getattr(args, "auto_gain", "off") == "on",
                          screen=getattr(args, "screen", "off"))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(session.leave()))
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_stdin, args=(loop, queue), daemon=True,
                     name="klasse-stdin").start()
    helpers = [asyncio.ensure_future(_commands(session, queue, emit, gate))]
    if args.duration is not None:
        async def stop_later() -> None:
            await asyncio.sleep(args.duration)
            await session.leave()
        helpers.append(asyncio.ensure_future(stop_later()))
    try:
        await session.run()
    finally:
        for task in helpers:
            task.cancel()
        for task in helpers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    left = session.left
    return 0 if welcomed and left is not None and left.wiped else 1


def run(args: argparse.Namespace) -> int:
    """Entry point of `klasse join LINK --headless`; returns the exit status."""
    emit = _writer(sys.stdout)
    try:
        parse_link(args.link)
    except ProtocolError as exc:
        emit(ErrorRaised(str(exc.code), exc.message))
        emit(Left(str(exc.code), wiped=True, cache_files_remaining=0))
        return 2
    try:
        return asyncio.run(_main(args, emit))
    except KeyboardInterrupt:
        return 130
