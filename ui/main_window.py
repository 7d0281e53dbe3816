"""The main window: pages in a stack, with the recording banner and a message bar
above them (layout rows, so nothing in the window can cover the banner)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from klasse.app import events as ev
from klasse.app.account import AccountError, create_room, service_url, sign_in
from klasse.app.connection_quality import ConnectionReport
from klasse.app.devices import SYNTHETIC, DeviceInfo, DeviceLists
from klasse.app.join_flow import AskNotice, Decline, JoinFlow, Release, ShowNotice, StartCall, Step
from klasse.app.policy import Policy
from klasse.app.protocol import Link, Notice, RecordingState, Session, parse_link
from klasse.ui.base import Translatable, button, label_for, plain_label, plain_tip
from klasse.ui.controller import CallController, JoinRequest
from klasse.ui.i18n import set_language, system_language, tr
from klasse.ui.icons import app_icon
from klasse.ui.left_page import LeftPage
from klasse.ui.lesson import LessonPage
from klasse.ui.prefs import Preferences
from klasse.ui.prejoin import PrejoinPage
from klasse.ui.privacy_notice import PrivacyNoticePage
from klasse.ui.recording_banner import RecordingBanner
from klasse.ui.screen_share import SharePicker, exclude_from_capture
from klasse.ui.sound import ChimePlayer
from klasse.ui.start import StartPage
from klasse.ui.waiting import WaitingPage

REC_PREFIX = "● REC"


DEVICE_POLL_MS = 3000   # how often the device pickers are listed again (hot-plug)

class MessageBar(Translatable, QWidget):
    """Messages from the teacher or the service, shown until dismissed or replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#messageBar { background: #fff4c2; } "
                           "#messageBar QLabel { color: black; }")
        self.text = plain_label(self)
        self.text.setWordWrap(True)
        self.text.setObjectName("messageText")
        self.dismiss = button(self, object_name="messageDismiss")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.dismiss)
        self.dismiss.clicked.connect(self.clear)
        self.lines: list[str] = []
        self.setVisible(False)
        self.retranslate()

    MAX_LINES = 3

    def show_message(self, text: str) -> None:
        """Add a line (the newest last; a repeated line moves to the end)."""
        self.lines = [line for line in self.lines if line != text][-(self.MAX_LINES - 1):]
        self.lines.append(text)
        self.text.setText("\n".join(self.lines))
        self.text.setAccessibleName(" ".join(self.lines))
        self.setVisible(True)

    def remove(self, text: str) -> None:
        if text in self.lines:
            self.lines.remove(text)
            if self.lines:
                self.text.setText("\n".join(self.lines))
            else:
                self.clear()

    def clear(self) -> None:
        self.lines = []
        self.text.clear()
        self.setVisible(False)

    def retranslate(self) -> None:
        label_for(self.dismiss, tr("OK"), tr("Hide this message"))


