"""A signed-in teacher's "My recordings" against the real room service (`klasse-server
run`): the dialog lists the teacher's own recordings, deletes one only after
confirmation, and says so when the server refuses.

The recordings are put into the service's store directly (finished, a small file
each) before it starts; the service reads the store on every request."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QTreeWidget

from klasse.app.policy import Policy
from klasse.server.recording.store import FILE_MODE, RecordingInfo, RecordingStore
from klasse.ui.i18n import set_language
from klasse.ui.recordings_dialog import RecordingsDialog

from .test_real_stack import SERVER, SERVER_ADDR, _free_port, _until, _window

pytestmark = pytest.mark.skipif(
    os.environ.get("KLASSE_NETNS") != "1",
    reason="needs the private network namespace (run through scripts/netns-run)")

PASSWORD = "a long enough password"
WEEK = 7 * 86400.0       # the service's default retention


def _finished(store: RecordingStore, owner: str, seconds: float, what: list[str],
              state: str = "ready") -> RecordingInfo:
    info = store.create(owner, what)
    path = store.folder(info.id) / "teacher.webm"
    path.write_bytes(b"\x1aE\xdf\xa3 a small stand-in for the converted file")
    path.chmod(FILE_MODE)
    info.state, info.duration_s, info.files = state, seconds, ["teacher.webm"]  # type: ignore[assignment]
    store.save(info)
    return info


@pytest.fixture
def server(janus, tmp_path: Path) -> Iterator[dict]:
    """`klasse-server run` (recording allowed) with two teachers and their recordings."""
    s = janus.settings
    data, port = tmp_path / "data", _free_port()
    config = tmp_path / "server.toml"
    config.write_text(
        f'listen = "{SERVER_ADDR}"\nport = {port}\ndata = "{data}"\n'
        'recording_allowed = true\n'
        f'[[janus]]\nurl = "{s.api_url}"\napi_secret = "{s.api_secret}"\n'
        f'admin_url = "{s.admin_url}"\nadmin_secret = "{s.admin_secret}"\n'
        f'admin_key = "{s.admin_secret}"\n')
    for user in ("t1", "t2"):
        subprocess.run([*SERVER, "user", "add", user, "--role", "teacher", "--config",
                        str(config)], input=PASSWORD + "\n", text=True, check=True)
    store = RecordingStore(data / "recordings", WEEK)
    short = _finished(store, "t1", 754.0, ["teacher camera", "teacher microphone"])
    short.interrupted = True         # its Janus was lost while it recorded
    store.save(short)
    long = _finished(store, "t1", 3725.0, ["teacher camera", "teacher microphone",
                                           "teacher screen"])
    other = _finished(store, "t2", 30.0, ["teacher microphone"])
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
        yield dict(port=port, store=store, short=short, long=long, other=other)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _rows(tree: QTreeWidget) -> list[list[str]]:
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
            for i in range(tree.topLevelItemCount())]


def _select(dialog: RecordingsDialog, rid: str) -> None:
    tree = dialog.list
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        item.setSelected(item.data(0, Qt.ItemDataRole.UserRole) == rid)


def test_teacher_lists_own_recordings_and_deletes_one_after_confirming(
        qtbot, qloop, server, tmp_path: Path) -> None:
    store: RecordingStore = server["store"]
    short, long, other = server["short"], server["long"], server["other"]
    win = _window(qtbot, tmp_path, "recordings",
                  Policy(server=f"{SERVER_ADDR}:{server['port']}", tls=False))
    acc = win.start.account
    assert not acc.my_recordings.isVisible()           # signed out: nothing to list

    async def flow() -> None:
        acc.user.setText("t1")
        acc.password.setText(PASSWORD)
        acc.sign_in.click()
        await _until(lambda: win.session is not None, "signed in")
        assert acc.my_recordings.isVisible()
        assert acc.my_recordings.accessibleName() == "My recordings"
        acc.my_recordings.click()
        dialog = acc.recordings
        assert dialog is not None and dialog.isVisible()
        await _until(lambda: dialog.entries is not None, "the list")

        # Only t1's two, newest first, with length, what and state; not t2's.
        assert [e.id for e in dialog.entries] == [long.id, short.id]
        rows = _rows(dialog.list)
        assert [r[1:4] for r in rows] == [
            ["1:02:05", "the teacher's camera, microphone and screen", "ready"],
            ["12:34", "the teacher's camera and microphone", "ready, interrupted"]]
        assert all(r[0] and r[4] for r in rows)         # recorded on, deleted on
        assert dialog.error.text() == ""
        named = [w.accessibleName() for w in dialog.findChildren(QAbstractButton)]
        assert all(named) and dialog.list.accessibleName() == "Your recordings"

        assert not dialog.delete.isEnabled()             # nothing selected yet
        _select(dialog, short.id)
        assert dialog.delete.isEnabled()
        dialog.delete.click()
        assert dialog.confirm.isVisible()
        assert "cannot be undone" in dialog.confirm_text.text()
        dialog.confirm_no.click()                       # kept: nothing asked of the server
        assert not dialog.confirm.isVisible()
        await asyncio.sleep(0.3)
        assert store.folder(short.id).exists() and len(dialog.entries) == 2

        dialog.delete.click()
        dialog.confirm_yes.click()
        await _until(lambda: dialog.entries is not None and len(dialog.entries) == 1,
                     "deleted")
        assert [e.id for e in dialog.entries] == [long.id]
        assert not store.folder(short.id).exists()
        assert store.folder(other.id).exists() and store.folder(long.id).exists()

        # One still being converted (it appears while the dialog is open): listed, but
        # not offered for deletion.
        busy = _finished(store, "t1", 5.0, ["teacher microphone"], state="converting")
        dialog.refresh.click()
        await _until(lambda: dialog.entries is not None and len(dialog.entries) == 2,
                     "the converting one")
        assert _rows(dialog.list)[0][2:4] == ["the teacher's microphone", "being converted"]
        _select(dialog, busy.id)
        assert not dialog.delete.isEnabled()
        store.delete(busy.id)

        # IT removes the other one meanwhile: the server refuses, the dialog says so
        # and shows what is left.
        store.delete(long.id)
        _select(dialog, long.id)
        dialog.delete.click()
        dialog.confirm_yes.click()
        await _until(lambda: dialog.error.text(), "the refusal")
        assert dialog.error.text() == ("That recording no longer exists: it has expired or "
                                       "was deleted.")
        await _until(lambda: dialog.entries == [], "the list again")
        assert dialog.list.topLevelItemCount() == 0
        assert dialog.status.text() == "You have no recordings on the school's server."
        assert not dialog.delete.isEnabled()

        set_language("de")
        assert dialog.status.text() == "Du hast keine Aufnahmen auf dem Server der Schule."
        assert dialog.list.headerItem().text(0) == "Aufgenommen am"
        set_language("en")

        acc.sign_out.click()                            # the dialog goes with the session
        assert acc.recordings is None and not dialog.isVisible()

    qloop.run_until_complete(asyncio.wait_for(flow(), 60))
    assert store.folder(other.id).exists()              # t2's was never touched


def test_an_unreachable_server_is_said_plainly(qtbot, qloop) -> None:
    import socket

    with socket.socket() as s:       # a loopback port nobody serves
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dialog = RecordingsDialog(f"ws://127.0.0.1:{port}/", "token")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.status.text() == "Loading your recordings…" and not dialog.refresh.isEnabled()
    qloop.run_until_complete(_until(lambda: dialog.error.text(), "the failure", 15))
    assert dialog.error.text() == "The school's server cannot be reached."
    assert dialog.status.text() == "" and dialog.entries is None
    assert dialog.refresh.isEnabled() and not dialog.delete.isEnabled()
