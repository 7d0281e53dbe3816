"""`make screenshots`: PNGs of the client's main screens, taken under Xvfb.

The windows are the real ones, driven through the in-process test room of
tests/ui/driver.py (no server needed). Output: build/screenshots/*.png.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from klasse.app.events import FeedStats, StatsReported  # noqa: E402
from klasse.app.policy import Policy  # noqa: E402
from klasse.app.protocol import RecordingState  # noqa: E402
from klasse.ui.controller import CallController  # noqa: E402
from klasse.ui.i18n import set_language  # noqa: E402
from klasse.ui.main_window import MainWindow  # noqa: E402
from klasse.ui.prefs import Preferences  # noqa: E402
from klasse.ui.sound import ChimePlayer  # noqa: E402
from tests.ui.driver import Room, link  # noqa: E402

OUT = ROOT / "build" / "screenshots"


def settle(ms: int = 150) -> None:
    QTest.qWait(ms)


def window(room: Room, tmp: Path, name: str, teacher: bool = False) -> MainWindow:
    policy = Policy(recording_allowed=teacher)
    prefs = Preferences(policy, QSettings(str(tmp / f"{name}.ini"), QSettings.Format.IniFormat))
    controller = CallController(room.factory, notice_fetcher=room.fetch_notice)
    win = MainWindow(controller, policy, prefs, [], [], chimes=ChimePlayer(backend=None))
    win.resize(1100, 700)
    win.show()
    return win


def join(win: MainWindow, role: str, name: str, camera: bool = False, mic: bool = False) -> None:
    win.open_link(link(role))
    win.prejoin.name.setText(name)
    if camera:
        win.prejoin.camera.click()
    if mic:
        win.prejoin.mic.click()
    settle()
    win.prejoin.join.click()
    settle()
    if win.notice_pending is not None:
        win.notice.accept_button.click()
    settle()


def shoot(win: MainWindow, name: str) -> Path:
    settle(200)
    path = OUT / f"{name}.png"
    if not win.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"screenshots: {path}")
    return path


def screen_share(room: Room, teacher: MainWindow, pupil: MainWindow) -> None:
    """The teacher shares a text slide: the pupil's stage, the teacher's bar, the picker."""
    import cv2

    from klasse.media.screen_source import render_text_page
    from klasse.ui.screen_share import SharePicker

    slide = cv2.cvtColor(render_text_page(
        ["Fractions: adding with unlike denominators", "1/3 + 1/4 = 4/12 + 3/12 = 7/12",
         "Find the least common multiple of the denominators first.",
         "Exercise: 2/5 + 1/6 = ?"], scale=1.6, top=140), cv2.COLOR_BGRA2RGB)
    tid = teacher.controller.participant
    teacher.share_what = "Worksheet - fractions"
    asyncio.ensure_future(room.members[tid].share(True, "window:0x1", False))
    settle(300)
    room.send_screen(slide)
    room.send_frames()
    shoot(pupil, "12-share-pupil")
    shoot(teacher, "13-share-teacher")
    picker = SharePicker(teacher)
    picker.show()
    settle(300)
    shoot(picker, "14-share-picker")  # type: ignore[arg-type]
    picker.close()
    asyncio.ensure_future(room.members[tid].share(False))
    settle(300)


def connection_quality(room: Room, teacher: MainWindow, pupil: MainWindow) -> None:
    """Tiles' connection indicators, as the stats event makes them (app/connection_quality.py):
    the teacher receives one pupil weakly and one badly; that pupil is told it is her
    own connection."""
    ids = {p.name: p.id for p in teacher.controller.participants}
    feeds = tuple(FeedStats(pid, fps, 0, 0.0, loss, rtt, 300) for pid, fps, loss, rtt in (
        (ids["Aylin T."], 9.0, 0.06, 140), (ids["Noah V."], 0.0, 0.2, 420),
        (ids["Mila K."], 15.0, 0.0, 12), (ids["Jonas B."], 0.0, 0.0, 0)))
    teacher.controller._sink(StatsReported(feeds, "full", 600, 0.0, 12))
    me = pupil.controller.participant
    pupil.controller._sink(StatsReported(tuple(FeedStats(pid, 15.0, 0, 0.0, 0.01, 15, 300)
                                               for pid in ids.values() if pid != me),
                                         "full", 300, 0.09, 140))
    room.send_frames()
    settle()
    shoot(teacher, "15-connection-teacher")
    shoot(pupil, "16-connection-pupil")


def class_of_thirty() -> None:
    """The gallery of a teacher with 29 pupils: page 1 of 2, a speaker and two raised
    hands pinned first (synthetic pictures: a colour per pupil)."""
    import numpy as np

    from klasse.app.events import MediaFlow
    from klasse.app.protocol import Participant
    from klasse.ui.gallery import Gallery

    people = [Participant(id="t0", name="Ms Weber", role="teacher", state="joined", mic=True)]
    people += [Participant(id=f"p{i:02d}", name=f"Pupil {i + 1:02d}", role="pupil",
                           state="joined", camera=True, mic=True, publishing=True,
                           hand=i in (17, 26)) for i in range(29)]
    gallery = Gallery()
    gallery.resize(1280, 760)
    gallery.show()
    gallery.set_participants(tuple(people), "t0", local_camera=False, local_mic=True)
    gallery.on_media_flow(MediaFlow(kind="audio", sender="p21", frames=50, level=-18.0))
    for i, p in enumerate(people[1:]):
        frame = np.zeros((240, 320, 3), np.uint8)
        frame[:, :] = ((i * 53) % 200 + 40, (i * 97) % 200 + 40, (i * 29) % 200 + 40)
        frame[60:180, 110:210] = 235            # a face-sized block
        gallery.show_frame(p.id, frame)
    settle(300)
    path = OUT / "17-gallery-class-of-30.png"
    if not gallery.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"screenshots: {path} (page {gallery.page.page + 1} of {gallery.page.pages}, "
          f"{len(gallery.page.hidden)} feeds on no tile)")
    gallery.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    # Fresh preferences every run: an earlier run's accepted notice would skip the gate.
    tmp = Path(tempfile.mkdtemp(prefix="klasse-screenshot-prefs-"))
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    set_language(os.environ.get("KLASSE_SCREENSHOT_LANG", "en"))

    room = Room(title="Maths 7b", waiting_room=True)
    teacher = window(room, tmp, "teacher", teacher=True)
    join(teacher, "teacher", "Ms Weber", camera=True, mic=True)

    first = window(room, tmp, "pupil")
    shoot(first, "0-start")
    first.open_link(link("pupil"))
    first.prejoin.name.setText("Mila K.")
    first.prejoin.camera.click()
    settle()
    shoot(first, "1-prejoin")
    first.prejoin.join.click()
    settle()
    shoot(first, "2-privacy-notice")
    first.notice.accept_button.click()
    settle()
    shoot(first, "3-waiting")

    others = []
    for name, cam in (("Jonas B.", False), ("Aylin T.", True), ("Noah V.", False)):
        w = window(room, tmp, name.split()[0].lower())
        join(w, "pupil", name, camera=cam, mic=cam)
        others.append(w)
    late = window(room, tmp, "late")
    join(late, "pupil", "Lena S.")
    panel = teacher.lesson.teacher
    for pid, row in list(panel.waiting_rows.items()):
        if row.pupil.name != "Lena S.":
            teacher.controller.admit(pid)
    settle(300)
    others[0].lesson.hand.click()
    others[0].lesson.chat.entry.setText("Can you repeat the last example?")
    others[0].lesson.chat.send_button.click()
    teacher.lesson.chat.entry.setText("Sure, one moment.")
    teacher.lesson.chat.send_button.click()
    settle()
    for _ in range(2):
        room.send_frames()
        settle(100)
    shoot(first, "4-lesson-pupil")
    shoot(teacher, "5-lesson-teacher")
    connection_quality(room, teacher, others[1])
    screen_share(room, teacher, first)

    teacher.lesson.teacher.record_button.click()
    settle()
    shoot(first, "6-recording-announced")
    room.set_recording(RecordingState(state="active", what=["teacher camera",
                                                           "teacher microphone"]))
    room.send_frames()
    shoot(first, "7-recording")
    shoot(teacher, "8-recording-teacher")
    room.set_recording(RecordingState(state="active", what=["teacher camera",
                                                           "teacher microphone"]),
                       unknown=True)
    shoot(first, "9-recording-unknown")
    room.set_recording(RecordingState())
    teacher.lesson.teacher.pupil_rows[first.controller.participant].lock.click()
    settle()
    shoot(first, "10-camera-locked")
    first.lesson.leave_button.click()
    settle()
    shoot(first, "11-left")
    for w in [teacher, first, late, *others]:
        w.close()
    class_of_thirty()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
