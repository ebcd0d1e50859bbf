"""Free-form brush masks that look like what a person paints over an object to remove it.

A mask is built stroke by stroke until a target coverage, drawn uniformly from a range (10–50 % by
default), is reached. Three kinds of marks are mixed:

* thick strokes — a few connected segments with a smooth random heading and round caps,
  like a big soft brush dragged over an object;
* thin strokes — long, narrow scribbles (wires, scratches, cables);
* blobs — filled ellipses and irregular polygons (a dabbed-over region).

Sizes are relative to the shorter image side, so the same seed gives the same-looking mask at any
resolution. Everything is driven by a ``numpy.random.Generator``; the same seed gives the same mask.
"""

from __future__ import annotations

import cv2
import numpy as np

COVERAGE = (0.10, 0.50)
_MAX_MARKS = 200


def _stroke(canvas: np.ndarray, rng: np.random.Generator, side: int, width: float) -> None:
    """A polyline of 2–8 segments whose heading turns smoothly, with round joints and caps."""
    h, w = canvas.shape
    x, y = rng.uniform(0, w), rng.uniform(0, h)
    heading = rng.uniform(0, 2 * np.pi)
    thickness = max(1, int(round(width)))
    cv2.circle(canvas, (int(x), int(y)), thickness // 2, 1, -1, lineType=cv2.LINE_AA)
    for _ in range(int(rng.integers(2, 9))):
        heading += rng.normal(0.0, 0.8)
        length = rng.uniform(0.06, 0.3) * side
        nx = float(np.clip(x + length * np.cos(heading), 0, w - 1))
        ny = float(np.clip(y + length * np.sin(heading), 0, h - 1))
        cv2.line(canvas, (int(x), int(y)), (int(nx), int(ny)), 1, thickness, lineType=cv2.LINE_AA)
        cv2.circle(canvas, (int(nx), int(ny)), thickness // 2, 1, -1, lineType=cv2.LINE_AA)
        x, y = nx, ny


def _blob(canvas: np.ndarray, rng: np.random.Generator, side: int, scale: float) -> None:
    """A filled ellipse or an irregular polygon around a random centre."""
    h, w = canvas.shape
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    radius = rng.uniform(0.04, 0.16) * side * scale
    if rng.random() < 0.5:
        axes = (max(1, int(radius)), max(1, int(radius * rng.uniform(0.4, 1.0))))
        cv2.ellipse(canvas, (int(cx), int(cy)), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1,
                    lineType=cv2.LINE_AA)
        return
    n = int(rng.integers(5, 12))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = radius * rng.uniform(0.5, 1.3, n)
    pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
    cv2.fillPoly(canvas, [pts.astype(np.int32)], 1, lineType=cv2.LINE_AA)


def _mark(canvas: np.ndarray, rng: np.random.Generator, side: int, shrink: float) -> None:
    """Draw one random mark; ``shrink`` < 1 makes it smaller (used when nearing the target)."""
    kind = rng.random()
    if kind < 0.45:
        _stroke(canvas, rng, side, rng.uniform(0.05, 0.14) * side * shrink)
    elif kind < 0.75:
        _stroke(canvas, rng, side, max(2.0, rng.uniform(0.01, 0.035) * side * shrink))
    else:
        _blob(canvas, rng, side, shrink)


def brush_mask(height: int, width: int, rng: np.random.Generator,
               coverage: tuple[float, float] = COVERAGE) -> np.ndarray:
    """A binary float32 (H, W) mask, 1 = hole, whose covered fraction lies within ``coverage``.

    Marks are added until a target drawn uniformly from ``coverage`` is reached; a mark that would
    overshoot the upper bound is rejected and a smaller one tried instead.
    """
    lo, hi = coverage
    side = min(height, width)
    target = rng.uniform(lo, hi)
    mask = np.zeros((height, width), np.uint8)
    shrink = 1.0
    for _ in range(_MAX_MARKS):
        trial = mask.copy()
        _mark(trial, rng, side, shrink)
        frac = float(trial.mean())
        if frac > hi:
            shrink *= 0.7
            continue
        mask = trial
        if frac >= target:
            break
    # Rare: rejected marks exhausted the budget below the lower bound. Finish with small dabs.
    while mask.mean() < lo:
        _blob(mask, rng, side, 0.3)
    return mask.astype(np.float32)


def mask_batch(n: int, height: int, width: int, seed: int,
               coverage: tuple[float, float] = COVERAGE) -> np.ndarray:
    """``n`` masks (n, H, W) from one seed: the fixed evaluation set is ``mask_batch(100, …, seed)``."""
    rng = np.random.default_rng(seed)
    return np.stack([brush_mask(height, width, rng, coverage) for _ in range(n)])


# ---------------------------------------------------------------- masks as artists paint them (training)

#: Share of each kind of training mask (:func:`artist_mask`).
ARTIST_KINDS = {"strokes": 0.3, "blobs": 0.15, "large": 0.15, "objects": 0.4}
ARTIST_COVERAGE = (0.02, 0.40)
SHAPES_CACHE = "runs/inpaint/object_shapes.npz"


def segment_shapes(segmentation: np.ndarray, min_area: float = 0.01,
                   max_area: float = 0.3) -> list[np.ndarray]:
    """The regions of one BSDS500 segmentation whose area is ``min_area``–``max_area`` of the image,
    each cropped to its bounding box (bool)."""
    shapes = []
    total = segmentation.size
    for label in np.unique(segmentation):
        region = segmentation == label
        if not min_area <= region.sum() / total <= max_area:
            continue
        ys, xs = np.nonzero(region)
        shapes.append(region[ys.min():ys.max() + 1, xs.min():xs.max() + 1].copy())
    return shapes


def object_shapes(cache: str | None = SHAPES_CACHE) -> list[np.ndarray]:
    """Object outlines from the BSDS500 train + test segmentations (first annotator of each photo; val
    is never used), cached as one packed array under runs/."""
    from pathlib import Path

    from models.data import bsds_images, bsds_truth, bsds_truth_path

    path = Path(cache) if cache else None
    if path is not None and path.exists():
        with np.load(path) as data:
            bits, sizes = data["bits"], data["sizes"]
        offsets = np.concatenate([[0], np.cumsum(sizes[:, 0] * sizes[:, 1])])
        flat = np.unpackbits(bits)[: offsets[-1]].astype(bool)
        return [flat[offsets[i]:offsets[i + 1]].reshape(h, w) for i, (h, w) in enumerate(sizes)]
    shapes = []
    for image in bsds_images("train") + bsds_images("test"):
        shapes += segment_shapes(bsds_truth(bsds_truth_path(image), "Segmentation")[0])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        sizes = np.array([s.shape for s in shapes], dtype=np.int64)
        bits = np.packbits(np.concatenate([s.ravel() for s in shapes]))
        np.savez_compressed(path, bits=bits, sizes=sizes)
    return shapes


def _object(canvas: np.ndarray, shape: np.ndarray, rng: np.random.Generator, area: float) -> None:
    """``shape`` scaled to cover about ``area`` of the canvas, flipped at random, dilated by a margin
    (a brush painted over an object covers a little around it) and placed anywhere (it may leave
    the frame)."""
    h, w = canvas.shape
    factor = np.sqrt(area * h * w / max(1, shape.sum()))
    sh, sw = max(2, round(shape.shape[0] * factor)), max(2, round(shape.shape[1] * factor))
    scaled = cv2.resize(shape.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST)
    if rng.random() < 0.5:
        scaled = scaled[:, ::-1]
    margin = int(rng.integers(1, max(2, round(0.02 * min(h, w))) + 1))
    scaled = cv2.dilate(np.pad(scaled, margin), cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                                                          (2 * margin + 1, 2 * margin + 1)))
    top = int(rng.integers(-scaled.shape[0] // 4, max(1, h - 3 * scaled.shape[0] // 4)))
    left = int(rng.integers(-scaled.shape[1] // 4, max(1, w - 3 * scaled.shape[1] // 4)))
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(h, top + scaled.shape[0]), min(w, left + scaled.shape[1])
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] |= scaled[y0 - top:y1 - top, x0 - left:x1 - left]


def artist_mask(height: int, width: int, rng: np.random.Generator, shapes: list[np.ndarray] | None = None,
                coverage: tuple[float, float] = ARTIST_COVERAGE) -> np.ndarray:
    """A binary float32 (H, W) training mask of one kind, as people paint them: thin and thick
    **strokes** (wires, scratches, a brush dragged over something), **blobs** (dabs), one **large**
    area, or 1–3 **objects** (BSDS500 segment outlines with a margin, sometimes with a few strokes).
    Coverage stays within ``coverage`` (at most 40 % by default)."""
    lo, hi = coverage
    kinds = {k: v for k, v in ARTIST_KINDS.items() if k != "objects" or shapes}
    kind = rng.choice(list(kinds), p=np.array(list(kinds.values())) / sum(kinds.values()))
    side = min(height, width)
    for _ in range(20):
        mask = np.zeros((height, width), np.uint8)
        if kind == "strokes":
            target = rng.uniform(lo, min(hi, 0.25))
            for _ in range(_MAX_MARKS):
                width = rng.uniform(0.008, 0.03) if rng.random() < 0.5 else rng.uniform(0.04, 0.12)
                _stroke(mask, rng, side, width * side)
                if mask.mean() >= target:
                    break
        elif kind == "blobs":
            target = rng.uniform(max(lo, 0.03), min(hi, 0.25))
            while mask.mean() < target:
                _blob(mask, rng, side, rng.uniform(0.3, 1.0))
        elif kind == "large":
            _blob(mask, rng, side, rng.uniform(2.0, 4.5))
        else:
            count = int(rng.integers(1, 4))
            total = rng.uniform(max(lo, 0.05), hi)
            for share in rng.dirichlet(np.ones(count)) * total:
                _object(mask, shapes[int(rng.integers(len(shapes)))], rng, float(share))
            if rng.random() < 0.3:
                for _ in range(int(rng.integers(1, 4))):
                    _stroke(mask, rng, side, rng.uniform(0.01, 0.05) * side)
        if lo <= mask.mean() <= hi:
            return mask.astype(np.float32)
    return brush_mask(height, width, rng, (max(lo, 0.05), hi))  # rare: every try missed the range
