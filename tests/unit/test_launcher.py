"""`klasse --help` lists every mode and option, `--version` the version and build,
both without importing Qt or the media stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from klasse.app import cli, version
from klasse.ui import launcher


def _options(parser) -> set[str]:
    return {opt for action in parser._actions for opt in action.option_strings
            if opt.startswith("--") and opt != "--help"}


def test_help_names_every_mode_and_option() -> None:
    from klasse.ui.main import build_parser as window_parser
    usage = launcher.USAGE
    assert _options(window_parser()) <= {w for w in usage.split() if w.startswith("--")}
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        assert f"klasse {name}" in usage, name
        for opt in _options(parser):
            assert opt in usage, f"{name} {opt}"
    assert "--headless" in usage and "--version" in usage


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = ("import sys; from klasse.ui.launcher import main; rc = main(sys.argv[1:]); "
            "heavy = sorted(m for m in ('PySide6', 'cv2', 'numpy', 'av', 'aiortc') "
            "if m in sys.modules); print('HEAVY', heavy, file=sys.stderr); sys.exit(rc)")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_imports_nothing_heavy(flag: str) -> None:
    result = _run(flag)
    assert result.returncode == 0
    assert result.stdout == launcher.USAGE
    assert "HEAVY []" in result.stderr


def test_version_prints_version_and_build(tmp_path: Path, monkeypatch) -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"klasse {version.version()} (build {version.build()})"
    assert "HEAVY []" in result.stderr
    build_file = tmp_path / "BUILD"
    build_file.write_text("g1a2b3c4 2026-12-01\n")
    monkeypatch.setattr(version, "BUILD_FILE", build_file)
    assert version.version_text() == f"klasse {version.version()} (build g1a2b3c4 2026-12-01)"
    build_file.unlink()
    assert version.build() == "dev"
