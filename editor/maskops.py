"""Mask operations in NumPy: box/gaussian feathering, grow and shrink (van Herk max filter).

All functions take and return float32 H×W arrays in 0..1 and cost O(pixels), whatever the radius.
"""

from __future__ import annotations

import numpy as np


def _box_1d(a: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Mean over a window of 2r+1 along ``axis`` with edge replication, via a cumulative sum."""
    if r <= 0:
        return a
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r + 1, r)
    c = np.cumsum(np.pad(a, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = a.shape[axis]
    hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    lo = np.take(c, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * r + 1)).astype(np.float32)


def box_blur(mask: np.ndarray, r: int) -> np.ndarray:
    return _box_1d(_box_1d(mask, r, 0), r, 1)


def feather(mask: np.ndarray, radius: float) -> np.ndarray:
    """Soften edges: three box blurs approximate a gaussian with sigma ≈ radius / 2."""
    if radius <= 0:
        return mask.astype(np.float32, copy=True)
    sigma = radius / 2.0
    r = max(1, int(round(np.sqrt(12.0 * sigma * sigma / 3.0 + 1.0) / 2.0)))
    out = mask.astype(np.float32)
    for _ in range(3):
        out = box_blur(out, r)
    return np.clip(out, 0.0, 1.0)


def _max_1d(a: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Sliding maximum over 2r+1 samples along ``axis`` (van Herk / Gil-Werman)."""
    if r <= 0:
        return a
    a = np.moveaxis(a, axis, -1)
    n = a.shape[-1]
    w = 2 * r + 1
    total = ((n + 2 * r + w - 1) // w) * w
    padded = np.zeros(a.shape[:-1] + (total,), a.dtype)
    padded[..., r:r + n] = a
    blocks = padded.reshape(a.shape[:-1] + (total // w, w))
    g = np.maximum.accumulate(blocks, axis=-1).reshape(padded.shape)
    h = np.maximum.accumulate(blocks[..., ::-1], axis=-1)[..., ::-1].reshape(padded.shape)
    out = np.maximum(h[..., :n], g[..., w - 1:w - 1 + n])
    return np.moveaxis(out, -1, axis)


def grow(mask: np.ndarray, radius: int) -> np.ndarray:
    """Dilate by ``radius`` pixels (square structuring element); negative radius shrinks."""
    if radius == 0:
        return mask.copy()
    if radius < 0:
        return 1.0 - grow(1.0 - mask, -radius)
    return _max_1d(_max_1d(mask.astype(np.float32), radius, 0), radius, 1)


def bbox(mask: np.ndarray, threshold: float = 0.0) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) exclusive bounds of pixels above ``threshold``, or None when empty."""
    rows = np.flatnonzero((mask > threshold).any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero((mask[rows[0]:rows[-1] + 1] > threshold).any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
