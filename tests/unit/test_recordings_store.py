"""The recordings store: owner-only files, ownership, retention on an injected clock."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from klasse.server.recording.cli import main as cli
from klasse.server.recording.store import NoSuchRecording, RecordingStore

DAY = 86400.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_folders_and_metadata_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        store = RecordingStore(tmp_path / "rec", 7 * DAY, Clock(1.8e9))
        info = store.create("ms-teacher", ["teacher camera"])
    finally:
        os.umask(old)
    folder = store.folder(info.id)
    assert _mode(tmp_path / "rec") == 0o700 and _mode(folder) == 0o700
    assert [p.name for p in folder.iterdir()] == ["meta.json"]
    assert _mode(folder / "meta.json") == 0o600
    meta = json.loads((folder / "meta.json").read_text())
    # Only what listing, ownership and retention need.
    assert set(meta) == {"id", "owner", "started", "what", "state", "duration_s", "files", "error",
                         "interrupted"}


def test_a_teacher_sees_and_deletes_only_their_own(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path, 7 * DAY, Clock(1.8e9))
    mine = store.create("ms-a", [])
    theirs = store.create("mr-b", [])
    assert [i.id for i in store.recordings("ms-a")] == [mine.id]
    assert len(store.recordings()) == 2
    with pytest.raises(NoSuchRecording):
        store.delete(theirs.id, owner="ms-a")
    assert store.folder(theirs.id).exists()
    store.delete(mine.id, owner="ms-a")
    assert not store.folder(mine.id).exists()
    assert [i.id for i in store.recordings()] == [theirs.id]


@pytest.mark.parametrize("bad", ["../x", "..", "", "20260101-000000-abcdefg/", "/etc"])
def test_ids_cannot_escape_the_store(tmp_path: Path, bad: str) -> None:
    store = RecordingStore(tmp_path / "rec", DAY)
    (tmp_path / "x").mkdir()
    with pytest.raises(NoSuchRecording):
        store.delete(bad)
    assert (tmp_path / "x").exists()


def test_retention_deletes_exactly_the_expired(tmp_path: Path) -> None:
    clock = Clock(1.8e9)
    store = RecordingStore(tmp_path, 7 * DAY, clock)
    old = store.create("t", [])
    (store.folder(old.id) / "teacher.webm").write_bytes(b"x")
    clock.now += 3 * DAY
    young = store.create("t", [])
    clock.now += 4 * DAY - 1
    assert store.purge_expired() == []
    clock.now += 1
    assert store.purge_expired() == [old.id]
    assert not store.folder(old.id).exists()
    assert [i.id for i in store.recordings()] == [young.id]
    # A shortened retention applies to existing recordings too.
    assert RecordingStore(tmp_path, 1 * DAY, clock).purge_expired() == [young.id]
    assert list(tmp_path.iterdir()) == []


def test_a_folder_with_broken_metadata_still_expires(tmp_path: Path) -> None:
    clock = Clock(2e9)
    store = RecordingStore(tmp_path, DAY, clock)
    info = store.create("t", [])
    (store.folder(info.id) / "meta.json").write_text("{not json")
    assert store.recordings() == []
    os.utime(store.folder(info.id), (clock.now - 2 * DAY, clock.now - 2 * DAY))
    assert store.purge_expired() == [info.id]


def test_cli_lists_deletes_and_purges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "klasse.toml"
    cfg.write_text(f'data = "{tmp_path / "data"}"\n[recording]\nretention_days = 1\n')
    store = RecordingStore(tmp_path / "data" / "recordings", DAY)
    a = store.create("ms-a", ["teacher camera"])
    b = store.create("mr-b", [])
    assert cli(["recordings", "list", "--config", str(cfg), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == {a.id, b.id}
    assert cli(["recordings", "list", "--config", str(cfg), "--owner", "mr-b"]) == 0
    out = capsys.readouterr().out
    assert b.id in out and a.id not in out
    assert cli(["recordings", "delete", a.id, "--config", str(cfg)]) == 0
    assert not store.folder(a.id).exists()
    assert cli(["recordings", "delete", a.id, "--config", str(cfg)]) == 2
    assert "no recording" in capsys.readouterr().err
    # purge-expired with the real clock: b (just made) stays; an old one goes.
    old = store.create("ms-a", [])
    meta = store.get(old.id)
    meta.started -= 2 * DAY
    store.save(meta)
    assert cli(["recordings", "purge-expired", "--config", str(cfg),
                "--data", str(tmp_path / "data")]) == 0
    assert "deleted 1" in capsys.readouterr().out
    assert [i.id for i in store.recordings()] == [b.id]


@pytest.mark.parametrize("content, why", [
    ("not = [toml", "not valid TOML"),
    ("[recording]\nretention_days = -3\n", "retention_days"),
])
def test_cli_refuses_bad_config_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            content: str, why: str) -> None:
    cfg = tmp_path / "k.toml"
    cfg.write_text(content)
    assert cli(["recordings", "list", "--config", str(cfg), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert why in err and err.count("\n") == 1
    assert cli(["recordings", "list", "--config", str(tmp_path / "missing.toml")]) == 2


def test_cli_read_creates_no_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["recordings", "list", "--data", str(tmp_path / "d")]) == 0
    assert "no recordings" in capsys.readouterr().out
    assert cli(["recordings", "delete", "20260101-000000-abcdef12", "--data",
                str(tmp_path / "d")]) == 2
    assert not (tmp_path / "d").exists()


async def test_the_sweeper_runs_at_start_and_then_periodically(tmp_path: Path) -> None:
    import asyncio

    from klasse.server.recording.retention import RetentionSweeper
    clock = Clock(1.9e9)
    store = RecordingStore(tmp_path, DAY, clock)
    first = store.create("t", [])
    clock.now += DAY
    sweeper = RetentionSweeper(store, interval_s=0.05)
    sweeper.start()  # the start-up sweep is synchronous
    assert not store.folder(first.id).exists()
    second = store.create("t", [])
    await asyncio.sleep(0.2)
    assert store.folder(second.id).exists()  # not expired: periodic sweeps keep it
    clock.now += DAY
    for _ in range(40):
        if not store.folder(second.id).exists():
            break
        await asyncio.sleep(0.05)
    assert not store.folder(second.id).exists()
    await sweeper.stop()
