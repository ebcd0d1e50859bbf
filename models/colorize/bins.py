"""Quantised ab space for colour classification (Zhang, Isola & Efros 2016).

The ab plane is cut into a 10×10 grid; only cells that some sRGB colour reaches are kept (≈ 300 bins).
Targets are soft-encoded over the 5 nearest bin centres (Gaussian, σ = 5), the loss is reweighted by
the inverse of the smoothed empirical colour prior mixed with a uniform one (λ = ½), so that rare,
saturated colours are not drowned by the greys and browns that dominate photos. Decoding uses the
annealed mean: the mean of softmax(logits / T) over the bin centres (T ≈ 0.38).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from plugins.lab import rgb_to_lab

GRID = 10.0
AB_RANGE = 110.0
SIGMA = 5.0
REBALANCE_LAMBDA = 0.5
TEMPERATURE = 0.38
# Share β of the rebalancing tilt undone when decoding (logits − β·log w). Chosen after training on 40
# BSDS500 *train* photos (never BSD100) as the smallest β whose PSNR beats the grayscale input there
# (22.95 dB). The VGG16-trunk network (issue #22): β = 0.2 gave 22.88 dB / colourfulness ratio 0.77,
# β = 0.3 23.20 / 0.69, β = 0.4 23.45 / 0.61, β = 0.6 23.79 / 0.46. (The U-Net before it: β = 0 21.4 /
# 1.01, β = 0.6 23.06 / 0.61, β = 1 23.37 / 0.45.)
# Stop 40's network (fine-tuned on crops at the working size): β = 0.1 22.88 / 0.96, β = 0.2 23.18 / 0.88,
# β = 0.3 23.44 / 0.80, so β = 0.2 by the same rule.
# Stop 41's network (fine-tuned with a squared-error term on the decoded ab beside the cross entropy): β on
# a 0.01 grid that keeps stop 40's colour on the same photos (0.879): β = 0 24.07 / 0.884, β = 0.01 24.10 /
# 0.877, β = 0.02 24.13 / 0.869, so β = 0.01: the network's gain goes into fidelity, not into more colour.
PRIOR_CORRECTION = 0.01


def gamut_bins(step: int = 64) -> np.ndarray:
    """Centres (Q×2, float32) of the grid cells that the sRGB cube reaches, in a fixed order."""
    axis = np.linspace(0.0, 1.0, step)
    cube = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3)
    ab = rgb_to_lab(cube)[:, 1:]
    cells = np.unique(np.round(ab / GRID).astype(np.int64), axis=0)
    cells = cells[np.all(np.abs(cells * GRID) <= AB_RANGE, axis=1)]
    return (cells * GRID).astype(np.float32)


def ab_histogram(ab: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Counts of ab values (…×2) in their nearest bin."""
    flat = ab.reshape(-1, 2)
    index = np.argmin(((flat[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    return np.bincount(index, minlength=len(centres)).astype(np.float64)


def rebalance_weights(counts: np.ndarray, centres: np.ndarray, lam: float = REBALANCE_LAMBDA,
                      sigma: float = SIGMA) -> np.ndarray:
    """Per-bin loss weights ∝ ((1−λ)·p̃ + λ/Q)^−1, with p̃ the prior smoothed by a Gaussian over ab,
    normalised so that the expected weight under p̃ is 1."""
    prior = counts / max(counts.sum(), 1.0)
    d2 = ((centres[:, None, :] - centres[None]) ** 2).sum(-1)
    kernel = np.exp(-d2 / (2 * sigma ** 2))
    smooth = kernel @ prior / kernel.sum(1)
    smooth /= smooth.sum()
    weights = 1.0 / ((1.0 - lam) * smooth + lam / len(centres))
    weights /= (smooth * weights).sum()
    return weights.astype(np.float32)


def soft_encode(ab: torch.Tensor, centres: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """N×2×H×W ab → (N×Q×H×W soft targets, N×H×W index of the nearest bin).

    A Gaussian (σ = 5) over the distances to all bin centres, normalised. With bins 10 apart this is
    Zhang et al.'s 5-nearest-neighbour encoding up to weights below 1 %, without a top-k per pixel.
    """
    n, _, h, w = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    d2 = torch.cdist(flat, centres).square()
    target = torch.softmax(-d2 / (2 * SIGMA ** 2), dim=1)
    nearest = d2.argmin(dim=1)
    return target.reshape(n, h, w, -1).permute(0, 3, 1, 2), nearest.reshape(n, h, w)


def rebalanced_cross_entropy(logits: torch.Tensor, ab: torch.Tensor, centres: torch.Tensor,
                             weights: torch.Tensor) -> torch.Tensor:
    """Zhang et al.'s multinomial loss: soft-target cross entropy weighted by the rarity of the colour."""
    target, nearest = soft_encode(ab, centres)
    ce = -(target * F.log_softmax(logits, dim=1)).sum(1)
    pixel_weight = weights[nearest]
    return (ce * pixel_weight).sum() / pixel_weight.sum()


def annealed_mean(logits: torch.Tensor, centres: torch.Tensor,
                  temperature: float = TEMPERATURE) -> torch.Tensor:
    """N×Q×H×W logits → N×2×H×W ab: the mean of the temperature-sharpened distribution."""
    prob = torch.softmax(logits / temperature, dim=1)
    return torch.einsum("nqhw,qc->nchw", prob, centres)
