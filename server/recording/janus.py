"""Per-publisher recording in Janus's VideoRoom.

Lesson rooms are created with `lock_record`, so Janus changes a publisher's
recording only when the request carries the room secret, which only the service
knows (measured: a `configure` with `record: true` but no secret answers
"configured" and writes nothing). The service records a feed by configuring the
publisher's own handle with an absolute file base inside the recording's folder;
Janus appends `-<audio|video>-<mindex>.mjr`.
"""

from __future__ import annotations

from pathlib import Path

from ..janus_client import JanusError, JanusHandle

# Merged into the VideoRoom "create" request of every lesson room.
ROOM_CREATE_OPTIONS = {"record": False, "lock_record": True}
# Janus builds "<base>-video-<mindex>" in a 255-byte buffer.
MAX_BASE_BYTES = 230


async def start_feed_recording(handle: JanusHandle, room_secret: str, base: Path) -> None:
    if not base.is_absolute() or len(str(base).encode()) > MAX_BASE_BYTES:
        raise ValueError("the recording base must be an absolute path under 230 bytes")
    await handle.message({"request": "configure", "record": True, "filename": str(base),
                          "secret": room_secret})


async def stop_feed_recording(handle: JanusHandle, room_secret: str) -> bool:
    """Stop recording a feed; False if the publisher is already gone (Janus closed its files)."""
    try:
        await handle.message({"request": "configure", "record": False, "secret": room_secret},
                             timeout=5.0)
        return True
    except (JanusError, ConnectionError, TimeoutError):
        return False

