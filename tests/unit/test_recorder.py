"""RoomRecorder without Janus: the order of what everyone is told, and failure paths."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import klasse.app.protocol as p
from klasse.server.recording.policy import RecordingPolicy, RoomRecordingRules
from klasse.server.recording.recorder import RoomRecorder
from klasse.server.recording.store import RecordingStore


def _recorder(store: RecordingStore, told: list[p.RecordingState]) -> RoomRecorder:
    async def broadcast(state: p.RecordingState) -> None:
        told.append(state)

    rules = RoomRecordingRules(RecordingPolicy(allowed=True, announce_s=0.05))
    return RoomRecorder(rules, store, "secret", broadcast, lambda: [])


async def _settle(told: list[p.RecordingState], n: int) -> None:
    for _ in range(100):
        if len(told) >= n:
            return
        await asyncio.sleep(0.01)


async def test_nothing_published_leaves_no_recording_behind(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "rec", 86400.0)
    told: list[p.RecordingState] = []
    recorder = _recorder(store, told)
    await recorder.start("ms-teacher", [])
    await _settle(told, 2)
    assert [t.state for t in told] == ["announced", "active"]
    assert len(store.recordings()) == 1  # created only once the countdown ran out
    await recorder.stop()
    done = await recorder.finalised()
    assert done is not None and done.state == "failed"
    assert store.recordings() == [] and list((tmp_path / "rec").iterdir()) == []
    assert [t.state for t in told] == ["announced", "active", "off"]


async def test_a_store_that_cannot_write_ends_the_announcement(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "rec", 86400.0)
    shutil.rmtree(tmp_path / "rec")
    (tmp_path / "rec").write_text("not a folder")
    told: list[p.RecordingState] = []
    recorder = _recorder(store, told)
    await recorder.start("ms-teacher", ["audio"])
    await _settle(told, 2)
    # Everyone learns it is off again; it never claimed to be active.
    assert [t.state for t in told] == ["announced", "off"]
    assert recorder.state().state == "off" and await recorder.stop() is None


def test_a_relative_store_root_is_made_absolute(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    store = RecordingStore(Path("data/recordings"), 86400.0)
    assert store.root == tmp_path / "data" / "recordings"
    assert store.folder(store.create("t", []).id).is_absolute()
