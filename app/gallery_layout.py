"""Which tiles the gallery shows, in which order, on which page (Qt-free).

A class of 30 does not fit one screen at a useful size, so the gallery has pages.
The active speaker and raised hands are pinned: first, and on every page, so the
teacher never has to page to find who is talking or asking. The rest follow in a
stable order (own tile, teachers, then by name) so tiles do not jump when someone
speaks. Feeds not on the current page are `hidden`: the feeds whose video a call
can pause (their sound going on), so that only visible tiles are decoded at full
rate -- which needs the multistream subscription (issue 12), not on main yet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from klasse.app.protocol import Participant

SPEAKING_WINDOW_S = 1.5      # a level older than this no longer counts
SPEAKING_LEVEL_DB = -50.0    # quieter than this is silence or background noise
MIN_TILE_W, MIN_TILE_H = 240, 135    # smaller than this a face is hard to make out


@dataclass(frozen=True)
class Page:
    tiles: tuple[str, ...]       # participant ids, in drawing order
    pinned: frozenset[str]       # the speaker and raised hands among them
    page: int                    # 0-based, clamped to the pages there are
    pages: int
    hidden: frozenset[str]       # joined participants (not me) on no tile now


def base_order(participants: Sequence[Participant], me: str) -> list[str]:
    """Joined participants: own tile, then teachers, then pupils, each by name."""
    joined = [p for p in participants if p.state == "joined"]
    joined.sort(key=lambda p: (p.id != me, p.role != "teacher", p.name.lower(), p.id))
    return [p.id for p in joined]


def layout(order: Sequence[str], me: str, speaker: str | None, hands: Sequence[str],
           per_page: int, page: int = 0) -> Page:
    """Page `page` of `order` with `per_page` tiles at most (at least 1).

    Pinned (the speaker first, then raised hands in `order`) come first on every
    page, but never take more than half a page: the rest needs room too."""
    per_page = max(1, per_page)
    present = set(order)
    pinned: list[str] = []
    for pid in ([speaker] if speaker else []) + [h for h in order if h in set(hands)]:
        if pid in present and pid != me and pid not in pinned:
            pinned.append(pid)
    pinned = pinned[:per_page // 2] if per_page > 1 else pinned[:1]
    rest = [pid for pid in order if pid not in pinned]
    slots = per_page - len(pinned)
    pages = max(1, math.ceil(len(rest) / slots)) if slots > 0 else 1
    page = min(max(0, page), pages - 1)
    tiles = tuple(pinned + rest[page * slots:(page + 1) * slots])
    hidden = frozenset(present - set(tiles) - {me})
    return Page(tiles, frozenset(pinned), page, pages, hidden)


def tiles_that_fit(width: int, height: int, strip: bool = False) -> int:
    """How many tiles of at least MIN_TILE_W x MIN_TILE_H fit (one row in a strip)."""
    cols = max(1, width // MIN_TILE_W)
    rows = 1 if strip else max(1, height // MIN_TILE_H)
    return cols * rows


def active_speaker(levels: dict[str, tuple[float, float]], mic_on: set[str], now: float
                   ) -> str | None:
    """The loudest participant with an open mic heard within SPEAKING_WINDOW_S above
    SPEAKING_LEVEL_DB; `levels`: id -> (level dBFS, when)."""
    live = [(level, pid) for pid, (level, at) in levels.items()
            if now - at <= SPEAKING_WINDOW_S and level >= SPEAKING_LEVEL_DB and pid in mic_on]
    return max(live)[1] if live else None
