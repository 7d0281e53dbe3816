"""The speaker's device buffer: grows when the device keeps running dry, halves again
after a long calm spell (no device needed: these are the speaker's own rules)."""

from __future__ import annotations

import pytest

from klasse.media import speaker as sp
from klasse.media.audio_mixer import Mixer


def test_the_buffer_grows_on_repeated_underruns_and_comes_back_after_calm(
        monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(sp.time, "monotonic", lambda: now[0])
    s = sp.Speaker(Mixer())
    assert s.buffer_s == sp.OUTPUT_LATENCY_S
    assert not s._ran_dry() and not s._ran_dry()     # two underruns: keep the size
    now[0] += 1.0
    assert s._ran_dry() and s.buffer_s == 2 * sp.OUTPUT_LATENCY_S   # the third: grow
    now[0] += sp.SHRINK_AFTER_S - 1
    assert not s._calm()                              # not calm for long enough yet
    assert not s._ran_dry()                           # an underrun starts the wait again
    now[0] += sp.SHRINK_AFTER_S - 1
    assert not s._calm()
    now[0] += 2
    assert s._calm() and s.buffer_s == sp.OUTPUT_LATENCY_S
    now[0] += 10 * sp.SHRINK_AFTER_S
    assert not s._calm()                              # never below the starting size
    for _ in range(30):                               # a machine that stays starved
        now[0] += 0.1
        s._ran_dry()
    assert s.buffer_s == sp.MAX_OUTPUT_LATENCY_S
