"""The loss-resilient receive cores, fed scripted packet sequences (no network, no clock)."""

from __future__ import annotations

import fractions

import av
import numpy as np
import pytest

from klasse.media.opus_decoder import OpusDecoder
from klasse.media.rtp_receive import (
    CALL_AUDIO_TARGET_DELAY_S,
    AudioReceiveCore,
    VideoPacket,
    VideoReceiveCore,
    _unwrap,
)

FRAME_TS = 6000            # 15 fps at 90 kHz
FRAME_S = FRAME_TS / 90000


def frame_packets(first_seq: int, ts: int, n: int, key: bool = False) -> list[VideoPacket]:
    """One VP8 frame of `n` packets (the first carries the frame tag)."""
    tag = b"\x00" if key else b"\x01"
    return [VideoPacket((first_seq + i) & 0xFFFF, ts & 0xFFFFFFFF, i == n - 1, i == 0,
                        key and i == 0, (tag if i == 0 else b"") + bytes([i]) * 3)
            for i in range(n)]


def stream(frames: int, per_frame: int = 3, key_every: int = 1000, seq0: int = 100,
           ts0: int = 0) -> list[list[VideoPacket]]:
    out, seq = [], seq0
    for f in range(frames):
        out.append(frame_packets(seq, ts0 + f * FRAME_TS, per_frame, key=f % key_every == 0))
        seq += per_frame
    return out


def drain(core: VideoReceiveCore, now: float) -> list[int]:
    return [f.timestamp for f in core.poll(now).frames]


# ---------------------------------------------------------------------- video


def test_clean_stream_is_released_at_the_pace_of_its_timestamps() -> None:
    core = VideoReceiveCore()
    frames = stream(5)
    # All five frames arrive at once (a burst): they must not be fast-forwarded.
    for pkts in frames:
        for p in pkts:
            core.add(p, 0.0)
    assert drain(core, 0.0) == [0]
    assert drain(core, FRAME_S - 0.001) == []
    assert drain(core, FRAME_S + 0.001) == [FRAME_TS]
    # The pacing never lets frames fall more than max_lag (0.1 s) behind: the rest
    # come by then, not at 66 ms steps for ever.
    assert drain(core, 0.101) == [2 * FRAME_TS, 3 * FRAME_TS, 4 * FRAME_TS]


def test_frames_arriving_on_time_play_on_arrival() -> None:
    core = VideoReceiveCore()
    got = []
    for i, pkts in enumerate(stream(10)):
        now = 5.0 + i * FRAME_S
        for p in pkts:
            core.add(p, now)
        got += drain(core, now)
    assert got == [i * FRAME_TS for i in range(10)]
    assert core.stats.nacks_sent == 0 and core.stats.plis_sent == 0


def test_a_lost_packet_is_nacked_retried_and_the_frame_completes() -> None:
    core = VideoReceiveCore(rtt_s=0.02)
    f0, f1, f2 = stream(3)
    for p in f0:
        core.add(p, 0.0)
    assert drain(core, 0.0) == [0]
    core.add(f1[0], FRAME_S)
    core.add(f1[2], FRAME_S)                     # f1[1] lost
    act = core.poll(FRAME_S)
    assert act.nacks == [f1[1].seq] and act.frames == [] and not act.pli
    assert core.poll(FRAME_S + 0.005).nacks == []            # not before the retry interval
    assert core.poll(FRAME_S + core.retry_s).nacks == [f1[1].seq]   # asked again
    core.add(f1[1], FRAME_S + core.retry_s + 0.01)           # the retransmission
    for p in f2:
        core.add(p, 2 * FRAME_S)
    got = drain(core, 2 * FRAME_S) + drain(core, 3 * FRAME_S)
    assert got == [FRAME_TS, 2 * FRAME_TS]
    assert core.stats.recovered == 1 and core.stats.frames_dropped == 0


