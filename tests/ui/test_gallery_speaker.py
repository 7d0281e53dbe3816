"""The gallery highlights the loudest participant above the speaking threshold."""

from __future__ import annotations

from klasse.app.events import MediaFlow
from klasse.app.gallery_layout import SPEAKING_LEVEL_DB
from klasse.app.protocol import Participant
from klasse.ui.gallery import Gallery


def _audio(pid: str, level: float | None) -> MediaFlow:
    return MediaFlow(kind="audio", sender=pid, frames=50, level=level)


def test_loudest_above_threshold_is_the_active_speaker(qtbot) -> None:
    gallery = Gallery()
    qtbot.addWidget(gallery)
    people = tuple(Participant(id=i, name=i, role="pupil", state="joined", mic=True)
                   for i in ("me", "anna", "ben"))
    gallery.set_participants(people, "me", local_camera=False, local_mic=True)
    gallery.on_media_flow(_audio("anna", SPEAKING_LEVEL_DB - 10))
    gallery.on_media_flow(_audio("ben", None))          # no level known: no guess
    assert gallery.active_speaker is None
    gallery.on_media_flow(_audio("anna", -30.0))
    gallery.on_media_flow(_audio("ben", -20.0))
    assert gallery.active_speaker == "ben" and gallery.tiles["ben"].speaking
    assert not gallery.tiles["anna"].speaking
    gallery.on_media_flow(_audio("ben", -90.0))          # Ben stops talking
    assert gallery.active_speaker == "anna"
    gallery.on_media_flow(MediaFlow(kind="video", sender="ben", frames=99))
    assert gallery.active_speaker == "anna"
