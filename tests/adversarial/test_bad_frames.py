"""Finding 6: frames that crashed the handler. Each gets a clear error (bad_message,
or link_invalid for a malformed link), the connection stays open, and a flood of them
writes a line or two to the log, not a traceback each."""

from __future__ import annotations

import json

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import TestClient

from .conftest import ServiceMaker

DEEP = '{"type":"chat","text":' + "[" * 1000 + "]" * 1000 + "}"        # ~2 KB
DEEP_PIN = ('{"type":"join","v":1,"link":"x","name":"n","pin":' + '{"a":' * 500 + "1"
            + "}" * 500 + "}")
BAD_UTF8 = b'{"type":"chat","text":"\xff\xfe\xc3"}'


async def test_hostile_frames_get_errors_and_the_connection_stays(
        make_service: ServiceMaker) -> None:
    live = await make_service()
    svc = live.service
    room = live.new_room()
    c = await TestClient.connect(svc.url)
    fullwidth = "".join(chr(ord("０") + int(d)) for d in room["pin"])
    cases: list[tuple[str | bytes, set[ErrorCode]]] = [
        (DEEP, {ErrorCode.BAD_MESSAGE}),
        (DEEP_PIN, {ErrorCode.BAD_MESSAGE}),
        (BAD_UTF8, {ErrorCode.BAD_MESSAGE}),
        ("[" * 50_000, {ErrorCode.BAD_MESSAGE}),
        (p.encode(p.Join(v=1, link="klasse://[", name="Eve", pin=room["pin"])).decode(),
         {ErrorCode.LINK_INVALID, ErrorCode.BAD_MESSAGE}),
        (p.encode(p.Join(v=1, link="klasse://[::1/join/x.y", name="Eve")).decode(),
         {ErrorCode.LINK_INVALID, ErrorCode.BAD_MESSAGE}),
        (p.encode(p.Join(v=1, link=room["pupil_link"], name="Eve", pin="１２３ab٣")).decode(),
         {ErrorCode.BAD_MESSAGE}),
    ]
    for frame, codes in cases:
        await c.send_raw(frame)
        err = await c.error()
        assert err.code in codes, (frame[:40], err)
        assert not c.closed.is_set()
        await c.roundtrip()
    # Full-width digits are the same PIN once normalised: the join goes through.
    await c.send(p.Join(v=1, link=room["pupil_link"], name="Eve", pin=fullwidth))
    assert (await c.recv(p.Welcome)).state == "waiting"
    await c.close()


async def test_a_flood_of_bad_frames_is_logged_once_with_a_count(
        make_service: ServiceMaker) -> None:
    live = await make_service()
    before = len(live.log.lines)
    c = await TestClient.connect(live.service.url)
    for _ in range(200):
        await c.send_raw(DEEP)
        await c.send_raw(BAD_UTF8)
    await c.roundtrip()
    errors = [m for m in c.inbox if isinstance(m, p.Error)]
    assert len(errors) == 400 and all(e.code is ErrorCode.BAD_MESSAGE for e in errors)
    assert not c.closed.is_set()
    new = live.log.lines[before:]
    assert len(new) <= 4, new
    assert not any("Traceback" in line for line in new)
    live.service.repeats.flush(now=float("inf"))   # the window ends: counts are reported
    await c.close()


async def test_depth_and_size_are_checked_before_decoding() -> None:
    # Not a live test: the guards themselves, on frames no decoder should see.
    assert p.json_depth(json.dumps({"a": [[{"b": "[[[["}]]}).encode()) == 4
    assert p.json_depth(b'{"s":"\\"[[[[[["}') == 1
    for raw in (DEEP.encode(), BAD_UTF8, b"x" * (p.MAX_MESSAGE_BYTES + 1)):
        try:
            p.check_frame(raw)
        except p.ProtocolError as exc:
            assert exc.code in (ErrorCode.BAD_MESSAGE, ErrorCode.TOO_LARGE)
        else:
            raise AssertionError("accepted")
