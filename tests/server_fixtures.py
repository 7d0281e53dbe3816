"""Room-service test helpers: one live service per run and a small protocol client.

The client speaks app/protocol.py over a real WebSocket; media go through real
aiortc peer connections to the real Janus behind the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from websockets.asyncio.client import ClientConnection, connect

from klasse.app import protocol as p
from klasse.media.synthetic import read_counter
from klasse.server import logs
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_process import JanusProcess
from klasse.server.service import RoomService

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
TEACHER = "teacher.one"
TEACHER_PASSWORD = "correct horse battery"
PUPIL_ACCOUNT = "pupil.one"
PUPIL_PASSWORD = "another good password"

M = TypeVar("M")


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.levelname} {record.getMessage()}")


@dataclass
class LiveService:
    service: RoomService
    log: LogCapture

    def new_room(self, title: str = "Maths 7b", expires_s: float = 3600) -> dict[str, Any]:
        return self.service.create_links(TEACHER, title, expires_s)


@pytest.fixture(scope="package")
async def live_service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                       ) -> AsyncIterator[LiveService]:
    """The room service, started once per run on the namespace address, driving the
    run's shared Janus; its log is captured at the default level (info).

    It lives on the tests' event loop, which runs only while an async test or fixture
    does: a stretch of more than a few seconds with the loop stopped or blocked (a
    synchronous test, a blocking call in an async test) lets Janus drop its sessions
    (the test Janus's session timeout is 5 s). So it ends with the integration
    package instead of after the UI and unit tests, and async tests run blocking
    work in a thread."""
    data = tmp_path_factory.mktemp("klasse-data")
    s = janus.settings
    # join_within_s: the fuzz test keeps a connection in no room for its whole run on
    # purpose; closing idle connections is tested on its own (tests/adversarial/).
    cfg = Config(listen=SERVER_ADDR, port=0, data=data, teacher_grace_s=2.0, resume_grace_s=3.0,
                 join_within_s=3600.0,
                 janus=(JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret,
                                      s.admin_secret),))
    capture = LogCapture()
    logs.setup("info", capture)
    service = RoomService(cfg)
    service.accounts.add(TEACHER, "teacher", TEACHER_PASSWORD)
    service.accounts.add(PUPIL_ACCOUNT, "pupil", PUPIL_PASSWORD)
    await service.start()
    yield LiveService(service, capture)
    await service.stop()
    logging.getLogger().removeHandler(capture)


# ------------------------------------------------------------------ client
class TestClient:
    """A protocol-level client: send messages, wait for typed replies."""

    __test__ = False

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.inbox: list[p.ServerMessage] = []
        self.seen: list[p.ServerMessage] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self.closed = asyncio.Event()

    @classmethod
    async def connect(cls, url: str) -> TestClient:
        return cls(await connect(url, max_size=2**20))

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                msg = p.decode_server(raw)
                self.inbox.append(msg)
                self.seen.append(msg)
                self._arrived.set()
        except Exception:  # noqa: S110 - the connection ended; `closed` says so
            pass
        finally:
            self.closed.set()
            self._arrived.set()

    async def send(self, msg: p.ClientMessage) -> None:
        await self.ws.send(p.encode(msg).decode())

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def recv(self, kind: type[M], pred: Callable[[M], bool] | None = None,
                   timeout: float = 10.0) -> M:
        """The first not yet consumed message of `kind` (matching `pred`)."""
        async def _wait() -> M:
            while True:
                for i, msg in enumerate(self.inbox):
                    if isinstance(msg, kind) and (pred is None or pred(msg)):
                        del self.inbox[i]
                        return msg
                if self.closed.is_set():
                    raise ConnectionError(f"closed while waiting for {kind.__name__}")
                self._arrived.clear()
                await self._arrived.wait()
        return await asyncio.wait_for(_wait(), timeout)

    async def error(self, timeout: float = 10.0) -> p.Error:
        return await self.recv(p.Error, timeout=timeout)

    async def roundtrip(self) -> None:
        """Wait until the service has handled everything sent before."""
        await self.send(p.Ping(rid=424242))
        await self.recv(p.Pong, lambda m: m.rid == 424242)

    def drop(self, kind: type) -> None:
        self.inbox = [m for m in self.inbox if not isinstance(m, kind)]

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


async def join(url: str, link: str, name: str, pin: str | None = None,
               **kw: Any) -> tuple[TestClient, p.Welcome]:
    client = await TestClient.connect(url)
    await client.send(p.Join(v=p.PROTOCOL_VERSION, link=link, name=name, pin=pin, **kw))
    return client, await client.recv(p.Welcome)


async def lesson(live: LiveService, pupils: int = 1, title: str = "Maths 7b"
                 ) -> tuple[dict[str, Any], TestClient, list[tuple[TestClient, p.Welcome]]]:
    """A new room with a teacher and `pupils` admitted pupils."""
    room = live.new_room(title)
    url = live.service.url
    teacher, _ = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    admitted = []
    for i in range(pupils):
        c, w = await join(url, room["pupil_link"], f"Pupil {i}", room["pin"])
        await teacher.send(p.Admit(participant=w.participant))
        await c.recv(p.Admitted)
        admitted.append((c, w))
    return room, teacher, admitted


# ------------------------------------------------------------------- media
def new_pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))  # never a public STUN server


async def publish(client: TestClient, tracks: list[MediaStreamTrack]) -> RTCPeerConnection:
    pc = new_pc()
    for track in tracks:
        pc.addTrack(track)
    await pc.setLocalDescription(await pc.createOffer())
    await client.send(p.Publish(sdp=pc.localDescription.sdp))
    published = await client.recv(p.Published, timeout=20)
    await pc.setRemoteDescription(RTCSessionDescription(published.sdp, "answer"))
    return pc


async def sent_for(pcs: list[RTCPeerConnection], seconds: float, timeout: float = 20.0) -> None:
    """Wait until every synthetic track on `pcs` has sent `seconds` more of media.

    A fixed sleep is not enough: on a loaded machine the tracks (on the tests' own
    loop) fall behind the wall clock, and a recording then holds less than the sleep.
    """
    tracks = [s.track for pc in pcs for s in pc.getSenders() if hasattr(s.track, "sent_s")]
    assert tracks, "no synthetic track to wait for"
    start = [t.sent_s for t in tracks]
    async def sent() -> None:
        while any(t.sent_s - s0 < seconds for t, s0 in zip(tracks, start, strict=True)):
            await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(sent(), timeout)
    except TimeoutError:
        done = {f"{t.kind}": round(t.sent_s - s0, 2) for t, s0 in zip(tracks, start, strict=True)}
        raise AssertionError(f"in {timeout} s the tracks sent only {done} s of media") from None


@dataclass
class Received:
    """Video frames arriving on a subscription, with their arrival times."""
    pc: RTCPeerConnection
    counters: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    audio_frames: int = 0
    first: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await self.pc.close()


async def subscribe(client: TestClient, feed: str) -> Received:
    await client.send(p.Subscribe(feed=feed))
    offer = await client.recv(p.Subscription, lambda m: m.feed == feed, timeout=20)
    return await answer_subscription(client, offer)


async def answer_subscription(client: TestClient, offer: p.Subscription) -> Received:
    """Answer a `subscription` offer with a new peer connection that counts frames."""
    feed = offer.feed
    pc = new_pc()
    got = Received(pc)
    loop = asyncio.get_running_loop()

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        async def pump() -> None:
            with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
                while True:
                    frame = await track.recv()
                    if track.kind == "video":
                        got.counters.append(read_counter(frame.to_ndarray(format="bgr24")))
                        got.times.append(loop.time())
                        got.first.set()
                    else:
                        got.audio_frames += 1
        got.tasks.append(asyncio.ensure_future(pump()))

    await pc.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    await client.send(p.SubscriptionAnswer(feed=feed, sdp=pc.localDescription.sdp))
    return got


async def wait_publishing(client: TestClient, pid: str, timeout: float = 15.0) -> None:
    await client.recv(p.Participants,
                      lambda m: any(x.id == pid and x.publishing for x in m.participants),
                      timeout=timeout)
