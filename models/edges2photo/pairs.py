"""Edge maps for BSDS500 photos and random (drawing, photo) training pairs.

Per photo the cache holds: the photo, the per-pixel count of human annotators that drew a boundary,
two Canny maps and four XDoG drawings (the app's own extractor, ``plugins/filters/edges2photo/edges.py``).
``sample_pair`` turns one entry into a randomly augmented crop: annotator agreement threshold, line
thickness, pencil darkness, scale, crop and flip.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import scipy.io

from plugins.filters.edges2photo.edges import to_gray, xdog

#: (σ, ε) of the XDoG drawings kept per photo: thin-detailed … bold-sparse.
XDOG_SETTINGS = ((0.7, 0.02), (1.0, 0.02), (1.0, 0.03), (1.5, 0.03))
#: (pre-blur σ, low, high) of the Canny maps.
CANNY_SETTINGS = ((1.5, 40, 100), (2.5, 30, 80))
SOURCE_WEIGHTS = {"human": 0.5, "xdog": 0.3, "canny": 0.2}


@dataclass
class EdgeEntry:
    """One photo and its edge maps, all at the photo's original size (uint8)."""

    name: str
    photo: np.ndarray          # H×W×3
    human: np.ndarray          # H×W: number of annotators marking a boundary here
    annotators: int
    canny: list[np.ndarray]    # H×W, 255 = edge
    xdog: list[np.ndarray]     # H×W, 255 = paper


def human_boundaries(mat_path: Path) -> tuple[np.ndarray, int]:
    """Per-pixel count of annotators who drew a boundary, and the number of annotators."""
    truth = scipy.io.loadmat(str(mat_path))["groundTruth"]
    maps = [truth[0, k]["Boundaries"][0, 0].astype(np.uint8) for k in range(truth.shape[1])]
    return np.sum(maps, axis=0).astype(np.uint8), len(maps)


def render_human(count: np.ndarray, min_agree: int, thickness: int) -> np.ndarray:
    """Boundaries drawn by ≥ ``min_agree`` annotators as float32 paper-1/ink-0 lines, dilated to
    ``thickness`` px (1 = as annotated)."""
    lines = (count >= min_agree).astype(np.uint8)
    if thickness > 1:
        lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness)))
    return 1.0 - lines.astype(np.float32)


def canny_maps(photo: np.ndarray) -> list[np.ndarray]:
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    maps = []
    for sigma, low, high in CANNY_SETTINGS:
        blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
        maps.append(cv2.Canny(blurred, low, high))
    return maps


def xdog_maps(photo: np.ndarray) -> list[np.ndarray]:
    gray = to_gray(photo.astype(np.float32) / 255.0)
    return [np.round(xdog(gray, sigma, epsilon=eps) * 255).astype(np.uint8) for sigma, eps in XDOG_SETTINGS]


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


def load_photo(image_path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(image_path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def build_entry(image_path: Path, mat_path: Path) -> EdgeEntry:
    human, annotators = human_boundaries(mat_path)
    photo = align_to_boundaries(load_photo(image_path), human)
    return EdgeEntry(image_path.stem, photo, human, annotators, canny_maps(photo), xdog_maps(photo))


def load_entries(pairs: list[tuple[Path, Path]], cache: Path | None = None) -> list[EdgeEntry]:
    """Build (or read from ``cache``) the entries for (image, ground-truth .mat) path pairs."""
    if cache is not None and cache.exists():
        with open(cache, "rb") as handle:
            return pickle.load(handle)
    entries = [build_entry(image, mat) for image, mat in pairs]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(cache, "wb") as handle:
            pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return entries


def random_drawing(entry: EdgeEntry, rng: np.random.Generator) -> np.ndarray:
    """One randomly chosen and styled drawing of ``entry`` at full size (float32, paper 1)."""
    source = rng.choice(list(SOURCE_WEIGHTS), p=list(SOURCE_WEIGHTS.values()))
    if source == "human":
        agree = int(rng.integers(1, min(3, entry.annotators) + 1))
        drawing = render_human(entry.human, agree, int(rng.choice([1, 2, 3, 4], p=[0.2, 0.35, 0.3, 0.15])))
    elif source == "canny":
        lines = entry.canny[int(rng.integers(len(entry.canny)))]
        drawing = render_human((lines > 0).astype(np.uint8), 1, int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2])))
    else:
        drawing = entry.xdog[int(rng.integers(len(entry.xdog)))].astype(np.float32) / 255.0
        if rng.random() < 0.3:  # bolder strokes: grow the ink
            drawing = cv2.erode(drawing, np.ones((2, 2), np.uint8))
    if rng.random() < 0.3:  # pencil instead of ink
        drawing = 1.0 - (1.0 - drawing) * rng.uniform(0.55, 1.0)
    return drawing


def sample_pair(entry: EdgeEntry, rng: np.random.Generator, crop: int,
                scale_range: tuple[float, float] = (0.42, 0.8)) -> tuple[np.ndarray, np.ndarray]:
    """A random (drawing H×W float32 in 0..1, photo H×W×3 float32 in 0..1) crop of size ``crop``."""
    drawing = random_drawing(entry, rng)
    height, width = entry.photo.shape[:2]
    scale = max(rng.uniform(*scale_range), (crop + 1) / min(height, width))
    size = (max(crop, round(width * scale)), max(crop, round(height * scale)))
    photo = cv2.resize(entry.photo, size, interpolation=cv2.INTER_AREA)
    drawing = cv2.resize(drawing, size, interpolation=cv2.INTER_AREA)
    y = int(rng.integers(0, size[1] - crop + 1))
    x = int(rng.integers(0, size[0] - crop + 1))
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
