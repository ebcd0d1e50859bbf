"""Resampling for texture synthesis: integer downscaling, periodic (wrap-around) upsampling and resizing.

Periodic versions treat the image as a torus, so a seamless tile stays seamless when it is
upsampled between coarse-to-fine levels or resized to a size that is not a multiple of 64.
"""

from __future__ import annotations

import numpy as np

from plugins.resample import resize


def downscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Float H×W×C image reduced by an integer factor with a Lanczos filter (any size)."""
    if factor == 1:
        return image
    height, width = image.shape[:2]
    return resize(image, (max(1, height // factor), max(1, width // factor)), "lanczos", clip=True)


def block_min(mask: np.ndarray, factor: int) -> np.ndarray:
    """H×W map reduced by ``factor``: a coarse pixel is the minimum of its block (validity stays strict)."""
    if factor == 1:
        return mask
    height, width = (mask.shape[0] // factor) * factor, (mask.shape[1] // factor) * factor
    blocks = mask[:height, :width].reshape(height // factor, factor, width // factor, factor)
    return blocks.min(axis=(1, 3))


def block_max(mask: np.ndarray, factor: int) -> np.ndarray:
    """H×W map reduced by ``factor``: a coarse pixel is the maximum of its block."""
    return -block_min(-mask, factor)


def upsample2_periodic(image: np.ndarray) -> np.ndarray:
    """×2 band-limited (Fourier zero-padding) upsampling of a periodic H×W×C image (H, W even).

    Bilinear ×2 upsampling was measured to leave a 2-pixel grid: neighbour differences alternate
    between 0.5·Δ and 0.25·Δ, and the short optimisation at the finest level did not erase it. Fourier
    interpolation is shift-invariant, so no pixel phase is special. Block means are preserved up to
    the Nyquist row/column, which is dropped.
    """
    height, width = image.shape[:2]
    spectrum = np.fft.rfft2(image.astype(np.float64), axes=(0, 1))
    big = np.zeros((2 * height, width + 1) + image.shape[2:], dtype=np.complex128)
    half = height // 2
    big[:half, : width // 2] = spectrum[:half, : width // 2]
    big[-half + 1:, : width // 2] = spectrum[-half + 1:, : width // 2]
    out = np.fft.irfft2(big, s=(2 * height, 2 * width), axes=(0, 1)) * 4.0
    return out.astype(np.float32)


def resize_periodic(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a periodic H×W×C tile to height×width and keep it periodic (wrap-pad, resize, crop)."""
    src_h, src_w = image.shape[:2]
    if (src_h, src_w) == (height, width):
        return image
    pad = 8
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="wrap")
    scale_y, scale_x = height / src_h, width / src_w
    big = (int(round(padded.shape[0] * scale_y)), int(round(padded.shape[1] * scale_x)))
    resized = resize(padded, big, "lanczos")
    top, left = int(round(pad * scale_y)), int(round(pad * scale_x))
    return np.clip(resized[top:top + height, left:left + width], 0.0, 1.0).astype(np.float32)


def match_histograms(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per-channel histogram matching of N×C ``values`` to M×C ``reference`` (keeps the rank order)."""
    out = np.empty_like(values)
    quantiles = np.linspace(0.0, 1.0, 256)
    for c in range(values.shape[1]):
        ref_q = np.quantile(reference[:, c], quantiles)
        order = np.argsort(values[:, c], kind="stable")
        ranks = np.empty(len(order), dtype=np.float64)
        ranks[order] = np.linspace(0.0, 1.0, len(order))
        out[:, c] = np.interp(ranks, quantiles, ref_q)
    return out
