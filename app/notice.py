"""The privacy notice before joining: one short WebSocket to the link's service.

The client asks with the link alone (`get_notice`): no name, no PIN, no account
session, so a pupil who declines the notice has told the school's server nothing
about themselves. Same connection rules as a call: the service named by the link,
never through a proxy, nothing kept after the reply.
"""

from __future__ import annotations

import asyncio

import websockets
from websockets.asyncio.client import connect

from klasse.app import protocol as p

CONNECTION_FAILED = "connection_failed"


class NoticeError(Exception):
    """The notice could not be fetched. `code` is a protocol ErrorCode value
    (link_invalid, link_expired, room_closed, ...) or "connection_failed"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


async def fetch_notice(link: p.Link | str, timeout: float = 15.0) -> p.Notice:
    """The privacy notice of the service that made `link`, or NoticeError."""
    try:
        target = link if isinstance(link, p.Link) else p.parse_link(link)
    except p.ProtocolError as exc:
        raise NoticeError(str(exc.code), exc.message) from None
    ask = p.GetNotice(v=p.PROTOCOL_VERSION, link=target.token)
    try:
        async with asyncio.timeout(timeout):
            async with connect(target.service_url, proxy=None, open_timeout=10,
                               max_size=p.MAX_SERVER_MESSAGE_BYTES, compression=None) as ws:
                await ws.send(p.encode(ask).decode())
                async for raw in ws:
                    reply = p.decode_server(raw)
                    if isinstance(reply, p.NoticeInfo):
                        return reply.notice
                    if isinstance(reply, p.Error):
                        raise NoticeError(str(reply.code), reply.message)
    except NoticeError:
        raise
    except p.ProtocolError as exc:       # the service sent something we cannot read
        raise NoticeError(str(exc.code), exc.message) from None
    except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
        raise NoticeError(CONNECTION_FAILED, "cannot reach the school's server "
                          f"({exc.__class__.__name__})") from None
    raise NoticeError(CONNECTION_FAILED, "the school's server closed the connection")
