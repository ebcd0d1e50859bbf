"""Training pairs for edges2photo: a photo crop and a line drawing of it, drawn the ways people draw.

Photos: BSDS500 train + test with their human boundary maps, and (``varied``) the ImageNet sample and
CQ100, which have no human boundaries and get detector lines only. Per sample:

- **scale**: the photo is resized so its long side is 220–400 px (the filter works at long side 256,
  so the network sees objects at the sizes it meets), then a square crop, and a horizontal flip half
  the time (vertical flips and rotations would put skies at the bottom);
- **drawing**, one of
  - *human*: BSDS500 boundaries drawn by ≥ 1–3 annotators, 1–4 px at full size, then area-resized
    (thin lines turn grey, as a light pencil);
  - *canny*: OpenCV Canny on the resized photo at a random blur (σ 1–2.5) and threshold (low 20–70,
    high 2–3× low), 1–2 px;
  - *xdog*: the app's own extractor (``plugins/filters/edges2photo/edges.py``: what the editor's
    "extract edges" draws) at σ 0.7–1.5, ε 0.015–0.035;
  - *hand-drawn*: human or Canny lines made to look drawn by hand (:func:`hand_drawn`: wobble,
    broken strokes, uneven pressure and width);
- **pencil**: 30 % of drawings get their ink lightened to 55–100 %.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from plugins.filters.edges2photo.edges import to_gray, xdog

SOURCE_WEIGHTS = {"human": 0.35, "canny": 0.25, "xdog": 0.2, "hand": 0.2}
#: Where the photo has no human boundaries, their share goes to the detectors.
DETECTOR_WEIGHTS = {"canny": 0.4, "xdog": 0.3, "hand": 0.3}
LONG_SIDE = (220, 400)
#: Photos larger than this (long side) are shrunk on loading: training never uses more.
MAX_LONG_SIDE = 512


@dataclass
class EdgeEntry:
    """One photo (uint8 H×W×3) and, for BSDS500, the per-pixel count of annotators who drew a boundary."""

    name: str
    photo: np.ndarray
    human: np.ndarray | None = None
    annotators: int = 0


def human_boundaries(mat_path: Path) -> tuple[np.ndarray, int]:
    """Per-pixel count of annotators who drew a boundary, and the number of annotators."""
    from models.data import bsds_truth

    maps = bsds_truth(mat_path, "Boundaries")
    return np.sum(maps, axis=0).astype(np.uint8), len(maps)


def render_human(count: np.ndarray, min_agree: int, thickness: int) -> np.ndarray:
    """Boundaries drawn by ≥ ``min_agree`` annotators as float32 paper-1/ink-0 lines, dilated to
    ``thickness`` px (1 = as annotated)."""
    lines = (count >= min_agree).astype(np.uint8)
    if thickness > 1:
        lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness)))
    return 1.0 - lines.astype(np.float32)


def canny_drawing(photo: np.ndarray, sigma: float, low: float, high: float, thickness: int = 1) -> np.ndarray:
    """Canny lines of a uint8 RGB photo as a float32 paper-1/ink-0 drawing."""
    gray = cv2.GaussianBlur(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY), (0, 0), sigma)
    return render_human((cv2.Canny(gray, low, high) > 0).astype(np.uint8), 1, thickness)


def align_to_boundaries(photo: np.ndarray, human: np.ndarray) -> np.ndarray:
    """The photo turned upright to match its boundary map.

    In this copy of BSDS500 some portrait *train* photos are stored rotated by 90° while their
    ground truth is upright; the rotation (±90°) whose image gradients best follow the annotated
    boundaries is chosen.
    """
    if photo.shape[:2] == human.shape:
        return photo
    if photo.shape[:2] != human.shape[::-1]:
        raise ValueError(f"photo {photo.shape[:2]} and boundaries {human.shape} do not match")
    best, best_score = photo, -np.inf
    for turn in (1, -1):
        candidate = np.ascontiguousarray(np.rot90(photo, turn))
        gray = cv2.cvtColor(candidate, cv2.COLOR_RGB2GRAY).astype(np.float32)
        gradient = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
        score = float((gradient * (human > 0)).mean() / (gradient.mean() + 1e-6))
        if score > best_score:
            best, best_score = candidate, score
    return best


def build_entry(image_path: Path, mat_path: Path | None = None) -> EdgeEntry:
    """A BSDS500 photo with its boundaries (upright), or any photo (shrunk to :data:`MAX_LONG_SIDE`)."""
    from models.data import load_rgb

    photo = load_rgb(image_path)
    if mat_path is None:
        height, width = photo.shape[:2]
        factor = MAX_LONG_SIDE / max(height, width)
        if factor < 1:
            photo = cv2.resize(photo, (round(width * factor), round(height * factor)),
                               interpolation=cv2.INTER_AREA)
        return EdgeEntry(image_path.stem, photo)
    human, annotators = human_boundaries(mat_path)
    return EdgeEntry(image_path.stem, align_to_boundaries(photo, human), human, annotators)


def load_entries(pairs: list[tuple[Path, Path | None]], cache: Path | None = None) -> list[EdgeEntry]:
    """Build (or read from ``cache``) the entries for (image, ground-truth .mat or None) path pairs."""
    if cache is not None and cache.exists():
        with open(cache, "rb") as handle:
            return pickle.load(handle)
    entries = [build_entry(image, mat) for image, mat in pairs]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")  # two trainings may start at once
        with open(tmp, "wb") as handle:
            pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    return entries


# ---------------------------------------------------------------- drawings

def smooth_noise(shape: tuple[int, int], length: float, rng: np.random.Generator) -> np.ndarray:
    """Zero-mean, unit-deviation noise that varies over about ``length`` pixels (float32 H×W)."""
    height, width = shape
    coarse = rng.standard_normal((max(2, round(height / length) + 2), max(2, round(width / length) + 2)))
    field = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return (field - field.mean()) / max(float(field.std()), 1e-6)


def hand_drawn(drawing: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lines redrawn as by hand: displaced by a smooth random field (wobble), broken where another
    smooth field is low (lifted pen), darker and lighter along their length (pressure), sometimes
    thicker. ``drawing`` and the result are float32, paper 1, ink 0."""
    height, width = drawing.shape
    ink = 1.0 - drawing
    amplitude, length = rng.uniform(0.5, 2.5), rng.uniform(8.0, 28.0)
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float32)
    map_x = grid_x + amplitude * smooth_noise((height, width), length, rng)
    map_y = grid_y + amplitude * smooth_noise((height, width), length, rng)
    ink = cv2.remap(ink, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    gaps = rng.uniform(0.0, 0.25)
    if gaps > 0:
        lift = smooth_noise((height, width), rng.uniform(6.0, 20.0), rng)
        ink = ink * (lift > np.quantile(lift, gaps))
    pressure = np.clip(0.8 + 0.25 * smooth_noise((height, width), rng.uniform(10.0, 40.0), rng), 0.4, 1.0)
    ink = ink * pressure
    if rng.random() < 0.35:
        ink = cv2.dilate(ink, np.ones((2, 2), np.uint8))
    return np.clip(1.0 - ink, 0.0, 1.0).astype(np.float32)


def _human_at(entry: EdgeEntry, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    assert entry.human is not None
    agree = int(rng.integers(1, min(3, entry.annotators) + 1))
    thickness = int(rng.choice([1, 2, 3, 4], p=[0.2, 0.35, 0.3, 0.15]))
    return cv2.resize(render_human(entry.human, agree, thickness), size, interpolation=cv2.INTER_AREA)


def _random_canny(photo: np.ndarray, rng: np.random.Generator, thickness: int) -> np.ndarray:
    low = rng.uniform(20.0, 70.0)
    return canny_drawing(photo, rng.uniform(1.0, 2.5), low, low * rng.uniform(2.0, 3.0), thickness)


def random_drawing(entry: EdgeEntry, photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One randomly chosen and styled drawing of ``entry`` at the size of ``photo`` (its resized copy)."""
    weights = SOURCE_WEIGHTS if entry.human is not None else DETECTOR_WEIGHTS
    source = rng.choice(list(weights), p=list(weights.values()))
    size = (photo.shape[1], photo.shape[0])
    if source == "human":
        drawing = _human_at(entry, size, rng)
    elif source == "canny":
        drawing = _random_canny(photo, rng, int(rng.choice([1, 2], p=[0.7, 0.3])))
    elif source == "xdog":
        gray = to_gray(photo.astype(np.float32) / 255.0)
        drawing = xdog(gray, rng.uniform(0.7, 1.5), epsilon=rng.uniform(0.015, 0.035)).astype(np.float32)
    else:
        use_human = entry.human is not None and rng.random() < 0.5
        lines = _human_at(entry, size, rng) if use_human else _random_canny(photo, rng, 1)
        drawing = hand_drawn(lines, rng)
    if rng.random() < 0.3:  # pencil instead of ink
        drawing = 1.0 - (1.0 - drawing) * rng.uniform(0.55, 1.0)
    return drawing.astype(np.float32)


def sample_pair(entry: EdgeEntry, rng: np.random.Generator, crop: int,
                long_side: tuple[int, int] = LONG_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """A random (drawing H×W float32 in 0..1, photo H×W×3 float32 in 0..1) crop of size ``crop``."""
    height, width = entry.photo.shape[:2]
    factor = rng.uniform(*long_side) / max(height, width)
    factor = max(factor, (crop + 1) / min(height, width))
    size = (max(crop, round(width * factor)), max(crop, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    photo = cv2.resize(entry.photo, size, interpolation=interpolation)
    y = int(rng.integers(0, size[1] - crop + 1))
    x = int(rng.integers(0, size[0] - crop + 1))
    drawing = random_drawing(entry, photo, rng)  # on the whole resized photo: no border artefacts
    photo, drawing = photo[y:y + crop, x:x + crop], drawing[y:y + crop, x:x + crop]
    if rng.random() < 0.5:
        photo, drawing = photo[:, ::-1], drawing[:, ::-1]
    return np.ascontiguousarray(drawing, dtype=np.float32), photo.astype(np.float32) / 255.0


def sample_batch(entries: list[EdgeEntry], rng: np.random.Generator, batch: int,
                 crop: int) -> tuple[np.ndarray, np.ndarray]:
    """N×1×C×C drawings in −1..1 (paper 1) and N×3×C×C photos in −1..1."""
    drawings, photos = [], []
    for _ in range(batch):
        drawing, photo = sample_pair(entries[int(rng.integers(len(entries)))], rng, crop)
        drawings.append(drawing[None])
        photos.append(photo.transpose(2, 0, 1))
    return np.stack(drawings) * 2.0 - 1.0, np.stack(photos) * 2.0 - 1.0
