"""At the default log level the service logs no names, IP addresses or chat text."""

from __future__ import annotations

import asyncio
import os

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from tests.server_fixtures import (
    LiveService,
    TestClient,
    join,
    publish,
    subscribe,
    wait_publishing,
)

CLIENT_ADDR = os.environ.get("KLASSE_CLIENT_ADDR", "10.77.0.2")
NAMES = ("Zelda Quokka-Maier", "Herr Obermüller")
CHAT = "my address is Lindenweg 12"


async def test_default_log_has_no_names_ips_or_chat(live_service: LiveService) -> None:
    svc = live_service.service
    room = live_service.new_room(title="Klasse 5c Religion")
    teacher, tw = await join(svc.url, room["teacher_link"], NAMES[1], room["pin"])
    pupil, pw = await join(svc.url, room["pupil_link"], NAMES[0], room["pin"])
    await teacher.send(p.Admit(participant=pw.participant))
    await pupil.recv(p.Admitted)
    pc = await publish(pupil, [SyntheticAudioTrack(), SyntheticVideoTrack(160, 120, fps=15)])
    await wait_publishing(teacher, pw.participant)
    got = await subscribe(teacher, pw.participant)
    await asyncio.wait_for(got.first.wait(), 15)
    await pupil.send(p.Chat(text=CHAT))
    await teacher.recv(p.ChatMessage)
    await teacher.send(p.TurnOff(participant=pw.participant, device="camera", lock=True))
    await pupil.recv(p.Moderation)
    wrong = await TestClient.connect(svc.url)
    await wrong.send(p.Join(v=1, link=room["pupil_link"], name="Eve Eavesdropper", pin="x"))
    await wrong.error()
    await teacher.send(p.End())
    await pupil.recv(p.Closed)
    await got.close()
    await pc.close()
    for c in (teacher, pupil, wrong):
        await c.close()

    lines = live_service.log.lines
    text = "\n".join(lines)
    # The capture works and saw this lesson (so the checks below can fail).
    assert any(pw.participant in line and "entered room" in line for line in lines)
    assert any("closed (ended)" in line for line in lines)
    for secret in (*NAMES, "Eve Eavesdropper", CHAT, "Klasse 5c Religion", CLIENT_ADDR,
                   room["pin"], "teacher.one"):
        assert secret not in text, f"{secret!r} appears in the service log"
