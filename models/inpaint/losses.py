"""Losses for inpainting: hole-weighted L1, a mask-aware LSGAN, and discriminator feature matching.

The adversarial part follows LaMa's idea of a mask-aware discriminator: on the composited image a
patch is "fake" only as far as it overlaps the hole (its target is ``1 − mask`` pooled to the
discriminator's grid), so the discriminator is not asked to call real pixels fake, and the
generator's adversarial loss only counts hole patches.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

HOLE_WEIGHT = 6.0
VALID_WEIGHT = 1.0


def hole_l1(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor,
            hole_weight: float = HOLE_WEIGHT, valid_weight: float = VALID_WEIGHT) -> torch.Tensor:
    """Mean absolute error, pixels in the hole counted ``hole_weight`` times, the rest ``valid_weight``.

    The valid pixels are replaced by the input at composite time, but supervising them too keeps
    the network's output continuous across the hole border.
    """
    weight = valid_weight + (hole_weight - valid_weight) * mask
    return (weight * (pred - target).abs()).mean() / ((hole_weight + valid_weight) / 2)


def patch_mask(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The hole mask pooled to a discriminator output grid (a patch overlapping the hole → > 0)."""
    return F.adaptive_max_pool2d(mask, like.shape[-2:])


def d_loss(d_real: torch.Tensor, d_fake: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """LSGAN discriminator loss; fake targets are 0 on hole patches and 1 on untouched ones."""
    target_fake = 1.0 - patch_mask(mask, d_fake)
    return 0.5 * ((d_real - 1.0) ** 2).mean() + 0.5 * ((d_fake - target_fake) ** 2).mean()


def g_adv_loss(d_fake: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """LSGAN generator loss over hole patches only."""
    m = patch_mask(mask, d_fake)
    return (m * (d_fake - 1.0) ** 2).sum() / m.sum().clamp_min(1.0)


def feature_matching(fake_feats: list[torch.Tensor], real_feats: list[torch.Tensor]) -> torch.Tensor:
    """Mean L1 between discriminator features of the composite and of the real image (pix2pixHD)."""
    losses = [(f - r.detach()).abs().mean() for f, r in zip(fake_feats, real_feats, strict=True)]
    return torch.stack(losses).mean()
