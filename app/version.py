"""The version and build of this installation, for `klasse --version` and bug reports.

The version comes from the installed distribution's metadata. The build is what the
installer build wrote into BUILD beside this file (source commit and date, e.g.
"g1a2b3c4 2026-12-01"); a development checkout has no such file and says "dev".
Kept free of heavy imports: `klasse --version` and `--help` must answer at once.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

BUILD_FILE = Path(__file__).with_name("BUILD")


def version() -> str:
    try:
        return metadata.version("klasse")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def build() -> str:
    try:
        return BUILD_FILE.read_text(encoding="utf-8").strip() or "dev"
    except OSError:
        return "dev"


def version_text(prog: str = "klasse") -> str:
    return f"{prog} {version()} (build {build()})"
