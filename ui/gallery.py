"""The lesson gallery: pages of tiles, the active speaker and raised hands pinned first.

What is shown where is decided in app/gallery_layout.py; this only draws it, offers
the page buttons, and says which feeds are on no tile (`hiddenChanged`: meant for
pausing their video once the subscription is multistream; nothing listens yet). The active speaker is the participant with the highest recent
audio level (the engine's MediaFlow.level, dBFS over about a second).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from klasse.app.connection_quality import ConnectionReport
from klasse.app.events import MediaFlow
from klasse.app.gallery_layout import (
    Page,
    active_speaker,
    base_order,
    layout,
    tiles_that_fit,
)
from klasse.app.protocol import Participant
from klasse.ui.base import Translatable
from klasse.ui.i18n import tr
from klasse.ui.video_tile import VideoTile


class Gallery(Translatable, QWidget):
    volumeChosen = Signal(str, float)    # a tile's per-participant volume
    hiddenChanged = Signal(list)         # participant ids on no tile now (sorted)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, VideoTile] = {}
        self.me = ""
        self._order: list[str] = []
        self._hands: list[str] = []
        self._cols = 1
        self._levels: dict[str, tuple[float, float]] = {}  # id -> (level dBFS, when)
        self.active_speaker: str | None = None
        self.strip = False   # one row below a shared screen
        self.page = Page((), frozenset(), 0, 1, frozenset())
        self._hidden: list[str] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self._area = QWidget(self)
        self._grid = QGridLayout(self._area)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        outer.addWidget(self._area, 1)
        self._pager = QWidget(self)
        bar = QHBoxLayout(self._pager)
        bar.setContentsMargins(0, 0, 0, 0)
        self.prev_button = QPushButton(self._pager)
        self.next_button = QPushButton(self._pager)
        self.page_label = QLabel(self._pager)
        self.prev_button.clicked.connect(lambda: self.turn_page(-1))
        self.next_button.clicked.connect(lambda: self.turn_page(1))
        bar.addStretch(1)
        for w in (self.prev_button, self.page_label, self.next_button):
            bar.addWidget(w)
        bar.addStretch(1)
        outer.addWidget(self._pager)
        self._pager.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._update_speaker)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(tr("Participants' video"))
        for button, text in ((self.prev_button, tr("Previous page")),
                             (self.next_button, tr("Next page"))):
            button.setText(text)
            button.setAccessibleName(text)
        self._label_page()
        for tile in self.tiles.values():
            tile.retranslate()

    def _label_page(self) -> None:
        self.page_label.setText(tr("Page {n} of {total}").format(
            n=self.page.page + 1, total=self.page.pages))

    def set_participants(self, participants: tuple[Participant, ...], me: str,
                         local_camera: bool, local_mic: bool) -> None:
        self.me = me
        joined = [p for p in participants if p.state == "joined"]
        order = base_order(participants, me)
        hands = [p.id for p in joined if p.hand]
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
        if order != self._order or hands != self._hands:
            self._order, self._hands = order, hands
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
        w, h = max(1, self._area.width()), max(1, self._area.height())
        best, best_size = 1, 0.0
        for cols in range(1, max(1, n) + 1):
            rows = -(-n // cols)
            size = min(w / cols, (h / rows) * 16 / 9)
            if size > best_size:
                best, best_size = cols, size
        return best

    def turn_page(self, step: int) -> None:
        self._relayout(self.page.page + step)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._order:
            self._relayout()

    def _relayout(self, page: int | None = None) -> None:
        per_page = tiles_that_fit(self.width(), max(1, self.height() - 40), self.strip)
        lay = layout(self._order, self.me, self.active_speaker, self._hands, per_page,
                     self.page.page if page is None else page)
        if lay.tiles == self.page.tiles and lay.pages == self.page.pages \
                and self.best_columns(len(lay.tiles)) == self._cols:
            return
        self.page = lay
        while self._grid.count():
            self._grid.takeAt(0)
        cols = self._cols = self.best_columns(len(lay.tiles))
        for i, pid in enumerate(lay.tiles):
            self._grid.addWidget(self.tiles[pid], i // cols, i % cols)
        for pid, tile in self.tiles.items():      # after addWidget: reparenting hides
            tile.setVisible(pid in lay.tiles)
        self._pager.setVisible(lay.pages > 1)
        self.prev_button.setEnabled(lay.page > 0)
        self.next_button.setEnabled(lay.page < lay.pages - 1)
        self._label_page()
        hidden = sorted(lay.hidden)
        if hidden != self._hidden:
            self._hidden = hidden
            self.hiddenChanged.emit(hidden)

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
        mic_on = {pid for pid, tile in self.tiles.items() if tile.mic}
        speaker = active_speaker(self._levels, mic_on, time.monotonic())
        if speaker != self.active_speaker:
            self.active_speaker = speaker
            for pid, tile in self.tiles.items():
                tile.set_speaking(pid == speaker)
            self._relayout()      # the speaker is pinned first
