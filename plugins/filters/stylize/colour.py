"""NumPy colour helpers for the stylize filter (float32 RGB, 0..1)."""

from __future__ import annotations

import numpy as np

from plugins.luma import luma


def keep_chroma(original: np.ndarray, stylised: np.ndarray) -> np.ndarray:
    """Luminance-only transfer: the stylised Y with the original Cb and Cr.

    In YCbCr, R, G and B are each Y plus a function of (Cb, Cr) only, so replacing Y by Y′ while
    keeping the chroma adds the same ΔY = Y′ − Y to all three channels.
    """
    delta = luma(stylised) - luma(original)
    return original + delta[:, :, None]

