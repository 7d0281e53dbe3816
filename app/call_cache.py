"""The one place a call may write: a per-call directory that is wiped at the end.

Everything a call keeps on disk (chat transcript, received files, thumbnails,
diagnostics) lives in `CallCache.path`, under $XDG_RUNTIME_DIR (RAM-backed) where it
exists, otherwise in a private 0700 folder under the system temp dir. The folder is
removed when the call ends for any reason: `wipe()` in the call's `finally`, an
atexit hook, and signal handlers. A call killed with SIGKILL cannot clean up, so
each new start removes the folders of calls whose process no longer runs.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import stat
import tempfile
import time
from pathlib import Path
from types import FrameType

CALL_PREFIX = "call-"
STAGING_PREFIX = "staging-"
OWNER_FILE = ".owner"        # "<pid> <process start time>" of the call that owns the folder
STAGING_MAX_AGE_S = 60.0

_live: set[CallCache] = set()


class CacheError(Exception):
    """No private place to write to (e.g. the temp folder belongs to someone else)."""


def _proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks, or None if it does not run.

    Comparing it as well as the pid keeps a reused pid from protecting a leftover.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return "?"
        return "?"   # no /proc (not Linux): the pid runs, start time unknown
    # The command name (field 2) may hold spaces and parentheses.
    return raw.rsplit(")", 1)[1].split()[19]


def _owner_alive(marker: str) -> bool:
    try:
        pid_text, start = marker.split()
        pid = int(pid_text)
    except ValueError:
        return False
    now = _proc_start(pid)
    return now is not None and (now == "?" or start == "?" or now == start)


def cache_root() -> Path:
    """The private parent folder of all call folders (created 0700 if needed)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir() and os.access(runtime, os.W_OK | os.X_OK):
        root = Path(runtime) / "klasse"
    else:
        root = Path(tempfile.gettempdir()) / f"klasse-{os.getuid()}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise CacheError(f"cannot create the call cache folder {root}: {exc}") from None
    info = root.lstat()
    # A shared temp dir: refuse a folder (or symlink) planted by someone else.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise CacheError(f"{root} is not a private folder of this user")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(root, 0o700)
    return root


def sweep_leftovers(root: Path) -> list[Path]:
    """Remove the folders of calls whose process is gone; return what was removed."""
    removed: list[Path] = []
    for entry in root.iterdir():
        if entry.name.startswith(CALL_PREFIX):
            try:
                marker = (entry / OWNER_FILE).read_text()
            except OSError:
                marker = ""
            if _owner_alive(marker):
                continue
        elif entry.name.startswith(STAGING_PREFIX):
            # A folder being set up right now has no marker yet: give it time.
            with contextlib.suppress(OSError):
                if time.time() - entry.lstat().st_mtime < STAGING_MAX_AGE_S:
                    continue
        else:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed.append(entry)
    return removed


class CallCache:
    """One call's private folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.swept: list[Path] = []

    @classmethod
    def create(cls, root: Path | None = None) -> CallCache:
        root = root if root is not None else cache_root()
        swept = sweep_leftovers(root)
        name = secrets.token_hex(8)
        staging = root / (STAGING_PREFIX + name)
        staging.mkdir(mode=0o700)
        os.chmod(staging, 0o700)  # mkdir's mode is masked by the umask
        start = _proc_start(os.getpid()) or "?"
        (staging / OWNER_FILE).write_text(f"{os.getpid()} {start}")
        # Appears under its final name only once the owner marker is in it.
        final = root / (CALL_PREFIX + name)
        staging.rename(final)
        cache = cls(final)
        cache.swept = swept
        _live.add(cache)
        return cache

    def file(self, name: str) -> Path:
        """A path for a file of this call; names are flat (no folders, no '..')."""
        if not name or "/" in name or name in (".", "..") or name == OWNER_FILE:
            raise ValueError(f"not a plain cache file name: {name!r}")
        return self.path / name

    def append_line(self, name: str, line: str) -> None:
        fd = os.open(self.file(name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line.rstrip("\n") + "\n")

    def files(self) -> list[Path]:
        """Every file this call wrote (the owner marker is bookkeeping, not content)."""
        if not self.path.exists():
            return []
        return [f for f in self.path.rglob("*")
                if f.is_file() and (f.name != OWNER_FILE or f.parent != self.path)]

    def wipe(self) -> tuple[bool, int]:
        """Remove the folder; returns (wiped, number of files still there)."""
        _live.discard(self)
        shutil.rmtree(self.path, ignore_errors=True)
        if not self.path.exists():
            return True, 0
        return False, sum(1 for f in self.path.rglob("*") if f.is_file())

    def __hash__(self) -> int:
        return hash(self.path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CallCache) and other.path == self.path


def wipe_all() -> None:
    """Wipe every call cache of this process (atexit and fatal signals)."""
    for cache in list(_live):
        cache.wipe()


atexit.register(wipe_all)


def install_signal_handlers(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)) -> None:
    """For front ends without their own handling: wipe, then die of the signal as before.

    The headless participant and the UI prefer a graceful leave (asyncio signal
    handlers); this is the last line for code that has none.
    """
    for sig in signals:
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: object = previous) -> None:
            wipe_all()
            if callable(previous):
                previous(signum, frame)
            else:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)

        signal.signal(sig, handler)
