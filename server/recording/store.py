"""The recordings store: one owner-only folder per recording under a configured root.

Each recording folder holds the raw Janus files while it runs, the converted
WebM/Opus files once it is finalised, and `meta.json` with only what listing,
ownership and retention need: the owning teacher's account name, when it started,
how long it ran, what was announced as recorded, its state and its files. No room
title, no participant names.

Folders are 0700 and files 0600: the store is readable only by the service's user.
Retention: a recording is deleted `retention_s` after it started (`purge_expired`);
the service runs that at start and periodically, IT through `klasse-server
recordings purge-expired`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

META = "meta.json"
DIR_MODE = 0o700
FILE_MODE = 0o600
_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")

State = Literal["recording", "converting", "ready", "failed"]


class NoSuchRecording(LookupError):
    """Unknown id, or a recording of another owner (indistinguishable on purpose)."""


@dataclass
class RecordingInfo:
    id: str
    owner: str                 # the teacher's account name
    started: float             # unix time the recording was created
    what: list[str] = field(default_factory=list)
    state: State = "recording"
    duration_s: float | None = None
    files: list[str] = field(default_factory=list)  # names inside the folder
    error: str | None = None
    interrupted: bool = False  # the media server was lost while it recorded


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, created 0600 whatever the umask."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def make_private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def lock_down(folder: Path) -> None:
    """Make every file in a recording folder owner-only (Janus writes with its umask)."""
    os.chmod(folder, DIR_MODE)
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink():
            os.chmod(entry, FILE_MODE)


class RecordingStore:
    def __init__(self, root: Path, retention_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        # Absolute: Janus gets file names under it and runs in another directory.
        self.root = root.absolute()
        self.retention_s = retention_s
        self.clock = clock
        make_private_dir(root)

    # -- one recording -----------------------------------------------------------
    def create(self, owner: str, what: list[str]) -> RecordingInfo:
        now = self.clock()
        rid = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + "-" + secrets.token_hex(4)
        info = RecordingInfo(id=rid, owner=owner, started=now, what=list(what))
        make_private_dir(self.folder(rid))
        self.save(info)
        return info

    def folder(self, rid: str) -> Path:
        if not _ID.match(rid):
            raise NoSuchRecording(rid)
        return self.root / rid

    def save(self, info: RecordingInfo) -> None:
        _write_private(self.folder(info.id) / META, json.dumps(asdict(info), indent=1).encode())

    def get(self, rid: str, owner: str | None = None) -> RecordingInfo:
        """The recording `rid`; with `owner`, only if that teacher owns it."""
        try:
            raw = json.loads((self.folder(rid) / META).read_text())
            info = RecordingInfo(**raw)
        except (OSError, ValueError, TypeError):
            raise NoSuchRecording(rid) from None
        if owner is not None and info.owner != owner:
            raise NoSuchRecording(rid)
        return info

    def expires(self, info: RecordingInfo) -> float:
        """When retention deletes it: computed, so a shortened retention applies to all."""
        return info.started + self.retention_s

    def delete(self, rid: str, owner: str | None = None) -> None:
        """Delete a recording; a teacher (`owner`) may delete only their own."""
        self.get(rid, owner)
        self._remove(rid)

    def _remove(self, rid: str) -> None:
        folder = self.folder(rid)
        # Rename first so a half-deleted folder never lists as a recording.
        trash = folder.with_name("." + rid + ".deleting")
        with contextlib.suppress(FileNotFoundError):
            os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)

    # -- all recordings ----------------------------------------------------------
    def ids(self) -> list[str]:
        try:
            return sorted(e.name for e in self.root.iterdir() if _ID.match(e.name) and e.is_dir())
        except FileNotFoundError:
            return []

    def recordings(self, owner: str | None = None) -> list[RecordingInfo]:
        out = []
        for rid in self.ids():
            try:
                out.append(self.get(rid, owner))
            except NoSuchRecording:
                continue
        return out

    def purge_expired(self, now: float | None = None) -> list[str]:
        """Delete every recording past its retention; return their ids.

        A folder whose metadata is unreadable is judged by its modification time, so
        nothing escapes retention; leftovers of an interrupted delete go too.
        """
        now = self.clock() if now is None else now
        gone = []
        for rid in self.ids():
            try:
                expires = self.expires(self.get(rid))
            except NoSuchRecording:
                expires = self.folder(rid).stat().st_mtime + self.retention_s
            if expires <= now:
                self._remove(rid)
                gone.append(rid)
        for entry in self.root.glob(".*.deleting"):
            shutil.rmtree(entry, ignore_errors=True)
        return gone
