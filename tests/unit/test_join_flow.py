"""The join flow shared by the window and the headless participant: notice -> accept
-> join, and the declined and sound-only paths (app/join_flow.py)."""

from __future__ import annotations

import asyncio

from klasse.app.headless import NoticeGate
from klasse.app.join_flow import (
    AskNotice,
    Decline,
    JoinFlow,
    Release,
    ShowNotice,
    StartCall,
)
from klasse.app.protocol import Notice, parse_link

LINK = parse_link("klasse://school.example:8443/join/tok")
OTHER = parse_link("klasse://other.example:443/join/tok")
V1 = Notice(version="1", controller="School", dpo_contact="dpo@school", retention="none")
V2 = Notice(version="2", controller="School", dpo_contact="dpo@school", retention="none")


def flow() -> tuple[JoinFlow[str], dict[str, str]]:
    accepted: dict[str, str] = {}
    return JoinFlow(accepted.get, accepted.__setitem__), accepted


def test_first_join_asks_shows_and_joins_only_after_accepting() -> None:
    f, accepted = flow()
    assert f.start(LINK, "request") == [AskNotice(LINK)]    # the link only: no name yet
    assert f.notice_fetched(V1) == [ShowNotice(V1)]
    assert f.notice == V1
    assert f.accept() == [StartCall("request")]
    assert accepted == {"school.example:8443": "1"} and f.notice is None
    assert f.welcomed(LINK, V1) == [Release(camera=True)]


def test_an_accepted_version_joins_at_once_on_that_server_only() -> None:
    f, accepted = flow()
    accepted["school.example:8443"] = "1"
    f.start(LINK, "r")
    assert f.notice_fetched(V1) == [StartCall("r")]
    f.start(OTHER, "r2")
    assert f.notice_fetched(V1) == [ShowNotice(V1)]


def test_declining_before_the_join_sends_nothing() -> None:
    f, accepted = flow()
    f.start(LINK, "r")
    f.notice_fetched(V1)
    assert f.decline() == [Decline(joined=False)]
    assert accepted == {} and f.notice is None and f.request is None


def test_sound_only_keeps_the_camera_off_for_this_call() -> None:
    f, _ = flow()
    f.start(LINK, "r")
    f.notice_fetched(V1)
    assert f.accept(allow_camera=False) == [StartCall("r")]
    assert f.welcomed(LINK, V1) == [Release(camera=False)]
    f.start(LINK, "next call")                  # the next call asks afresh
    assert f.allow_camera


def test_a_notice_changed_after_the_ask_gates_at_the_welcome() -> None:
    f, accepted = flow()
    accepted["school.example:8443"] = "1"
    f.start(LINK, "r")
    f.notice_fetched(V1)
    assert f.welcomed(LINK, V2) == [ShowNotice(V2)]          # devices still held back
    assert f.accept() == [Release(camera=True)]
    assert accepted["school.example:8443"] == "2"
    f.welcomed(LINK, V2)
    assert f.notice is None                                  # accepted: no gate again
    assert f.decline() == [Decline(joined=True)]             # after the join: a leave


async def test_the_headless_answer_comes_from_the_command_line() -> None:
    gate = NoticeGate("audio-only")
    assert not gate.released.is_set()
    assert gate.welcomed(LINK, V1) == [Release(camera=False)]
    assert gate.released.is_set() and not gate.camera
    assert NoticeGate("decline").welcomed(LINK, V1) == [Decline(joined=True)]
    held = NoticeGate("accept")
    waiter = asyncio.ensure_future(held.released.wait())
    await asyncio.sleep(0)
    assert not waiter.done()
    held.welcomed(LINK, V1)
    await asyncio.wait_for(waiter, 1)
    assert held.camera
