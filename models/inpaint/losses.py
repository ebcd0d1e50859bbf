"""Losses for inpainting: hole-weighted L1, a mask-aware LSGAN, discriminator feature matching, and
VGG16 perceptual and style losses on the hole and its border.

The adversarial part follows LaMa's idea of a mask-aware discriminator: on the composited image a
patch is "fake" only as far as it overlaps the hole (its target is ``1 − mask`` pooled to the
discriminator's grid), so the discriminator is not asked to call real pixels fake, and the
generator's adversarial loss only counts hole patches.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.nets.inpaint import composite

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


# --- Perceptual and style losses on the hole and its border (Liu et al. 2018; LaMa) ----------------------
#
# Liu et al. add to the hole/valid L1 a perceptual loss and a Gram style loss on ImageNet VGG-16
# features; LaMa's perceptual loss on a pretrained network is what turns its fills from smeared colour
# into texture. Here both come from models.perceptual on the ImageNet VGG16 (design §6): pix2pixHD's
# weighted feature L1 (relu1_1 … relu5_1) and the relative Gram L1 (relu1_2 … relu4_3), computed on the
# composite (the fill in its context, what the user sees) and restricted to the hole grown by
# ``border`` pixels: the statistics of the fill and its seam, not of the untouched photo.

BORDER = 8


def make_feature_net(kind: str = "imagenet", last_layer: str = "relu5_1"):  # -> FeatureNet
    """The fixed feature network: the ImageNet VGG16 up to ``last_layer`` (``kind="random"``: tests only)."""
    from models.perceptual import vgg16_features

    return vgg16_features(kind, last_layer)


def hole_region(mask: torch.Tensor, border: int = BORDER) -> torch.Tensor:
    """The hole grown by ``border`` pixels (a square neighbourhood)."""
    return F.max_pool2d(mask, 2 * border + 1, stride=1, padding=border) if border > 0 else mask


def vgg_terms(feature_net, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, border: int = BORDER,
              *, feature_and_style: bool = True, unit: bool = False) -> dict[str, torch.Tensor]:
    """VGG16 terms of the composite against the truth, from one pass of the feature network over each:
    ``"feature"`` and ``"style"`` (``feature_and_style``) over the hole and its border, and ``"unit"`` — the
    evaluation's perceptual distance (``models.perceptual.unit_feature_loss``) of the whole composite, what
    issue #21 measures, with gradients into the hole."""
    from models.perceptual import perceptual_terms

    return perceptual_terms(feature_net, composite(pred, target, mask), target, hole_region(mask, border),
                            feature=feature_and_style, style=feature_and_style, unit=unit)


def hole_border_tv(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Total variation (mean |Δ|) of the composite over the one-pixel dilation of the hole (Liu et al.).

    Only neighbour pairs with both pixels in the dilated hole count, so the smoothness it asks for
    is that of the fill and its seam, not of the known photo.
    """
    comp = composite(pred, target, mask)
    region = F.max_pool2d(mask, 3, stride=1, padding=1)
    ry = region[..., 1:, :] * region[..., :-1, :]
    rx = region[..., :, 1:] * region[..., :, :-1]
    dy = (comp[..., 1:, :] - comp[..., :-1, :]).abs() * ry
    dx = (comp[..., :, 1:] - comp[..., :, :-1]).abs() * rx
    count = (ry.sum() + rx.sum()) * comp.shape[1]
    return (dy.sum() + dx.sum()) / count.clamp_min(1.0)
