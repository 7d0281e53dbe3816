"""A receive path that never waits for a packet that will not come.

aiortc 1.16's RTCRtpReceiver hands every depayloaded RTP packet to a jitter buffer
that releases a frame only once the next one starts and nothing before it is
missing: one lost packet holds video for seconds (until 512 packets overflow it), and
audio has no loss handling at all. This module replaces that buffer, per receiver,
with two sans-I/O cores and a small asyncio driver:

- `VideoReceiveCore`: VP8 frames assembled from packets in sequence order; each
  missing packet is NACKed at once and again every retry interval (derived from the
  RTT measured on our own NACK -> retransmission round trips) while it can still be
  useful; a frame that is not complete within `deadline_s` (150 ms; 2.5 measured
  retransmission times where they are longer) of blocking the stream (a keyframe:
  600 ms) is dropped, a keyframe is requested (PLI; the next one only after the
  sender could have answered),
  and nothing is decoded again before a complete keyframe; decoder errors do the
  same. Complete frames are released at a playout time derived from their RTP
  timestamps (lowest observed transit plus a small jitter allowance), so a burst of
  frames that completed together is not fast-forwarded, and a late frame is played
  at once (latency does not accumulate).
- `AudioReceiveCore`: one 20 ms frame per tick on a playout clock, from the packet
  with the expected timestamp, else Opus in-band FEC from the packet after it, else
  Opus packet-loss concealment; late packets are dropped, and when more than
  `max_delay_s` is buffered the clock skips ahead, so latency never grows with loss.
  A stream that goes quiet is concealed for `conceal_limit_s` and then left quiet
  (a muted or moderated sender must look stopped, not concealed forever).

`plug(receiver)` installs them into an aiortc RTCRtpReceiver before it starts: aiortc
keeps doing SRTP, RTX unwrapping, statistics, REMB and (for video) decoding in its
decoder thread; this module decides what is decoded when, and decodes audio itself
with libopus (`media/opus_decoder.py`) because PLC and FEC are not reachable through
PyAV.

Going upstream: the plug reaches into four private attributes of RTCRtpReceiver
(its jitter buffer, NACK generator, decoder queue and decoder-error flag) and is
checked against aiortc 1.16 (`plug` refuses another layout rather than guess). The
upstream shape would be a `JitterBuffer` interface with `add(packet, now)` and
`poll(now) -> (frames, nacks, pli, wake_at)`, driven by a timer task in
RTCRtpReceiver instead of only on packet arrival, with these two cores as the
default implementations, the decoder worker reporting errors per frame, and an
audio decoder interface with `conceal(samples)` / `decode_fec(packet)` (aiortc
issues #540 and #543 describe the current limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import math
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcdtlstransport import RtpRouter
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtp import RtcpRrPacket, RtpPacket
from av import AudioFrame

from klasse.media.opus_decoder import OpusDecoder, OpusError

log = logging.getLogger(__name__)

VIDEO_CLOCK = 90000
AUDIO_CLOCK = 48000
MAX_GAP = 400             # a larger jump in sequence numbers is an outage, not loss
MAX_HELD_PACKETS = 2048   # never hold more than this (memory bound under garbage)
MAX_DECODE_BACKLOG = 4    # frames waiting for aiortc's decoder thread before we skip
# A call's audio starts one frame behind the first packet: the speaker's mixer keeps
# its own cushion for the hand-over to the playout thread, and the receive core adds
# delay only for the jitter it sees (stretch) and gives back what it did not need.
# A lost packet stretches it by a frame, which is when in-band FEC has its packet.
CALL_AUDIO_TARGET_DELAY_S = 0.02
# How much shorter than measured our receiver reports give the delay since the
# sender's last report (DLSR, in 1/65536 s): about 1 ms (see `_report_rtt_of_at_least_1ms`).
DLSR_SHORTFALL = 66
RETRY_BACKOFF = 1.5       # each NACK of a packet waits this much longer than the last


def _unwrap(value: int, last: int | None, bits: int) -> int:
    """Extend a wrapping counter (`bits` wide) to the value closest to `last`."""
    if last is None:
        return value
    span = 1 << bits
    base = last - (last % span)
    best = base + value
    for candidate in (best - span, best + span):
        if abs(candidate - last) < abs(best - last):
            best = candidate
    return best


# ---------------------------------------------------------------------- video


@dataclass(frozen=True)
class VideoPacket:
    """What the video core needs of one RTP packet (depayloaded data)."""

    seq: int
    timestamp: int
    marker: bool
    frame_start: bool     # first packet of a frame (VP8: S bit in partition 0)
    keyframe: bool        # frame_start of a VP8 keyframe
    data: bytes


@dataclass(frozen=True)
class EncodedFrame:
    timestamp: int        # unwrapped RTP timestamp
    data: bytes
    keyframe: bool


@dataclass
class VideoActions:
    nacks: list[int] = field(default_factory=list)    # 16-bit sequence numbers
    pli: bool = False
    frames: list[EncodedFrame] = field(default_factory=list)


@dataclass
class VideoReceiveStats:
    packets: int = 0
    duplicates: int = 0
    late: int = 0             # arrived after their frame was played or dropped
    recovered: int = 0        # missing packets that arrived after a NACK
    nacks_sent: int = 0
    plis_sent: int = 0
    frames_out: int = 0
    keyframes: int = 0        # complete keyframes put together
    frames_dropped: int = 0   # incomplete at the deadline
    frames_skipped: int = 0   # complete but undecodable (waiting for a keyframe)
    decode_errors: int = 0
    decoder_overloads: int = 0


@dataclass
class _Missing:
    noticed: float
    sent_at: float | None = None
    first_sent: float | None = None
    tries: int = 0


def vp8_packet(packet: RtpPacket, data: bytes) -> VideoPacket:
    """Classify one VP8 RTP packet (payload descriptor + depayloaded `data`)."""
    start = False
    if packet.payload:
        descriptor, _ = VpxPayloadDescriptor.parse(packet.payload)
        start = bool(descriptor.partition_start) and descriptor.partition_id == 0
    # VP8 frame tag, bit 0: 0 = key frame (RFC 6386 section 9.1).
    key = start and len(data) >= 3 and not (data[0] & 0x01)
    return VideoPacket(packet.sequence_number, packet.timestamp, bool(packet.marker),
                       start, key, data)


class VideoReceiveCore:
    """Frames out of VP8 packets under loss, sans-I/O: feed `add`, call `poll`."""

    def __init__(self, *, deadline_s: float = 0.15, keyframe_deadline_s: float = 0.6,
                 rtt_s: float = 0.05, max_nack_tries: int = 15, pli_interval_s: float = 0.3,
                 max_jitter_delay_s: float = 0.1, max_lag_s: float = 0.1) -> None:
        self.deadline_s = deadline_s
        # A keyframe is worth waiting for longer: nothing else can be shown until one
        # completes, and dropping it only means asking for another, larger one.
        self.keyframe_deadline_s = keyframe_deadline_s
        self.rtt_s = rtt_s
        self.max_nack_tries = max_nack_tries
        self.pli_interval_s = pli_interval_s
        self.max_jitter_delay_s = max_jitter_delay_s
        self.max_lag_s = max_lag_s
        self.stats = VideoReceiveStats()
        self._packets: dict[int, VideoPacket] = {}
        self._arrival: dict[int, float] = {}
        self._missing: dict[int, _Missing] = {}
        self._highest: int | None = None
        self._last_seq: int | None = None
        self._cursor: int | None = None          # next sequence number to decode
        self._awaiting_key = True
        self._awaiting_since = -math.inf
        self._blocked_since: float | None = None  # when the frame at the cursor got stuck
        self._last_pli = -math.inf
        self._pli_asked_at: float | None = None   # the first unanswered PLI
        self.keyframe_delay_s = 0.0
        self._pli_pending = False
        self._ready: deque[tuple[float, EncodedFrame]] = deque()
        self.newest_timestamp: int | None = None   # of the last frame put together
        self.keyframe_timestamps: deque[int] = deque(maxlen=16)
        self._last_ts: int | None = None
        # playout clock: playout = rtp seconds + transit floor + jitter allowance
        self._transit: float | None = None
        self._transit_at = 0.0
        self._jitter = 0.0
        self._last_rtp_s: float | None = None
        self._last_playout: float | None = None
        self._ts_origin: int | None = None

    # -- input
    def add(self, packet: VideoPacket, now: float) -> None:
        self.stats.packets += 1
        seq = _unwrap(packet.seq, self._last_seq, 16)
        self._last_seq = seq
        if seq in self._packets or (self._cursor is not None and seq < self._cursor):
            if seq in self._packets:
                self.stats.duplicates += 1
            else:
                self.stats.late += 1
                self._missing.pop(seq, None)
            return
        if self._highest is None:
            self._highest = seq
        elif seq > self._highest:
            gap = seq - self._highest - 1
            if gap > MAX_GAP:
                # An outage or a restart: nothing before this can still be useful.
                self._reset_to_keyframe(seq, now)
            else:
                for lost in range(self._highest + 1, seq):
                    self._missing[lost] = _Missing(now)
            self._highest = seq
        else:
            hole = self._missing.pop(seq, None)
            if hole is not None and hole.first_sent is not None:
                self.stats.recovered += 1
                # From the first request: what a retransmission really takes here,
                # the sender's own delay (a busy machine) included.
                self._rtt_sample(now - hole.first_sent)
            elif hole is None:
                # We had given up on it (its frame was dropped); kept in case it
                # completes a keyframe, which is never dropped for being late.
                self.stats.late += 1
        packet = VideoPacket(seq, packet.timestamp, packet.marker, packet.frame_start,
                             packet.keyframe, packet.data)
        self._packets[seq] = packet
        self._arrival[seq] = now
        if len(self._packets) > MAX_HELD_PACKETS:
            self._reset_to_keyframe(seq + 1, now)
        self._assemble(now)

    def decoder_overloaded(self, now: float) -> None:
        """Frames are waiting to be decoded: drop what is queued here and start
        again at a keyframe (the decoder's backlog then drains)."""
        self.stats.decoder_overloads += 1
        self._await_keyframe(now)
        self._ready.clear()

    def decode_failed(self, now: float) -> None:
        """The decoder rejected a frame: its successors are garbage until a keyframe."""
        self.stats.decode_errors += 1
        self._await_keyframe(now)
        self._pli_pending = True
        self._ready.clear()

    # -- output
    def poll(self, now: float) -> VideoActions:
        actions = VideoActions()
        self._assemble(now)
        if self._blocked_since is not None and now - self._blocked_since >= self._head_deadline():
            self.stats.frames_dropped += 1
            # Past the blocked frame: were it a keyframe, the search for the next
            # keyframe would pick it again, and again, for as long as it lacks a
            # packet (until MAX_HELD_PACKETS: video stopped for 15-30 s, or for
            # good from a slow sender).
            assert self._cursor is not None
            self._cursor += 1
            self._await_keyframe(now)
            self._pli_pending = True
            self._blocked_since = None
            self._assemble(now)
        actions.nacks = self._due_nacks(now)
        if self._awaiting_key and self._packets:
            self._pli_pending = True
        if self._pli_pending and now - self._last_pli >= self.pli_gap_s:
            actions.pli = True
            self._last_pli = now
            if self._pli_asked_at is None:
                self._pli_asked_at = now
            self._pli_pending = False
            self.stats.plis_sent += 1
        while self._ready and self._ready[0][0] <= now + 1e-6:
            actions.frames.append(self._ready.popleft()[1])
        self.stats.frames_out += len(actions.frames)
        return actions

    def wake_at(self, now: float) -> float:
        """The latest time `poll` must run again."""
        times = [now + 0.05]
        if self._ready:
            times.append(self._ready[0][0])
        if self._blocked_since is not None:
            times.append(self._blocked_since + self._head_deadline())
        if self._missing:
            times.append(min(now if h.sent_at is None else h.sent_at + self._retry_after(h)
                             for h in self._missing.values()))
        if self._pli_pending or (self._awaiting_key and self._packets):
            times.append(self._last_pli + self.pli_gap_s)
        return max(now, min(times))

    @property
    def retry_s(self) -> float:
        """Ask again after about one round trip (never hammering, never too late)."""
        return min(max(1.2 * self.rtt_s + 0.005, 0.01), self.frame_deadline_s / 2)

    def _retry_after(self, hole: _Missing) -> float:
        """The wait before asking again grows by half with each request: a lost
        retransmission is asked for again about a round trip later, and a keyframe's
        hole still after Janus's 200 ms (it ignores a repeated NACK for that long)."""
        return self.retry_s * RETRY_BACKOFF ** max(0, hole.tries - 1)

    @property
    def frame_deadline_s(self) -> float:
        """`deadline_s`, unless retransmissions here take so long that it would
        never let one arrive (a long path, a busy sender): then 2.5 round trips."""
        return min(max(self.deadline_s, 2.5 * self.rtt_s), 0.5)

    @property
    def key_deadline_s(self) -> float:
        return min(max(self.keyframe_deadline_s, 4 * self.rtt_s), 1.0)

    @property
    def pli_gap_s(self) -> float:
        """No new request before the last one could have been answered."""
        return min(max(self.pli_interval_s, 1.5 * self.keyframe_delay_s), 1.5)

    # -- internals
    def _rtt_sample(self, sample: float) -> None:
        self.rtt_s = 0.8 * self.rtt_s + 0.2 * max(sample, 0.0005)

    def _head_deadline(self) -> float:
        head = self._packets.get(self._cursor) if self._cursor is not None else None
        return self.key_deadline_s if head is not None and head.keyframe else self.frame_deadline_s

    def _due_nacks(self, now: float) -> list[int]:
        due: list[int] = []
        # Holes of a keyframe under way, or noticed since we started waiting for one
        # (they may be the keyframe's), are worth asking for longer.
        head_limit = self._head_deadline()
        for seq in sorted(self._missing):
            hole = self._missing[seq]
            limit = head_limit
            if self._awaiting_key and hole.noticed >= self._awaiting_since:
                limit = self.key_deadline_s
            tries = self.max_nack_tries
            if now - hole.noticed > limit or hole.tries >= tries:
                del self._missing[seq]     # too late to help: the deadline decides
                continue
            if hole.sent_at is None or now - hole.sent_at >= self._retry_after(hole) - 1e-9:
                if hole.first_sent is None:
                    hole.first_sent = now
                hole.sent_at = now
                hole.tries += 1
                due.append(seq & 0xFFFF)
        self.stats.nacks_sent += len(due)
        return due

    def _await_keyframe(self, now: float) -> None:
        if not self._awaiting_key:
            self._awaiting_key, self._awaiting_since = True, now
        self._pli_pending = True

    def _reset_to_keyframe(self, from_seq: int, now: float) -> None:
        self._discard_before(from_seq)
        self._missing.clear()
        self._cursor = from_seq if self._cursor is not None else None
        self._await_keyframe(now)
        self._pli_pending = True
        self._blocked_since = None

    def _discard_before(self, seq: int) -> None:
        for s in [s for s in self._packets if s < seq]:
            del self._packets[s]
            self._arrival.pop(s, None)
        for s in [s for s in self._missing if s < seq]:
            del self._missing[s]

    def _assemble(self, now: float) -> None:
        while True:
            if self._awaiting_key:
                keys = sorted(s for s, p in self._packets.items()
                              if p.keyframe and (self._cursor is None or s >= self._cursor))
                if not keys:
                    self._blocked_since = None
                    return
                # The first complete keyframe, else the first to wait for.
                start = next((k for k in keys if self._frame_seqs(k) is not None), keys[0])
                skipped = {p.timestamp for s, p in self._packets.items()
                           if s < start and p.frame_start}
                self.stats.frames_skipped += len(skipped)
                self._discard_before(start)
                self._cursor = start
                self._awaiting_key = False
                self._blocked_since = None
            assert self._cursor is not None
            # Padding-only packets between frames carry nothing to decode.
            while (p := self._packets.get(self._cursor)) is not None and not p.data \
                    and not p.frame_start:
                del self._packets[self._cursor]
                self._cursor += 1
            frame = self._complete_frame()
            if frame is None and self._complete_key_after(self._cursor):
                # A newer picture is complete: what the head still waits for is stale.
                self._awaiting_key = True
                continue
            if frame is None:
                pending = self._highest is not None and self._highest >= self._cursor
                if not pending:
                    self._blocked_since = None
                elif self._blocked_since is None:
                    self._blocked_since = now
                return
            seqs, encoded = frame
            first_arrival = min(self._arrival.get(s, now) for s in seqs)
            for s in seqs:
                self._packets.pop(s, None)
                self._arrival.pop(s, None)
            self._cursor = seqs[-1] + 1
            self._blocked_since = None
            if encoded.keyframe:
                if self._pli_asked_at is not None:
                    # How long the sender takes to answer a PLI (paces the next one).
                    sample = first_arrival - self._pli_asked_at
                    self.keyframe_delay_s += (sample - self.keyframe_delay_s) / 4
                    self._pli_asked_at = None
                self.stats.keyframes += 1
                self.keyframe_timestamps.append(encoded.timestamp)
            self.newest_timestamp = encoded.timestamp
            self._schedule(encoded, first_arrival, now)

    def _complete_key_after(self, seq: int) -> bool:
        return any(p.keyframe and s > seq and self._frame_seqs(s) is not None
                   for s, p in self._packets.items())

    def _frame_seqs(self, start: int) -> list[int] | None:
        """The sequence numbers of the complete frame that starts at `start`, if it is."""
        head = self._packets.get(start)
        if head is None or not head.frame_start:
            return None
        seqs = []
        seq = start
        while True:
            p = self._packets.get(seq)
            if p is None or p.timestamp != head.timestamp or (seq != start and p.frame_start):
                return None
            seqs.append(seq)
            if p.marker:
                return seqs
            seq += 1

    def _complete_frame(self) -> tuple[list[int], EncodedFrame] | None:
        assert self._cursor is not None
        seqs = self._frame_seqs(self._cursor)
        if seqs is None:
            return None
        head = self._packets[self._cursor]
        ts = _unwrap(head.timestamp, self._last_ts, 32)
        self._last_ts = ts
        data = b"".join(self._packets[s].data for s in seqs)
        return seqs, EncodedFrame(ts, data, head.keyframe)

    def _schedule(self, frame: EncodedFrame, arrival: float, now: float) -> None:
        """Give a complete frame its playout time, from its RTP timestamp.

        `arrival` is when the frame's first packet came: a frame held back only by a
        retransmission still tells the true transit time.
        """
        if self._ts_origin is None:
            self._ts_origin = frame.timestamp
        rtp_s = (frame.timestamp - self._ts_origin) / VIDEO_CLOCK
        if self._last_rtp_s is not None and not (0 <= rtp_s - self._last_rtp_s < 5.0):
            # The stream jumped: start a new playout clock.
            self._ts_origin, rtp_s = frame.timestamp, 0.0
            self._transit = self._last_playout = self._last_rtp_s = None
        transit = arrival - rtp_s
        if self._transit is None:
            self._transit, self._transit_at, self._jitter = transit, now, 0.0
        else:
            # The floor creeps up slowly so that clock drift or a longer path is
            # followed, and drops at once to any faster arrival.
            floor = self._transit + 0.05 * (now - self._transit_at)
            self._transit_at = now
            self._transit = min(floor, transit)
            self._jitter += (transit - self._transit - self._jitter) / 16
        ideal = rtp_s + self._transit + min(2 * self._jitter, self.max_jitter_delay_s)
        playout = ideal
        if self._last_playout is not None and self._last_rtp_s is not None:
            # Frames that completed together are spaced as they were sent, unless
            # that would put them more than `max_lag_s` behind their ideal time.
            paced = self._last_playout + (rtp_s - self._last_rtp_s)
            playout = max(ideal, min(paced, ideal + self.max_lag_s))
        self._last_rtp_s, self._last_playout = rtp_s, playout
        self._ready.append((playout, frame))


# ---------------------------------------------------------------------- audio


@dataclass(frozen=True)
class AudioOut:
    kind: Literal["packet", "fec", "plc"]
    payload: bytes         # the packet to decode (for fec: the packet after the lost one)
    timestamp: int         # unwrapped RTP timestamp of the frame played
    samples: int


@dataclass
class AudioReceiveStats:
    packets: int = 0
    duplicates: int = 0
    late: int = 0
    frames_out: int = 0
    concealed: int = 0     # plc frames
    fec: int = 0           # frames recovered from in-band FEC
    skipped: int = 0       # frames dropped to keep latency bounded
    stretched: int = 0     # frames of delay added for jitter (also counted as concealed)
    resyncs: int = 0


class AudioReceiveCore:
    """One audio frame per frame interval under loss, sans-I/O."""

    def __init__(self, *, frame_samples: int = 960, target_delay_s: float = 0.04,
                 max_delay_s: float = 0.2, conceal_limit_s: float = 0.2,
                 give_back_s: float = 2.0) -> None:
        self.frame_samples = frame_samples
        self.target_delay_s = target_delay_s
        self.give_back_s = give_back_s
        self.max_delay_s = max_delay_s
        self.conceal_limit_s = conceal_limit_s
        self.stats = AudioReceiveStats()
        self._packets: dict[int, bytes] = {}
        self._last_ts: int | None = None
        self._next_ts: int | None = None       # timestamp of the frame due next
        self._next_time = 0.0                  # when it is due
        self._last_arrival = -math.inf
        self._frame_s = frame_samples / AUDIO_CLOCK
        self._stretch = 0                      # frames of delay added for jitter
        # The least time any packet arrived before it was due, since _window_at: what
        # the delay could lose and still have every packet in time.
        self._min_early = math.inf
        self._window_at: float | None = None

    @property
    def active(self) -> bool:
        return self._next_ts is not None

    def add(self, timestamp: int, payload: bytes, now: float) -> None:
        self.stats.packets += 1
        ts = _unwrap(timestamp, self._last_ts, 32)
        self._last_ts = ts
        self._last_arrival = now
        if self._next_ts is not None and ts < self._next_ts:
            self.stats.late += 1
            return
        if ts in self._packets:
            self.stats.duplicates += 1
            return
        self._packets[ts] = payload
        if self._next_ts is not None:
            due = self._next_time + (ts - self._next_ts) / AUDIO_CLOCK
            self._min_early = min(self._min_early, due - now)
        if self._next_ts is None:
            # (Re)start the playout clock with a small cushion against jitter.
            self._next_ts = ts
            self._next_time = now + self.target_delay_s
            self._stretch = 0
            self._min_early, self._window_at = math.inf, None
            self.stats.resyncs += 1

    def poll(self, now: float) -> list[AudioOut]:
        out: list[AudioOut] = []
        while self._next_ts is not None and now >= self._next_time - 1e-6:
            if now - self._next_time > self.max_delay_s:
                # We were not polled for a while (a stalled loop): do not try to
                # catch up with a burst; play from now on.
                missed = int((now - self._next_time) / self._frame_s)
                self._next_time += missed * self._frame_s
                self._next_ts += missed * self.frame_samples
                self.stats.skipped += missed
                self._drop_before(self._next_ts)
            self._bound_latency(now)
            ts = self._next_ts
            n = self.frame_samples
            if ts in self._packets:
                out.append(AudioOut("packet", self._packets.pop(ts), ts, n))
            elif ts + n in self._packets:
                out.append(AudioOut("fec", self._packets[ts + n], ts, n))
                self.stats.fec += 1
            elif self._packets:
                out.append(AudioOut("plc", b"", ts, n))     # lost: later ones are here
                self.stats.concealed += 1
            elif now - self._last_arrival < self.conceal_limit_s:
                # Nothing buffered: the packet is late or lost. Conceal, and if the
                # delay may still grow, wait for it (stretch) instead of skipping
                # it: jitter raises the delay by a frame at a time, up to max_delay_s.
                out.append(AudioOut("plc", b"", ts, n))
                self.stats.concealed += 1
                if self.target_delay_s + (self._stretch + 1) * self._frame_s <= self.max_delay_s:
                    self._stretch += 1
                    self.stats.stretched += 1
                    self._next_time += self._frame_s
                    continue
            else:
                # The sender went quiet (muted, moderated, gone): stop the clock.
                self._next_ts = None
                break
            self._next_ts = ts + n
            self._next_time += self._frame_s
        self.stats.frames_out += len(out)
        return out

    def wake_at(self, now: float) -> float:
        return self._next_time if self._next_ts is not None else now + 0.05

    def _bound_latency(self, now: float) -> None:
        assert self._next_ts is not None
        self._give_back(now)
        if not self._packets:
            return
        newest = max(self._packets)
        held_s = (newest - self._next_ts) / AUDIO_CLOCK
        if held_s > self.max_delay_s:
            keep_from = newest - int(self.target_delay_s * AUDIO_CLOCK)
            skipped = (keep_from - self._next_ts) // self.frame_samples
            self._next_ts += skipped * self.frame_samples
            self.stats.skipped += skipped
            self._drop_before(self._next_ts)

    def _give_back(self, now: float) -> None:
        """Delay no arrival needed goes: every give_back_s, the whole frames by which
        every packet of that window came earlier than target_delay_s before it was due.

        Whatever raised the delay -- a stretch for a stall, or a start in a burst (the
        clock starts at the first packet; one that came late, after a busy moment,
        would hold every later packet that much longer for the rest of the call) --
        the delay then follows what the last window's arrivals needed."""
        assert self._next_ts is not None
        if self._window_at is None:
            self._window_at = now
            return
        if now - self._window_at < self.give_back_s:
            return
        # No packet in the window (a quiet sender): nothing to judge, and no int(inf),
        # which killed the receive path's task and left the feed silent for good.
        surplus = 0 if self._min_early == math.inf else \
            int((self._min_early - self.target_delay_s) / self._frame_s + 1e-6)
        if surplus > 0:
            self._next_ts += surplus * self.frame_samples
            self._drop_before(self._next_ts)
            self._stretch = max(0, self._stretch - surplus)
            self.stats.skipped += surplus
        self._min_early, self._window_at = math.inf, now

    def _drop_before(self, ts: int) -> None:
        for old in [t for t in self._packets if t < ts]:
            del self._packets[old]


# ---------------------------------------------------------------------- aiortc plug


class _Intake:
    """Stands where aiortc's JitterBuffer stands: takes packets, returns no frame."""

    capacity = 1

    def __init__(self, on_packet: Any) -> None:
        self._on_packet = on_packet

    def add(self, packet: RtpPacket) -> tuple[bool, None]:
        self._on_packet(packet)
        return False, None


class _DecodeErrorSignal(threading.Event):
    """aiortc's decoder thread sets this on a failed frame; we hear it on our loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, callback: Any) -> None:
        super().__init__()
        self._loop, self._callback = loop, callback

    def set(self) -> None:   # called in the decoder thread; stays unset for aiortc
        with contextlib.suppress(RuntimeError):   # loop already closed
            self._loop.call_soon_threadsafe(self._callback)


_PRIVATE = ("jitter_buffer", "nack_generator", "decoder_queue", "decoder_error", "codecs",
            "decoder_thread", "kind", "started", "remote_streams", "rtx_ssrc")


def _private(receiver: RTCRtpReceiver, name: str) -> Any:
    return getattr(receiver, f"_RTCRtpReceiver__{name}")


class ResilientReceive:
    """Drives one core for one aiortc RTCRtpReceiver (made by `plug`)."""

    def __init__(self, receiver: RTCRtpReceiver, kind: str) -> None:
        self.kind = kind
        self._receiver = receiver
        self._loop = asyncio.get_running_loop()
        self.video: VideoReceiveCore | None = VideoReceiveCore() if kind == "video" else None
        self.audio: AudioReceiveCore | None = (
            AudioReceiveCore(target_delay_s=CALL_AUDIO_TARGET_DELAY_S) if kind == "audio" else None)
        self._opus: OpusDecoder | None = None
        self._codec: Any = None
        self._ssrc = 0
        self.bytes = 0     # RTP payload received (for the bitrate in stats)
        self._ts0: int | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    # called by aiortc (through _Intake) for every depayloaded packet
    def on_packet(self, packet: RtpPacket) -> None:
        if self._closed:
            return
        now = self._loop.time()
        self._ssrc = packet.ssrc
        self._codec = _private(self._receiver, "codecs").get(packet.payload_type, self._codec)
        data: bytes = getattr(packet, "_data", b"")
        self.bytes += len(packet.payload)
        if self.video is not None:
            try:
                self.video.add(vp8_packet(packet, data), now)
            except ValueError:   # a malformed descriptor: treat as lost
                return
        elif self.audio is not None:
            self.audio.add(packet.timestamp, data, now)
        if self._task is None:
            self._task = self._loop.create_task(self._run())
        self._wake.set()

    @property
    def rtt_s(self) -> float:
        """Retransmission round trip measured on this stream (video), else 0."""
        return self.video.rtt_s if self.video is not None and self.video.stats.recovered else 0.0

    @property
    def retransmissions(self) -> int:
        """Packets received as RFC 4588 retransmissions. Janus relays the ones it gets
        from the sender as ordinary packets, so these come from its own history."""
        streams = _private(self._receiver, "remote_streams")
        return sum(streams[s].packets_received for s in _private(self._receiver, "rtx_ssrc")
                   if s in streams)

    def on_decode_error(self) -> None:
        if self.video is not None and not self._closed:
            self.video.decode_failed(self._loop.time())
            self._wake.set()

    def close(self) -> None:
        self._closed = True
        self._wake.set()

    async def _run(self) -> None:
        try:
            while not self._closed and self._receiver_running():
                now = self._loop.time()
                if self.video is not None:
                    await self._drive_video(now)
                    wake = self.video.wake_at(self._loop.time())
                else:
                    assert self.audio is not None
                    self._drive_audio(now)
                    wake = self.audio.wake_at(self._loop.time())
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), max(0.0, wake - self._loop.time()))
        except Exception:   # never let a media bug kill the call silently
            log.exception("receive path for %s stopped", self.kind)

    def _receiver_running(self) -> bool:
        return _private(self._receiver, "decoder_thread") is not None

    async def _drive_video(self, now: float) -> None:
        assert self.video is not None
        actions = self.video.poll(now)
        if actions.nacks:
            await self._receiver._send_rtcp_nack(self._ssrc, actions.nacks)
        if actions.pli:
            await self._receiver._send_rtcp_pli(self._ssrc)
        queue = _private(self._receiver, "decoder_queue")
        if actions.frames and queue.qsize() >= MAX_DECODE_BACKLOG:
            # The decoder cannot keep up (a starved machine): feeding it more would
            # only make the picture later and later. Skip to the next keyframe.
            self.video.decoder_overloaded(now)
            self.video.stats.frames_skipped += len(actions.frames)
            return
        for frame in actions.frames:
            if self._ts0 is None:
                self._ts0 = frame.timestamp
            # Frames count from 0 like aiortc's own, so pts stay small and positive.
            queue.put((self._codec, JitterFrame(frame.data, frame.timestamp - self._ts0)))

    def _drive_audio(self, now: float) -> None:
        assert self.audio is not None
        track = self._receiver._track
        for out in self.audio.poll(now):
            pcm = self._decode_audio(out)
            if pcm is None or track is None:
                continue
            frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="stereo")
            frame.sample_rate = AUDIO_CLOCK
            if self._ts0 is None:
                self._ts0 = out.timestamp
            frame.pts = out.timestamp - self._ts0
            frame.time_base = fractions.Fraction(1, AUDIO_CLOCK)
            track._queue.put_nowait(frame)

    def _decode_audio(self, out: AudioOut) -> Any:
        if self._opus is None:
            self._opus = OpusDecoder(AUDIO_CLOCK, 2)
        try:
            if out.kind == "packet":
                return self._opus.decode(out.payload)
            if out.kind == "fec":
                return self._opus.decode_fec(out.payload, out.samples)
            return self._opus.conceal(out.samples)
        except OpusError:
            # A corrupt packet: conceal it instead (the decoder state stays valid).
            with contextlib.suppress(OpusError):
                return self._opus.conceal(out.samples)
            return None


def _route_rtx_by_declared_ssrc() -> None:
    """Route retransmissions to the receiver whose m-line declared their RTX SSRC.

    aiortc's router learns an unknown SSRC only from a payload type that a single
    receiver uses. When two video m-lines share VP8's payload types (camera and
    screen under BUNDLE), a retransmission's first packet matches both and is
    dropped, and so is every later one: no NACK is ever answered and a keyframe
    lost in part never completes. The receivers know their RTX SSRCs from the
    remote description, so ask them before giving up.
    """
    if getattr(RtpRouter, "_klasse_rtx_routing", False):
        return
    route = RtpRouter.route_rtp

    def route_rtp(self: RtpRouter, packet: RtpPacket) -> Any:
        receiver = route(self, packet)
        if receiver is None and packet.ssrc not in self.ssrc_table:
            for cand in self.payload_type_table.get(packet.payload_type, ()):
                if packet.ssrc in getattr(cand, "_RTCRtpReceiver__rtx_ssrc", {}):
                    self.ssrc_table[packet.ssrc] = cand
                    return cand
        return receiver

    RtpRouter.route_rtp = route_rtp  # type: ignore[method-assign]
    RtpRouter._klasse_rtx_routing = True  # type: ignore[attr-defined]


def _shortened_dlsr(packet: Any) -> Any:
    """A receiver report whose DLSR is `DLSR_SHORTFALL` shorter (other packets as they are)."""
    if not isinstance(packet, RtcpRrPacket):
        return packet
    reports = [replace(r, dlsr=max(0, r.dlsr - DLSR_SHORTFALL)) if r.lsr else r
               for r in packet.reports]
    return RtcpRrPacket(ssrc=packet.ssrc, reports=reports)


def _report_rtt_of_at_least_1ms(receiver: RTCRtpReceiver) -> None:
    """Make Janus keep its retransmission history for this stream.

    Janus 1.1.2 stores nothing it sends for retransmission until the round trip it
    computes from our receiver reports (in whole milliseconds) first changes from
    0: `nack_queue_ms` starts at 0 and is only set where the RTT changes (ice.c,
    janus_ice_cb_nice_recv). On a sub-millisecond path -- the test network, a school
    LAN -- it reads 0 ms for good, and every NACK of ours goes unanswered. A DLSR
    1 ms short makes its RTT read 1 ms more than it is, which starts the history
    (200 ms or min_nack_queue) on the first report after its first sender report.
    """
    send = receiver._send_rtcp

    async def send_rtcp(packet: Any) -> None:
        await send(_shortened_dlsr(packet))

    receiver._send_rtcp = send_rtcp  # type: ignore[method-assign]


def plug(receiver: RTCRtpReceiver) -> ResilientReceive | None:
    """Install the resilient receive path into a receiver that has not started yet.

    Call it from the peer connection's "track" event (or right after
    setRemoteDescription) inside the running loop. Returns None for codecs it does
    not handle (only VP8 video and Opus audio are used by Klasse) -- they keep
    aiortc's own path. Raises RuntimeError if aiortc's receiver layout is not the one
    this was written for.
    """
    missing = [n for n in _PRIVATE if not hasattr(receiver, f"_RTCRtpReceiver__{n}")]
    if missing:
        raise RuntimeError(f"aiortc RTCRtpReceiver changed (no {', '.join(missing)})")
    if _private(receiver, "started"):
        raise RuntimeError("plug() must run before the receiver starts")
    kind = _private(receiver, "kind")
    if kind not in ("audio", "video"):
        return None
    _route_rtx_by_declared_ssrc()
    resilient = ResilientReceive(receiver, kind)
    receiver._RTCRtpReceiver__jitter_buffer = _Intake(resilient.on_packet)  # type: ignore[attr-defined]
    if kind == "video":
        _report_rtt_of_at_least_1ms(receiver)
        receiver._RTCRtpReceiver__nack_generator = None  # type: ignore[attr-defined]
        receiver._RTCRtpReceiver__decoder_error = _DecodeErrorSignal(  # type: ignore[attr-defined]
            resilient._loop, resilient.on_decode_error)
    return resilient
