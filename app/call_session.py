"""A call, end to end: signalling over WebSocket, media over aiortc, rules from CallMachine.

CallSession implements app/call_api.CallControl. It owns the I/O -- the WebSocket
to the room service, one publishing RTCPeerConnection, one receiving
RTCPeerConnection per feed, the privacy-gated devices, the call cache -- and does
what app/call_state.CallMachine decides. Every peer connection gets exactly the ICE
servers of the service's Welcome (never aiortc's default public STUN server), and
the WebSocket never goes through a proxy: the client talks to the school's server
and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import websockets
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from websockets.asyncio.client import ClientConnection, connect

from klasse.app import protocol as p
from klasse.app.call_api import Device, EventSink, VideoSink
from klasse.app.call_audio import CallAudio
from klasse.app.call_cache import CacheError, CallCache
from klasse.app.call_state import (
    CallMachine,
    CloseDevice,
    DropFeed,
    Effect,
    EndCall,
    OpenDevice,
    ResetMedia,
    Send,
    StartPublishing,
    StartShare,
    StopShare,
    SubscribeFeed,
)
from klasse.app.camera_pipeline import CameraPipeline, ForwardTrack
from klasse.app.dtls_role import answer_as_dtls_server
from klasse.app.events import (
    ErrorRaised,
    Event,
    FeedStats,
    Left,
    MediaFlow,
    StateChanged,
    StatsReported,
    UplinkChanged,
)
from klasse.app.feed_watch import FeedWatch
from klasse.app.uplink import ShapedTrack, UplinkAdapter, UplinkDecision, UplinkMonitor
from klasse.media.privacy_gate import GatedTrack
from klasse.media.rtp_receive import ResilientReceive, plug
from klasse.media.screen_source import ScreenSource
from klasse.media.screen_track import (
    ScreenEncoder,
    ScreenTrack,
    install_screen_encoder,
    screen_playout,
)
from klasse.media.sources import SourceError, parse_source

STATS_INTERVAL_S = 0.5      # the `stats` event, twice a second
WATCH_INTERVAL_S = 0.5      # how often received feeds are checked for going quiet
FREEZE_S = 0.5              # a gap between video frames longer than this is a freeze
FLOW_INTERVAL_S = 0.5       # MediaFlow events at least once a second while media flows
COUNTDOWN_S = 1.0           # an announced recording's starts_in, again, this often
LEVEL_FLOOR_DB = -100.0     # the level of digital silence
ANSWER_TIMEOUT_S = 20.0
RETRY_FEED_AFTER_S = 1.0
# A publish the service could not get through to its media server (it may be moving
# the room to a respawned Janus) is tried again this often, this many times.
RETRY_PUBLISH_AFTER_S = 2.0
PUBLISH_RETRIES = 5
BLUR_MODES = ("off", "blur", "replace", "full")


class CallSession:
    """One participant in one lesson."""

    def __init__(self, link: p.Link, name: str, events: EventSink, *,
                 pin: str | None = None, session_token: str | None = None,
                 camera: str = "off", mic: str = "off", blur: str = "blur",
                 video: VideoSink | None = None, video_size: tuple[int, int, int] = (160, 120, 15),
                 cache_root: Path | None = None, reconnect_for_s: float = 30.0,
                 ping_interval_s: float = 5.0, receive: bool = True,
                 speaker: str = "null", noise_suppression: bool = True,
                 auto_gain: bool = False,
                 screen: str = "off") -> None:
        if blur not in BLUR_MODES:
            raise ValueError(f"blur mode must be one of {BLUR_MODES}")
        self.link, self.name, self.pin, self.session_token = link, name, pin, session_token
        self._emit_to, self._video = events, video
        self.machine = CallMachine(receive=receive)
        w, h, fps = video_size
        self._camera_fps = fps
        self.uplink: UplinkMonitor | None = None
        # Sources are made closed; only a user's `camera`/`mic` command opens them.
        self.camera_gate = GatedTrack("video", parse_source(camera, "video", w, h, fps))
        # The call's sound: received feeds mixed onto `speaker`, a device mic
        # through the echo canceller (app/call_audio.py).
        self.sound = CallAudio(speaker, self._device_problem,
                               noise_suppression=noise_suppression, auto_gain=auto_gain)
        self.mic_gate = GatedTrack("audio", self.sound.mic_source(mic))
        self.mic_gate.on_failure = lambda why: self._spawn(
            self._device_problem("mic", "device_failed", why))
        preview = (lambda rgb: video("local", rgb)) if video is not None else None
        self.camera = CameraPipeline(self.camera_gate, blur, preview)
        # The shared screen goes straight to its sender: never through the blur stage.
        self.screen = ScreenTrack(on_ended=self._share_ended)
        self.screen_spec = screen            # what `share` uses when no source is named
        self.screen_encoder: ScreenEncoder | None = None   # the current publisher's
        self._share_source: ScreenSource | None = None   # opened, waiting for the service
        self.cache_root = cache_root
        self.cache: CallCache | None = None
        self.reconnect_for_s = reconnect_for_s
        self.ping_interval_s = ping_interval_s

        self._ws: ClientConnection | None = None
        self._publisher: RTCPeerConnection | None = None
        self._answer: asyncio.Future[str] | None = None
        self._subs: dict[str, RTCPeerConnection] = {}
        self._receive_paths: dict[str, list[ResilientReceive]] = {}
        self._last_frame_at: dict[str, float] = {}     # per feed, for freezes
        self._freezes: dict[str, int] = {}
        self._longest: dict[str, float] = {}
        self._frames: dict[tuple[str, str], int] = {}
        # Received feeds that go quiet while they should flow are asked for again.
        self.feed_watch = FeedWatch()
        self._resubscribed: dict[str, int] = {}
        self._reported: dict[tuple[str, str], int] = {}
        # Decoded audio since the last report, per feed; and the last report's
        # (sum of squares, samples), so a level covers about one second.
        self._pcm: dict[str, list[np.ndarray]] = {}
        self._last_energy: dict[str, tuple[float, int]] = {}
        self._recording_at = time.monotonic()   # when the last recording state arrived
        self._pending: dict[int, tuple[str, str]] = {}   # rid -> (request, feed)
        self._rid = 0
        self._publish_failed_code: p.ErrorCode | None = None
        self._publish_retries = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ended = asyncio.Event()
        self._closed = asyncio.Event()   # the service confirmed our leave
        self._last_heard = time.monotonic()
        self.left: Left | None = None
        self._told_degraded = False

    # ---------------------------------------------------------------- events
    def _emit(self, event: Event) -> None:
        self.sound.observe(event)
        try:
            self._emit_to(event)
        except Exception as exc:  # a broken front end must not break the call
            self._emit_to(ErrorRaised("internal", f"event sink failed: {exc!r}"))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---------------------------------------------------------------- main loop
    async def run(self) -> None:
        reason = "left"
        try:
            self.cache = CallCache.create(self.cache_root)
            self._emit(StateChanged("connecting"))
            self._tell_blur_degraded()
            self.camera.start()
            self.sound.start()
            self._spawn(self.sound.watch(lambda: self.mic_gate.is_on))
            self._spawn(self._report_flow())
            self._spawn(self._report_stats())
            self._spawn(self._watch_feeds())
            self._spawn(self._count_down())
            lost_at: float | None = None
            delay = 0.25
            while self.machine.state != "left":
                welcomed = await self._connect_and_serve()
                if self.machine.state == "left":
                    break
                if welcomed:   # this connection got us in: a new outage starts now
                    lost_at, delay = None, 0.25
                await self._apply(self.machine.connection_lost())
                if self.machine.state == "left":
                    break
                now = time.monotonic()
                lost_at = lost_at if lost_at is not None else now
                if now - lost_at > self.reconnect_for_s:
                    await self._apply(self.machine.reconnect_failed())
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ended.wait(), delay)
                delay = min(delay * 2, 4.0)
            reason = self.machine.end_reason or reason
        except CacheError as exc:
            # No private place to keep call data: refuse the call rather than write elsewhere.
            reason = "cache_unavailable"
            self._emit(ErrorRaised("cache_unavailable", str(exc)))
        except asyncio.CancelledError:
            reason = "cancelled"
            raise
        except Exception as exc:
            reason = "internal"
            self._emit(ErrorRaised("internal", f"the call failed: {exc!r}"))
        finally:
            await self._teardown(reason)

    async def _connect_and_serve(self) -> bool:
        """One connection; True if the service welcomed us on it."""
        welcomed = False
        try:
            async with connect(self.link.service_url, proxy=None, open_timeout=10,
                               max_size=p.MAX_SERVER_MESSAGE_BYTES, compression=None) as ws:
                self._ws = ws
                self._last_heard = time.monotonic()
                join = self.machine.join_message(self.link.token, self.name, self.pin,
                                                 self.session_token)
                await ws.send(p.encode(join).decode())
                keepalive = asyncio.ensure_future(self._keepalive(ws))
                try:
                    async for raw in ws:
                        self._last_heard = time.monotonic()
                        welcomed = await self._on_raw(raw) or welcomed
                        if self.machine.state == "left":
                            break
                finally:
                    keepalive.cancel()
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
            pass  # becomes connection_lost: reconnecting, or left if never in
        finally:
            self._ws = None
        return welcomed

    async def _keepalive(self, ws: ClientConnection) -> None:
        """Ping the service; a silent connection counts as lost (a cut cable sends no FIN)."""
        while True:
            await asyncio.sleep(self.ping_interval_s)
            if time.monotonic() - self._last_heard > 3 * self.ping_interval_s:
                ws.transport.abort()
                return
            with contextlib.suppress(websockets.exceptions.WebSocketException):
                await ws.send(p.encode(p.Ping()).decode())

    async def _on_raw(self, raw: str | bytes) -> bool:
        """Handle one message; True if it was a Welcome."""
        try:
            msg = p.decode_server(raw)
        except p.ProtocolError as exc:
            self._emit(ErrorRaised(str(exc.code), f"unreadable message from the server: {exc.message}"))
            return False
        if isinstance(msg, (p.Welcome, p.Recording)):
            self._recording_at = time.monotonic()
        if isinstance(msg, p.Published):
            if msg.rid is not None:
                self._pending.pop(msg.rid, None)
            if self._answer is not None and not self._answer.done():
                self._answer.set_result(msg.sdp)
            return False
        if isinstance(msg, p.Subscription):
            self._spawn(self._answer_subscription(msg))
            return False
        if isinstance(msg, p.Error) and msg.rid is not None and msg.rid in self._pending:
            await self._request_failed(msg)
            return False
        if isinstance(msg, p.Closed):
            self._closed.set()
        if isinstance(msg, p.ChatMessage) and self.cache is not None:
            # The transcript lives in the call cache only, and goes with it.
            self.cache.append_line("chat.jsonl", json.dumps(
                {"from": msg.sender, "name": msg.name, "text": msg.text, "ts": msg.ts}))
        await self._apply(self.machine.receive(msg))
        return isinstance(msg, p.Welcome)

    async def _request_failed(self, err: p.Error) -> None:
        request, feed = self._pending.pop(err.rid)  # type: ignore[arg-type]
        self._emit(ErrorRaised(str(err.code), err.message))
        if request == "publish":
            self._publish_failed_code = err.code
            if self._answer is not None and not self._answer.done():
                self._answer.set_exception(RuntimeError(err.message))
        elif request == "subscribe":
            self.feed_watch.forget(feed)
            await self._drop_feed(feed, tell_server=False)
            await self._apply(self.machine.feed_failed(feed))
            self._spawn(self._resync_later())

    async def _resync_later(self) -> None:
        await asyncio.sleep(RETRY_FEED_AFTER_S)
        await self._apply(self.machine.resync())

    # ---------------------------------------------------------------- effects
    async def _apply(self, effects: list[Effect]) -> None:
        for eff in effects:
            if isinstance(eff, Event):
                self._emit(eff)
            elif isinstance(eff, Send):
                await self._send(eff.msg)
            elif isinstance(eff, OpenDevice):
                await self._open(eff.device)
            elif isinstance(eff, CloseDevice):
                await self._gate(eff.device).turn_off()
            elif isinstance(eff, StartPublishing):
                self._spawn(self._publish())
            elif isinstance(eff, SubscribeFeed):
                self.feed_watch.subscribed(eff.feed, time.monotonic())
                rid = self._next_rid("subscribe", eff.feed)
                await self._send(p.Subscribe(feed=eff.feed, rid=rid))
            elif isinstance(eff, DropFeed):
                self.feed_watch.forget(eff.feed)
                await self._drop_feed(eff.feed, tell_server=True)
            elif isinstance(eff, ResetMedia):
                for feed in list(self.machine.feeds | set(self._subs)):
                    self.feed_watch.forget(feed)
                await self._close_media()
            elif isinstance(eff, StartShare):
                await self._start_share()
            elif isinstance(eff, StopShare):
                await self._stop_share()
            elif isinstance(eff, EndCall):
                self._ended.set()
                ws = self._ws
                if ws is not None:
                    if eff.reason == "left":
                        # Let the service take us out before the socket goes.
                        await self._send(p.Leave())
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._closed.wait(), 2.0)
                    with contextlib.suppress(websockets.exceptions.WebSocketException):
                        await ws.close()

    def _gate(self, device: Device) -> GatedTrack:
        return self.camera_gate if device == "camera" else self.mic_gate

    async def _open(self, device: Device) -> None:
        try:
            await self._gate(device).turn_on()
        except SourceError as exc:
            await self._apply(self.machine.device_failed(device, str(exc)))
            return
        await self._apply(self.machine.device_opened(device))

    async def _send(self, msg: p.ClientMessage) -> None:
        ws = self._ws
        if ws is None:
            return
        with contextlib.suppress(websockets.exceptions.WebSocketException):
            await ws.send(p.encode(msg).decode())

    def _next_rid(self, request: str, feed: str = "") -> int:
        self._rid += 1
        self._pending[self._rid] = (request, feed)
        return self._rid

    # ---------------------------------------------------------------- media
    def _new_pc(self) -> RTCPeerConnection:
        servers = [RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
                   for s in self.machine.ice_servers]
        # max-bundle: Janus bundles every m-line, and aiortc's default (balanced) leaves
        # a second video m-line (the shared screen) on a transport it then closes.
        return RTCPeerConnection(RTCConfiguration(iceServers=servers,
                                                  bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))

    async def _publish(self) -> None:
        """Publish once: audio then video (mids 0 and 1), both gated, both sendonly."""
        old, self._publisher = self._publisher, None
        if old is not None:
            await old.close()
        pc = self._new_pc()
        self._publisher = pc

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState == "connected" and self._publisher is pc:
                await self._apply(self.machine.publishing_connected())
            if pc.connectionState == "failed" and self._publisher is pc:
                self._emit(ErrorRaised("media_failed", "the media connection failed; retrying"))
                await self._apply(self.machine.republish())

        audio_sender = pc.addTransceiver(ForwardTrack(self.mic_gate), direction="sendonly").sender
        # The camera goes out shaped to what the uplink carries (app/uplink.py).
        adapter = UplinkAdapter()
        shaped = ShapedTrack(self.camera.sender_track(), lambda: adapter.mode, self._camera_fps)
        video_sender = pc.addTransceiver(shaped, direction="sendonly").sender
        self.uplink = UplinkMonitor(video_sender, audio_sender, adapter, self._uplink_changed)
        self._spawn(self.uplink.run(lambda: self._publisher is pc))
        # Always offered, silent until a share runs: no renegotiation to start one,
        # and Janus forwards it only while the service lets us share.
        screen_sender = pc.addTransceiver(ForwardTrack(self.screen), direction="sendonly").sender
        self.screen_encoder = install_screen_encoder(screen_sender)
        await pc.setLocalDescription(await pc.createOffer())
        self._answer = asyncio.get_running_loop().create_future()
        self._publish_failed_code = None
        await self._send(p.Publish(sdp=pc.localDescription.sdp, rid=self._next_rid("publish")))
        try:
            sdp = await asyncio.wait_for(self._answer, ANSWER_TIMEOUT_S)
            await pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))
            self._publish_retries = 0
        except (TimeoutError, RuntimeError, ValueError) as exc:
            if self._publisher is pc:
                self._emit(ErrorRaised("media_failed", f"publishing failed: {exc}"))
                transient = isinstance(exc, TimeoutError) or \
                    self._publish_failed_code == p.ErrorCode.MEDIA_FAILED
                if transient and self._publish_retries < PUBLISH_RETRIES:
                    self._publish_retries += 1
                    self._spawn(self._republish_later(pc))

    def _uplink_changed(self, decision: UplinkDecision) -> None:
        loss = self.uplink.loss if self.uplink is not None else 0.0
        self._emit(UplinkChanged(decision.mode.name, decision.bitrate_bps // 1000, round(loss, 3)))

    async def _republish_later(self, pc: RTCPeerConnection) -> None:
        await asyncio.sleep(RETRY_PUBLISH_AFTER_S)
        if self._publisher is pc:
            await self._apply(self.machine.republish())

    async def _answer_subscription(self, msg: p.Subscription) -> None:
        for rid, (request, feed) in list(self._pending.items()):
            if request == "subscribe" and feed == msg.feed:
                del self._pending[rid]
        old = self._subs.pop(msg.feed, None)
        self._close_receive_paths(msg.feed)
        if old is not None:
            await old.close()
        pc = self._new_pc()
        self._subs[msg.feed] = pc
        feed = msg.feed

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            # Emitted inside setRemoteDescription, before the receiver starts: the
            # moment to put the loss-resilient receive path in.
            for transceiver in pc.getTransceivers():
                if transceiver.receiver.track is track:
                    try:
                        path = plug(transceiver.receiver)
                    except RuntimeError as exc:
                        self._emit(ErrorRaised("internal", f"receive path: {exc}"))
                        path = None
                    if path is not None:
                        self._receive_paths.setdefault(feed, []).append(path)
                        if path.video is not None and _track_kind(pc, track) == "screen":
                            screen_playout(path.video)
            self._spawn(self._pump(feed, track, _track_kind(pc, track)))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            # A feed whose connection failed is dropped and asked for again.
            if pc.connectionState == "failed" and self._subs.get(feed) is pc:
                self.feed_watch.forget(feed)
                await self._drop_feed(feed, tell_server=True)
                await self._apply(self.machine.feed_failed(feed))
                self._spawn(self._resync_later())

        try:
            await pc.setRemoteDescription(RTCSessionDescription(msg.sdp, "offer"))
            answer_as_dtls_server(pc)   # else a 1 s DTLS retry in some joins (app/dtls_role.py)
            await pc.setLocalDescription(await pc.createAnswer())
        except ValueError as exc:
            self._emit(ErrorRaised("media_failed", f"cannot receive {feed}: {exc}"))
            await self._drop_feed(feed, tell_server=True)
            return
        await self._send(p.SubscriptionAnswer(feed=feed, sdp=pc.localDescription.sdp))

    async def _pump(self, feed: str, track: MediaStreamTrack, kind: str) -> None:
        key = (feed, kind)
        self._frames.setdefault(key, 0)
        # The video sink tells a shared screen from a camera by its key.
        sink_key = f"{feed}:screen" if kind == "screen" else feed
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self._frames[key] += 1
            if track.kind == "video":
                self._note_frame(feed, time.monotonic())
            if track.kind == "audio":
                # Kept as is; summed once per report (_level), not per frame.
                self._pcm.setdefault(feed, []).append(frame.to_ndarray())  # type: ignore[union-attr]
                self.sound.push(feed, frame)  # type: ignore[arg-type]
            elif self._video is not None:
                self._video(sink_key, frame.to_ndarray(format="rgb24"))  # type: ignore[union-attr]

    def _close_receive_paths(self, feed: str) -> None:
        for path in self._receive_paths.pop(feed, []):
            path.close()

    async def _close_media(self) -> None:
        pcs = list(self._subs.values()) + ([self._publisher] if self._publisher else [])
        for feed in list(self._receive_paths):
            self._close_receive_paths(feed)
        self._subs.clear()
        self._publisher = None
        for pc in pcs:
            with contextlib.suppress(Exception):
                await pc.close()

    async def _drop_feed(self, feed: str, tell_server: bool) -> None:
        pc = self._subs.pop(feed, None)
        self._close_receive_paths(feed)
        if pc is not None:
            await pc.close()
        self.sound.remove(feed)
        if tell_server:
            await self._send(p.Unsubscribe(feed=feed))

    async def _report_flow(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(FLOW_INTERVAL_S)
            if self.machine.state == "left":
                return   # after `state: left` comes only `left` (a late report raced it)
            tick += 1
            if tick % 2 == 0 and self.machine.state in ("waiting", "joined"):
                self._emit(self.sound.levels())
            for (feed, kind), n in list(self._frames.items()):
                if self._reported.get((feed, kind)) != n:
                    self._reported[(feed, kind)] = n
                    level = self._level(feed) if kind == "audio" else None
                    self._emit(MediaFlow(kind, feed, n, level))  # type: ignore[arg-type]

    async def _watch_feeds(self) -> None:
        """Ask again for a received feed that brings nothing while it should.

        Nothing else would notice: a subscription that Janus stops forwarding, or
        whose connection never reports `failed`, stays silent for good."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            if self.machine.state != "joined" or self.machine.media_reconnecting:
                continue
            now = time.monotonic()
            self.feed_watch.tick(now)
            people = {x.id: x for x in self.machine.participants}
            for feed in self.machine.feeds:
                x = people.get(feed)
                kinds = set() if x is None or not x.publishing else \
                    {k for k, on in (("video", x.camera), ("audio", x.mic)) if on}
                self.feed_watch.expect(feed, kinds, now)
                for kind in kinds:
                    self.feed_watch.frames(feed, kind, self._frames.get((feed, kind), 0), now)
            for feed in self.feed_watch.due(now):
                if feed in self.machine.feeds and self._ws is not None:
                    await self._resubscribe(feed)

    async def _resubscribe(self, feed: str) -> None:
        """A new subscription for a feed gone quiet: Janus replaces its subscriber
        (and asks the sender for a keyframe), and the new offer replaces our
        PeerConnection. The old one stays until then: closing it first would make
        Janus hang the old subscriber up, and the service offer it a second time."""
        self._resubscribed[feed] = self._resubscribed.get(feed, 0) + 1
        await self._send(p.Subscribe(feed=feed, rid=self._next_rid("subscribe", feed)))

    def _note_frame(self, feed: str, now: float) -> None:
        last = self._last_frame_at.get(feed)
        if last is not None and now - last > FREEZE_S:
            self._freezes[feed] = self._freezes.get(feed, 0) + 1
            self._longest[feed] = max(self._longest.get(feed, 0.0), now - last)
        self._last_frame_at[feed] = now

    async def _report_stats(self) -> None:
        """The `stats` event: per feed fps, freezes, loss, RTT, bitrate; own uplink."""
        prev: dict[str, tuple[float, int, int, int, int]] = {}
        while True:
            await asyncio.sleep(STATS_INTERVAL_S)
            if self.machine.state != "joined":
                continue
            now = time.monotonic()
            feeds = []
            for feed, paths in list(self._receive_paths.items()):
                received = lost = 0
                pc = self._subs.get(feed)
                for receiver in (pc.getReceivers() if pc is not None else []):
                    for st in (await receiver.getStats()).values():
                        if st.type == "inbound-rtp":
                            received += st.packetsReceived or 0
                            lost += max(st.packetsLost or 0, 0)
                frames = self._frames.get((feed, "video"), 0)
                octets = sum(p.bytes for p in paths)
                t0, f0, b0, r0, l0 = prev.get(feed, (now - STATS_INTERVAL_S, frames, octets,
                                                     received, lost))
                prev[feed] = (now, frames, octets, received, lost)
                dt = max(now - t0, 1e-3)
                expected = (received - r0) + (lost - l0)
                feeds.append(FeedStats(
                    feed, round((frames - f0) / dt, 1), self._freezes.get(feed, 0),
                    round(self._longest.get(feed, 0.0), 2),
                    round((lost - l0) / expected, 3) if expected > 0 else 0.0,
                    int(max((p.rtt_s for p in paths), default=0.0) * 1000),
                    int((octets - b0) * 8 / dt / 1000), self._resubscribed.get(feed, 0)))
            up = self.uplink
            self._emit(StatsReported(
                tuple(feeds), up.adapter.mode.name if up else "none",
                int(up.adapter.bitrate_bps // 1000) if up else 0,
                round(up.loss, 3) if up else 0.0,
                int((up.rtt_s or 0.0) * 1000) if up else 0))

    def _level(self, feed: str) -> float:
        """The level of this report's audio and the previous report's (about 1 s)."""
        chunks = self._pcm.pop(feed, [])
        energy, count = audio_energy(chunks)
        prev = self._last_energy.get(feed, (0.0, 0))
        self._last_energy[feed] = (energy, count)
        return level_db(energy + prev[0], count + prev[1])

    async def _count_down(self) -> None:
        """While a recording is announced, tell the front end the seconds left."""
        while True:
            await asyncio.sleep(COUNTDOWN_S)
            await self._apply(self.machine.count_down(time.monotonic() - self._recording_at))

    def frames_from(self, feed: str, kind: str = "video") -> int:
        return self._frames.get((feed, kind), 0)

    # ---------------------------------------------------------------- teardown
    async def _teardown(self, reason: str) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.mic_gate.turn_off()
        await self.camera.stop()
        self.mic_gate.stop()
        self.sound.stop()
        await self._stop_share()
        self.screen.stop()
        await self._close_media()
        if self.machine.state != "left":
            self.machine.state = "left"
            self._emit(StateChanged("left"))
        wiped, remaining = (True, 0)
        if self.cache is not None:
            wiped, remaining = self.cache.wipe()
        self.left = Left(reason, wiped, remaining)
        self._emit(self.left)

    async def _device_problem(self, device: str, code: str, why: str) -> None:
        """A device failed or vanished: a microphone goes off (and the service is
        told); the speaker only reports it (the mix keeps its clock)."""
        if device == "mic":
            if not self.mic_gate.is_on and code == "device_lost":
                return
            await self.mic_gate.turn_off()
            await self._apply(self.machine.device_failed("mic", why, code=code))
        else:
            self._emit(ErrorRaised(code, why, device))

    # ---------------------------------------------------------------- CallControl
    async def set_volume(self, participant: str, volume: float) -> None:
        """This participant's loudness in the own speaker, 0 to 2 (1: as received)."""
        if not 0.0 <= volume <= 2.0:
            self._emit(ErrorRaised("bad_command", "volume must be 0 to 2"))
            return
        self.sound.engine.set_volume(participant, volume)

    async def set_output(self, device: str) -> None:
        """Play on another output: null, default, pulse:NAME or device:NAME."""
        scheme, _, rest = device.partition(":")
        if device not in ("null", "default") and not (scheme in ("pulse", "device") and rest):
            self._emit(ErrorRaised("bad_command", "speaker must be null, default, "
                                   "pulse:NAME or device:NAME"))
            return
        self.sound.engine.set_output(device)

    async def play_test_sound(self) -> None:
        self.sound.engine.play_test_sound()

    async def set_noise_suppression(self, on: bool) -> None:
        self.sound.engine.set_noise_suppression(on)

    async def set_camera(self, on: bool) -> None:
        await self._apply(self.machine.set_device("camera", on))

    async def set_mic(self, on: bool) -> None:
        await self._apply(self.machine.set_device("mic", on))

    async def set_blur(self, mode: str) -> None:
        if mode not in BLUR_MODES:
            self._emit(ErrorRaised("bad_command", f"blur mode must be one of {', '.join(BLUR_MODES)}"))
            return
        self.camera.set_mode(mode)
        self._tell_blur_degraded()

    def _tell_blur_degraded(self) -> None:
        """Once: blur is wanted but only the whole-frame fallback is there."""
        if (self.camera.degraded and self.camera.mode != "off" and not self._told_degraded
                and self.camera_gate.source is not None):
            self._told_degraded = True
            self._emit(ErrorRaised("blur_degraded", self.camera.degraded))

    async def _request(self, msg: p.ClientMessage) -> None:
        await self._apply(self.machine.request(msg))

    async def chat(self, text: str) -> None:
        if not text.strip() or len(text) > p.MAX_CHAT_CHARS:
            self._emit(ErrorRaised("bad_command", f"chat text must be 1 to {p.MAX_CHAT_CHARS} characters"))
            return
        await self._request(p.Chat(text=text))

    async def hand(self, up: bool) -> None:
        await self._request(p.Hand(up=up))

    async def consent(self, recording: bool) -> None:
        await self._apply(self.machine.give_consent(recording))

    async def leave(self) -> None:
        await self._apply(self.machine.leave())

    async def admit(self, participant: str) -> None:
        await self._request(p.Admit(participant=participant))

    async def admit_all(self) -> None:
        await self._request(p.AdmitAll())

    async def deny(self, participant: str) -> None:
        await self._request(p.Deny(participant=participant))

    async def deny_all(self) -> None:
        await self._request(p.DenyAll())

    async def lock_room(self, locked: bool) -> None:
        await self._request(p.LockRoom(locked=locked))

    async def turn_off(self, participant: str | None, device: Device, lock: bool = False) -> None:
        await self._request(p.TurnOff(participant=participant, device=device, lock=lock))

    async def unlock(self, participant: str, device: Device) -> None:
        await self._request(p.Unlock(participant=participant, device=device))

    async def ask_on(self, participant: str, device: Device) -> None:
        await self._request(p.AskOn(participant=participant, device=device))

    async def kick(self, participant: str) -> None:
        await self._request(p.Kick(participant=participant))

    async def lower_hands(self, participant: str | None = None) -> None:
        await self._request(p.LowerHands(participant=participant))

    async def end(self) -> None:
        await self._request(p.End())

    async def record(self, start: bool) -> None:
        await self._request(p.Record(start=start))

    # ---------------------------------------------------------------- screen share
    async def share(self, on: bool, source: str | None = None, replace: bool = False) -> None:
        """Share a screen, a window, a file or a synthetic slide (`source`, else the
        session's `screen`); `replace` takes over from someone else's share (the
        front end asks its user first, after a share_busy error)."""
        if not on:
            await self._apply(self.machine.stop_share())
            return
        spec = source or self.screen_spec
        if spec == "off":
            self._emit(ErrorRaised("share_failed", "no screen source: name one (screen, "
                                   "screen:N, window:ID, synthetic, file:PATH)"))
            return
        if self.machine.state != "joined":
            self._emit(ErrorRaised("not_joined", "sharing is possible once in the lesson"))
            return
        src = ScreenSource(spec)
        try:
            await src.open()   # fails here (no display, Wayland, no such window), not later
        except SourceError as exc:
            self._emit(ErrorRaised("share_failed", str(exc)))
            return
        old, self._share_source = self._share_source, src
        if old is not None and old is not self.screen.source:
            await old.close()
        await self._apply(self.machine.request_share(replace))

    async def share_permission(self, participant: str, allow: bool) -> None:
        await self._request(p.SharePermission(participant=participant, allow=allow))

    async def _start_share(self) -> None:
        src = self._share_source
        if src is None:
            return
        try:
            await self.screen.share(src)
        except SourceError as exc:
            self._emit(ErrorRaised("share_failed", str(exc)))
            await self._apply(self.machine.stop_share())

    async def _stop_share(self) -> None:
        src, self._share_source = self._share_source, None
        await self.screen.unshare()
        if src is not None:
            await src.close()

    def _share_ended(self, reason: str) -> None:
        """The shared window was closed (or the display went): stop and say why."""
        self._emit(ErrorRaised("share_ended", f"sharing stopped: {reason}"))
        self._spawn(self._apply(self.machine.stop_share()))


def _track_kind(pc: RTCPeerConnection, track: MediaStreamTrack) -> str:
    """audio, video (the camera: a feed's first video m-line) or screen (its second)."""
    if track.kind != "video":
        return track.kind
    videos = [t for t in pc.getTransceivers() if t.kind == "video"]
    for i, t in enumerate(videos):
        if t.receiver.track is track:
            return "screen" if i == 1 else "video"
    return "video"


def audio_energy(chunks: list[np.ndarray]) -> tuple[float, int]:
    """Sum of squares (of int16 samples scaled to -1..1) and the sample count."""
    if not chunks:
        return 0.0, 0
    pcm = np.concatenate([c.reshape(-1) for c in chunks]).astype(np.float32) / 32768.0
    return float(np.dot(pcm, pcm)), int(pcm.size)


def level_db(energy: float, count: int) -> float:
    """RMS in dBFS of `count` samples with this sum of squares; silence -> LEVEL_FLOOR_DB."""
    if count == 0 or energy <= 0.0:
        return LEVEL_FLOOR_DB
    db = 10.0 * float(np.log10(energy / count))
    return round(max(LEVEL_FLOOR_DB, min(0.0, db)), 1)


def make_event_printer(write: Callable[[str], None]) -> EventSink:
    """An EventSink writing each event as one JSON line (the headless form)."""
    def sink(event: Event) -> None:
        write(json.dumps(event.as_json(), separators=(",", ":")) + "\n")
    return sink
