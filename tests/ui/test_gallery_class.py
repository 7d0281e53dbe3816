"""A class of 30 in the gallery: pages, pinned speaker and hands, paused hidden feeds."""

from __future__ import annotations

import numpy as np

from klasse.app.events import MediaFlow
from klasse.app.protocol import Participant
from klasse.ui.gallery import Gallery

ME = "t0"


def _class(hands: tuple[str, ...] = ()) -> tuple[Participant, ...]:
    people = [Participant(id=ME, name="Ms Teacher", role="teacher", state="joined", mic=True)]
    people += [Participant(id=f"p{i:02d}", name=f"Pupil {i:02d}", role="pupil", state="joined",
                           camera=True, mic=True, publishing=True, hand=f"p{i:02d}" in hands)
               for i in range(29)]
    return tuple(people)


def _shown(gallery: Gallery) -> list[str]:
    return [pid for pid in gallery.page.tiles if gallery.tiles[pid].isVisible()]


def test_a_class_of_thirty_pages_pins_and_pauses(qtbot) -> None:
    gallery = Gallery()
    qtbot.addWidget(gallery)
    hidden: list[list[str]] = []
    gallery.hiddenChanged.connect(hidden.append)
    gallery.resize(1280, 760)          # 5 x 5 tiles of at least 240x135
    gallery.show()
    gallery.set_participants(_class(), ME, local_camera=False, local_mic=True)
    qtbot.waitUntil(lambda: gallery.page.pages == 2, timeout=3000)
    # Page 1: 25 tiles drawn, own tile first; the other 5 pupils' video is paused.
    assert len(_shown(gallery)) == 25 and gallery.page.tiles[0] == ME
    assert gallery.next_button.isVisible() and not gallery.prev_button.isEnabled()
    assert hidden[-1] == [f"p{i:02d}" for i in range(24, 29)]
    # The next page shows those five; the first page's pupils are paused now.
    gallery.next_button.click()
    assert gallery.page.page == 1 and set(_shown(gallery)) == {f"p{i:02d}" for i in range(24, 29)}
    assert hidden[-1] == [f"p{i:02d}" for i in range(24)]
    assert "2" in gallery.page_label.text()
    # A hand goes up on page 1 and someone there speaks: both are pinned first, here.
    gallery.set_participants(_class(hands=("p03",)), ME, local_camera=False, local_mic=True)
    gallery.on_media_flow(MediaFlow(kind="audio", sender="p10", frames=50, level=-20.0))
    assert gallery.page.tiles[:2] == ("p10", "p03")
    assert gallery.tiles["p10"].isVisible() and gallery.tiles["p10"].speaking
    assert "p10" not in hidden[-1] and "p03" not in hidden[-1]
    # Frames for a tile that is not drawn cost nothing visible; drawn ones show.
    frame = np.zeros((120, 160, 3), np.uint8)
    gallery.show_frame("p10", frame)
    assert gallery.tiles["p10"].image is not None


def test_a_small_lesson_has_no_pages_and_nothing_paused(qtbot) -> None:
    gallery = Gallery()
    qtbot.addWidget(gallery)
    hidden: list[list[str]] = []
    gallery.hiddenChanged.connect(hidden.append)
    gallery.resize(1280, 760)
    gallery.show()
    gallery.set_participants(_class()[:4], ME, local_camera=False, local_mic=True)
    assert gallery.page.pages == 1 and not gallery.next_button.isVisible()
    assert len(_shown(gallery)) == 4 and hidden == []
