"""The lesson gallery: one tile per joined participant, own tile first.

The active speaker is the participant with the highest recent audio level (the
engine's MediaFlow.level, dBFS over about a second) above a speaking threshold.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from klasse.app.connection_quality import ConnectionReport
from klasse.app.events import MediaFlow
from klasse.app.protocol import Participant
from klasse.ui.base import Translatable
from klasse.ui.i18n import tr
from klasse.ui.video_tile import VideoTile

SPEAKING_WINDOW_S = 1.5      # a level older than this no longer counts
SPEAKING_LEVEL_DB = -50.0    # quieter than this is silence or background noise


class Gallery(Translatable, QWidget):
    volumeChosen = Signal(str, float)    # a tile's per-participant volume
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, VideoTile] = {}
        self.me = ""
        self._order: list[str] = []
        self._cols = 1
        self._levels: dict[str, tuple[float, float]] = {}  # id -> (level dBFS, when)
        self.active_speaker: str | None = None
        self.strip = False   # one row below a shared screen
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._update_speaker)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(tr("Participants' video"))
        for tile in self.tiles.values():
            tile.retranslate()

    def set_participants(self, participants: tuple[Participant, ...], me: str,
                         local_camera: bool, local_mic: bool) -> None:
        self.me = me
        joined = [p for p in participants if p.state == "joined"]
        joined.sort(key=lambda p: (p.id != me, p.role != "teacher", p.name.lower()))
        order = [p.id for p in joined]
        for pid in list(self.tiles):
            if pid not in order:
                self.tiles.pop(pid).deleteLater()
        for p in joined:
            tile = self.tiles.get(p.id)
            if tile is None:
                tile = self.tiles[p.id] = VideoTile(p.id, self)
                tile.volumeChosen.connect(self.volumeChosen)
            is_self = p.id == me
            camera = local_camera if is_self else p.camera
            mic = local_mic if is_self else p.mic
            tile.set_state(p.name, camera, mic, p.hand, p.role, is_self)
            if not is_self and not p.publishing:
                tile.clear_frame()   # a feed that is not flowing shows no (frozen) picture
        if order != self._order:
            self._order = order
            self._relayout()

    def set_local(self, camera: bool, mic: bool) -> None:
        tile = self.tiles.get(self.me)
        if tile is not None:
            tile.set_state(tile.name, camera, mic, tile.hand, tile.role, True)

    def set_strip(self, strip: bool) -> None:
        """One row of tiles (under a shared screen), or the grid."""
        if strip != self.strip:
            self.strip = strip
            self._relayout()

    def best_columns(self, n: int) -> int:
        """The column count that gives the largest 16:9 tiles in the current size."""
        if self.strip:
            return max(1, n)
        if n <= 1:
            return 1
        w, h = max(1, self.width()), max(1, self.height())
        best, best_size = 1, 0.0
        for cols in range(1, max(1, n) + 1):
            rows = math.ceil(n / cols)
            size = min(w / cols, (h / rows) * 16 / 9)
            if size > best_size:
                best, best_size = cols, size
        return best

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._order and self.best_columns(len(self._order)) != self._cols:
            self._relayout()

    def _relayout(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        n = len(self._order)
        cols = self._cols = self.best_columns(n)
        for i, pid in enumerate(self._order):
            self._grid.addWidget(self.tiles[pid], i // cols, i % cols)

    def set_quality(self, report: ConnectionReport) -> None:
        """Each tile's connection indicator; the own tile shows the own connection."""
        for pid, tile in self.tiles.items():
            q = report.feeds.get(pid)
            if pid == self.me:
                tile.set_quality(report.own)
            elif q is None:
                tile.set_quality(None)
            else:
                tile.set_quality(q.level, (q.loss, q.rtt_ms, q.fps if q.video_on else None))

    def show_frame(self, participant: str, frame: np.ndarray) -> None:
        key = self.me if participant == "local" else participant
        if participant != "local" and participant == self.me:
            return  # the own tile only ever shows the processed local preview
        tile = self.tiles.get(key)
        if tile is not None:
            tile.set_frame(frame)

    def on_media_flow(self, flow: MediaFlow) -> None:
        if flow.kind != "audio" or flow.level is None:
            return
        self._levels[flow.sender] = (flow.level, time.monotonic())
        self._update_speaker()

    def _update_speaker(self) -> None:
        now = time.monotonic()
        live = [(level, pid) for pid, (level, at) in self._levels.items()
                if now - at <= SPEAKING_WINDOW_S and level >= SPEAKING_LEVEL_DB
                and pid in self.tiles and self.tiles[pid].mic]
        speaker = max(live)[1] if live else None
        if speaker != self.active_speaker:
            self.active_speaker = speaker
            for pid, tile in self.tiles.items():
                tile.set_speaking(pid == speaker)
