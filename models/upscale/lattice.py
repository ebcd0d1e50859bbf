"""The sub-pixel lattice of an upscaler's output: a pattern that repeats with the upscale factor's period.

A network that ends in a PixelShuffle writes each of the s×s sub-pixel positions of an output pixel
block from its own output channel. When those channels disagree slightly, the output carries a fixed
crosshatch with period ``s`` (visible on skin, sky and grass of the perceptually trained "photo"
model). It is measured here on the luma's fine band (the picture minus its s×s box average, which
removes any pattern of period s completely): the band is averaged per sub-pixel phase over windows of
``cells``×``cells`` blocks; in a photo those averages are near zero at every phase, a lattice makes
them differ from phase to phase. :func:`lattice_offsets` returns these phase averages (minus their
mean over the phases), :func:`lattice_rms` their RMS in 8-bit levels (the evaluation's figure) and
:func:`lattice_loss` the squared difference to the original's (the training term).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

CELLS = 8  # window side, in s×s blocks: 32 output pixels at ×4


def lattice_offsets(rgb: torch.Tensor, scale: int, cells: int = CELLS) -> torch.Tensor:
    """Phase averages of the fine band of ``rgb`` (N×3×H×W, 0..1): N×(H//(s·cells))×s×(W//(s·cells))×s,
    each window's mean over its s×s phases removed. Pixels beyond the last whole window are ignored."""
    luma = rgb.mean(dim=1, keepdim=True)
    left = (scale - 1) // 2
    padded = F.pad(luma, (left, scale - 1 - left, left, scale - 1 - left), mode="replicate")
    band = (luma - F.avg_pool2d(padded, scale, stride=1))[:, 0]
    size = scale * cells
    rows, cols = band.shape[1] // size, band.shape[2] // size
    if rows == 0 or cols == 0:
        raise ValueError(f"lattice needs at least {size}×{size} pixels, got {band.shape[1]}×{band.shape[2]}")
    band = band[:, :rows * size, :cols * size].reshape(-1, rows, cells, scale, cols, cells, scale)
    phases = band.mean(dim=(2, 5))
    return phases - phases.mean(dim=(2, 4), keepdim=True)


def lattice_loss(sr: torch.Tensor, hr: torch.Tensor, scale: int, cells: int = CELLS) -> torch.Tensor:
    """Mean squared difference between the lattice offsets of ``sr`` and of the original ``hr``."""
    return (lattice_offsets(sr, scale, cells) - lattice_offsets(hr, scale, cells)).pow(2).mean()


def lattice_rms(rgb: np.ndarray, scale: int, cells: int = CELLS) -> float:
    """RMS of the lattice offsets of a uint8 H×W×3 picture, in 8-bit levels (photos: ≈ 0.7–3)."""
    t = torch.from_numpy(np.asarray(rgb, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
    return float(lattice_offsets(t, scale, cells).pow(2).mean().sqrt()) * 255.0
