"""The connection-quality judgement behind the tiles' indicators and the own-connection
message: per feed good/weak/bad, held for a few seconds; whose connection is the problem."""

from __future__ import annotations

from klasse.app.connection_quality import ConnectionJudge, judge_feed, judge_upload
from klasse.app.events import FeedStats, StatsReported


def feed(name: str, fps: float = 15.0, loss: float = 0.0, rtt: int = 20,
         freezes: int = 0) -> FeedStats:
    return FeedStats(name, fps, freezes, 0.0, loss, rtt, 300)


def report(*feeds: FeedStats, mode: str = "full", up_loss: float = 0.0) -> StatsReported:
    return StatsReported(tuple(feeds), mode, 500, up_loss, 20)


def test_a_feed_is_judged_by_loss_round_trip_and_frame_rate() -> None:
    assert judge_feed(feed("a"), video_on=True) == "good"
    assert judge_feed(feed("a", loss=0.02), True) == "good"   # repaired by NACKs
    assert judge_feed(feed("a", loss=0.05), True) == "weak"
    assert judge_feed(feed("a", loss=0.2), True) == "bad"
    assert judge_feed(feed("a", rtt=400), True) == "weak"
    assert judge_feed(feed("a", rtt=900), True) == "bad"
    assert judge_feed(feed("a", fps=6), True) == "weak"
    assert judge_feed(feed("a", fps=1), True) == "bad"
    assert judge_feed(feed("a"), True, new_freezes=1) == "weak"
    # Camera off: no frames is normal; the sound's loss still counts.
    assert judge_feed(feed("a", fps=0), video_on=False) == "good"
    assert judge_feed(feed("a", fps=0, loss=0.3), video_on=False) == "bad"


def test_the_own_upload_follows_the_uplink_adapter() -> None:
    assert judge_upload("full", 0.0) == "good"
    assert judge_upload("none", 0.0) == "good"          # not sending
    assert judge_upload("full", 0.06) == "weak"
    assert judge_upload("half", 0.0) == "weak"
    assert judge_upload("half-slow", 0.01) == "weak"
    assert judge_upload("audio-only", 0.0) == "bad"


def test_a_level_is_held_for_a_few_seconds_so_a_tile_does_not_flicker() -> None:
    judge = ConnectionJudge(hold_s=3.0)
    on = {"a": True}
    assert judge.update(report(feed("a")), on, 0.0).feeds["a"].level == "good"
    assert judge.update(report(feed("a", fps=1)), on, 0.5).feeds["a"].level == "bad"
    assert judge.update(report(feed("a")), on, 1.0).feeds["a"].level == "bad"
    assert judge.update(report(feed("a")), on, 3.4).feeds["a"].level == "bad"
    assert judge.update(report(feed("a")), on, 3.6).feeds["a"].level == "good"
    q = judge.update(report(feed("a", loss=0.06, rtt=120, fps=11)), on, 4.0).feeds["a"]
    assert (q.level, q.loss, q.rtt_ms, q.fps) == ("weak", 0.06, 120, 11)


def test_a_freeze_counts_once_when_it_is_reported() -> None:
    judge = ConnectionJudge(hold_s=0.0)
    on = {"a": True}
    judge.update(report(feed("a", freezes=2)), on, 0.0)      # freezes before we looked
    assert judge.update(report(feed("a", freezes=2)), on, 0.5).feeds["a"].level == "good"
    assert judge.update(report(feed("a", freezes=3)), on, 1.0).feeds["a"].level == "weak"
    assert judge.update(report(feed("a", freezes=3)), on, 1.5).feeds["a"].level == "good"


def test_one_bad_feed_is_its_senders_problem_all_bad_feeds_are_mine() -> None:
    judge = ConnectionJudge(hold_s=0.0)
    on = {"a": True, "b": True, "c": True}
    one = judge.update(report(feed("a", fps=1), feed("b"), feed("c")), on, 0.0)
    assert one.feeds["a"].level == "bad" and one.own_problem() is None
    all_bad = judge.update(report(feed("a", fps=1), feed("b", loss=0.2), feed("c", fps=5)),
                           on, 1.0)
    assert all_bad.download == "weak"          # the least bad of them
    assert all_bad.own_problem() == "download"
    # A pupil who sees only the teacher cannot tell: the teacher's connection it is.
    alone = judge.update(report(feed("a", fps=1)), {"a": True}, 2.0)
    assert alone.download == "good" and alone.feeds["a"].level == "bad"


def test_the_own_upload_and_download_together() -> None:
    judge = ConnectionJudge(hold_s=0.0)
    on = {"a": True, "b": True}
    up = judge.update(report(feed("a"), feed("b"), mode="half"), on, 0.0)
    assert up.own_problem() == "upload" and up.own == "weak"
    both = judge.update(report(feed("a", fps=1), feed("b", fps=1), mode="audio-only"), on, 1.0)
    assert both.own_problem() == "both" and both.own == "bad"
    fine = judge.update(report(feed("a"), feed("b")), on, 2.0)
    assert fine.own_problem() is None and fine.own == "good"


def test_a_feed_that_left_is_forgotten() -> None:
    judge = ConnectionJudge(hold_s=10.0)
    judge.update(report(feed("a", fps=1)), {"a": True}, 0.0)
    judge.update(report(), {}, 1.0)
    assert judge.update(report(feed("a")), {"a": True}, 2.0).feeds["a"].level == "good"
