"""FeedWatch: a received feed that goes quiet is asked for again, with backoff."""

from __future__ import annotations

from klasse.app.feed_watch import FeedWatch


def tick(w: FeedWatch, t: float, counts: dict[str, int], kinds: set[str] | None = None
         ) -> list[str]:
    kinds = set(counts) if kinds is None else kinds
    w.tick(t)
    w.expect("p1", kinds, t)
    for kind, n in counts.items():
        w.frames("p1", kind, n, t)
    return w.due(t)


def test_flowing_feed_is_left_alone() -> None:
    w = FeedWatch(stall_s=5)
    w.subscribed("p1", 0.0)
    for i in range(100):
        assert tick(w, i * 0.5, {"video": i, "audio": 3 * i}) == []


def test_quiet_kind_is_asked_for_again_then_backs_off() -> None:
    w = FeedWatch(stall_s=5, max_backoff_s=20, max_tick_gap_s=1.5)
    w.subscribed("p1", 0.0)
    asks = []
    for i in range(200):   # audio flows, video stops at 10 s
        t = i * 0.5
        if tick(w, t, {"video": min(i, 20), "audio": i}):
            asks.append(t)
    # 5 s after the last frame, then 10, 20, 20, ... after each request.
    assert asks[:4] == [15.0, 25.0, 45.0, 65.0]
    assert w.resubscribed == len(asks)


def test_frames_again_reset_the_backoff() -> None:
    w = FeedWatch(stall_s=5)
    w.subscribed("p1", 0.0)
    assert [t for t in (i * 0.5 for i in range(40)) if tick(w, t, {"audio": 0})] == [5.0, 15.0]
    tick(w, 20.0, {"audio": 7})          # it came back
    assert [t for t in (20 + i * 0.5 for i in range(1, 30)) if tick(w, t, {"audio": 7})] == [25.0]


def test_nothing_expected_nothing_asked() -> None:
    """Camera and mic off (or moderated off): silence is right."""
    w = FeedWatch(stall_s=5)
    w.subscribed("p1", 0.0)
    assert not any(tick(w, i * 0.5, {}, kinds=set()) for i in range(60))
    # The camera turns on at 30 s: its clock starts then, not at the subscription.
    assert [t for t in (30 + i * 0.5 for i in range(20)) if tick(w, t, {"video": 0})] == [35.0]


def test_new_subscription_restarts_the_clock() -> None:
    w = FeedWatch(stall_s=5, max_tick_gap_s=60)
    w.subscribed("p1", 0.0)
    tick(w, 4.0, {"video": 0})
    w.subscribed("p1", 4.5)              # resubscribed for another reason (media_reconnect)
    assert tick(w, 9.0, {"video": 0}) == []
    assert tick(w, 9.5, {"video": 0}) == ["p1"]


def test_forgotten_feed_is_not_watched() -> None:
    w = FeedWatch(stall_s=5)
    w.subscribed("p1", 0.0)
    w.forget("p1")
    assert tick(w, 30.0, {"video": 0}) == []


def test_a_starved_client_does_not_take_its_own_silence_for_quiet_feeds() -> None:
    """Six seconds without a check (the process was not scheduled): the frames of
    that time are still queued, so nothing may be asked for again at once."""
    w = FeedWatch(stall_s=5, max_tick_gap_s=1.5)
    w.subscribed("p1", 0.0)
    for i in range(10):
        assert tick(w, i * 0.5, {"audio": i}) == []
    assert tick(w, 10.5, {"audio": 9}) == []      # back after 6 s: no request
    assert tick(w, 11.0, {"audio": 30}) == []     # the queued frames arrive
    # A feed that really stays quiet is still noticed, 5 s after the restart.
    assert [t for t in (11 + i * 0.5 for i in range(1, 20)) if tick(w, t, {"audio": 30})] == [16.0]
