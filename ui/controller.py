"""The one place where the UI meets the call engine.

CallController owns a CallControl (app/call_api.py), runs its coroutines on the
qasync loop that drives Qt, turns engine events into queued Qt signals, and
forwards clicks as commands. Widgets talk only to this object.

Three privacy rules live here because they are about when the UI talks to anything:
- nothing is opened until the user turns a device on (no call object exists before);
- before a join the notice is asked for with the link alone (`ask_notice`, through
  app/notice.py): no name goes to the server until the user has accepted it;
- on joining, the devices the user switched on in the pre-join screen stay off until
  the privacy notice of this server has been accepted (`release_devices`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from klasse.app import events as ev
from klasse.app.call_api import CallControl, Device, EventSink, VideoSink
from klasse.app.connection_quality import ConnectionJudge
from klasse.app.notice import NoticeError, fetch_notice
from klasse.app.protocol import Link, Notice, Participant, RecordingState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JoinRequest:
    """Everything the engine needs to start a call; fixed once the call is created."""
    link: Link
    name: str
    pin: str | None = None
    session: str | None = None      # a school account's session token, instead of a PIN
    camera_device: str = ""
    mic_device: str = ""
    speaker_device: str = ""         # "" = the system default output
    blur: str = "blur"


CallFactory = Callable[[JoinRequest, EventSink, VideoSink], CallControl]
NoticeFetcher = Callable[[Link], Awaitable[Notice]]   # raises NoticeError


class CallController(QObject):
    stateChanged = Signal(str)
    welcomed = Signal(object)              # events.Welcomed
    participantsChanged = Signal(object)   # tuple[Participant, ...]
    localMediaChanged = Signal(object)     # events.LocalMediaChanged
    mediaFlow = Signal(object)             # events.MediaFlow
    mediaReconnecting = Signal(bool)       # events.MediaReconnecting.active
    uplinkChanged = Signal(str)            # events.UplinkChanged.mode
    connectionQuality = Signal(object)     # app.connection_quality.ConnectionReport
    levels = Signal(object)                # events.LevelsMeasured
    recordingChanged = Signal(object)      # events.RecordingChanged
    shareChanged = Signal(object)          # events.ShareChanged
    roomLockChanged = Signal(bool)         # (teachers) the room is locked against new pupils
    moderationReceived = Signal(object)    # events.ModerationReceived
    consentRequested = Signal(object)      # events.ConsentRequested
    chatReceived = Signal(object)          # events.ChatReceived
    errorRaised = Signal(object)           # events.ErrorRaised
    left = Signal(object)                  # events.Left
    frameReady = Signal(str, object)       # participant id or "local", RGB ndarray
    noticeFetched = Signal(object, object)  # JoinRequest, Notice: nothing sent but the link
    noticeFailed = Signal(object)          # events.ErrorRaised

    # Internal: carries events from whatever thread the engine uses to the GUI thread.
    _event = Signal(object)
    _frame = Signal(str, object)

    def __init__(self, factory: CallFactory, parent: QObject | None = None,
                 notice_fetcher: NoticeFetcher = fetch_notice) -> None:
        super().__init__(parent)
        self._factory = factory
        self._fetch_notice = notice_fetcher
        self._notice_ask = 0          # bumped to drop the answer of an abandoned ask
        self._call: CallControl | None = None
        self._request: JoinRequest | None = None
        self._running = False
        self._tasks: set[asyncio.Future[Any]] = set()
        self._held: tuple[bool, bool] | None = None   # devices held back until notice accepted
        self.role: str = "pupil"
        self.participant: str = ""
        self.participants: tuple[Participant, ...] = ()
        self.local = ev.LocalMediaChanged(camera=False, mic=False)
        self.recording = ev.RecordingChanged(RecordingState())
        self.state: str = "idle"
        self._judge = ConnectionJudge()
        self._event.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._frame.connect(self.frameReady, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------ engine side
    def _sink(self, event: ev.Event) -> None:
        if shiboken6.isValid(self):   # the window (and this object) may already be gone
            self._event.emit(event)

    def _video(self, participant: str, frame: np.ndarray) -> None:
        if shiboken6.isValid(self):
            self._frame.emit(participant, frame)

    @Slot(object)
    def _dispatch(self, event: ev.Event) -> None:
        if isinstance(event, ev.StateChanged):
            self.state = event.state
            self.stateChanged.emit(event.state)
        elif isinstance(event, ev.Welcomed):
            self.role, self.participant = event.role, event.participant
            self.welcomed.emit(event)
        elif isinstance(event, ev.ParticipantsChanged):
            self.participants = event.participants
            self.participantsChanged.emit(event.participants)
        elif isinstance(event, ev.LocalMediaChanged):
            self.local = event
            self.localMediaChanged.emit(event)
        elif isinstance(event, ev.MediaFlow):
            self.mediaFlow.emit(event)
        elif isinstance(event, ev.MediaReconnecting):
            self.mediaReconnecting.emit(event.active)
        elif isinstance(event, ev.UplinkChanged):
            self.uplinkChanged.emit(event.mode)
        elif isinstance(event, ev.StatsReported):
            video_on = {p.id: p.camera for p in self.participants}
            self.connectionQuality.emit(self._judge.update(event, video_on, time.monotonic()))
        elif isinstance(event, ev.LevelsMeasured):
            self.levels.emit(event)
        elif isinstance(event, ev.RecordingChanged):
            self.recording = event
            self.recordingChanged.emit(event)
        elif isinstance(event, ev.ShareChanged):
            self.shareChanged.emit(event)
        elif isinstance(event, ev.RoomLockChanged):
            self.roomLockChanged.emit(event.locked)
        elif isinstance(event, ev.ModerationReceived):
            self.moderationReceived.emit(event)
        elif isinstance(event, ev.ConsentRequested):
            self.consentRequested.emit(event)
        elif isinstance(event, ev.ChatReceived):
            self.chatReceived.emit(event)
        elif isinstance(event, ev.ErrorRaised):
            self.errorRaised.emit(event)
        elif isinstance(event, ev.Left):
            self._running = False
            self.state = "left"
            self.left.emit(event)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or not shiboken6.isValid(self):
            return
        exc = task.exception()
        if exc is not None:
            log.error("call command failed: %s", exc.__class__.__name__, exc_info=exc)
            self.errorRaised.emit(ev.ErrorRaised(code="internal", message=str(exc)))

    # ------------------------------------------------------------ pre-join
    @property
    def call(self) -> CallControl | None:
        return self._call

    @property
    def running(self) -> bool:
        return self._running

    def prepare(self, request: JoinRequest) -> None:
        """Make (or remake) the not-yet-running call for the pre-join preview."""
        if self._running:
            raise RuntimeError("the call is already running")
        if self._call is not None and request == self._request:
            return
        old, self._call, self._request = self._call, None, request
        if old is not None:
            self._spawn(_close_preview(old))
        self._call = self._factory(request, self._sink, self._video)

    def set_request(self, request: JoinRequest) -> None:
        """What the next call will use. A preview call is remade only when the devices
        change (name, PIN and background are applied without reopening anything)."""
        if self._running:
            return
        old = self._request
        self._request = request
        if self._call is None or old is None:
            return
        if (old.camera_device, old.mic_device) != (request.camera_device, request.mic_device):
            camera, mic = self.local.camera, self.local.mic
            self._request = old
            self.prepare(request)
            if camera:
                self.set_camera(True)
            if mic:
                self.set_mic(True)
        elif old.blur != request.blur:
            self.set_blur(request.blur)
        if old.speaker_device != request.speaker_device:
            self.set_output(request.speaker_device or "default")

    @property
    def request(self) -> JoinRequest | None:
        return self._request

    def ask_notice(self, request: JoinRequest) -> None:
        """Fetch the server's notice before joining; answers with noticeFetched or
        noticeFailed. Only the link's token goes out: no name, PIN or session."""
        if self._running:
            return
        self._notice_ask += 1
        self._spawn(self._ask_notice(self._notice_ask, request))

    async def _ask_notice(self, ask: int, request: JoinRequest) -> None:
        try:
            notice = await self._fetch_notice(request.link)
        except NoticeError as exc:
            if ask == self._notice_ask and shiboken6.isValid(self):
                self.noticeFailed.emit(ev.ErrorRaised(code=exc.code, message=exc.message))
            return
        if ask == self._notice_ask and shiboken6.isValid(self):
            self.noticeFetched.emit(request, notice)

    def cancel_notice(self) -> None:
        """Forget an ask still under way (the user went back)."""
        self._notice_ask += 1

    def join(self, request: JoinRequest) -> None:
        """Start the call. Devices switched on before stay off until `release_devices`."""
        if self._running:
            return
        self._held = (self.local.camera, self.local.mic)
        if self._call is not None:
            self._spawn(_close_preview(self._call))
        self._call, self._request, self._running = None, request, True
        self.local = ev.LocalMediaChanged(camera=False, mic=False)
        self._call = self._factory(request, self._sink, self._video)
        self._spawn(self._call.run())

    def release_devices(self, allow_camera: bool = True) -> None:
        """The notice is accepted: turn on what the user had switched on before joining."""
        held, self._held = self._held, None
        if held is None or self._call is None:
            return
        camera, mic = held
        if camera and allow_camera:
            self.set_camera(True)
        if mic:
            self.set_mic(True)

    # ------------------------------------------------------------ commands
    def _command(self, name: str, *args: Any, **kwargs: Any) -> None:
        if self._call is None:
            log.warning("ignored %s: no call", name)
            return
        self._spawn(getattr(self._call, name)(*args, **kwargs))

    def set_camera(self, on: bool) -> None:
        if on and self._call is None and self._request is not None:
            self.prepare(self._request)
        self._command("set_camera", on)

    def set_mic(self, on: bool) -> None:
        if on and self._call is None and self._request is not None:
            self.prepare(self._request)
        self._command("set_mic", on)

    def set_blur(self, mode: str) -> None:
        self._command("set_blur", mode)

    def set_volume(self, participant: str, volume: float) -> None:
        self._command("set_volume", participant, volume)

    def set_output(self, device: str) -> None:
        self._command("set_output", device)

    def play_test_sound(self) -> None:
        if self._call is None and self._request is not None:
            self.prepare(self._request)      # before joining: the preview call plays it
        self._command("play_test_sound")

    def set_noise_suppression(self, on: bool) -> None:
        self._command("set_noise_suppression", on)

    def chat(self, text: str) -> None:
        self._command("chat", text)

    def hand(self, up: bool) -> None:
        self._command("hand", up)

    def consent(self, recording: bool) -> None:
        self._command("consent", recording)

    def leave(self) -> None:
        self.cancel_notice()
        if self._running:
            self._command("leave")
        elif self._call is not None:
            call, self._call = self._call, None
            self._spawn(_close_preview(call))

    def admit(self, participant: str) -> None:
        self._command("admit", participant)

    def admit_all(self) -> None:
        self._command("admit_all")

    def deny(self, participant: str) -> None:
        self._command("deny", participant)

    def deny_all(self) -> None:
        self._command("deny_all")

    def lock_room(self, locked: bool) -> None:
        self._command("lock_room", locked)

    def turn_off(self, participant: str | None, device: Device, lock: bool = False) -> None:
        self._command("turn_off", participant, device, lock)

    def unlock(self, participant: str, device: Device) -> None:
        self._command("unlock", participant, device)

    def ask_on(self, participant: str, device: Device) -> None:
        self._command("ask_on", participant, device)

    def kick(self, participant: str) -> None:
        self._command("kick", participant)

    def lower_hands(self, participant: str | None = None) -> None:
        self._command("lower_hands", participant)

    def end(self) -> None:
        self._command("end")

    def record(self, start: bool) -> None:
        self._command("record", start)

    def share(self, on: bool, source: str | None = None, replace: bool = False) -> None:
        self._command("share", on, source, replace)

    def share_permission(self, participant: str, allow: bool) -> None:
        self._command("share_permission", participant, allow)

    async def shutdown(self) -> None:
        """Leave if needed and wait for every command to finish (before the loop stops)."""
        if self._running and self._call is not None:
            await self._call.leave()
        elif self._call is not None:
            await _close_preview(self._call)
        pending = list(self._tasks)
        if pending:
            done, still = await asyncio.wait(pending, timeout=5)
            for task in still:
                task.cancel()


async def _close_preview(call: CallControl) -> None:
    # A preview call never ran: switching its devices off releases them; an engine
    # that holds more than devices for a preview releases it in close_preview().
    await call.set_camera(False)
    await call.set_mic(False)
    close = getattr(call, "close_preview", None)
    if close is not None:
        await close()
