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
