"""Everything another participant writes is shown as written: names, chat, the room
title, refusal reasons. Markup in any of them must neither render nor resize the
window (issue 14, finding 2)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

from klasse.app import events as ev

from .conftest import open_and_join
from .driver import Room

IMG = "<img src=x width=3000 height=2000>"
BOLD = "<b>Bold</b> <a href='https://evil.example/'>link</a>"
TITLE = "<h1>Big</h1><img src=y width=2500 height=1500>"
REASON = "<i>slanted</i><img src=z width=2800 height=900>"


def shown(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt draws for `text` in a widget with this text format: the plain text of
    the document Qt builds from it (HTML only if rich text is on or guessed)."""
    doc = QTextDocument()
    rich = fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText
                                              and QtGuiNamespace.mightBeRichText(text))
    if rich:
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc.toPlainText()


def assert_all_literal(window: QWidget, markups: tuple[str, ...]) -> int:
    """Every label and tooltip in the window that carries one of the markups shows it
    literally; returns how many places carried one (so the test knows it looked)."""
    seen = 0
    for widget in [window, *window.findChildren(QWidget)]:
        texts: list[tuple[str, Qt.TextFormat]] = [(widget.toolTip(), Qt.TextFormat.AutoText)]
        if isinstance(widget, QLabel):
            texts.append((widget.text(), widget.textFormat()))
        for text, fmt in texts:
            raw = shown(text, fmt)
            for markup in markups:
                if markup in text or markup in raw:
                    seen += 1
                    assert markup in raw, (widget.objectName(), text)
        if isinstance(widget, QLabel) and any(m in widget.text() for m in markups):
            # An <img width=3000> that rendered would make the label that wide.
            assert widget.sizeHint().width() < 2500 or widget.wordWrap(), widget.text()
    return seen


def test_markup_from_others_is_shown_literally(qtbot, make_window) -> None:
    room = Room(title=TITLE)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", IMG)
    panel = teacher.lesson.teacher
    # Waiting: the teacher's waiting list and the pupil's own waiting page (room title).
    qtbot.waitUntil(lambda: len(panel.waiting_rows) == 1, timeout=3000)
    [row] = panel.waiting_rows.values()
    # Rendered, the <img> would make the label 3000x2000 pixels.
    assert row.name.sizeHint().width() < 1000 and row.name.sizeHint().height() < 200
    assert row.name.text() == IMG and row.name.textFormat() == Qt.TextFormat.PlainText
    assert assert_all_literal(teacher, (IMG,)) >= 3     # name label, admit and deny tooltips
    assert TITLE in pupil.waiting.detail.text()
    assert assert_all_literal(pupil, (TITLE,)) >= 1
    # Admitted: pupil row, gallery tile tooltip, window titles.
    pid = next(iter(panel.waiting_rows))
    row.admit.click()
    qtbot.waitUntil(lambda: pid in panel.pupil_rows, timeout=3000)
    qtbot.waitUntil(lambda: pid in teacher.lesson.gallery.tiles, timeout=3000)
    assert assert_all_literal(teacher, (IMG,)) >= 5
    assert TITLE in pupil.windowTitle()           # window titles are never rich text
    # Chat: a name and a text full of markup arrive as characters, not as HTML.
    room.update(pid, name=BOLD)
    qtbot.waitUntil(lambda: panel.pupil_rows[pid].name.text() == BOLD, timeout=3000)
    pupil.lesson.chat.send.emit(f"see {IMG} and {BOLD}")
    history = teacher.lesson.chat.history
    qtbot.waitUntil(lambda: "see " in history.toPlainText(), timeout=3000)
    assert f"{BOLD}: see {IMG} and {BOLD}" in history.toPlainText()
    assert "<a " not in history.toHtml() and "<img" not in history.toHtml()
    assert history.document().size().width() < 2500
    assert assert_all_literal(teacher, (BOLD,)) >= 3
    # A refusal's reason from the server, shown in the message bar.
    pupil._error(ev.ErrorRaised(code="not_a_known_code", message=REASON))
    assert REASON in pupil.messages.text.text()
    assert assert_all_literal(pupil, (REASON,)) >= 1
    assert pupil.messages.text.sizeHint().width() < 2500
