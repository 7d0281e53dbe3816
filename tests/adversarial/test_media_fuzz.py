"""Finding 8: media-level fuzz from an admitted pupil, through the service, against a
Janus of this test's own (spawned by the service, so a crash here cannot take the
run's shared Janus with it). Mangled SDP offers and answers, then random RTP, RTCP
and DTLS application data over a real, connected publisher. Janus must survive it
all (same process, still running) and the healthy lesson's video must keep flowing.
An m=application offer is refused at once."""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
import time

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.server_fixtures import (
    TEACHER,
    LiveService,
    join,
    new_pc,
    publish,
    subscribe,
    wait_publishing,
)

from .conftest import ServiceMaker

MANGLE_LINES = [
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=sctp-port:0",
    "a=rtpmap:96 opus/0/255", "a=rtpmap:127 VP8/90000", "a=fmtp:96 " + "x" * 900,
    "a=extmap:255 urn:ietf:params:rtp-hdrext:sdes:mid", "a=ssrc:4294967295 cname:x",
    "a=ssrc-group:FID 1 2 3 4 5 6 7 8 9", "a=simulcast:send " + ";".join("hml" * 20),
    "a=rid:" + "r" * 200 + " send", "a=mid:" + "9" * 300, "a=setup:holdconn",
    "a=recvonly", "a=inactive", "a=rtcp-fb:* nack pli", "m=video 0 UDP/TLS/RTP/SAVPF 97",
    "m=audio 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105 106 107 108",
    "a=fingerprint:sha-256 00", "a=ice-ufrag:", "a=group:BUNDLE " + " ".join("x" * 60),
    "b=AS:4294967295", "a=msid:" + "{" * 100, "c=IN IP6 ::", "a=candidate:1 1 udp 1 1.1.1.1 1 typ host",
]


def mangle(offer: str, rng: random.Random) -> str:
    lines = offer.split("\r\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        i = rng.randrange(1, len(lines))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, rng.choice(MANGLE_LINES))
        elif op == 2:
            lines.insert(i, lines[rng.randrange(1, len(lines))])
        else:
            line = lines[i]
            if line:
                cut = rng.randrange(len(line))
                lines[i] = line[:cut] + rng.choice([" ", "0", "-1", "99999", ":", "/"]) \
                    + line[cut + 1:]
    return "\r\n".join(lines)


def rtp_packet(rng: random.Random, ssrc: int) -> bytes:
    cc = rng.randrange(16)
    ext = rng.random() < 0.5
    pad = rng.random() < 0.2
    first = 0x80 | (0x20 if pad else 0) | (0x10 if ext else 0) | cc
    head = struct.pack("!BBHII", first, rng.choice([96, 97, 98, 0, 127, 72, 200]) & 0xFF,
                       rng.randrange(65536), rng.randrange(2**32), ssrc)
    head += b"".join(struct.pack("!I", rng.randrange(2**32)) for _ in range(cc))
    if ext:
        words = rng.randrange(0, 20)
        head += struct.pack("!HH", rng.choice([0xBEDE, 0x1000, 0xFFFF]), words)
        head += rng.randbytes(4 * max(0, words - rng.randrange(3)))
    body = rng.randbytes(rng.randrange(0, 1200))
    if pad:
        body += bytes([rng.randrange(256)])
    return head + body


def rtcp_packet(rng: random.Random, ssrc: int) -> bytes:
    out = b""
    for _ in range(rng.randint(1, 4)):
        pt = rng.choice([200, 201, 202, 203, 204, 205, 206, 207])
        count = rng.randrange(32)
        words = rng.randrange(0, 40)
        body = struct.pack("!I", ssrc) + rng.randbytes(4 * words)
        claimed = rng.choice([words + 1, words, words + 50, 0, 65535])
        out += struct.pack("!BBH", 0x80 | count, pt, claimed & 0xFFFF) + body
    return out


async def _healthy_lesson(live: LiveService):  # type: ignore[no-untyped-def]
    room = live.service.create_links(TEACHER, "Fuzz", 3600, waiting_room=False)
    url = live.service.url
    teacher, _ = await join(url, room["teacher_link"], "Teacher", room["pin"])
    pupil, pw = await join(url, room["pupil_link"], "Healthy", room["pin"])
    pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=15)])
    await wait_publishing(teacher, pw.participant)
    video = await subscribe(teacher, pw.participant)
    await asyncio.wait_for(video.first.wait(), 20)
    return room, teacher, pupil, pc, video


