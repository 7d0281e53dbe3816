"""What the sharer may choose from, for a front end's picker (Qt-free).

The screens and windows of this session with a small live picture of each; the
picture is grabbed on request only (the picker refreshes it while open) and never
sent anywhere. A session that cannot capture says why (ScreenUnavailable).
"""

from __future__ import annotations

import os

import numpy as np

from klasse.media.screen_capture import ScreenUnavailable, ShareTarget, list_targets
from klasse.media.screen_capture import thumbnail as _thumbnail

__all__ = ["ScreenUnavailable", "ShareTarget", "targets", "thumbnail"]


def targets() -> list[ShareTarget]:
    """Screens first, then other programs' windows with a title (X11): the client's
    own windows are not offered."""
    return list_targets(exclude_pid=os.getpid())


def thumbnail(spec: str, width: int = 240) -> np.ndarray | None:
    """An RGB picture of `spec` at most `width` wide; None while it shows nothing."""
    return _thumbnail(spec, width)