def test_rtt_is_learned_from_retransmissions_and_bounds_the_retry_interval() -> None:
    core = VideoReceiveCore(rtt_s=0.1)
    seq, now = 0, 0.0
    for f in range(30):
        pkts = frame_packets(seq, f * FRAME_TS, 3, key=f == 0)
        seq += 3
        now = f * FRAME_S
        core.add(pkts[0], now)
        core.add(pkts[2], now)
        core.poll(now)                      # NACK goes out
        core.add(pkts[1], now + 0.004)      # answered after 4 ms
        core.poll(now + 0.004)
    assert core.rtt_s == pytest.approx(0.004, abs=0.002)
    assert core.retry_s < 0.015


def test_a_slow_path_stretches_the_deadline_so_retransmissions_still_count() -> None:
    # Retransmissions take 200 ms here (a long path, a busy sender): a fixed 150 ms
    # deadline would drop every frame that lost a packet.
    core = VideoReceiveCore(deadline_s=0.15)
    seq, dropped_before = 0, 0
    for f in range(40):
        pkts = frame_packets(seq, f * FRAME_TS, 3, key=f == 0)
        seq += 3
        t = f * FRAME_S
        for p in pkts:
            if f % 4 != 1 or p is not pkts[1]:
                core.add(p, t)
        for k in range(7):
            core.poll(t + k * 0.01)
        if f % 4 == 1:
            resend = pkts[1]
        if f % 4 == 0 and f > 0:
            core.add(resend, t - 3 * FRAME_S + 0.2)   # 200 ms after it went missing
        if f == 20:
            dropped_before = core.stats.frames_dropped
    assert core.rtt_s > 0.1
    assert core.frame_deadline_s >= 0.25
    assert core.stats.frames_dropped == dropped_before   # none dropped once learnt


def test_pli_is_not_repeated_before_the_sender_could_answer() -> None:
    core = VideoReceiveCore(pli_interval_s=0.3)
    frames = stream(3)
    for p in frames[1]:                # no keyframe yet: ask for one
        core.add(p, 0.0)
    assert core.poll(0.0).pli
    key = frame_packets(frames[2][-1].seq + 1, 3 * FRAME_TS, 3, key=True)
    for p in key:
        core.add(p, 0.8)               # the sender took 0.8 s to answer
    assert core.keyframe_delay_s > 0.1
    assert core.pli_gap_s > 0.3


def test_an_unrecoverable_frame_is_dropped_by_the_deadline_and_decoding_waits_for_a_keyframe() -> None:
    core = VideoReceiveCore(deadline_s=0.15)
    frames = stream(12, key_every=8)     # keyframes at 0 and 8
    t = 0.0
    released: list[int] = []
    plis = []
    for i, pkts in enumerate(frames):
        t = i * FRAME_S
        for j, p in enumerate(pkts):
            if i == 2 and j == 1:
                continue                 # never arrives, however often we ask
            core.add(p, t)
        # poll every 10 ms until the next frame
        for k in range(7):
            act = core.poll(t + k * 0.01)
            released += [f.timestamp for f in act.frames]
            if act.pli:
                plis.append(t + k * 0.01)
    released += drain(core, t + 1.0)
    assert core.stats.frames_dropped == 1
    # frames 0,1 play; 2 is dropped; 3..7 are never shown (stale, would decode to
    # garbage); the keyframe 8 and what follows resume.
    assert released == [i * FRAME_TS for i in (0, 1, 8, 9, 10, 11)]
    assert plis and plis[0] - 2 * FRAME_S <= 0.15 + 0.011
    # Rate-limited: frames 3..7 (a third of a second) brought at most two requests.
    assert 1 <= len(plis) <= 2


def test_a_keyframe_is_waited_for_longer_than_a_delta_frame() -> None:
    core = VideoReceiveCore(deadline_s=0.15, keyframe_deadline_s=0.6, rtt_s=0.01)
    key = frame_packets(0, 0, 10, key=True)
    for p in key:
        if p.seq != 5:
            core.add(p, 0.0)
    asked = []
    for k in range(1, 40):
        act = core.poll(k * 0.01)
        asked += act.nacks
        assert not act.frames
    assert core.stats.frames_dropped == 0 and asked.count(5) > 3   # still asking at 0.4 s
    core.add(key[5], 0.45)                                         # finally recovered
    assert drain(core, 0.5) == [0]
    assert core.stats.plis_sent == 0     # the keyframe was under way: no request for another


