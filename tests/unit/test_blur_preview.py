"""`klasse blur-preview`: an image or a video through exactly the call's blur stage."""

from __future__ import annotations

import av
import cv2
import numpy as np

from klasse.app.cli import main as cli_main
from klasse.media.blur import full_blur
from klasse.media.blur_preview import EXIT_IO, EXIT_MODEL, EXIT_OK, run

from .blur_scenes import synthetic_scene


def _write_video(path, frames: list[np.ndarray]) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        for img in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")))
        out.mux(stream.encode(None))


def test_image_through_the_cli(tmp_path) -> None:
    img, person = synthetic_scene(320, 180)
    src, dst = tmp_path / "room.png", tmp_path / "seen.png"
    cv2.imwrite(str(src), img)
    assert cli_main(["blur-preview", str(src), str(dst)]) == EXIT_OK
    seen = cv2.imread(str(dst))
    inside = cv2.erode(person, np.ones((9, 9), np.uint8)) > 0
    assert np.array_equal(seen[inside], img[inside])  # person kept (PNG is lossless)
    assert np.array_equal(seen[:30, :60], full_blur(img)[:30, :60])  # wall blurred


def test_video_modes(tmp_path) -> None:
    img, _ = synthetic_scene(160, 120)
    src = tmp_path / "room.mp4"
    _write_video(src, [np.roll(img, i * 2, axis=1) for i in range(6)])
    for mode in ("blur", "replace", "full", "off"):
        dst = tmp_path / f"seen-{mode}.webm"
        assert run(str(src), str(dst), mode) == EXIT_OK
        with av.open(str(dst)) as f:
            frames = [fr.to_ndarray(format="bgr24") for fr in f.decode(video=0)]
        assert len(frames) == 6 and frames[0].shape == img.shape


def test_missing_model_still_writes_blurred_output(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KLASSE_MODEL_DIR", str(tmp_path / "none"))
    img, _ = synthetic_scene(320, 180)
    src, dst = tmp_path / "room.png", tmp_path / "seen.png"
    cv2.imwrite(str(src), img)
    assert run(str(src), str(dst), "blur") == EXIT_MODEL
    assert "not found" in capsys.readouterr().err
    assert np.array_equal(cv2.imread(str(dst)), full_blur(img))


def test_unreadable_input(tmp_path, capsys) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"no image")
    assert run(str(bad), str(tmp_path / "out.png")) == EXIT_IO
    assert not (tmp_path / "out.png").exists()
    assert run(str(tmp_path / "absent.mp4"), str(tmp_path / "out.mp4")) == EXIT_IO
    assert not (tmp_path / "out.mp4").exists()
    assert "blur-preview" in capsys.readouterr().err
