"""The gallery's decisions: order, pinning, paging, hidden feeds (app/gallery_layout.py)."""

from __future__ import annotations

from klasse.app.gallery_layout import (
    SPEAKING_LEVEL_DB,
    active_speaker,
    base_order,
    layout,
    tiles_that_fit,
)
from klasse.app.protocol import Participant

ME = "t0"
CLASS = [ME] + [f"p{i:02d}" for i in range(29)]     # a teacher and 29 pupils


def test_base_order_is_me_teachers_then_pupils_by_name_joined_only() -> None:
    people = [Participant(id="p2", name="zoe", role="pupil", state="joined"),
              Participant(id="p1", name="Anna", role="pupil", state="joined"),
              Participant(id="w", name="Aaron", role="pupil", state="waiting"),
              Participant(id="t2", name="Mr B", role="teacher", state="joined"),
              Participant(id="me", name="Yusuf", role="pupil", state="joined")]
    assert base_order(people, "me") == ["me", "t2", "p1", "p2"]


def test_a_class_of_thirty_pages_and_every_pupil_is_on_exactly_one_page() -> None:
    pages = [layout(CLASS, ME, None, [], per_page=12, page=i) for i in range(3)]
    assert [p.pages for p in pages] == [3, 3, 3]
    assert [len(p.tiles) for p in pages] == [12, 12, 6]
    shown = [t for p in pages for t in p.tiles]
    assert sorted(shown) == sorted(CLASS) and len(shown) == len(set(shown))
    # Off-page feeds are hidden (paused); my own tile is never a feed.
    assert pages[0].hidden == frozenset(CLASS[12:])
    assert ME not in pages[1].hidden and pages[1].hidden == frozenset(CLASS[1:12] + CLASS[24:])


def test_the_speaker_and_raised_hands_are_pinned_first_on_every_page() -> None:
    hands = ["p20", "p05"]
    for page in range(3):
        lay = layout(CLASS, ME, "p27", hands, per_page=12, page=page)
        assert lay.tiles[:3] == ("p27", "p05", "p20")     # speaker, then hands in order
        assert lay.pinned == {"p27", "p05", "p20"}
        assert not lay.hidden & lay.pinned
    # Pinned tiles appear once: they are not repeated among the paged rest.
    every = [t for page in range(3) for t in layout(CLASS, ME, "p27", hands, 12, page).tiles
             if t not in ("p27", "p05", "p20")]
    assert sorted(every) == sorted(set(CLASS) - {"p27", "p05", "p20"})


def test_pinning_never_takes_more_than_half_a_page() -> None:
    hands = CLASS[1:]                 # everybody raised a hand
    lay = layout(CLASS, ME, "p03", hands, per_page=8)
    assert len(lay.pinned) == 4 and lay.tiles[0] == "p03"
    assert len(lay.tiles) == 8


def test_my_own_hand_and_voice_do_not_pin_me_and_unknown_ids_are_ignored() -> None:
    lay = layout(CLASS, ME, ME, [ME, "gone"], per_page=12)
    assert lay.pinned == frozenset() and lay.tiles[0] == ME


def test_a_page_past_the_end_is_clamped_and_tiny_pages_still_work() -> None:
    assert layout(CLASS, ME, None, [], per_page=12, page=9).page == 2
    assert layout(CLASS, ME, None, [], per_page=12, page=-3).page == 0
    one = layout(CLASS, ME, "p01", [], per_page=1, page=0)
    assert one.tiles == ("p01",) and one.pages == 1
    assert layout([], ME, None, [], per_page=4).tiles == ()


def test_a_small_class_has_one_page_and_nothing_hidden() -> None:
    lay = layout(CLASS[:5], ME, "p02", ["p01"], per_page=12)
    assert lay.pages == 1 and lay.hidden == frozenset() and len(lay.tiles) == 5


def test_tiles_that_fit_the_window() -> None:
    assert tiles_that_fit(1280, 720) == 5 * 5        # a class of 30 needs two pages
    assert tiles_that_fit(640, 360) == 2 * 2
    assert tiles_that_fit(100, 50) == 1
    assert tiles_that_fit(1280, 720, strip=True) == 5


def test_the_active_speaker_is_the_loudest_recent_open_mic() -> None:
    now = 100.0
    levels = {"a": (-20.0, now - 0.2), "b": (-10.0, now - 0.1), "c": (-5.0, now - 3.0),
              "d": (-1.0, now), "e": (SPEAKING_LEVEL_DB - 1, now)}
    assert active_speaker(levels, {"a", "b", "c", "e"}, now) == "b"   # d's mic is off
    assert active_speaker(levels, {"c", "e"}, now) is None              # stale, too quiet