async def test_sdp_rtp_and_rtcp_fuzz_from_a_pupil_leaves_janus_and_the_lesson_alone(
        make_service: ServiceMaker) -> None:
    live = await make_service(janus=())              # its own spawned Janus
    node = live.service.nodes[0]
    assert node.process is not None and node.process.proc is not None
    janus_pid = node.process.proc.pid
    room, teacher, pupil, pc, video = await _healthy_lesson(live)
    url = live.service.url
    rng = random.Random(14)
    fuzzer, _ = await join(url, room["pupil_link"], "Fuzzer", room["pin"])

    # 1. A data-channel offer is refused at once (Janus would never answer it).
    dc = new_pc()
    dc.createDataChannel("x")
    dc.addTrack(SyntheticAudioTrack(300))
    await dc.setLocalDescription(await dc.createOffer())
    t0 = time.monotonic()
    await fuzzer.send(p.Publish(sdp=dc.localDescription.sdp))
    err = await fuzzer.recv(p.Error, timeout=25)
    assert err.code is ErrorCode.BAD_MESSAGE and time.monotonic() - t0 < 2.0, err
    await dc.close()

    # 2. Mangled offers: each is refused, or (if still acceptable) answered in time.
    src = new_pc()
    src.addTrack(SyntheticAudioTrack(300))
    src.addTrack(SyntheticVideoTrack(160, 120, fps=5))
    await src.setLocalDescription(await src.createOffer())
    offer = src.localDescription.sdp
    await src.close()
    answered = 0
    for _ in range(40):
        c, _ = await join(url, room["pupil_link"], "Mangler", room["pin"])
        await c.send(p.Publish(sdp=mangle(offer, rng)))
        reply = await c.recv((p.Published, p.Error), timeout=25)  # type: ignore[arg-type]
        if isinstance(reply, p.Error):
            assert reply.code in (ErrorCode.BAD_MESSAGE, ErrorCode.MEDIA_FAILED), reply
        else:
            answered += 1
        await c.send(p.Leave())
        await c.close()
    assert node.process.proc.poll() is None

    # 3. A connected publisher sends garbage RTP, RTCP and DTLS application data.
    fpc = await publish(fuzzer, [SyntheticAudioTrack(300), SyntheticVideoTrack(160, 120, fps=5)])
    sender = next(s for s in fpc.getSenders() if s.track is not None and s.track.kind == "video")
    deadline = time.monotonic() + 15
    while sender.transport.state != "connected" and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    transport = sender.transport
    ssrcs = [s._ssrc for s in fpc.getSenders()] + [rng.randrange(2**32)]
    sent = failed = 0
    for i in range(1500):
        kind = i % 3
        data = (rtp_packet(rng, rng.choice(ssrcs)) if kind == 0 else
                rtcp_packet(rng, rng.choice(ssrcs)) if kind == 1 else rng.randbytes(300))
        try:
            if kind == 2:
                await transport._send_data(data)
            else:
                await transport._send_rtp(data)
            sent += 1
        except Exception:
            failed += 1              # libsrtp refused to protect this one: not sent
        if i % 50 == 0:
            await asyncio.sleep(0.01)
    assert sent > 1000, (sent, failed)
    await asyncio.sleep(2.0)

    # Janus is the same process and alive; the healthy lesson still gets video.
    assert node.process.proc.pid == janus_pid and node.process.proc.poll() is None
    before = len(video.times)
    deadline = time.monotonic() + 10
    while len(video.times) < before + 10 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert len(video.times) >= before + 10
    await teacher.send(p.Chat(text="still teaching"))
    assert (await pupil.recv(p.ChatMessage, lambda m: m.text == "still teaching")).text
    for thing in (fpc, pc):
        await thing.close()
    await video.close()
    for c in (fuzzer, pupil, teacher):
        with contextlib.suppress(Exception):
            await c.close()
