"""UI test fixtures: offscreen Qt, a qasync loop, isolated preferences, and windows
driven through the in-process test room (driver.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from klasse.app.policy import Policy
from klasse.ui.controller import CallController
from klasse.ui.i18n import TRANSLATIONS, set_language
from klasse.ui.main_window import MainWindow
from klasse.ui.prefs import Preferences
from klasse.ui.sound import ChimePlayer

from .driver import Room, link

pytestmark = pytest.mark.ui


def _compile_translations() -> None:
    # `make translations` does this at set-up; a bare pytest run must still find .qm files.
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    for ts in sorted(TRANSLATIONS.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)


@pytest.fixture(scope="session")
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    _compile_translations()
    loop = qasync.QEventLoop(qapp)
    yield loop
    loop.close()    # joins qasync's executor threads (name lookups) before Qt goes away


@pytest.fixture(autouse=True)
def _qasync_current(qloop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """The qasync loop is the current loop during a UI test, and only then (the
    integration tests run on pytest-asyncio's own loop)."""
    policy = asyncio.get_event_loop_policy()
    previous = getattr(getattr(policy, "_local", None), "_loop", None)
    asyncio.set_event_loop(qloop)
    yield
    drain(qloop)
    asyncio.set_event_loop(previous)


def drain(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel and finish what a test left on the loop (aiortc/aioice keep timers
    running for a moment after a call): nothing may step later, outside a test."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if pending:
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


@pytest.fixture(autouse=True)
def english(qloop: asyncio.AbstractEventLoop) -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


WindowMaker = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot, settings: QSettings, qloop) -> WindowMaker:
    def make(room: Room, policy: Policy | None = None, prefs_settings: QSettings | None = None,
             backend=None) -> MainWindow:
        policy = policy or Policy()
        prefs = Preferences(policy, prefs_settings or settings)
        window = MainWindow(CallController(room.factory, notice_fetcher=room.fetch_notice),
                            policy, prefs, [], [],
                            chimes=ChimePlayer(backend=backend))
        qtbot.addWidget(window)
        window.show()
        return window
    return make


def open_and_join(qtbot, window: MainWindow, role: str, name: str,
                  accept_notice: bool = True) -> None:
    """What a user does: open the link, type a name, press Join (and accept the notice,
    which comes before the join when this server's version was not accepted yet)."""
    window.open_link(link(role))
    assert window.stack.currentWidget() is window.prejoin
    window.prejoin.name.setText(name)
    window.prejoin.join.click()
    qtbot.waitUntil(lambda: window.notice_pending is not None
                    or window.controller.state in ("waiting", "joined"), timeout=3000)
    if accept_notice and window.notice_pending is not None:
        assert window.stack.currentWidget() is window.notice
        window.notice.accept_button.click()
        qtbot.waitUntil(lambda: window.controller.state in ("waiting", "joined"), timeout=3000)