class MainWindow(Translatable, QMainWindow):
    def __init__(self, controller: CallController, policy: Policy, prefs: Preferences,
                 cameras: list[DeviceInfo], mics: list[DeviceInfo],
                 chimes: ChimePlayer | None = None, speakers: list[DeviceInfo] | None = None,
                 device_lists: Callable[[], DeviceLists] | None = None) -> None:
        super().__init__()
        self.controller = controller
        controller.setParent(self)       # dies with the window: no events into dead widgets
        self.policy = policy
        self.prefs = prefs
        self.chimes = chimes or ChimePlayer()
        self.room_title = ""
        # notice -> accept -> join (app/join_flow.py); this window only draws its steps.
        self.flow: JoinFlow[JoinRequest] = JoinFlow(prefs.accepted_notice, prefs.accept_notice)
        self.recording_state = "off"
        self.share_spec: str | None = None   # what this user last chose to share
        self.share_what = ""
        self._uplink_mode = "full"          # the own uplink's last mode (app/uplink.py)
        self.setWindowIcon(app_icon())
        self.resize(1100, 720)

        self.banner = RecordingBanner(self)
        self.messages = MessageBar(self)
        self.start = StartPage(policy.is_locked("language"), policy.server, self)
        self.session: Session | None = None     # account session: memory only
        self.prejoin = PrejoinPage(cameras, mics, prefs.blur, prefs.locked("blur"), self,
                                   speakers=speakers)
        # Hot-plug: the pickers are listed again every few seconds (names only, off
        # the GUI thread); nothing is opened by that.
        self._device_lists = device_lists
        self._devices = DeviceLists(tuple(cameras), tuple(mics), tuple(speakers or ()))
        self._device_timer = QTimer(self)
        self._device_timer.setInterval(DEVICE_POLL_MS)
        self._device_timer.timeout.connect(self._poll_devices)
        if device_lists is not None:
            self._device_timer.start()
        self.notice = PrivacyNoticePage(self)
        self.waiting = WaitingPage(self)
        self.lesson = LessonPage(policy.recording_allowed, self)
        self.left_page = LeftPage(self)
        self.stack = QStackedWidget(self)
        for page in (self.start, self.prejoin, self.notice, self.waiting, self.lesson,
                     self.left_page):
            self.stack.addWidget(page)
        central = QWidget(self)
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.banner)
        col.addWidget(self.messages)
        col.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.prejoin.select_devices(prefs.camera_device or _first(cameras),
                                    prefs.mic_device or _first(mics), prefs.speaker_device)
        # Devices the machine policy locks stay on the default (first) device.
        self.prejoin.camera_device.setEnabled(not prefs.locked("camera_device"))
        self.prejoin.mic_device.setEnabled(not prefs.locked("mic_device"))
        self.start.set_language(prefs.language)

        self.tray = QSystemTrayIcon(app_icon(), self)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
        self._wire()
        self.retranslate()

    # ---------------------------------------------------------------- wiring
    def _wire(self) -> None:
        c = self.controller
        self.start.linkChosen.connect(self.open_link)
        self.start.languageChosen.connect(self.choose_language)
        acc = self.start.account
        acc.signIn.connect(self._sign_in)
        acc.signOut.connect(lambda: (setattr(self, "session", None), acc.set_session(None)))
        acc.createLesson.connect(self._create_lesson)
        acc.startLesson.connect(self._start_lesson)
        # signed in means the policy names a server, so the URL is there
        acc.showRecordings.connect(lambda: acc.open_recordings(self._account_url()))
        p = self.prejoin
        p.cameraToggled.connect(c.set_camera)
        p.micToggled.connect(c.set_mic)
        p.blurChosen.connect(self._blur_chosen)
        p.cameraDeviceChosen.connect(self._camera_device)
        p.micDeviceChosen.connect(self._mic_device)
        p.speakerDeviceChosen.connect(self._speaker_device)
        p.testSoundClicked.connect(c.play_test_sound)
        c.levels.connect(p.set_levels)
        p.joinClicked.connect(self.join)
        p.back.connect(self._back_to_start)
        self.notice.accepted.connect(self._notice_accepted)
        self.notice.declined.connect(self._notice_declined)
        self.waiting.leave.connect(self._leave_waiting)
        le = self.lesson
        le.cameraToggled.connect(c.set_camera)
        le.micToggled.connect(c.set_mic)
        le.handToggled.connect(c.hand)
        le.leave.connect(c.leave)
        le.chat.send.connect(c.chat)
        le.shareRequested.connect(self._pick_share)
        le.shareStop.connect(lambda: c.share(False))
        t = le.teacher
        t.admit.connect(c.admit)
        t.admitAll.connect(c.admit_all)
        t.deny.connect(c.deny)
        t.denyAll.connect(c.deny_all)
        t.lockRoom.connect(c.lock_room)
        c.roomLockChanged.connect(t.set_locked)
        t.turnOff.connect(c.turn_off)
        t.unlock.connect(c.unlock)
        t.kick.connect(c.kick)
        t.lowerHands.connect(c.lower_hands)
        t.endLesson.connect(c.end)
        t.record.connect(c.record)
        t.sharePermission.connect(c.share_permission)
        self.banner.consent.connect(c.consent)
        c.consentRequested.connect(lambda _: self.messages.show_message(tr(
            "Do you agree to be recorded? Until you agree, your camera and microphone stay "
            "off.")))
        self.left_page.again.connect(self._back_to_start)
        self.left_page.quit.connect(self.close)

        c.stateChanged.connect(self._state)
        c.welcomed.connect(self._welcomed)
        c.participantsChanged.connect(lambda ps: le.set_participants(ps, c.participant))
        c.localMediaChanged.connect(self._local)
        c.frameReady.connect(self._frame)
        c.mediaFlow.connect(le.gallery.on_media_flow)
        c.mediaReconnecting.connect(self._media_reconnecting)
        c.uplinkChanged.connect(self._uplink)
        c.connectionQuality.connect(self._connection_quality)
        le.gallery.volumeChosen.connect(c.set_volume)
        c.recordingChanged.connect(self._recording)
        c.shareChanged.connect(self._share_changed)
        c.moderationReceived.connect(self._moderation)
        c.chatReceived.connect(le.chat.add)
        c.errorRaised.connect(self._error)
        c.left.connect(self._left)
        c.noticeFetched.connect(self._notice_fetched)
        c.noticeFailed.connect(self._notice_failed)

    # ---------------------------------------------------------------- pages
    def open_link(self, link: Link) -> None:
        self.messages.clear()
        self.prejoin.set_link(link)
        self.prejoin.set_local(self.controller.local)
        self.controller.set_request(self._request(link))
        self.stack.setCurrentWidget(self.prejoin)
        self.prejoin.name.setFocus()

    def _request(self, link: Link) -> JoinRequest:
        p = self.prejoin
        return JoinRequest(link=link, name=p.name.text().strip(),
                           pin=p.pin.text().strip() or None,
                           session=self.session.token if self.session else None,
                           camera_device=p.camera_device.currentData() or "",
                           mic_device=p.mic_device.currentData() or "",
                           speaker_device=p.speaker_device.currentData() or "",
                           blur=p.blur.currentData() or self.prefs.blur)

    # ---------------------------------------------------------------- accounts
    def _account_url(self) -> str:
        if self.policy.server is None:
            raise AccountError("bad_message", "no server in the machine policy")
        return service_url(self.policy.server, self.policy.tls)

    def _account_task(self, coro, done) -> None:
        async def run() -> None:
            try:
                done(await coro)
            except AccountError as exc:
                self.start.account.show_error(self._account_error(exc))
        asyncio.ensure_future(run())

    def _account_error(self, exc: AccountError) -> str:
        known = {"login_failed": tr("Wrong user name or password."),
                 "rate_limited": tr("Too many tries. Please wait a minute."),
                 "busy": tr("The school's server is busy. Please try again in a moment."),
                 "session_invalid": tr("Please sign in again."),
                 "not_allowed": tr("Only teachers can create lessons."),
                 "connection_failed": tr("The school's server cannot be reached.")}
        return known.get(exc.code) or tr("Something went wrong: {message}").format(
            message=exc.message)

    def _sign_in(self, user: str, password: str) -> None:
        def done(session: Session) -> None:
            self.session = session
            self.start.account.set_session(session)
        try:
            self._account_task(sign_in(self._account_url(), user, password), done)
        except AccountError as exc:
            self.start.account.show_error(self._account_error(exc))

    def _create_lesson(self, title: str) -> None:
        if self.session is not None:
            self._account_task(create_room(self._account_url(), self.session.token, title),
                               self.start.account.set_room)

    def _start_lesson(self) -> None:
        room = self.start.account.room
        if room is not None:
            self.open_link(parse_link(room.teacher_link))

    def join(self) -> None:
        """Join pressed: first the server's notice (asked with the link alone); the
        Join, with the name, goes out only once this server's notice is accepted."""
        link = self.prejoin.link
        if link is None or not self.prejoin.name.text().strip() or self.controller.running:
            return
        self.lesson.chat.clear()
        self.lesson.set_audio_only(False)
        self._do(self.flow.start(link, self._request(link)))

    @property
    def notice_pending(self) -> Notice | None:
        """The notice on screen, waiting for the user's decision."""
        return self.flow.notice

    def _do(self, steps: list[Step[JoinRequest]]) -> None:
        """Draw what the join flow decided."""
        for step in steps:
            match step:
                case AskNotice():
                    self.waiting.set_mode("connecting")
                    self.stack.setCurrentWidget(self.waiting)
                    assert self.flow.request is not None
                    self.controller.ask_notice(self.flow.request)
                case ShowNotice(notice=notice):
                    self.notice.show_notice(notice)
                    self.stack.setCurrentWidget(self.notice)
                case StartCall(request=request):
                    self.waiting.set_mode("connecting")
                    self.stack.setCurrentWidget(self.waiting)
                    self.controller.join(request)
                case Release(camera=camera):
                    self.controller.release_devices(camera)
                    self._show_call_page()
                case Decline(joined=joined):
                    self.controller.leave()   # before joining: closes the preview, sends nothing
                    if not joined:
                        self._left(ev.Left(reason="declined", wiped=True, cache_files_remaining=0))

    def _notice_fetched(self, request: JoinRequest, notice: Notice) -> None:
        if self.stack.currentWidget() is not self.waiting:    # the user went elsewhere
            return
        self._do(self.flow.notice_fetched(notice))

    def _notice_failed(self, error: ev.ErrorRaised) -> None:
        self.flow.reset()
        self._error(error)
        self.stack.setCurrentWidget(self.prejoin)

    def _leave_waiting(self) -> None:
        if self.controller.running:
            self.controller.leave()
        else:                                   # still asking for the notice
            self.flow.reset()
            self.controller.cancel_notice()
            self.stack.setCurrentWidget(self.prejoin)

    def _back_to_start(self) -> None:
        self.controller.leave()
        self.prejoin.set_local(ev.LocalMediaChanged(camera=False, mic=False))
        self.stack.setCurrentWidget(self.start)

    def _blur_chosen(self, mode: str) -> None:
        self.prefs.blur = mode
        self._update_request(blur=mode)

    def _camera_device(self, device: str) -> None:
        self.prefs.camera_device = device
        self._update_request(camera_device=device)

    def _mic_device(self, device: str) -> None:
        self.prefs.mic_device = device
        self._update_request(mic_device=device)

    def _speaker_device(self, device: str) -> None:
        self.prefs.speaker_device = device
        self._update_request(speaker_device=device)

    def _poll_devices(self) -> None:
        lister = self._device_lists
        if lister is None:
            return

        async def look() -> None:
            lists = await asyncio.to_thread(lister)
            if lists != self._devices:
                self._devices = lists
                self.prejoin.set_devices(list(lists.cameras), list(lists.microphones),
                                         list(lists.speakers))
        asyncio.ensure_future(look())

    def _update_request(self, **changes: str) -> None:
        request = self.controller.request
        if request is not None:
            self.controller.set_request(replace(request, **changes))

    def choose_language(self, code: str) -> None:
        self.prefs.language = code
        set_language(code or system_language())

    # ---------------------------------------------------------------- events
    def _state(self, state: str) -> None:
        if state == "connecting":
            self.waiting.set_mode("connecting")
            self.stack.setCurrentWidget(self.waiting)
        elif state == "reconnecting":
            self.messages.show_message(self._reconnecting_text())
        elif state in ("waiting", "joined"):
            self.messages.remove(self._reconnecting_text())
            if self.notice_pending is None:
                self._show_call_page()
        self.retranslate()

    def _media_reconnecting(self, active: bool) -> None:
        if active:
            self.messages.show_message(self._media_reconnecting_text())
        else:
            self.messages.remove(self._media_reconnecting_text())

    def _connection_quality(self, report: ConnectionReport) -> None:
        """The tiles' indicators, and a line when this user's own connection is the
        problem (the upload's lower quality and pause have their own, `_uplink`)."""
        self.lesson.gallery.set_quality(report)
        upload, download = self._connection_texts()
        problem = report.own_problem()
        show = None
        if problem in ("download", "both"):
            show = download
        elif problem == "upload" and self._uplink_mode == "full":
            show = upload
        for text in (upload, download):
            if text != show:
                self.messages.remove(text)
        if show is not None and show not in self.messages.lines:
            self.messages.show_message(show)

    @staticmethod
    def _connection_texts() -> tuple[str, str]:
        return (tr("Your internet connection is weak: the others see and hear you with "
                   "interruptions."),
                tr("Your internet connection is weak: the others' video and sound reach you "
                   "with interruptions."))

    def _uplink(self, mode: str) -> None:
        """This user's own connection is the problem: say so, and what it means."""
        self._uplink_mode = mode
        weak, paused = self._uplink_texts()
        self.messages.remove(weak)
        self.messages.remove(paused)
        if mode == "audio-only":
            self.messages.show_message(paused)
        elif mode != "full":
            self.messages.show_message(weak)

    @staticmethod
    def _uplink_texts() -> tuple[str, str]:
        return (tr("Your internet connection is weak: your video is sent at lower quality."),
                tr("Your internet connection is too weak for video: the others still hear "
                   "you; your picture comes back when the connection allows it."))

    @staticmethod
    def _media_reconnecting_text() -> str:
        return tr("Media reconnecting: the school's media server restarted. The lesson goes on.")

    @staticmethod
    def _reconnecting_text() -> str:
        return tr("The connection to the school's server was lost. Reconnecting…")

    def _show_call_page(self) -> None:
        state = self.controller.state
        if state == "joined":
            if self.stack.currentWidget() is not self.lesson:
                self.messages.clear()
            self.stack.setCurrentWidget(self.lesson)
        elif state == "waiting":
            self.waiting.set_mode("waiting", self.room_title)
            self.stack.setCurrentWidget(self.waiting)

    def _welcomed(self, welcome: ev.Welcomed) -> None:
        self.room_title = welcome.room_title
        self.lesson.set_role(welcome.role)
        self.waiting.set_mode(self.waiting.mode, welcome.room_title)
        request = self.controller.request
        # A notice changed since it was asked for (or never asked) gates now, with the
        # devices still held back.
        self._do(self.flow.welcomed(request.link if request is not None else None,
                                    welcome.notice))
        self.retranslate()

    def _notice_accepted(self, allow_camera: bool) -> None:
        self.lesson.set_audio_only(not allow_camera)
        self._do(self.flow.accept(allow_camera))

    def _notice_declined(self) -> None:
        self._do(self.flow.decline())

    def _local(self, state: ev.LocalMediaChanged) -> None:
        self.prejoin.set_local(state)
        self.lesson.set_local(state)

    def _frame(self, participant: str, frame: np.ndarray) -> None:
        if participant == "local" and self.stack.currentWidget() is self.prejoin:
            self.prejoin.preview.set_frame(frame)
        elif participant.endswith(":screen"):
            self.lesson.show_screen(participant, frame)
        else:
            self.lesson.gallery.show_frame(participant, frame)

    def _recording(self, event: ev.RecordingChanged) -> None:
        before = self.recording_state
        self.banner.asks_consent = self.controller.role == "pupil"
        self.banner.set_state(event)
        state = "unknown" if event.unknown else event.recording.state
        self.recording_state = state
        if not event.unknown:
            if state == "active" and before != "active":
                self.chimes.play("start")
            elif state == "off" and before in ("active", "unknown"):
                self.chimes.play("stop")
            self.lesson.teacher.set_recording(event.recording.state)
        self.retranslate()

    def _moderation(self, m: ev.ModerationReceived) -> None:
        camera = m.device == "camera"
        if m.action == "turn_off" and m.by_server:
            # Not a teacher: the service (a recording this pupil has not agreed to).
            text = (tr("The school's server turned your camera off: a recording is on that "
                       "needs your consent.") if camera else
                    tr("The school's server turned your microphone off: a recording is on "
                       "that needs your consent."))
        elif m.action == "turn_off":
            text = (tr("Your teacher turned your camera off.") if camera
                    else tr("Your teacher turned your microphone off."))
            if m.locked:
                text += " " + tr("It stays off until your teacher unlocks it.")
        elif m.action == "unlock":
            text = (tr("Your teacher unlocked your camera. You can turn it on again if you "
                       "want to.") if camera else
                    tr("Your teacher unlocked your microphone. You can turn it on again if you "
                       "want to."))
        elif m.action == "ask_on":
            text = (tr("Your teacher asks you to turn your camera on. You decide.") if camera
                    else tr("Your teacher asks you to turn your microphone on. You decide."))
        elif m.action == "lower_hand":
            text = tr("Your teacher lowered your hand.")
        else:
            return
        self.messages.show_message(text)

    def _pick_share(self, replace: bool = False) -> None:
        """The picker (live thumbnails) first: nothing is shared before the user chose."""
        picker = SharePicker(self)
        if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
            return
        chosen = picker.chosen
        self.share_spec = chosen.spec
        self.share_what = (chosen.title if chosen.kind == "window"
                           else tr("your whole screen"))
        self.controller.share(True, chosen.spec, False)

    def _share_changed(self, e: ev.ShareChanged) -> None:
        self.lesson.set_share(e.sharer, e.mine, self.share_what)
        exclude_from_capture(self, e.mine)

    def _share_busy(self) -> None:
        """Someone else shares: ask before replacing it."""
        if self.share_spec is None:
            return
        answer = QMessageBox.question(
            self, tr("Replace the current share?"),
            tr("Someone else is sharing their screen. Show yours instead?"))
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.share(True, self.share_spec, True)

    def _error(self, e: ev.ErrorRaised) -> None:
        if e.code == "share_busy":
            self._share_busy()
            return
        known = {"pin_wrong": tr("The PIN is not right. Please check it and try again."),
                 "link_expired": tr("This lesson link has expired. Ask your teacher for a new "
                                    "one."),
                 "link_invalid": tr("This lesson link does not work on this server."),
                 "room_closed": tr("This lesson has already ended."),
                 "connection_failed": tr("The school's server cannot be reached."),
                 "locked": tr("Your teacher has locked this off."),
                 "not_allowed": tr("Only the teacher can do that."),
                 "rate_limited": tr("Too many tries. Please wait a minute."),
                 "busy": tr("The school's server is busy. Please try again in a moment."),
                 "room_full": tr("This lesson is full."),
                 "room_locked": tr("The teacher has locked this lesson: nobody new can join."),
                 "media_failed": tr("Camera or microphone could not be connected."),
                 "blur_degraded": tr("Background blur is not available on this computer, so "
                                     "your whole picture is blurred instead."),
                 "device_failed": tr("The camera or microphone could not be opened. Check "
                                     "that it is connected and not used by another program."),
                 "share_failed": tr("Your screen cannot be shared: {message}").format(
                     message=e.message),
                 "share_ended": tr("Sharing stopped: the shared window was closed.")}
        if e.device == "speaker" and e.code in ("device_failed", "device_lost"):
            self.messages.show_message(
                tr("The sound cannot be played on the chosen speaker. Check that it is "
                   "connected, or choose another output.") if e.code == "device_failed" else
                tr("The speaker was disconnected. The sound now plays on the computer's "
                   "default output."))
            return
        if e.code == "recording_not_allowed":
            # A teacher's start refused by the server, or a pupil's device kept off.
            text = (tr("The school's server refused to record: {message}").format(
                message=e.message) if self.controller.role == "teacher" else
                tr("A recording is on: your camera and microphone stay off unless you agree "
                   "to be recorded."))
            self.messages.show_message(text)
            return
        self.messages.show_message(known.get(e.code) or tr("Something went wrong: {message}")
                                   .format(message=e.message))

    def _left(self, left: ev.Left) -> None:
        self.flow.reset()
        self.messages.clear()
        self.banner.set_state(ev.RecordingChanged(RecordingState()))
        self.recording_state = "off"
        self.lesson.chat.clear()
        self.lesson.set_participants((), "")
        self.prejoin.set_local(ev.LocalMediaChanged(camera=False, mic=False))
        self.left_page.show_left(left)
        self.stack.setCurrentWidget(self.left_page)
        self.retranslate()

    # ---------------------------------------------------------------- chrome
    def retranslate(self) -> None:
        title = "Klasse"
        if self.room_title and self.controller.running:
            title = f"{self.room_title} — Klasse"
        rec = self.banner.active
        if rec:
            title = f"{REC_PREFIX} — {title}"
        self.setWindowTitle(title)
        self.tray.setIcon(app_icon(recording=rec))
        self.tray.setToolTip(plain_tip(f"{REC_PREFIX} — {self.banner.message()}") if rec
                            else "Klasse")
        self.stack.setAccessibleName(tr("Klasse"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.tray.hide()
        super().closeEvent(event)


def _first(devices: list[DeviceInfo]) -> str:
    return "" if devices else SYNTHETIC
