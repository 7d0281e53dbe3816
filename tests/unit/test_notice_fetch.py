"""Fetching the notice fails with a typed error, never a raw exception."""

from __future__ import annotations

import socket

import pytest

from klasse.app.notice import NoticeError, fetch_notice
from klasse.app.protocol import Link


async def test_unreachable_service_is_connection_failed() -> None:
    with socket.socket() as s:          # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NoticeError) as info:
        await fetch_notice(Link(host="127.0.0.1", port=port, token="t.x", tls=False),
                           timeout=5)
    assert info.value.code == "connection_failed"


@pytest.mark.parametrize("text", ["https://school.example/join/abc", "klasse://host:1/"])
async def test_a_text_that_is_no_link_is_link_invalid(text: str) -> None:
    with pytest.raises(NoticeError) as info:
        await fetch_notice(text, timeout=5)
    assert info.value.code == "link_invalid"
