"""The speaker's mixer: a full block every pull, gaps as silence, volumes, mutes."""

from __future__ import annotations

import numpy as np

from klasse.media.audio_mixer import BLOCK, MAX_BUFFER_MS, RATE, Mixer, to_mono_s16


def _const(value: int, ms: int) -> np.ndarray:
    return np.full(RATE * ms // 1000, value, np.int16)


def test_a_pull_always_gives_a_full_block_even_with_no_feed() -> None:
    mixer = Mixer()
    block = mixer.pull()
    assert block.shape == (BLOCK,) and block.dtype == np.int16 and not block.any()


def test_feeds_are_summed_after_the_prefetch_and_gaps_become_silence() -> None:
    mixer = Mixer()
    mixer.push("a", _const(1000, 10))
    assert not mixer.pull().any()               # 10 ms < prefetch: not playing yet
    mixer.push("a", _const(1000, 30))
    mixer.push("b", _const(-300, 40))
    assert (mixer.pull() == 700).all()
    assert (mixer.pull() == 700).all()
    assert (mixer.pull() == 700).all()
    assert (mixer.pull() == 700).all()
    gap = mixer.pull()                          # both ran dry: silence, still a full block
    assert gap.shape == (BLOCK,) and not gap.any()
    assert mixer.gaps("a") == 1 and mixer.gaps("b") == 1


def test_volume_and_clipping() -> None:
    mixer = Mixer()
    mixer.set_volume("a", 0.5)
    mixer.set_volume("b", 5.0)                  # capped at 2
    assert mixer.volume("b") == 2.0
    mixer.push("a", _const(1000, 40))
    mixer.push("b", _const(20000, 40))
    assert (mixer.pull() == 32767).all()        # 500 + 40000 clips, not wraps
    mixer.set_volume("b", 0.0)
    assert (mixer.pull() == 500).all()


def test_a_muted_participant_is_silenced_at_once() -> None:
    mixer = Mixer()
    mixer.push("a", _const(1000, 100))
    assert (mixer.pull() == 1000).all()
    mixer.set_muted({"a"})
    assert not mixer.pull().any()
    mixer.push("a", _const(1000, 100))          # still muted: not even buffered
    assert mixer.buffered_ms("a") == 0
    mixer.set_muted(set())
    mixer.push("a", _const(1000, 40))
    assert (mixer.pull() == 1000).all()


def test_a_burst_does_not_build_up_delay() -> None:
    mixer = Mixer()
    for _ in range(30):                          # 600 ms at once, e.g. after a stall
        mixer.push("a", _const(1, 20))
    assert mixer.buffered_ms("a") <= MAX_BUFFER_MS


def test_stereo_is_folded_to_mono() -> None:
    inter = np.array([100, 300, -100, -300], np.int16).reshape(1, -1)
    assert to_mono_s16(inter, 2).tolist() == [200, -200]


def test_delay_left_over_from_a_burst_is_dropped_within_a_second() -> None:
    mixer = Mixer()
    mixer.push("a", _const(1, 150))            # a burst: 150 ms ahead
    for _ in range(150):                        # then exactly in time, 10 ms per pull
        mixer.push("a", _const(1, 10))
        mixer.pull()
    assert mixer.buffered_ms("a") <= 30
