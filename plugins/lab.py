"""sRGB (D65) ↔ CIE L*a*b* in NumPy, with the exact piecewise formulas (IEC 61966-2-1, CIE 15).

The colorize filter uses this to split a photo into L (kept at full resolution) and ab (predicted),
and edges2photo to match its rendering's colours to a reference picture; the colorize training
code in ``models/colorize/lab.py`` mirrors it in torch from the same constants, and the tests check
that the two agree. The white point is the RGB→XYZ matrix applied to RGB white, so that neutral greys
map to a = b = 0 exactly and the round trip is exact up to float rounding.
"""

from __future__ import annotations

import numpy as np

RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]], dtype=np.float64)
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)
WHITE = RGB_TO_XYZ.sum(axis=1)  # D65 white of this matrix: (0.95047, 1.0, 1.08883)
DELTA = 6.0 / 29.0
SRGB_THRESHOLD = 0.04045  # on the encoded value; 0.0031308 on the linear one


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= SRGB_THRESHOLD, c / 12.92, ((np.maximum(c, SRGB_THRESHOLD) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.maximum(c, 0.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * np.maximum(c, 0.0031308) ** (1.0 / 2.4) - 0.055)


def _f(t: np.ndarray) -> np.ndarray:
    return np.where(t > DELTA ** 3, np.cbrt(t), t / (3.0 * DELTA ** 2) + 4.0 / 29.0)


def _f_inv(t: np.ndarray) -> np.ndarray:
    return np.where(t > DELTA, t ** 3, 3.0 * DELTA ** 2 * (t - 4.0 / 29.0))


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """float RGB 0..1 (…×3) → Lab (…×3): L in 0..100, a/b roughly −110..110. Returns float32."""
    linear = srgb_to_linear(np.asarray(rgb, dtype=np.float64))
    xyz = linear @ RGB_TO_XYZ.T / WHITE
    fx, fy, fz = (_f(xyz[..., i]) for i in range(3))
    lab = np.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)
    return lab.astype(np.float32)


def lab_to_linear(lab: np.ndarray) -> np.ndarray:
    """Lab (…×3) → linear-light RGB (float64, not clipped: out-of-gamut colours leave 0..1)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16.0) / 116.0
    fx = fy + lab[..., 1] / 500.0
    fz = fy - lab[..., 2] / 200.0
    xyz = np.stack([_f_inv(fx), _f_inv(fy), _f_inv(fz)], axis=-1) * WHITE
    return xyz @ XYZ_TO_RGB.T


def lab_to_rgb(lab: np.ndarray, clip: bool = True) -> np.ndarray:
    """Lab (…×3) → float32 sRGB 0..1 (clipped to the gamut unless ``clip=False``)."""
    rgb = linear_to_srgb(lab_to_linear(lab))
    if clip:
        rgb = np.clip(rgb, 0.0, 1.0)
    return rgb.astype(np.float32)


def lab_to_rgb_in_gamut(L: np.ndarray, ab: np.ndarray, iterations: int = 12) -> np.ndarray:
    """sRGB (H×W×3 float32) for lightness ``L`` (H×W) and chroma ``ab`` (H×W×2), keeping L exact.

    Clipping an out-of-gamut colour channel by channel changes its lightness; instead the chroma of
    such pixels is shrunk towards grey (hue and L kept) by bisection until the colour fits sRGB.
    """
    L = np.asarray(L, dtype=np.float64)
    ab = np.asarray(ab, dtype=np.float64)
    linear = lab_to_linear(np.concatenate([L[..., None], ab], axis=-1))
    outside = np.any((linear < 0.0) | (linear > 1.0), axis=-1)
    if outside.any():
        sub_L, sub_ab = L[outside][:, None], ab[outside]
        low, high = np.zeros(len(sub_L)), np.ones(len(sub_L))
        for _ in range(iterations):
            mid = 0.5 * (low + high)
            trial = lab_to_linear(np.concatenate([sub_L, sub_ab * mid[:, None]], axis=-1))
            fits = np.all((trial >= 0.0) & (trial <= 1.0), axis=-1)
            low = np.where(fits, mid, low)
            high = np.where(fits, high, mid)
        linear[outside] = lab_to_linear(np.concatenate([sub_L, sub_ab * low[:, None]], axis=-1))
    return np.clip(linear_to_srgb(linear), 0.0, 1.0).astype(np.float32)


def lightness(rgb: np.ndarray) -> np.ndarray:
    """L* (0..100, float32) of float RGB 0..1 — the desaturated photo the network sees."""
    linear = srgb_to_linear(np.asarray(rgb, dtype=np.float64))
    y = linear @ RGB_TO_XYZ[1] / WHITE[1]
    return (116.0 * _f(y) - 16.0).astype(np.float32)
