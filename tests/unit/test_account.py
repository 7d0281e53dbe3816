"""Account requests fail with a typed error, never a raw exception."""

from __future__ import annotations

import socket

import pytest

from klasse.app.account import AccountError, service_url, sign_in


def test_service_url_from_policy_server() -> None:
    assert service_url("lessons.school.example:8765", tls=True) == \
        "wss://lessons.school.example:8765/"
    assert service_url("10.77.0.1:8765", tls=False) == "ws://10.77.0.1:8765/"
    with pytest.raises(AccountError) as info:
        service_url("no-port", tls=True)
    assert info.value.code == "bad_message"


async def test_unreachable_server_is_connection_failed() -> None:
    with socket.socket() as s:          # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(AccountError) as info:
        await sign_in(f"ws://127.0.0.1:{port}/", "t1", "pw", timeout=5)
    assert info.value.code == "connection_failed"
    assert "pw" not in str(info.value)
