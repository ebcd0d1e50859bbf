"""Losses for inpainting: hole-weighted L1, a mask-aware LSGAN, and discriminator feature matching.

The adversarial part follows LaMa's idea of a mask-aware discriminator: on the composited image a
patch is "fake" only as far as it overlaps the hole (its target is ``1 − mask`` pooled to the
discriminator's grid), so the discriminator is not asked to call real pixels fake, and the
generator's adversarial loss only counts hole patches.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.features import gram
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


# --- Partial-convolution loss recipe (Liu et al., ECCV 2018) on the random-weight FeatureNet -------------
#
# Liu et al. add to the hole/valid L1 a perceptual loss and a Gram style loss, each computed for the raw
# output *and* for the composite (output in the hole, truth elsewhere), plus a total-variation term on
# the one-pixel dilation of the hole. They use ImageNet VGG-16; no pretrained weights exist here, so the
# features come from the project's random, calibrated VGG-19-shaped FeatureNet (models/features.py),
# truncated at relu3_1. Random features are not semantic, but their Gram matrices do measure texture
# (He et al. 2016), which is what an L1-only fill lacks: L1 is minimised by the blurry conditional mean,
# whereas a fill whose feature statistics differ from the truth's (too little high-frequency energy) is
# penalised by the Gram term. Both feature terms are *relative* errors (divided by the size of the
# target's features / Gram matrix, per sample and layer), so the weights do not depend on the arbitrary
# scale of a random network's activations.

PERC_LAYERS = ("relu1_1", "relu2_1", "relu3_1")


def make_feature_net():  # -> FeatureNet (import kept local: the GAN/L1 paths do not need it)
    """The fixed random feature network of the perceptual/style losses (no trainable weights)."""
    from models.features import FeatureNet

    return FeatureNet(pool="avg", width=0.5, last_layer="relu3_1")


def _relative_l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """mean_n( Σ|a−b| / Σ|b| ) over the non-batch dimensions; ``b`` is the (detached) target."""
    dims = tuple(range(1, a.dim()))
    return ((a - b).abs().sum(dim=dims) / b.abs().sum(dim=dims).clamp_min(1e-8)).mean()


def perceptual_style(feature_net, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor,
                     layers: tuple[str, ...] = PERC_LAYERS, scales: int = 1
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """(perceptual, style) losses of Liu et al. for the output and the composite, relative errors.

    One forward pass of the feature net serves output and composite (concatenated on the batch axis);
    the target's features are computed without gradients. Each loss is the mean over ``layers`` of
    (term for the output + term for the composite). With ``scales`` > 1 the same losses are also taken
    on the images average-pooled by 2, 4, … and averaged: the deepest features then see a larger part
    of the crop — a cheap stand-in for LaMa's high-receptive-field perceptual loss, whose dilated
    pretrained segmentation network we do not have.
    """
    comp = composite(pred, target, mask)
    both = torch.cat([pred, comp], dim=0)
    perc = pred.new_zeros(())
    style = pred.new_zeros(())
    for s in range(scales):
        if s:
            both = F.avg_pool2d(both, 2)
            target = F.avg_pool2d(target, 2)
        with torch.no_grad():
            t_feats = feature_net(target, layers)
        feats = feature_net(both, layers)
        for name in layers:
            f_out, f_comp = feats[name].chunk(2, dim=0)
            t = t_feats[name]
            perc = perc + _relative_l1(f_out, t) + _relative_l1(f_comp, t)
            g_t = gram(t)
            style = style + _relative_l1(gram(f_out), g_t) + _relative_l1(gram(f_comp), g_t)
    count = len(layers) * scales
    return perc / count, style / count


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
