"""German, Dutch and English through Qt translations; switching needs no restart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from klasse.app.protocol import RecordingState
from klasse.ui.i18n import TRANSLATIONS, current_language, set_language

from .conftest import open_and_join
from .driver import Room


def test_switching_language_retranslates_open_windows(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    room.set_recording(RecordingState(state="active", what=["teacher camera",
                                                          "teacher microphone"]))
    qtbot.waitUntil(lambda: pupil.banner.isVisible(), timeout=3000)
    assert pupil.lesson.camera.text() == "Camera off"
    assert pupil.start.title.text() == "Join a lesson"

    set_language("de")
    assert current_language() == "de"
    assert pupil.start.title.text() == "An einer Stunde teilnehmen"
    assert pupil.lesson.camera.text() == "Kamera aus"
    assert pupil.lesson.camera.accessibleName() == "Kamera aus"
    assert pupil.lesson.hand.text() == "Hand heben"
    assert pupil.banner.text.text() == ("● REC: Diese Stunde wird aufgezeichnet: "
                                        "Kamera und Mikrofon der Lehrkraft.")
    assert pupil.windowTitle().startswith("● REC")
    assert pupil.waiting.leave_button.text() == "Verlassen"

    set_language("nl")
    assert pupil.start.title.text() == "Meedoen met een les"
    assert pupil.lesson.camera.text() == "Camera uit"
    assert "de camera en microfoon van de docent" in pupil.banner.text.text()

    set_language("en")
    assert pupil.lesson.camera.text() == "Camera off"
    assert "the teacher's camera and microphone" in pupil.banner.text.text()


def test_language_choice_is_remembered_and_notice_follows_it(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    win = make_window(room)
    combo = win.start.language
    combo.setCurrentIndex(combo.findData("de"))
    combo.activated.emit(combo.currentIndex())
    assert win.prefs.language == "de" and current_language() == "de"
    open_and_join(qtbot, win, "pupil", "Jonas", accept_notice=False)
    text = win.notice.body.toPlainText()
    assert "Wer ist verantwortlich?" in text and "Art. 21 DSGVO" in text
    assert "Example School" in text
    assert win.notice.accept_button.text() == "Gelesen, weiter"
    set_language("nl")
    assert "Wie is verantwoordelijk?" in win.notice.body.toPlainText()


def test_unknown_language_falls_back_to_english(qapp) -> None:
    assert set_language("fr") == "en"


@pytest.mark.parametrize("lang", ["de", "nl"])
def test_every_string_is_translated_with_the_same_placeholders(lang: str) -> None:
    tree = ET.parse(TRANSLATIONS / f"klasse_{lang}.ts")
    problems = []
    for msg in tree.iter("message"):
        source = msg.findtext("source") or ""
        trans = msg.find("translation")
        text = trans.text or "" if trans is not None else ""
        if not text or (trans is not None and trans.get("type") == "unfinished"):
            problems.append(f"untranslated: {source}")
        elif sorted(re.findall(r"{\w+}", source)) != sorted(re.findall(r"{\w+}", text)):
            problems.append(f"placeholders differ: {source} -> {text}")
    assert problems == []