def test_a_keyframe_that_never_completes_is_given_up_for_the_next_one() -> None:
    """A keyframe missing a packet for good is dropped at its deadline and never
    picked again: the next keyframe (the answer to the PLI) plays. (It used to be
    chosen again as "the next keyframe" after every drop, so video stopped until
    MAX_HELD_PACKETS overflowed: 15-30 s stalls in the soak, longer for slower
    senders.)"""
    core = VideoReceiveCore(deadline_s=0.15, keyframe_deadline_s=0.6, rtt_s=0.01)
    frames = stream(40, per_frame=4, key_every=10)   # keyframes at 0, 10, 20, 30
    released: list[int] = []
    for i, pkts in enumerate(frames):
        t = i * FRAME_S
        for j, p in enumerate(pkts):
            if i == 10 and j == 2:
                continue                 # lost, and no retransmission ever comes
            core.add(p, t)
        for k in range(7):
            released += [f.timestamp for f in core.poll(t + k * 0.01).frames]
    released += drain(core, 40 * FRAME_S + 1.0)
    assert released[:10] == [i * FRAME_TS for i in range(10)]
    assert 10 * FRAME_TS not in released
    # Video resumes at the next keyframe, not after hundreds of held packets.
    assert released[10:] == [i * FRAME_TS for i in range(20, 40)]
    assert core.stats.frames_dropped == 1


def test_duplicates_and_reordering_give_each_frame_once_in_order() -> None:
    core = VideoReceiveCore()
    f0, f1, f2 = stream(3, per_frame=4)
    arrivals = f0 + [f1[2], f1[0], f1[3], f1[0], f1[1]] + [f2[1], f2[0], f2[3], f2[2], f2[2]]
    got = []
    for p in arrivals:
        core.add(p, 0.0)
    for k in range(20):
        got += drain(core, k * 0.02)
    assert got == [0, FRAME_TS, 2 * FRAME_TS]
    # the second copy of f2[2] came after f2 was complete: counted as late
    assert core.stats.duplicates + core.stats.late == 2
    assert core.stats.frames_dropped == 0


def test_a_late_retransmission_after_the_drop_is_ignored() -> None:
    core = VideoReceiveCore(deadline_s=0.15)
    f0, f1, f2 = stream(3)
    for p in f0:
        core.add(p, 0.0)
    core.add(f1[0], FRAME_S)
    core.add(f1[2], FRAME_S)
    for p in f2:
        core.add(p, 2 * FRAME_S)
    drain(core, 0.0)
    core.poll(FRAME_S + 0.2)                    # past the deadline: f1 dropped
    assert core.stats.frames_dropped == 1
    core.add(f1[1], FRAME_S + 0.3)              # the retransmission, too late
    assert drain(core, 1.0) == []               # neither f1 nor f2 (needs f1) is played
    assert core.stats.late == 1


def test_nacks_stop_when_a_packet_can_no_longer_help() -> None:
    core = VideoReceiveCore(deadline_s=0.15, rtt_s=0.01)
    f0, f1 = stream(2)
    for p in f0:
        core.add(p, 0.0)
    core.add(f1[0], 0.1)
    core.add(f1[2], 0.1)
    asked = []
    for k in range(100):
        asked += core.poll(0.1 + k * 0.005).nacks
    assert asked and set(asked) == {f1[1].seq}
    assert len(asked) <= core.max_nack_tries
    assert core.poll(1.0).nacks == []


