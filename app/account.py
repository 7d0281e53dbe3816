"""School accounts: sign in, create a lesson, list and delete a teacher's own
recordings, over the same protocol as a call.

Each request is one short WebSocket connection to the school's server (never
through a proxy). The session token that comes back lives in the caller's memory
only; it is never written to disk here.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from websockets.asyncio.client import connect

from klasse.app import protocol as p

M = TypeVar("M")


class AccountError(Exception):
    """A refused or failed account request; `code` is a protocol ErrorCode value or
    "connection_failed"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def service_url(server: str, tls: bool) -> str:
    """"host:port" from the machine policy -> the service's WebSocket URL."""
    host, _, port = server.rpartition(":")
    if not host or not port.isdigit():
        raise AccountError("bad_message", f"server must be host:port, not {server!r}")
    return f"{'wss' if tls else 'ws'}://{host}:{int(port)}/"


async def _ask(url: str, msg: p.ClientMessage, reply: type[M], timeout: float) -> M:
    try:
        async with asyncio.timeout(timeout):
            async with connect(url, proxy=None, max_size=p.MAX_SERVER_MESSAGE_BYTES,
                               compression=None) as ws:
                await ws.send(p.encode(msg).decode())
                async for raw in ws:
                    answer = p.decode_server(raw)
                    if isinstance(answer, reply):
                        return answer
                    if isinstance(answer, p.Error):
                        raise AccountError(str(answer.code), answer.message)
    except AccountError:
        raise
    except p.ProtocolError as exc:
        raise AccountError(str(exc.code), exc.message) from None
    except (OSError, TimeoutError) as exc:
        raise AccountError("connection_failed",
                           f"cannot reach the school's server ({exc.__class__.__name__})") from None
    except Exception as exc:  # websockets' handshake and close errors
        raise AccountError("connection_failed",
                           f"the school's server closed the connection ({exc.__class__.__name__})"
                           ) from None
    raise AccountError("connection_failed", "the school's server closed the connection")


async def sign_in(url: str, user: str, password: str, timeout: float = 15.0) -> p.Session:
    return await _ask(url, p.Login(v=p.PROTOCOL_VERSION, user=user, password=password),
                      p.Session, timeout)


async def create_room(url: str, session: str, title: str, expires_s: int = 7200,
                      timeout: float = 15.0) -> p.RoomCreated:
    return await _ask(url, p.CreateRoom(session=session, title=title, expires_s=expires_s),
                      p.RoomCreated, timeout)


async def list_recordings(url: str, session: str,
                          timeout: float = 15.0) -> list[p.RecordingEntry]:
    """A teacher's own recordings on the school's server (only theirs, oldest first)."""
    reply = await _ask(url, p.ListRecordings(session=session), p.Recordings, timeout)
    return list(reply.recordings)


async def delete_recording(url: str, session: str, id: str,
                           timeout: float = 15.0) -> list[p.RecordingEntry]:
    """Delete one of the teacher's own recordings; returns what is left. Another
    teacher's recording is refused as `no_such_recording`, one still being written or
    converted as `out_of_order`."""
    reply = await _ask(url, p.DeleteRecording(session=session, id=id), p.Recordings, timeout)
    return list(reply.recordings)
