"""The Qt binding itself: PySide6 6.12.0's Signal.emit() drops a reference to
True on every call, so a client aborts after a few hundred signals (a lesson emits
one per video frame). pyproject.toml excludes it; this catches a regression."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Source(QObject):
    changed = Signal(object)
source = Source()
seen = []
source.changed.connect(seen.append)
before = sys.getrefcount(True)
for i in range(20000):
    source.changed.emit(i)
assert len(seen) == 20000
print(sys.getrefcount(True) - before)
"""


def test_many_signal_emissions_do_not_corrupt_the_interpreter() -> None:
    run = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-500:]
    assert abs(int(run.stdout.strip())) < 100
