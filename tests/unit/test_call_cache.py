"""The per-call cache: private, wiped at the end, leftovers of crashed calls swept."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from klasse.app import call_cache
from klasse.app.call_cache import CacheError, CallCache, cache_root

HOLDER = """
import sys, time
from pathlib import Path
from klasse.app import call_cache
c = call_cache.CallCache.create(Path(sys.argv[1]))
c.append_line("chat.jsonl", '{"text": "hello"}')
if sys.argv[2] == "signals":
    call_cache.install_signal_handlers()
print(c.path, flush=True)
if sys.argv[2] != "exit":
    time.sleep(60)
"""


def _hold(root: Path, mode: str) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(root), mode],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    path = Path(proc.stdout.readline().strip())
    return proc, path


def test_cache_is_private_and_wipe_removes_everything(tmp_path: Path) -> None:
    cache = CallCache.create(tmp_path)
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o700
    cache.append_line("chat.jsonl", "one")
    cache.file("thumb.png").write_bytes(b"x")
    assert sorted(f.name for f in cache.files()) == ["chat.jsonl", "thumb.png"]
    assert stat.S_IMODE(cache.file("chat.jsonl").stat().st_mode) == 0o600
    assert cache.wipe() == (True, 0)
    assert not cache.path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".", "..", ".owner"])
def test_cache_file_names_stay_inside(tmp_path: Path, name: str) -> None:
    cache = CallCache.create(tmp_path)
    with pytest.raises(ValueError):
        cache.file(name)
    cache.wipe()


def test_leftover_of_killed_call_is_swept_at_next_start(tmp_path: Path) -> None:
    proc, dead = _hold(tmp_path, "sleep")
    proc2, alive = _hold(tmp_path, "sleep")
    try:
        assert (dead / "chat.jsonl").exists()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert dead.exists()  # SIGKILL leaves it behind
        new = CallCache.create(tmp_path)
        assert not dead.exists()
        assert new.swept == [dead]
        assert alive.exists()  # another running call keeps its folder
        new.wipe()
    finally:
        proc2.kill()
        proc2.wait()


def test_normal_exit_wipes_through_atexit(tmp_path: Path) -> None:
    proc, path = _hold(tmp_path, "exit")
    assert proc.wait() == 0
    assert not path.exists()


def test_sigterm_wipes_when_handlers_installed(tmp_path: Path) -> None:
    proc, path = _hold(tmp_path, "signals")
    assert path.exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait() == -signal.SIGTERM
    assert not path.exists()


def test_root_under_xdg_runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    root = cache_root()
    assert root == tmp_path / "klasse"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_root_falls_back_to_private_temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    root = cache_root()
    assert root == tmp_path / f"klasse-{os.getuid()}"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_planted_symlink_root_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / f"klasse-{os.getuid()}").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CacheError):
        cache_root()


def test_staging_folder_of_a_starting_call_is_kept(tmp_path: Path) -> None:
    young = tmp_path / (call_cache.STAGING_PREFIX + "young")
    young.mkdir()
    old = tmp_path / (call_cache.STAGING_PREFIX + "old")
    old.mkdir()
    os.utime(old, (1, 1))
    cache = CallCache.create(tmp_path)
    assert young.exists() and not old.exists()
    cache.wipe()