def test_a_keyframe_hole_is_asked_for_less_often_and_still_after_200_ms() -> None:
    """Janus ignores a repeated NACK for 200 ms after it retransmitted a packet; when
    that retransmission is lost too, only a request after those 200 ms can still
    complete the keyframe, so retries back off instead of being spent at once."""
    core = VideoReceiveCore(rtt_s=0.005)
    key = frame_packets(0, 0, 7, key=True)
    for p in key[:3] + key[4:]:                 # key[3] lost, and its retransmission too
        core.add(p, 0.0)
    times = [t / 1000 for t in range(0, 600) if core.poll(t / 1000).nacks]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert times[0] == 0.0 and len(times) <= 12
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False))   # further apart each time
    assert any(0.2 < t < core.key_deadline_s for t in times)
    core.add(key[3], times[-1] + 0.002)         # a late answer still completes it
    assert [f.keyframe for f in core.poll(times[-1] + 0.1).frames] == [True]


def test_after_a_dropped_keyframe_the_pli_repeats_at_its_interval() -> None:
    """The keyframe's answer to a PLI can be lost too: the request is repeated at the
    PLI interval, not after another keyframe deadline."""
    core = VideoReceiveCore(rtt_s=0.005)
    k1 = frame_packets(0, 0, 7, key=True)
    for p in k1[:2] + [k1[3]] + k1[5:]:        # k1[2] and k1[4] never arrive
        core.add(p, 0.0)
    plis = [t / 1000 for t in range(1, 2000) if core.poll(t / 1000).pli]
    assert plis[0] >= core.key_deadline_s and core.stats.frames_dropped == 1
    assert all(b - a <= core.pli_gap_s + 0.002 for a, b in zip(plis, plis[1:], strict=False))


def test_a_complete_keyframe_behind_a_blocked_frame_plays_at_once() -> None:
    """Waiting out the deadline of a frame that is older than a complete keyframe
    only delays the picture."""
    core = VideoReceiveCore(rtt_s=0.005)
    f0, f1 = stream(2)
    for p in f0:
        core.add(p, 0.0)
    assert drain(core, 0.0) == [0]
    core.add(f1[0], FRAME_S)                  # f1[1], f1[2] missing: f1 is blocked
    key = frame_packets(f1[2].seq + 1, 2 * FRAME_TS, 5, key=True)
    for p in key:
        core.add(p, 2 * FRAME_S)
    out = core.poll(2 * FRAME_S).frames + core.poll(2 * FRAME_S + 0.1).frames
    assert [(f.timestamp, f.keyframe) for f in out] == [(2 * FRAME_TS, True)]
    assert core.stats.frames_dropped == 0 and core.poll(0.5).nacks == []


def test_sequence_numbers_wrap() -> None:
    core = VideoReceiveCore()
    got = []
    for i, pkts in enumerate(stream(6, seq0=65530, ts0=(1 << 32) - 2 * FRAME_TS)):
        for p in pkts:
            core.add(p, i * FRAME_S)
        got += drain(core, i * FRAME_S)
    assert len(got) == 6 and got == sorted(got)
    assert core.stats.nacks_sent == 0 and core.stats.frames_dropped == 0


def test_an_outage_resumes_at_the_next_keyframe_with_a_pli() -> None:
    core = VideoReceiveCore()
    before = stream(3)
    for i, pkts in enumerate(before):
        for p in pkts:
            core.add(p, i * FRAME_S)
    drain(core, 1.0)
    # 3 s later, far ahead in sequence: delta frames first, then a keyframe.
    seq = 100 + 3 * 3 + 45 * 10
    ts = 48 * FRAME_TS
    late = [frame_packets(seq, ts, 3), frame_packets(seq + 3, ts + FRAME_TS, 3, key=True)]
    act_pli = False
    for p in late[0]:
        core.add(p, 4.0)
    act = core.poll(4.0)
    act_pli = act.pli
    assert act.nacks == [] and act.frames == []     # no NACK storm for 450 packets
    assert act_pli
    for p in late[1]:
        core.add(p, 4.01)
    assert drain(core, 4.1) == [ts + FRAME_TS]


