"""The desktop client against the real stack: the room service (`klasse-server run`,
on the run's shared Janus), real CallSessions with synthetic camera and microphone,
real aiortc media through Janus, inside the private network namespace."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from klasse.app.devices import SYNTHETIC
from klasse.app.policy import Policy
from klasse.app.protocol import parse_link
from klasse.ui.controller import CallController
from klasse.ui.main import engine_factory
from klasse.ui.main_window import MainWindow
from klasse.ui.prefs import Preferences
from klasse.ui.sound import ChimePlayer

pytestmark = pytest.mark.skipif(
    os.environ.get("KLASSE_NETNS") != "1",
    reason="needs the private network namespace (run through scripts/netns-run)")

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
SERVER = [sys.executable, "-m", "klasse.server.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((SERVER_ADDR, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(janus, tmp_path: Path, extra_config: str = "", title: str = "Maths 7b") -> Iterator[dict]:
    """`klasse-server run` on the shared Janus; yields one room's links, PIN and port."""
    s = janus.settings
    data, port = tmp_path / "data", _free_port()
    config = tmp_path / "server.toml"
    config.write_text(
        f'listen = "{SERVER_ADDR}"\nport = {port}\ndata = "{data}"\n{extra_config}\n'
        f'[[janus]]\nurl = "{s.api_url}"\napi_secret = "{s.api_secret}"\n'
        f'admin_url = "{s.admin_url}"\nadmin_secret = "{s.admin_secret}"\n'
        f'admin_key = "{s.admin_secret}"\n')
    subprocess.run([*SERVER, "user", "add", "t1", "--role", "teacher", "--config", str(config)],
                   input="a long enough password\n", text=True, check=True)
    room = json.loads(subprocess.run(
        [*SERVER, "room", "create", "--teacher", "t1", "--title", title, "--json",
         "--config", str(config)], capture_output=True, text=True, check=True).stdout)
    proc = subprocess.Popen([*SERVER, "run", "--config", str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "klasse-server exited before it was ready"
            if "ready on" in line:
                break
        yield dict(room, port=port)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture
def room_service(janus, tmp_path: Path) -> Iterator[dict]:
    with serve(janus, tmp_path, "recording_allowed = true") as room:
        yield room


async def _until(check: Callable[[], object], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.05)


def _window(qtbot, tmp_path: Path, name: str, policy: Policy) -> MainWindow:
    from PySide6.QtCore import QSettings

    prefs = Preferences(policy, QSettings(str(tmp_path / f"{name}.ini"),
                                          QSettings.Format.IniFormat))
    win = MainWindow(CallController(engine_factory), policy, prefs, [], [],
                     chimes=ChimePlayer(backend=None))
    qtbot.addWidget(win)
    win.show()
    return win


def _prepare(win: MainWindow, link: str, name: str, pin: str) -> None:
    win.open_link(parse_link(link))
    win.prejoin.name.setText(name)
    win.prejoin.pin.setText(pin)
    assert win.prejoin.camera_device.currentData() == SYNTHETIC   # this machine has no camera
    win.prejoin.blur.setCurrentIndex(win.prejoin.blur.findData("off"))   # spare the 2 cores
    win.prejoin.blur.activated.emit(win.prejoin.blur.currentIndex())


def test_teacher_turns_pupil_camera_off_through_the_real_stack(
        qtbot, qloop, room_service, tmp_path: Path) -> None:
    teacher = _window(qtbot, tmp_path, "teacher", Policy(recording_allowed=True))
    pupil = _window(qtbot, tmp_path, "pupil", Policy())

    async def lesson() -> None:
        _prepare(teacher, room_service["teacher_link"], "Ms Weber", room_service["pin"])
        teacher.prejoin.join.click()
        await _until(lambda: teacher.notice_pending is not None, "teacher welcomed")
        assert "the school" in teacher.notice.body.toPlainText()
        teacher.notice.accept_button.click()
        await _until(lambda: teacher.stack.currentWidget() is teacher.lesson, "teacher in")

        _prepare(pupil, room_service["pupil_link"], "Jonas", room_service["pin"])
        pupil.prejoin.camera.click()
        await _until(lambda: pupil.prejoin.preview.image is not None, "pupil's preview")
        pupil.prejoin.join.click()
        await _until(lambda: pupil.notice_pending is not None, "pupil welcomed")
        pupil.notice.accept_button.click()
        # Accepting sends the Join: "connecting", then the waiting room.
        await _until(lambda: pupil.stack.currentWidget() is pupil.waiting
                     and pupil.waiting.headline.text() == "Your teacher will let you in.",
                     "waiting room")

        panel = teacher.lesson.teacher
        await _until(lambda: len(panel.waiting_rows) == 1, "teacher sees the pupil waiting")
        next(iter(panel.waiting_rows.values())).admit.click()
        await _until(lambda: pupil.stack.currentWidget() is pupil.lesson, "pupil admitted")
        pid = pupil.controller.participant
        # The camera the pupil switched on before joining goes on now, and its
        # (real, Janus-relayed) frames reach the teacher's tile.
        await _until(lambda: pupil.lesson.camera.isChecked(), "pupil camera on")
        await _until(lambda: pid in teacher.lesson.gallery.tiles
                     and teacher.lesson.gallery.tiles[pid].image is not None,
                     "pupil video at the teacher", timeout=30)

        await _until(lambda: pid in panel.pupil_rows, "pupil row")
        panel.pupil_rows[pid].lock.click()
        await _until(lambda: not pupil.lesson.camera.isEnabled(), "pupil camera locked")
        assert not pupil.lesson.camera.isChecked()
        assert pupil.lesson.camera.accessibleName() == "Camera locked"
        assert "Your teacher turned your camera off." in pupil.messages.text.text()
        await _until(lambda: teacher.lesson.gallery.tiles[pid].image is None,
                     "teacher's tile of the pupil goes dark")
        await _until(lambda: "locked" in panel.pupil_rows[pid].state.text(), "teacher sees lock")

        pupil.lesson.leave_button.click()
        await _until(lambda: pupil.stack.currentWidget() is pupil.left_page, "pupil left",
                     timeout=30)
        assert pupil.left_page.wiped.text() == ("✔ The call's data on this computer has "
                                                "been deleted.")
        panel.end_button.click()
        panel.confirm_yes.click()
        await _until(lambda: teacher.stack.currentWidget() is teacher.left_page, "lesson ended",
                     timeout=30)

    qloop.run_until_complete(asyncio.wait_for(lesson(), 120))


def test_teacher_signs_in_creates_a_lesson_and_starts_it(qtbot, qloop, room_service,
                                                          tmp_path: Path) -> None:
    policy = Policy(server=f"{SERVER_ADDR}:{room_service['port']}", tls=False)
    win = _window(qtbot, tmp_path, "account", policy)
    acc = win.start.account

    async def flow() -> None:
        acc.user.setText("t1")
        acc.password.setText("not the password")
        acc.sign_in.click()
        await _until(lambda: acc.error.text(), "the refusal")
        assert acc.error.text() == "Wrong user name or password."
        assert win.session is None
        acc.password.setText("a long enough password")
        acc.sign_in.click()
        await _until(lambda: win.session is not None, "signed in")
        assert acc.password.text() == ""             # not kept in the widget
        assert "t1 (teacher)" in acc.note.text() and acc.create.isVisible()
        acc.title.setText("History 8a")
        acc.create.click()
        await _until(lambda: acc.room is not None, "lesson created")
        assert acc.room.pin in acc.created.text() and acc.room.pupil_link in acc.created.text()
        acc.start.click()
        assert win.stack.currentWidget() is win.prejoin
        win.prejoin.name.setText("Ms Weber")          # no PIN: the session stands in for it
        win.prejoin.join.click()
        await _until(lambda: win.notice_pending is not None, "welcomed")
        win.notice.accept_button.click()
        await _until(lambda: win.stack.currentWidget() is win.lesson, "in the lesson")
        assert win.controller.role == "teacher"
        assert win.windowTitle() == "History 8a — Klasse"
        win.lesson.teacher.end_button.click()
        win.lesson.teacher.confirm_yes.click()
        await _until(lambda: win.stack.currentWidget() is win.left_page, "ended", timeout=30)

    qloop.run_until_complete(asyncio.wait_for(flow(), 60))


class _ProtocolTeacher:
    """The teacher as a bare protocol client: teachers see every participant, waiting
    ones included, so its `names` are everything the service holds for the room."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.names: set[str] = set()
        self.ws = None
        self.reader: asyncio.Task | None = None

    async def join(self, link: str, pin: str) -> None:
        from websockets.asyncio.client import connect

        from klasse.app import protocol as p

        self.ws = await connect(self.url, proxy=None)
        await self.ws.send(p.encode(p.Join(v=1, link=link, name="Ms Weber", pin=pin)).decode())

        async def read() -> None:
            async for raw in self.ws:
                msg = p.decode_server(raw)
                if isinstance(msg, p.Participants):
                    self.names |= {x.name for x in msg.participants}
                elif isinstance(msg, p.Closed):
                    return
        self.reader = asyncio.ensure_future(read())
        await _until(lambda: "Ms Weber" in self.names, "the teacher is in")

    async def probe(self, link: str, pin: str, name: str) -> object:
        """Another pupil joins: once the teacher sees it, the service has handled
        everything that reached it before (a Join from the window included)."""
        from websockets.asyncio.client import connect

        from klasse.app import protocol as p

        ws = await connect(self.url, proxy=None)
        await ws.send(p.encode(p.Join(v=1, link=link, name=name, pin=pin)).decode())
        await _until(lambda: name in self.names, f"the teacher sees {name}")
        return ws

    async def end(self) -> None:
        from klasse.app import protocol as p

        assert self.ws is not None and self.reader is not None
        await self.ws.send(p.encode(p.End()).decode())
        await asyncio.wait_for(self.reader, 15)
        await self.ws.close()


def test_notice_shows_before_the_name_reaches_the_service(qtbot, qloop, room_service,
                                                          tmp_path: Path) -> None:
    link, pin = room_service["pupil_link"], room_service["pin"]
    teacher = _ProtocolTeacher(parse_link(link).service_url)
    first = _window(qtbot, tmp_path, "declines", Policy())
    second = _window(qtbot, tmp_path, "accepts", Policy())

    async def flow() -> None:
        await teacher.join(room_service["teacher_link"], pin)
        _prepare(first, link, "Jonas Declining", pin)
        first.prejoin.join.click()
        await _until(lambda: first.stack.currentWidget() is first.notice, "the notice")
        assert "the school" in first.notice.body.toPlainText()
        probes = [await teacher.probe(link, pin, "Probe One")]
        assert "Jonas Declining" not in teacher.names        # the notice came first
        first.notice.leave.click()
        await _until(lambda: first.stack.currentWidget() is first.left_page, "declined")
        assert first.left_page.headline.text() == ("You did not join. Nothing was sent to "
                                                   "the school's server.")
        probes.append(await teacher.probe(link, pin, "Probe Two"))
        assert "Jonas Declining" not in teacher.names        # and never will: no trace
        assert first.controller.call is None and not first.controller.running

        # The control: a pupil who accepts reaches the service, so the probe can see it.
        _prepare(second, link, "Lena Accepting", pin)
        second.prejoin.join.click()
        await _until(lambda: second.stack.currentWidget() is second.notice, "the notice")
        assert "Lena Accepting" not in teacher.names
        second.notice.accept_button.click()
        await _until(lambda: "Lena Accepting" in teacher.names, "the pupil at the service")
        await _until(lambda: second.waiting.headline.text() == "Your teacher will let you in.",
                     "waiting room")
        await teacher.end()
        await _until(lambda: second.stack.currentWidget() is second.left_page, "ended",
                     timeout=30)
        for ws in probes:
            await ws.close()

    qloop.run_until_complete(asyncio.wait_for(flow(), 90))
