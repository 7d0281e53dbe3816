"""Small helpers every widget shares: re-reading texts on language change, buttons
that always carry an accessible name."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QLabel, QPushButton, QWidget


class Translatable:
    """Mixin for QWidgets: call retranslate() at the end of __init__; Qt's
    LanguageChange event calls it again after a translator was (un)installed."""

    def retranslate(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]


def button(parent: QWidget | None = None, checkable: bool = False,
           object_name: str = "") -> QPushButton:
    b = QPushButton(parent)
    b.setCheckable(checkable)
    if object_name:
        b.setObjectName(object_name)
    return b


def plain_label(parent: QWidget | None = None, text: str = "") -> QLabel:
    """A QLabel that never interprets markup. QLabel's default (AutoText) renders
    anything that looks like HTML, so a participant named `<img ...>` would draw an
    image; every label in the client is made here."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def plain_tip(text: str) -> str:
    """Tooltip text shown literally: Qt renders tooltips that look like HTML as HTML,
    so such text is escaped into a paragraph that displays it as written."""
    return (QtGuiNamespace.convertFromPlainText(text) if QtGuiNamespace.mightBeRichText(text)
            else text)


def label_for(widget: QWidget, text: str, tooltip: str = "", shortcut: str = "") -> None:
    """Set the visible text (if any), the accessible name and the tooltip together.
    A button's shortcut is set after its text: QAbstractButton.setText replaces the
    shortcut with the text's mnemonic."""
    if isinstance(widget, QPushButton):
        widget.setText(text)
        if shortcut:
            widget.setShortcut(QKeySequence(shortcut))
    widget.setAccessibleName(text.replace("&", ""))
    widget.setToolTip(plain_tip(tooltip or text.replace("&", "")))


TOGGLE_STYLE = ("QPushButton { padding: 6px 14px; }"
                "QPushButton:checked { background: #1b7f2a; color: white; font-weight: bold; "
                "border: 1px solid #145f20; border-radius: 3px; }")


def toggle(parent: QWidget | None = None, object_name: str = "") -> QPushButton:
    """A device on/off button: green while on, so its state shows at a glance."""
    b = button(parent, checkable=True, object_name=object_name)
    b.setStyleSheet(TOGGLE_STYLE)
    return b
