"""Test scenes for the blur stage: a wall of printed words, a drawn person-like figure
with its exact mask, the real photographs of people that scikit-image ships, and a
real OCR engine (Debian's tesseract) to read what survives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import skimage
from skimage.metrics import structural_similarity

WORDS = ("PRIVATE", "FAMILY", "LETTERS", "GARDEN", "MEDICINE", "HOLIDAY", "KITCHEN",
         "BIRTHDAY", "WINDOW", "PICTURE")
FONT = cv2.FONT_HERSHEY_SIMPLEX
SKIMAGE_DATA = Path(skimage.__file__).parent / "data"


def text_wall(width: int, height: int, text_px: int) -> np.ndarray:
    """A light wall covered in dark capital words `text_px` high (a poster, a shelf of labels)."""
    img = np.full((height, width, 3), (215, 225, 230), np.uint8)
    scale = text_px / cv2.getTextSize("PRIVATE", FONT, 1.0, 2)[0][1]
    thick = max(1, round(text_px / 12))
    i, y = 0, int(text_px * 2.5)
    while y < height:
        x = text_px
        while True:
            word = WORDS[i % len(WORDS)]
            w = cv2.getTextSize(word, FONT, scale, thick)[0][0]
            if x + w > width - text_px:
                break
            cv2.putText(img, word, (x, y), FONT, scale, (30, 30, 30), thick, cv2.LINE_AA)
            x += w + int(text_px * 1.6)
            i += 1
        y += int(text_px * 2.9)
    return img


def draw_figure(img: np.ndarray) -> np.ndarray:
    """Draw a head-and-shoulders figure in the middle of `img`; returns its exact mask."""
    h, w = img.shape[:2]
    s = h / 720
    mask = np.zeros((h, w), np.uint8)
    cx = w // 2

    def part(fn, *args, colour):  # draw on the image and on the mask alike
        fn(img, *args, colour, -1)
        fn(mask, *args, 255, -1)

    part(cv2.ellipse, (cx, h), (int(300 * s), int(230 * s)), 0, 180, 360, colour=(60, 60, 160))
    part(cv2.rectangle, (cx - int(45 * s), int(380 * s)), (cx + int(45 * s), int(500 * s)),
         colour=(120, 160, 210))
    part(cv2.ellipse, (cx, int(300 * s)), (int(95 * s), int(125 * s)), 0, 0, 360,
         colour=(140, 175, 225))
    part(cv2.ellipse, (cx, int(230 * s)), (int(105 * s), int(80 * s)), 0, 180, 360,
         colour=(40, 50, 70))
    for dx in (-35, 35):
        cv2.circle(img, (cx + int(dx * s), int(290 * s)), max(2, int(10 * s)), (50, 40, 30), -1)
    cv2.ellipse(img, (cx, int(360 * s)), (int(35 * s), int(12 * s)), 0, 0, 180, (60, 60, 150),
                max(1, int(3 * s)))
    return mask


def synthetic_scene(width: int = 1280, height: int = 720) -> tuple[np.ndarray, np.ndarray]:
    """Figure in front of a wall of 24 px (at 720p) words; (image, exact person mask)."""
    img = text_wall(width, height, max(8, round(24 * height / 720)))
    return img, draw_figure(img)


def photo(name: str) -> np.ndarray:
    img = cv2.imread(str(SKIMAGE_DATA / name), cv2.IMREAD_COLOR)
    assert img is not None, f"scikit-image's {name} is missing"
    return img


def astronaut_on_wall(width: int = 1280, height: int = 720) -> np.ndarray:
    """The astronaut photo (a real person beside a flag) in front of a wall of words."""
    wall = text_wall(width, height, round(24 * height / 720))
    face = cv2.resize(photo("astronaut.png"), (height, height), interpolation=cv2.INTER_AREA)
    x = (width - height) // 2
    wall[:, x:x + height] = face
    return wall


def ocr_words(img: np.ndarray) -> set[str]:
    """Upper-case tokens tesseract reads (sparse-text mode)."""
    exe = shutil.which("tesseract")
    assert exe, "tesseract-ocr is not installed (Makefile APT_PACKAGES)"
    ok, png = cv2.imencode(".png", img)
    assert ok
    res = subprocess.run([exe, "stdin", "stdout", "--psm", "11"], input=png.tobytes(),
                         capture_output=True, check=True, timeout=60)
    return {t.strip(".,:;!?'\"").upper() for t in res.stdout.decode().split()}


def readable_words(img: np.ndarray) -> set[str]:
    return ocr_words(img) & set(WORDS)


def ssim(a: np.ndarray, b: np.ndarray, region: np.ndarray | None = None) -> float:
    """Mean SSIM of two BGR images, over `region` (bool mask) if given."""
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_BGR2GRAY) for x in (a, b))
    _, full = structural_similarity(ga, gb, data_range=255, full=True)
    return float(full[region].mean() if region is not None else full.mean())


def sharpness(img: np.ndarray, region: np.ndarray) -> float:
    """Mean absolute Laplacian (edge energy) of the grey image inside `region`."""
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F))[region].mean())


def outline_band(mask: np.ndarray, inner_px: int, outer_px: int) -> np.ndarray:
    """Background pixels more than `inner_px` and at most `outer_px` outside the outline."""
    dist = cv2.distanceTransform(np.where(mask > 0, 0, 255).astype(np.uint8), cv2.DIST_L2, 5)
    return (dist > inner_px) & (dist <= outer_px)