def test_decode_error_waits_for_a_keyframe_and_asks_for_one() -> None:
    core = VideoReceiveCore()
    frames = stream(6, key_every=4)
    for p in frames[0] + frames[1]:
        core.add(p, 0.0)
    drain(core, 0.5)
    core.decode_failed(0.5)
    for p in frames[2] + frames[3]:
        core.add(p, 0.6)
    act = core.poll(0.6)
    assert act.pli and act.frames == []
    for p in frames[4]:
        core.add(p, 0.7)
    assert drain(core, 1.0) == [4 * FRAME_TS]


def test_an_overloaded_decoder_skips_to_the_next_keyframe() -> None:
    core = VideoReceiveCore()
    frames = stream(8, key_every=5)
    for p in frames[0] + frames[1]:
        core.add(p, 0.0)
    drain(core, 1.0)
    core.decoder_overloaded(1.0)
    assert core.poll(1.0).pli
    for p in frames[2] + frames[3] + frames[4] + frames[5]:
        core.add(p, 1.1)
    assert drain(core, 2.0) == [5 * FRAME_TS]     # 2..4 skipped, the keyframe resumes
    assert core.stats.decoder_overloads == 1


def test_padding_packets_fill_sequence_gaps() -> None:
    core = VideoReceiveCore()
    f0 = frame_packets(10, 0, 2, key=True)
    pad = VideoPacket(12, 0, False, False, False, b"")
    f1 = frame_packets(13, FRAME_TS, 2)
    for p in f0 + [pad] + f1:
        core.add(p, 0.0)
    assert drain(core, 1.0) == [0, FRAME_TS]
    assert core.stats.nacks_sent == 0


def test_unwrap() -> None:
    assert _unwrap(2, 65534, 16) == 65538
    assert _unwrap(65534, 65538, 16) == 65534
    assert _unwrap(5, None, 16) == 5


# ---------------------------------------------------------------------- audio


