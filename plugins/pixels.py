"""Pixel conversions written once: documents and output buffers hold uint8, filters compute on float32
RGB in 0..1 (``plugins.pipeline``, ``plugins.tiling`` and filters writing into ``ctx.output_buffer``)."""

from __future__ import annotations

import numpy as np


def to_float_rgb(pixels: np.ndarray) -> np.ndarray:
    """uint8 H×W×4 (or ×3) → float32 H×W×3 in 0..1."""
    return pixels[:, :, :3].astype(np.float32) / 255.0


def store(dst: np.ndarray, values: np.ndarray) -> None:
    """Write ``values`` into ``dst``: as they are, or, into uint8 from floats 0..1, rounded to 0..255.

    Out-of-range values are clamped and NaN becomes 0 (``fmax``/``fmin`` ignore NaN: one pass each).
    The arithmetic is done in a new array of at least float32 precision, so ``values`` (which may be a
    view of a filter's input) is never changed."""
    if dst.dtype != np.uint8 or values.dtype == np.uint8:
        dst[...] = values
        return
    scaled = np.multiply(values, 255.0, dtype=np.result_type(values.dtype, np.float32))
    np.add(scaled, 0.5, out=scaled)
    np.fmax(scaled, 0.0, out=scaled)
    np.fmin(scaled, 255.0, out=scaled)
    dst[...] = scaled
