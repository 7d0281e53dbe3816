"""Frozen entry point (PyInstaller): the same launcher as the `klasse` console script.

The blur models travel inside the bundle (models/); point the model loader at them
unless IT set KLASSE_MODEL_DIR itself.
"""

import os
import sys
from pathlib import Path

if getattr(sys, "frozen", False):
    os.environ.setdefault("KLASSE_MODEL_DIR", str(Path(sys._MEIPASS) / "models"))

from klasse.ui.launcher import main

sys.exit(main())
