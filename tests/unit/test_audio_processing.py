"""WebRTC's audio processing module (the real one, offline): it takes the speaker's
signal out of the microphone, and can run without noise suppression."""

from __future__ import annotations

import numpy as np
import pytest

from klasse.media.audio_processing import BLOCK, AudioProcessor
from tests.pulse_server import level_db, speechlike


def _run(proc: AudioProcessor, far: np.ndarray, delay: int, gain: float) -> np.ndarray:
    echo = np.concatenate([np.zeros(delay, np.int16), far[:-delay]]) * gain
    out = []
    for i in range(0, far.size - BLOCK + 1, BLOCK):
        proc.far(far[i:i + BLOCK])
        out.append(proc.near(echo[i:i + BLOCK].astype(np.int16)))
    return np.concatenate(out)


def test_the_echo_is_cancelled() -> None:
    proc = AudioProcessor(noise_suppression=False, auto_gain=False)
    if not proc.active:
        pytest.skip(proc.degraded or "no audio processing module")
    proc.set_delay_ms(40)
    far = speechlike(6.0, seed=3)
    out = _run(proc, far, delay=48 * 40, gain=0.7)
    echo_db = level_db((far[-3 * 48_000:] * 0.7).astype(np.int16))
    left_db = level_db(out[-3 * 48_000:])
    assert echo_db - left_db > 20.0, (echo_db, left_db)


def test_blocks_must_be_10_ms_and_noise_suppression_can_be_switched() -> None:
    proc = AudioProcessor()
    with pytest.raises(ValueError):
        proc.near(np.zeros(960, np.int16))
    proc.set_noise_suppression(False)
    assert not proc.noise_suppression
    assert proc.near(np.zeros(BLOCK, np.int16)).shape == (BLOCK,)


def test_gain_control_is_off_unless_asked_for() -> None:
    from klasse.app.cli import build_parser
    from klasse.media.audio_engine import AudioEngine

    made = AudioEngine()._processor_for_mic()
    assert made is not None and not made.auto_gain and made.noise_suppression
    asked = AudioEngine(auto_gain=True)._processor_for_mic()
    assert asked is not None and asked.auto_gain
    args = build_parser().parse_args(["join", "https://s/l#x", "--headless"])
    assert args.auto_gain == "off"
    args = build_parser().parse_args(["join", "https://s/l#x", "--headless", "--auto-gain", "on"])
    assert args.auto_gain == "on"
