"""Joining with a school account: the session token comes from the secret store.

On this machine there is no platform keyring, so the store keeps the token in
memory and says why; the call then authenticates with it instead of a PIN.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from websockets.asyncio.client import connect

from klasse.app import protocol as p
from klasse.app.secrets import SecretStore, session_key
from tests.integration.call_helpers import Recorder, is_event, session
from tests.server_fixtures import PUPIL_ACCOUNT, PUPIL_PASSWORD, LiveService


async def _login(url: str, user: str, password: str) -> p.ServerMessage:
    async with connect(url, proxy=None) as ws:
        await ws.send(p.encode(p.Login(v=1, user=user, password=password)).decode())
        return p.decode_server(await ws.recv())


async def test_join_with_account_session_from_the_secret_store(live_service: LiveService,
                                                               tmp_path: Path) -> None:
    room = live_service.new_room()
    link = p.parse_link(room["pupil_link"])
    reply = await _login(link.service_url, PUPIL_ACCOUNT, PUPIL_PASSWORD)
    assert isinstance(reply, p.Session) and reply.role == "pupil"
    store = SecretStore()
    stored = store.set(session_key(link.host, link.port), reply.token)
    assert stored.where == "memory" and stored.reason   # told why: no platform keyring

    trec, prec = Recorder(), Recorder()
    teacher = session(room["teacher_link"], "T", room["pin"], trec, tmp_path)
    tasks = [asyncio.ensure_future(teacher.run())]
    await trec.wait(is_event("state", state="joined"))
    pupil = session(room["pupil_link"], "Dana", None, prec, tmp_path,  # type: ignore[arg-type]
                    session_token=store.get(session_key(link.host, link.port)))
    tasks.append(asyncio.ensure_future(pupil.run()))
    await prec.wait(is_event("state", state="waiting"))
    seen = await trec.wait(lambda e: e["event"] == "participants" and any(
        x["name"] == "Dana" for x in e["participants"]))
    assert [x["via"] for x in seen["participants"] if x["name"] == "Dana"] == ["account"]

    # A wrong token is a typed refusal that ends the attempt (and wipes).
    bad = Recorder()
    intruder = session(room["pupil_link"], "Eve", None, bad, tmp_path,  # type: ignore[arg-type]
                       session_token="forged")
    await asyncio.wait_for(intruder.run(), 15)
    assert [e["code"] for e in bad.json() if e["event"] == "error"] == ["session_invalid"]
    assert bad.json()[-1]["reason"] == "session_invalid" and bad.json()[-1]["wiped"] is True

    await teacher.end()
    await asyncio.wait_for(asyncio.gather(*tasks), 15)
