"""Markov-random-field (patch) style loss of Li & Wand 2016 (CNNMRF) on the random-weight loss net.

A Gram matrix keeps only second-order statistics, and many textures share them: with random loss-net
weights the style network settled on 16-px horizontal stripes, which match the paintings' Grams as well
as brush strokes do (see the model card). The MRF loss instead asks every local feature patch of the
output to be close to *some* actual patch of the painting: each 3×3 patch of the output's features is
paired with its most similar painting patch (normalised cross-correlation) and pulled towards it. Stripes
that occur nowhere in the painting then cost as much as any other wrong patch, and the painting's own
motifs (star halos, crest edges, facets) are the only way to make the term small.

Nearest-neighbour matching needs no semantics from the features, only that distances in feature space
follow local appearance, which random projections of an image window preserve (Johnson–Lindenstrauss).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

PATCH = 3


def feature_patches(feat: torch.Tensor, stride: int = 1) -> torch.Tensor:
    """(1, C, H, W) features → (L, C·3·3): every 3×3 patch as a row."""
    return F.unfold(feat, PATCH, stride=stride)[0].T.contiguous()


class PatchBank:
    """The painting's feature patches at one layer, with their unit-length copies for matching."""

    def __init__(self, patches: torch.Tensor) -> None:
        self.patches = patches
        self.unit = patches / patches.norm(dim=1, keepdim=True).clamp_min(1e-8)
        self.energy = patches.pow(2).sum(dim=1).mean()

    @classmethod
    def from_features(cls, feat: torch.Tensor, stride: int = 1) -> PatchBank:
        """The bank of a painting's (1, C, H, W) feature map."""
        return cls(feature_patches(feat, stride))

    def nearest(self, patches: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
        """The bank row most similar (cosine) to each row of ``patches``; no gradient flows through it."""
        with torch.no_grad():
            unit = patches / patches.norm(dim=1, keepdim=True).clamp_min(1e-8)
            picks = [(unit[i:i + chunk] @ self.unit.T).argmax(dim=1) for i in range(0, len(unit), chunk)]
            return self.patches[torch.cat(picks)]


def mrf_loss(feat: torch.Tensor, banks: Sequence[PatchBank], stride: int = 1,
             offset: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """Mean over the batch of ‖Ψ(out) − Ψ(NN)‖² / ‖Ψ(painting)‖² (per-patch means).

    ``feat`` is (N, C, H, W); ``banks[i]`` is the painting patch bank for sample ``i``'s style. A
    ``stride`` > 1 takes every stride-th output patch, to bound the cost of the matching, starting at
    ``offset`` (row, column). Training should vary the offset: a fixed grid weights the positions on it
    more than the others, a pattern the network can learn.
    """
    total = feat.new_zeros(())
    feat = feat[:, :, offset[0]:, offset[1]:]
    for sample, bank in zip(feat, banks, strict=True):
        patches = feature_patches(sample[None], stride)
        target = bank.nearest(patches)
        total = total + (patches - target).pow(2).sum(dim=1).mean() / bank.energy
    return total / len(banks)
