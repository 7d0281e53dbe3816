"""Size of the installers and start times of the packaged client.

    python bench/package_size.py [--debs build/debs] [--runs 5] [--prefix /opt/klasse]

Prints:
- each .deb's size and its installed size broken down by component (from
  build/debs/sizes.json, written by packaging/linux/build_debs.py);
- `klasse --help` wall time (goal <= 0.5 s);
- cold and warm start to the first paint of the main window under Xvfb (goal <= 2 s
  cold). Cold: the page cache of the client's own files (/opt/klasse) and of the system
  libraries it maps is dropped first with posix_fadvise(DONTNEED) (only those files;
  the rest of a shared machine is left alone). Warm: the same start again right after.
The client is the installed one under --prefix if present, else the client .deb
unpacked into build/bench-root (its venv runs from any folder).
Goals: client .deb <= 120 MB, cold start <= 2 s, --help <= 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1e6

FIRST_PAINT = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from klasse.ui.main import run_app

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
            self.done = True
            print("painted", flush=True)
            QTimer.singleShot(0, self.window.close)
        return False

def shown(window):
    probe = FirstPaint(window)
    probe.window = window
    window.installEventFilter(probe)

sys.exit(run_app([], on_window=shown))
"""


def client_prefix(debs: Path, prefix: Path) -> Path:
    if (prefix / "bin/python").exists():
        return prefix
    deb = next(debs.glob("klasse_*.deb"), None)
    if deb is None:
        raise SystemExit("package_size: no installed client and no client .deb; run make packages")
    root = ROOT / "build/bench-root"
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root / "opt/klasse"


def sizes(debs: Path) -> None:
    if not (debs / "sizes.json").exists():
        print(f"no {debs / 'sizes.json'}: run make packages for the package sizes")
        return
    report = json.loads((debs / "sizes.json").read_text())
    print(f"build {report.get('build', '?')}")
    for which in ("client", "server"):
        if which not in report:
            continue
        entry = report[which]
        installed = entry["installed"]
        total = sum(installed.values())
        print(f"\n{entry['deb']}: {entry['deb_bytes'] / MB:.1f} MB (xz), "
              f"installed {total / MB:.0f} MB")
        for label, size in sorted(installed.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<26} {size / MB:7.1f} MB")
    client = report.get("client")
    if client:
        verdict = "ok" if client["deb_bytes"] <= 120 * MB else "OVER"
        print(f"\nclient .deb {client['deb_bytes'] / MB:.1f} MB (goal <= 120 MB): {verdict}")


def drop_cache(paths: list[Path]) -> int:
    dropped = 0
    for top in paths:
        files = [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file())
        for path in files:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                dropped += 1
            finally:
                os.close(fd)
    return dropped


def help_time(prefix: Path, runs: int,
              code: str = "import sys; from klasse.ui.launcher import main; "
                          "sys.exit(main(['--help']))") -> list[float]:
    times = []
    for _ in range(runs):
        start = time.monotonic()
        subprocess.run([str(prefix / "bin/python"), "-c", code], check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.monotonic() - start)
    return times


def first_paint(prefix: Path, env: dict[str, str]) -> float:
    start = time.monotonic()
    proc = subprocess.Popen([str(prefix / "bin/python"), "-c", FIRST_PAINT], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.monotonic() - start
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    if line.strip() != "painted":
        raise SystemExit(f"package_size: the client did not paint: {proc.stderr.read()}")
    return elapsed


def start_times(prefix: Path, runs: int) -> None:
    xvfb = subprocess.Popen(["Xvfb", ":93", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        home = ROOT / "build/bench-home"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        env = {**os.environ, "DISPLAY": ":93", "QT_QPA_PLATFORM": "xcb", "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / ".config"),
               "KLASSE_MODEL_DIR": str(prefix / "share/models")}
        system_libs = [Path("/usr/lib/x86_64-linux-gnu"), Path("/usr/lib/python3.11")]
        cold, warm = [], []
        for _ in range(runs):
            drop_cache([prefix, *system_libs])
            cold.append(first_paint(prefix, env))
            warm.append(first_paint(prefix, env))
        print(f"cold start to first paint: median {statistics.median(cold):.2f} s "
              f"(min {min(cold):.2f}, max {max(cold):.2f}, {runs} runs; goal <= 2 s)")
        print(f"warm start to first paint: median {statistics.median(warm):.2f} s "
              f"(min {min(warm):.2f}, max {max(warm):.2f})")
    finally:
        xvfb.terminate()
        xvfb.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debs", type=Path, default=ROOT / "build/debs")
    parser.add_argument("--prefix", type=Path, default=Path("/opt/klasse"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes(args.debs)
    prefix = client_prefix(args.debs, args.prefix)
    print(f"\nclient under test: {prefix}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    helps = help_time(prefix, args.runs)
    bare = help_time(prefix, args.runs, "pass")
    print(f"klasse --help: median {statistics.median(helps):.3f} s (max {max(helps):.3f}; "
          f"goal <= 0.5 s); the bare interpreter starts in {statistics.median(bare):.3f} s")
    start_times(prefix, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
