"""Each tile shows its connection quality (loss, round trip, fps); a user whose own
connection is the problem is told so. The judgement is app/connection_quality.py's;
the window draws what the stats event makes of it."""

from __future__ import annotations

from klasse.app.events import FeedStats, StatsReported

from .conftest import open_and_join
from .driver import Room


def _stats(*feeds: FeedStats, mode: str = "full", up_loss: float = 0.0) -> StatsReported:
    return StatsReported(tuple(feeds), mode, 500, up_loss, 30)


def test_tiles_show_each_connection_and_the_own_problem_is_named(qtbot, make_window) -> None:
    room = Room(waiting_room=False)
    teacher = make_window(room)
    open_and_join(qtbot, teacher, "teacher", "Ms Weber")
    pupil = make_window(room)
    open_and_join(qtbot, pupil, "pupil", "Jonas")
    other = make_window(room)
    open_and_join(qtbot, other, "pupil", "Mia")
    jonas, mia, tid = (pupil.controller.participant, other.controller.participant,
                       teacher.controller.participant)
    pupil.lesson.camera.click()
    qtbot.waitUntil(lambda: teacher.lesson.gallery.tiles[jonas].camera, timeout=3000)

    # The teacher receives Jonas's video with loss: his tile says how bad, with figures.
    teacher.controller._sink(_stats(FeedStats(jonas, 4.0, 1, 0.8, 0.09, 140, 200),
                                    FeedStats(mia, 0.0, 0, 0.0, 0.0, 0, 30)))
    tiles = teacher.lesson.gallery.tiles
    qtbot.waitUntil(lambda: tiles[jonas].quality == "weak", timeout=3000)
    assert tiles[jonas].figures_text() == "9 % loss · 140 ms · 4 fps"
    assert "connection weak (9 % loss · 140 ms · 4 fps)" in tiles[jonas].toolTip()
    assert tiles[mia].quality == "good" and tiles[mia].figures_text() == "0 % loss · 0 ms"
    assert tiles[tid].quality == "good"          # her own connection: nothing wrong
    assert "Your internet connection" not in teacher.messages.text.text()
    teacher.grab()                               # paints the indicator without error

    # Jonas's own upload loses packets: his window says it is his connection.
    pupil.controller._sink(_stats(FeedStats(tid, 15.0, 0, 0.0, 0.0, 20, 400), up_loss=0.08))
    qtbot.waitUntil(lambda: "the others see and hear you with interruptions"
                    in pupil.messages.text.text(), timeout=3000)
    own = pupil.lesson.gallery.tiles[jonas]
    assert own.quality == "weak" and own.quality_text() == "your connection is weak"

    # Mia receives everyone badly at once: her download is the problem.
    other.controller._sink(_stats(FeedStats(tid, 1.0, 2, 1.2, 0.2, 300, 50),
                                  FeedStats(jonas, 2.0, 2, 1.1, 0.18, 300, 40)))
    qtbot.waitUntil(lambda: "the others' video and sound reach you with interruptions"
                    in other.messages.text.text(), timeout=3000)
    assert other.lesson.gallery.tiles[mia].quality == "bad"
