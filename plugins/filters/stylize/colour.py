"""NumPy colour and resampling helpers for the stylize filter (float32 RGB, 0..1)."""

from __future__ import annotations

import numpy as np

from plugins import resample
from plugins.luma import luma


def keep_chroma(original: np.ndarray, stylised: np.ndarray) -> np.ndarray:
    """Luminance-only transfer: the stylised Y with the original Cb and Cr.

    In YCbCr, R, G and B are each Y plus a function of (Cb, Cr) only, so replacing Y by Y′ while
    keeping the chroma adds the same ΔY = Y′ − Y to all three channels.
    """
    delta = luma(stylised) - luma(original)
    return original + delta[:, :, None]


def resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize float32 H×W×C to (height, width): area-averaging when shrinking, bicubic when growing."""
    height, width = size
    if rgb.shape[:2] == (height, width):
        return rgb
    return resample.resize(rgb, height, width, down=height * width < rgb.shape[0] * rgb.shape[1])


def fit_within(height: int, width: int, side: int) -> tuple[int, int]:
    """(h, w) scaled down (never up) so that the longer edge is at most ``side``."""
    factor = min(1.0, side / max(height, width))
    return max(1, round(height * factor)), max(1, round(width * factor))
