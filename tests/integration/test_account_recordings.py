"""A teacher lists and deletes their own recordings through app/account.py, against
the live room service: never another teacher's, and a delete removes the files.

The recordings are put into the service's own store directly (finished, with a
small file each) rather than recorded: what is under test is the account side.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from klasse.app.account import AccountError, delete_recording, list_recordings, sign_in
from klasse.server.config import Config, JanusInstance
from klasse.server.janus_process import JanusProcess
from klasse.server.recording.store import FILE_MODE, RecordingInfo, RecordingStore
from klasse.server.service import RoomService
from tests.server_fixtures import (
    PUPIL_ACCOUNT,
    PUPIL_PASSWORD,
    SERVER_ADDR,
    TEACHER,
    TEACHER_PASSWORD,
)

OTHER_TEACHER, OTHER_PASSWORD = "teacher.two", "yet another long password"


@pytest.fixture(scope="module")
async def service(janus: JanusProcess, tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[RoomService]:
    """A live room service whose deployment allows recording (so it keeps a store)."""
    s = janus.settings
    cfg = Config(listen=SERVER_ADDR, port=0, data=tmp_path_factory.mktemp("acc-rec-data"),
                 recording_allowed=True,
                 janus=(JanusInstance(s.api_url, s.api_secret, s.admin_url, s.admin_secret,
                                      s.admin_secret),))
    svc = RoomService(cfg)
    svc.accounts.add(TEACHER, "teacher", TEACHER_PASSWORD)
    svc.accounts.add(OTHER_TEACHER, "teacher", OTHER_PASSWORD)
    svc.accounts.add(PUPIL_ACCOUNT, "pupil", PUPIL_PASSWORD)
    await svc.start()
    yield svc
    await svc.stop()


def finished(store: RecordingStore, owner: str, seconds: float,
             state: str = "ready") -> RecordingInfo:
    """A recording as the recorder leaves it once converted: a WebM file and its meta."""
    info = store.create(owner, ["teacher camera", "teacher microphone"])
    path = store.folder(info.id) / "teacher.webm"
    path.write_bytes(b"\x1aE\xdf\xa3 not really a webm, but a file to delete")
    path.chmod(FILE_MODE)
    info.state, info.duration_s, info.files = state, seconds, ["teacher.webm"]  # type: ignore[assignment]
    store.save(info)
    return info


async def test_a_teacher_lists_and_deletes_only_their_own_recordings(
        service: RoomService) -> None:
    store = service.recording.store
    assert store is not None
    url = service.url
    mine, mine_too = finished(store, TEACHER, 754.0), finished(store, TEACHER, 61.5)
    theirs = finished(store, OTHER_TEACHER, 30.0)
    busy = finished(store, TEACHER, 10.0, state="converting")
    me = await sign_in(url, TEACHER, TEACHER_PASSWORD)
    other = await sign_in(url, OTHER_TEACHER, OTHER_PASSWORD)

    listed = await list_recordings(url, me.token)
    assert sorted(e.id for e in listed) == sorted([mine.id, mine_too.id, busy.id])
    entry = next(e for e in listed if e.id == mine.id)
    assert entry.state == "ready" and entry.duration_s == 754.0
    assert entry.what == ["teacher camera", "teacher microphone"]
    assert entry.started == mine.started and entry.expires == store.expires(mine)
    assert [e.id for e in await list_recordings(url, other.token)] == [theirs.id]

    # Another teacher can neither see nor delete it: the same answer as for no recording.
    with pytest.raises(AccountError) as refused:
        await delete_recording(url, other.token, mine.id)
    assert refused.value.code == "no_such_recording"
    assert (store.folder(mine.id) / "teacher.webm").exists()

    # One still being converted is refused until it is finished.
    with pytest.raises(AccountError) as early:
        await delete_recording(url, me.token, busy.id)
    assert early.value.code == "out_of_order"
    assert store.folder(busy.id).exists()

    folder = store.folder(mine.id)
    left = await delete_recording(url, me.token, mine.id)
    assert sorted(e.id for e in left) == sorted([mine_too.id, busy.id])
    assert not folder.exists()
    assert not any(mine.id in p.name for p in store.root.iterdir())   # no trash left either
    assert store.folder(theirs.id).exists()                            # untouched

    with pytest.raises(AccountError) as again:
        await delete_recording(url, me.token, mine.id)
    assert again.value.code == "no_such_recording"
    with pytest.raises(AccountError) as climbing:
        await delete_recording(url, me.token, "../" + theirs.id)
    assert climbing.value.code == "no_such_recording"
    assert store.folder(theirs.id).exists()

    for rid in (mine_too.id, busy.id, theirs.id):   # leave the module's store empty
        store.delete(rid)


async def test_recordings_are_refused_without_a_teacher_session(service: RoomService) -> None:
    url = service.url
    pupil = await sign_in(url, PUPIL_ACCOUNT, PUPIL_PASSWORD)
    with pytest.raises(AccountError) as not_teacher:
        await list_recordings(url, pupil.token)
    assert not_teacher.value.code == "not_allowed"
    with pytest.raises(AccountError) as forged:
        await delete_recording(url, "forged", "20261123-120000-0123abcd")
    assert forged.value.code == "session_invalid"
    assert "log in again" in forged.value.message


async def test_an_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as s:       # a port on the namespace address that nobody serves
        s.bind((SERVER_ADDR, 0))
        port = s.getsockname()[1]
    with pytest.raises(AccountError) as failed:
        await list_recordings(f"ws://{SERVER_ADDR}:{port}/", "token", timeout=5)
    assert failed.value.code == "connection_failed"
    assert "cannot reach the school's server" in failed.value.message