def audio_feed(core: AudioReceiveCore, lost: set[int], count: int, start: float = 0.0,
               ts0: int = 0) -> list[tuple[float, str, int]]:
    """Packets every 20 ms (except `lost`), polled every 5 ms: (time, kind, ts) out."""
    out = []
    for k in range(count * 4 + 40):
        now = start + k * 0.005
        if k % 4 == 0 and k // 4 < count and k // 4 not in lost:
            core.add((ts0 + (k // 4) * 960) & 0xFFFFFFFF, b"p%d" % (k // 4), now)
        out += [(now, o.kind, o.timestamp) for o in core.poll(now)]
    return out


def test_audio_plays_one_frame_per_interval() -> None:
    core = AudioReceiveCore()
    out = [o for o in audio_feed(core, set(), 50) if o[2] < 50 * 960]
    assert [k for _, k, _ in out] == ["packet"] * 50
    times = [t for t, _, _ in out]
    gaps = np.diff(times)
    assert gaps.max() <= 0.0201 and gaps.min() >= 0.0199 - 0.005
    assert times[0] - 0.0 == pytest.approx(core.target_delay_s, abs=0.006)


def test_audio_loss_is_recovered_by_fec_or_concealed_never_waited_for() -> None:
    core = AudioReceiveCore()
    out = [o for o in audio_feed(core, {10, 20, 21, 22}, 50) if o[2] < 50 * 960]
    kinds = {ts // 960: k for _, k, ts in out}
    times = [t for t, _, _ in out]
    assert max(np.diff(times)) <= 0.0201          # every frame interval has a frame
    # a loss with nothing behind it yet waits one frame for it (stretch)
    assert 50 <= len(out) <= 52
    assert kinds[10] == "fec"                     # the next packet carries its FEC
    assert kinds[20] == kinds[21] == "plc" and kinds[22] == "fec"
    assert all(kinds[i] == "packet" for i in range(50) if i not in {10, 20, 21, 22})
    assert list(kinds.values()).count("plc") == 2 and core.stats.fec == 2
    assert not any(k == "packet" for _, k, ts in out if ts // 960 in {10, 20, 21, 22})


def test_audio_at_the_calls_short_target_still_uses_fec() -> None:
    # One frame of cushion: a lost packet's FEC (in the next packet) is there by the
    # time the stretch for the loss is over, and the delay does not keep growing.
    core = AudioReceiveCore(target_delay_s=CALL_AUDIO_TARGET_DELAY_S)
    out = [o for o in audio_feed(core, {10, 20, 21, 22}, 50) if o[2] < 50 * 960]
    kinds = {ts // 960: k for _, k, ts in out}
    assert kinds[10] == "fec" and kinds[22] == "fec"
    assert max(np.diff([t for t, _, _ in out])) <= 0.0201
    last = next(t for t, _, ts in out if ts == 49 * 960)
    assert last - 49 * 0.02 <= CALL_AUDIO_TARGET_DELAY_S + 3 * 0.02 + 0.006


def test_audio_jitter_stretches_the_delay_within_its_bound_and_gives_it_back() -> None:
    core = AudioReceiveCore(target_delay_s=0.04, max_delay_s=0.2)
    out = []
    # Packets every 20 ms, but once a second the sender stalls for 100 ms and then
    # sends what it held in a burst (a busy machine, Wi-Fi power save).
    def arrival(i: int) -> float:
        t = i * 0.02
        second = int(t)
        return max(t, second + 0.6) if second + 0.5 <= t < second + 0.6 else t
    arrivals = sorted((arrival(i), i) for i in range(400))
    k = 0
    for step in range(int(8.2 / 0.005)):
        now = step * 0.005
        while k < len(arrivals) and arrivals[k][0] <= now:
            core.add(arrivals[k][1] * 960, b"x", now)
            k += 1
        out += [(now, o) for o in core.poll(now)]
    assert core.stats.late == 0                 # the stall is waited for, not skipped
    assert core.stats.stretched <= 8            # bounded by max_delay
    times = [t for t, _ in out]
    assert max(np.diff(times)) <= 0.0201
    # Latency: when was the last packet played compared with its arrival?
    last = next(t for t, o in out if o.timestamp == 399 * 960)
    assert last - 399 * 0.02 <= 0.2 + 0.01


def test_audio_latency_does_not_grow_with_bursts() -> None:
    core = AudioReceiveCore(target_delay_s=0.04, max_delay_s=0.12)
    audio_feed(core, set(), 10)
    # 0.5 s of nothing, then the held packets all arrive at once (a bufferbloat burst).
    t = 0.4 + 0.5
    for i in range(10, 40):
        core.add(i * 960, b"x", t)
    out = []
    for k in range(80):
        out += [(t + k * 0.005, o) for o in core.poll(t + k * 0.005)]
    played = [o.timestamp // 960 for _, o in out if o.kind == "packet"]
    assert core.stats.skipped > 0
    assert played[-1] == 39
    # After the burst the newest frame plays no later than max_delay after it came.
    last_time = next(tt for tt, o in out if o.timestamp // 960 == 39)
    assert last_time - t <= 0.12 + 0.02


def test_audio_started_by_a_late_burst_gives_the_delay_back() -> None:
    # The first 7 packets come together, 120 ms late (the receiver's loop was busy as
    # the call started); then every packet is on time. The clock started at the burst,
    # so each later packet would wait 120 ms more than it needs -- for the whole call.
    core = AudioReceiveCore(target_delay_s=0.04, give_back_s=2.0)
    out = []
    for step in range(int(6.0 / 0.005)):
        now = step * 0.005
        if step == 24:
            for i in range(7):
                core.add(i * 960, b"x", now)
        elif step > 24 and step % 4 == 0:
            core.add((step // 4) * 960, b"x", now)
        out += [(now, o) for o in core.poll(now)]
    def delay(i: int) -> float:   # when frame i played, after it arrived
        return next(t for t, o in out if o.timestamp == i * 960) - max(0.12, i * 0.02)
    assert delay(20) == pytest.approx(0.04 + 0.12, abs=0.006)   # held by the late start
    assert delay(250) <= 0.04 + 0.006                           # given back within 2 s
    assert core.stats.concealed == 0                            # never ran dry for it
    times = [t for t, _ in out]
    assert max(np.diff(times)) <= 0.0201


def test_audio_goes_quiet_when_the_sender_stops_and_restarts_cleanly() -> None:
    core = AudioReceiveCore(conceal_limit_s=0.2)
    out = audio_feed(core, set(), 10)
    concealed_tail = [k for _, k, _ in out].count("plc")
    assert concealed_tail <= 0.2 / 0.02 + 1
    assert not core.active
    assert core.poll(5.0) == []
    core.add(50 * 960, b"again", 5.0)
    assert core.active
    assert [o.kind for o in core.poll(5.0 + core.target_delay_s)] == ["packet"]


def test_audio_late_and_duplicate_packets_are_dropped() -> None:
    core = AudioReceiveCore()
    core.add(0, b"a", 0.0)
    core.add(0, b"a", 0.001)
    out = core.poll(0.04)
    core.add(960, b"b", 0.045)
    out += core.poll(0.06)
    core.add(960, b"b-again", 0.07)
    core.add(0, b"late", 0.07)
    out += core.poll(0.08)
    assert [o.payload for o in out] == [b"a", b"b", b""]  # the third tick conceals
    assert core.stats.duplicates == 1 and core.stats.late == 2


# ---------------------------------------------------------------------- opus


def _opus_packets(n: int, fec: bool) -> list[bytes]:
    enc = av.CodecContext.create("libopus", "w")
    enc.sample_rate, enc.format, enc.layout, enc.bit_rate = 48000, "s16", "stereo", 48000
    enc.time_base = fractions.Fraction(1, 48000)
    enc.options = {"application": "voip", "fec": "1" if fec else "0", "packet_loss": "20"}
    t = np.arange(n * 960) / 48000
    tone = (np.sin(2 * np.pi * 300 * t) * 8000).astype(np.int16)
    pcm = np.repeat(tone, 2).reshape(1, -1)
    packets: list[bytes] = []
    for i in range(n):
        frame = av.AudioFrame.from_ndarray(pcm[:, i * 1920:(i + 1) * 1920].copy(), format="s16",
                                           layout="stereo")
        frame.sample_rate, frame.pts = 48000, i * 960
        packets += [bytes(p) for p in enc.encode(frame)]
    return packets


def test_opus_decoder_conceals_and_uses_fec() -> None:
    packets = _opus_packets(40, fec=True)
    dec = OpusDecoder()
    for p in packets[:20]:
        assert dec.decode(p).shape == (1920,)
    concealed = dec.conceal(960)
    assert concealed.shape == (1920,) and np.abs(concealed).max() > 100   # not silence
    recovered = dec.decode_fec(packets[22], 960)                         # 21 lost
    assert recovered.shape == (1920,) and np.abs(recovered).max() > 1000
    assert dec.decode(packets[22]).shape == (1920,)


def test_opus_decoder_rejects_garbage_without_breaking() -> None:
    from klasse.media.opus_decoder import OpusError
    packets = _opus_packets(5, fec=False)
    dec = OpusDecoder()
    dec.decode(packets[0])
    with pytest.raises(OpusError):
        dec.decode(b"\xff" * 3)
    assert dec.decode(packets[1]).shape == (1920,)


def test_a_retransmission_reaches_the_receiver_that_declared_its_rtx_ssrc() -> None:
    """Camera and screen m-lines share VP8's payload types under BUNDLE: aiortc's router
    alone drops a retransmission whose SSRC it has not seen; the declared RTX SSRC
    routes it (and learns it for the packets after)."""
    from aiortc.rtcdtlstransport import RtpRouter
    from aiortc.rtp import RtpPacket

    from klasse.media.rtp_receive import _route_rtx_by_declared_ssrc

    class Receiver:
        def __init__(self, rtx: dict[int, int]) -> None:
            self._RTCRtpReceiver__rtx_ssrc = rtx

    camera, screen = Receiver({2002: 1001}), Receiver({4004: 3003})
    router = RtpRouter()
    router.register_receiver(camera, ssrcs=[1001], payload_types=[96, 97])  # type: ignore[arg-type]
    router.register_receiver(screen, ssrcs=[3003], payload_types=[96, 97])  # type: ignore[arg-type]
    rtx = RtpPacket(payload_type=97, ssrc=2002)
    _route_rtx_by_declared_ssrc()
    assert router.route_rtp(rtx) is camera
    assert router.ssrc_table[2002] is camera
    assert router.route_rtp(RtpPacket(payload_type=97, ssrc=4004)) is screen
    assert router.route_rtp(RtpPacket(payload_type=97, ssrc=9999)) is None  # nobody's
    assert router.route_rtp(RtpPacket(payload_type=96, ssrc=1001)) is camera


def _janus_rtt_ms(arrival_ntp_mid: int, report: object) -> int:
    """The round trip Janus 1.1.2 takes from a report block (rtcp.c,
    janus_rtcp_incoming_rr): middle 32 bits of NTP time, whole milliseconds."""
    rtt = (arrival_ntp_mid - report.lsr - report.dlsr) & 0xFFFFFFFF  # type: ignore[attr-defined]
    return (rtt >> 16) * 1000 + ((rtt & 0xFFFF) * 15625 >> 10) // 1000


async def test_receiver_reports_give_janus_a_round_trip_of_at_least_1_ms() -> None:
    """Janus keeps no retransmission history until the RTT it computes from our reports
    leaves 0 ms; on a sub-millisecond path it never would, and NACKs go unanswered."""
    from aiortc.rtp import RtcpPsfbPacket, RtcpReceiverInfo, RtcpRrPacket

    from klasse.media.rtp_receive import _report_rtt_of_at_least_1ms

    sent: list[object] = []

    class Receiver:
        async def _send_rtcp(self, packet: object) -> None:
            sent.append(packet)

    lsr = 0x12345678
    held = int(0.5 * 65536)                    # we held the sender report 0.5 s
    path = int(0.0003 * 65536)                 # a 0.3 ms round trip on the wire
    block = RtcpReceiverInfo(ssrc=7, fraction_lost=0, packets_lost=0, highest_sequence=9,
                             jitter=0, lsr=lsr, dlsr=held)
    assert _janus_rtt_ms(lsr + held + path, block) == 0          # what Janus saw

    receiver = Receiver()
    _report_rtt_of_at_least_1ms(receiver)  # type: ignore[arg-type]
    no_sr_yet = RtcpReceiverInfo(ssrc=8, fraction_lost=0, packets_lost=0,
                                 highest_sequence=1, jitter=0, lsr=0, dlsr=0)
    await receiver._send_rtcp(RtcpRrPacket(ssrc=1, reports=[block, no_sr_yet]))
    pli = RtcpPsfbPacket(fmt=1, ssrc=1, media_ssrc=7)
    await receiver._send_rtcp(pli)
    rr = sent[0]
    assert isinstance(rr, RtcpRrPacket) and rr.ssrc == 1
    assert _janus_rtt_ms(lsr + held + path, rr.reports[0]) == 1
    assert rr.reports[1] == no_sr_yet             # no sender report yet: nothing to shorten
    assert sent[1] is pli                         # other RTCP passes untouched


def test_audio_window_without_a_packet_keeps_playing() -> None:
    """A give-back window in which no packet counted (all came late: a starved
    receiver, a sender's burst) must not break the core. It raised on int(inf),
    which stopped the receive path's task and silenced the feed for good (seen in
    every client of a 45-minute soak)."""
    core = AudioReceiveCore(target_delay_s=0.02, give_back_s=2.0)
    t = 0.0
    core.add(0, b"x", t)
    for _ in range(150):          # 3 s of packets that are all too late to count
        t += 0.02
        core.add(0, b"late", t)
        core.poll(t)
    core.add(200 * 960, b"y", t)   # on time again
    out = []
    for _ in range(20):
        out += core.poll(t)
        t += 0.02
    assert out
