"""Line drawings from photos (XDoG) and drawings in the network's input convention — NumPy + Pillow only.

The editor's "extract edges from the current photo" and the training data of the edges2photo network
use this same module, so the lines a user edits look like the lines the network learned from.

Conventions: a *drawing* is float32 H×W in 0..1 with white (1) paper and dark (0) lines.
"""

from __future__ import annotations

import numpy as np

from plugins.luma import luma
from plugins.netcall import fit_long_side
from plugins.resample import resize

#: Long side (pixels) at which edges are extracted; the result is resized back to the photo's size,
#: so line weight relative to the picture does not depend on the photo's resolution.
EXTRACT_SIZE = 512


def to_gray(image: np.ndarray) -> np.ndarray:
    """float32 H×W×3 (or H×W) in 0..1 → float32 H×W luminance."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        return image
    return luma(image)


def gaussian_kernel(sigma: float) -> np.ndarray:
    """Normalised 1-D Gaussian taps reaching 3 σ."""
    radius = max(1, int(np.ceil(3.0 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    taps = np.exp(-0.5 * (x / sigma) ** 2)
    return taps / taps.sum()


def _blur_axis(image: np.ndarray, taps: np.ndarray, axis: int) -> np.ndarray:
    radius = len(taps) // 2
    pad = [(0, 0)] * image.ndim
    pad[axis] = (radius, radius)
    padded = np.pad(image, pad, mode="reflect" if image.shape[axis] > radius else "edge")
    length = image.shape[axis]
    out = np.zeros_like(image)
    for i, weight in enumerate(taps):
        out += weight * np.take(padded, np.arange(i, i + length), axis=axis)
    return out


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a float32 H×W array (reflected borders)."""
    if sigma <= 0:
        return image.astype(np.float32, copy=True)
    taps = gaussian_kernel(sigma)
    return _blur_axis(_blur_axis(image.astype(np.float32), taps, 0), taps, 1)


def xdog(gray: np.ndarray, sigma: float = 1.0, k: float = 1.6, epsilon: float = 0.02,
         phi: float = 80.0) -> np.ndarray:
    """eXtended Difference of Gaussians (Winnemöller et al. 2012) with τ = 1: dark soft lines on white.

    ``D = G_σ * I − G_kσ * I`` is negative on the dark side of every edge; pixels with ``D < −ε`` are
    inked with a soft ``tanh`` ramp of steepness ``φ``. ``σ`` sets the line weight. The grey image is
    first stretched to its 1st–99th percentiles so that ``ε`` means the same on dim and bright photos.
    """
    gray = np.asarray(gray, dtype=np.float32)
    low, high = np.percentile(gray, (1.0, 99.0))
    stretched = np.clip((gray - low) / max(float(high - low), 1e-3), 0.0, 1.0)
    response = gaussian_blur(stretched, sigma) - gaussian_blur(stretched, sigma * k)
    ink = np.tanh(phi * np.maximum(-response - epsilon, 0.0))
    return (1.0 - ink).astype(np.float32)


def extract_edges(image: np.ndarray, line_weight: float = 1.0, detail: float = 0.5) -> np.ndarray:
    """A line drawing of a photo: float32 H×W×3 (or H×W) in 0..1 → float32 H×W, white paper, dark lines.

    Works at ``EXTRACT_SIZE`` on the long side (so the look is independent of the photo's pixel count)
    and returns the drawing at the photo's size. ``line_weight`` (0.5–3) scales σ; ``detail`` (0–1)
    lowers the ink threshold so that weaker edges are drawn too.
    """
    gray = to_gray(image)
    height, width = gray.shape
    small = resize(gray, fit_long_side(height, width, EXTRACT_SIZE, enlarge=False), clip=True)
    epsilon = 0.035 - 0.03 * float(np.clip(detail, 0.0, 1.0))
    drawing = xdog(small, sigma= float(np.clip(line_weight, 0.25, 4.0)), epsilon=epsilon)
    return resize(drawing, (height, width), clip=True)


def normalise_drawing(image: np.ndarray) -> np.ndarray:
    """Any drawing (RGB or grey, dark lines on a light ground) → float32 H×W with paper 1 and ink 0.

    The paper level is the 90th percentile and the ink level the darker of the 0.5th percentile and
    mid-grey, so pencil on grey paper and pure black-on-white both end up in the network's convention.
    """
    gray = to_gray(image)
    paper = float(np.percentile(gray, 90.0))
    darkest = float(np.percentile(gray, 0.5))
    if paper - darkest < 0.05:  # blank page (or a flat colour): nothing drawn
        return np.ones_like(gray)
    ink = min(darkest, 0.5)
    return np.clip((gray - ink) / (paper - ink), 0.0, 1.0).astype(np.float32)
