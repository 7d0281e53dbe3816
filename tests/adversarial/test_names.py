"""Finding 1 (names and frame size): names are cleaned before anyone sees them, and
no flood of legal names can push a participant list past what the client accepts."""

from __future__ import annotations

import asyncio

import msgspec

from klasse.app import protocol as p
from klasse.app.protocol import ErrorCode
from tests.server_fixtures import TestClient, join

from .conftest import ServiceMaker


async def _try_join(url: str, link: str, name: str, pin: str) -> tuple[TestClient, p.Welcome | p.Error]:
    c = await TestClient.connect(url)
    await c.send(p.Join(v=1, link=link, name=name, pin=pin))
    answer = await c.recv((p.Welcome, p.Error))  # type: ignore[arg-type]
    return c, answer


async def test_names_are_cleaned_or_refused(make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    room = live.new_room()
    teacher, _ = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    refused = ["\x01" * 64, "\u200b\u200c\u200d\u2060", " \u3164\u3164 ", "\u202e\u202d",
               "😀" * 40]
    for name in refused:
        c, answer = await _try_join(url, room["pupil_link"], name, room["pin"])
        assert isinstance(answer, p.Error) and answer.code is ErrorCode.BAD_MESSAGE, name
        await c.close()
    shown = {"Ann\u202egnp.exe": "Anngnp.exe", "Cafe\u0301": "Café", "Bo\tb\x00by": "Bo bby",
             "Zo\u200be": "Zoe"}
    for name, expected in shown.items():
        c, answer = await _try_join(url, room["pupil_link"], name, room["pin"])
        assert isinstance(answer, p.Welcome), name
        await teacher.recv(p.Participants, lambda m, e=expected: any(
            x.name == e for x in m.participants))
        await c.close()
    await teacher.close()


async def test_a_waiting_room_flood_cannot_knock_the_teacher_out(
        make_service: ServiceMaker) -> None:
    live = await make_service()
    url = live.service.url
    room = live.new_room()
    teacher, _ = await join(url, room["teacher_link"], "Ms Teacher", room["pin"])
    flood = []
    # The names that cost the most bytes in JSON: control characters (6-byte escapes)
    # were relayed before; now the worst legal name is one of quotes (2 bytes each).
    # 125 such names made 66 KB of participant list, over the client's 64 KiB.
    names = ["\x01" * 63 + str(i % 10) for i in range(125)] + ['"' * 61 + f"{i:03}"
                                                             for i in range(60)]
    for name in names:
        c, answer = await _try_join(url, room["pupil_link"], name, room["pin"])
        flood.append(c)
        assert isinstance(answer, (p.Welcome, p.Error))
    await asyncio.sleep(0.5)
    # The teacher's client (the real decoder and its limit) is still there and chats.
    assert not teacher.closed.is_set()
    await teacher.send(p.Chat(text="still here"))
    assert (await teacher.recv(p.ChatMessage)).text == "still here"
    for c in flood:
        await c.close()
    await teacher.close()


def test_no_legal_room_state_exceeds_the_client_frame_limit() -> None:
    from klasse.app.names import TextRefused, clean_name

    # The most JSON bytes a legal name can take: 4-byte characters up to the byte cap,
    # the rest quotes (escaped to 2 bytes each).
    worst = clean_name("😀" * 21 + '"' * 43)
    assert len(msgspec.json.encode(worst)) >= 170
    people = [p.Participant(id=f"p{i:08x}", name=worst, role="pupil", state="waiting",
                            camera=True, mic=True, hand=True, camera_locked=True,
                            mic_locked=True, publishing=True, via="account")
              for i in range(p.MAX_ROOM_PARTICIPANTS)]
    frame = msgspec.json.encode(p.Participants(participants=people, rid=2**62))
    assert len(frame) <= p.MAX_SERVER_MESSAGE_BYTES
    p.decode_server(frame)
    try:
        clean_name("\x01" * 64)
    except TextRefused:
        pass
    else:
        raise AssertionError("a name of control characters was accepted")
