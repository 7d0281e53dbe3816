"""A pupil whose own uplink cannot carry video is told so, and the message goes away."""

from __future__ import annotations

from klasse.app.events import UplinkChanged

from .conftest import open_and_join
from .driver import Room


def test_pupil_is_told_when_their_connection_is_the_problem(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    text = pupil.messages.text
    pupil.controller._sink(UplinkChanged("half", 110, 0.18))
    qtbot.waitUntil(lambda: "video is sent at lower quality" in text.text(), timeout=3000)
    pupil.controller._sink(UplinkChanged("audio-only", 40, 0.4))
    qtbot.waitUntil(lambda: "too weak for video" in text.text(), timeout=3000)
    assert "lower quality" not in text.text()
    pupil.controller._sink(UplinkChanged("full", 400, 0.0))
    qtbot.waitUntil(lambda: "too weak" not in text.text() and "lower quality" not in text.text(),
                    timeout=3000)
