"""Perceptual losses and the perceptual distance on the ImageNet VGG16 (design §6), shared by every filter.

Training losses (gradients flow into the first argument; targets are computed without gradients):
    feature_loss(net, out, target)   pix2pixHD's VGG loss (Wang et al. 2018): Σ_l w_l · mean|F_l(out) −
                                     F_l(t)|, relu1_1…relu5_1, weights 1/32, 1/16, 1/8, 1/4, 1
    style_loss(net, out, target)     Gram loss (Gatys; Liu et al. 2018 on inpainting holes): mean over
                                     layers of ‖G_l(out) − G_l(t)‖₁ / ‖G_l(t)‖₁, per sample
    unit_feature_loss(net, out, t)   the evaluation distance below as a loss (batch mean), as LPIPS is
                                     used for training super-resolution (e.g. Zhang et al. 2018, §5)
The first two take ``mask`` (N, 1, H, W) to restrict the statistics to a region (a hole and its border);
``perceptual_terms`` gives any of the three from one pass of the network over each image.

Evaluation distance (issues #21, #22):
    perceptual_distance(net, a, b)   LPIPS's uncalibrated VGG baseline (Zhang et al. 2018): features at
                                     relu1_2, relu2_2, relu3_3, relu4_3, relu5_3, each unit-normalised
                                     over channels, squared difference, spatial mean, summed over layers;
                                     one value per image
    image_distance(net, a, b)        the same for two uint8 H×W×3 pictures (``image_tensor`` converts)
    layer_distances(net, a, b)       the per-layer terms of the distance
``net`` is ``models.vgg16.imagenet_vgg16(last_layer=…)`` (deep enough for the layers used) or, in tests, a
random FeatureNet(arch="vgg16").
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F

from models.features import FeatureNet
from models.training import arg

FEATURE_WEIGHTS: Mapping[str, float] = {"relu1_1": 1 / 32, "relu2_1": 1 / 16, "relu3_1": 1 / 8,
                                        "relu4_1": 1 / 4, "relu5_1": 1.0}
STYLE_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
DISTANCE_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3")


def features_arg():  # -> a dataclass field
    """The ``--features`` flag of a training whose losses use :func:`vgg16_features`."""
    return arg("imagenet", "feature network: imagenet (VGG16) or random (tests only)")


def vgg16_features(kind: str = "imagenet", last_layer: str = "relu5_3") -> FeatureNet:
    """The feature network of a training: the ImageNet VGG16 (``models.vgg16``), or, asked for by name
    (``kind="random"``, tests only), a small random VGG16-shaped net with the same layer names."""
    if kind == "random":
        return FeatureNet(arch="vgg16", width=0.125, last_layer=last_layer, preprocess="caffe", seed=1)
    if kind != "imagenet":
        raise ValueError(f"feature network must be 'imagenet' or 'random', not {kind!r}")
    from models.vgg16 import imagenet_vgg16

    return imagenet_vgg16(last_layer=last_layer)


def _resize_mask(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The mask at a feature map's size: the fraction of each cell's pixels inside it."""
    return F.adaptive_avg_pool2d(mask, like.shape[2:]) if mask.shape[2:] != like.shape[2:] else mask


def _features(net: FeatureNet, out: torch.Tensor, target: torch.Tensor,
              layers: list[str]) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Features of ``out`` (with gradients) and of ``target`` (without), one pass each."""
    f_out = net(out, layers)
    with torch.no_grad():
        f_t = net(target, layers)
    return f_out, f_t


def _feature_term(f_out: dict[str, torch.Tensor], f_t: dict[str, torch.Tensor], weights: Mapping[str, float],
                  mask: torch.Tensor | None) -> torch.Tensor:
    total = next(iter(f_out.values())).new_zeros(())
    for name, weight in weights.items():
        diff = (f_out[name] - f_t[name]).abs()
        if mask is None:
            total = total + weight * diff.mean()
        else:
            m = _resize_mask(mask, diff)
            total = total + weight * (diff * m).sum() / (m.sum() * diff.shape[1]).clamp_min(1.0)
    return total


def _style_term(f_out: dict[str, torch.Tensor], f_t: dict[str, torch.Tensor], layers: tuple[str, ...],
                mask: torch.Tensor | None) -> torch.Tensor:
    total = next(iter(f_out.values())).new_zeros(())
    for name in layers:
        g_out, g_t = masked_gram(f_out[name], mask), masked_gram(f_t[name], mask)
        error = (g_out - g_t).abs().sum(dim=(1, 2)) / g_t.abs().sum(dim=(1, 2)).clamp_min(1e-8)
        total = total + error.mean()
    return total / len(layers)


def feature_loss(net: FeatureNet, out: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None,
                 weights: Mapping[str, float] = FEATURE_WEIGHTS) -> torch.Tensor:
    """pix2pixHD's weighted L1 between VGG features of ``out`` and ``target`` (inside ``mask`` if given)."""
    return perceptual_terms(net, out, target, mask, feature=True, weights=weights)["feature"]


def masked_gram(feat: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Gram matrix F Fᵀ / (C · Σmask) of (N, C, H, W) features, over the masked positions only."""
    n, c, h, w = feat.shape
    if mask is None:
        flat = feat.reshape(n, c, h * w)
        return flat @ flat.transpose(1, 2) / (c * h * w)
    m = _resize_mask(mask, feat).reshape(n, 1, h * w)
    flat = feat.reshape(n, c, h * w)
    return (flat * m) @ flat.transpose(1, 2) / (c * m.sum(dim=2, keepdim=True).clamp_min(1.0))


def style_loss(net: FeatureNet, out: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None,
               layers: tuple[str, ...] = STYLE_LAYERS) -> torch.Tensor:
    """Mean over ``layers`` and samples of the relative L1 Gram error ‖G(out) − G(t)‖₁ / ‖G(t)‖₁."""
    return perceptual_terms(net, out, target, mask, style=True, layers=layers)["style"]


def _unit(feat: torch.Tensor) -> torch.Tensor:
    return feat / feat.pow(2).sum(dim=1, keepdim=True).sqrt().add(1e-10)


def _unit_layer_distances(fa: dict[str, torch.Tensor], fb: dict[str, torch.Tensor],
                          layers: tuple[str, ...]) -> dict[str, torch.Tensor]:
    return {n: (_unit(fa[n]) - _unit(fb[n])).pow(2).sum(dim=1).mean(dim=(1, 2)) for n in layers}


def _unit_distance(fa: dict[str, torch.Tensor], fb: dict[str, torch.Tensor],
                   layers: tuple[str, ...]) -> torch.Tensor:
    return sum(_unit_layer_distances(fa, fb, layers).values())


def perceptual_terms(net: FeatureNet, out: torch.Tensor, target: torch.Tensor,
                     mask: torch.Tensor | None = None, *, feature: bool = False, style: bool = False,
                     unit: bool = False,
                     weights: Mapping[str, float] = FEATURE_WEIGHTS, layers: tuple[str, ...] = STYLE_LAYERS,
                     unit_layers: tuple[str, ...] = DISTANCE_LAYERS) -> dict[str, torch.Tensor]:
    """The terms asked for — ``"feature"`` (:func:`feature_loss`), ``"style"`` (:func:`style_loss`), both
    inside ``mask``, and ``"unit"`` (:func:`unit_feature_loss`, over the whole image as the evaluation
    measures it) — from one VGG pass of ``out`` and one of ``target`` over the layers they need together."""
    weights = {n: w for n, w in weights.items() if n in net.layer_names}
    needed = {*(weights if feature else ()), *(layers if style else ()), *(unit_layers if unit else ())}
    if not needed:
        return {}
    f_out, f_t = _features(net, out, target, sorted(needed))
    terms = {}
    if feature:
        terms["feature"] = _feature_term(f_out, f_t, weights, mask)
    if style:
        terms["style"] = _style_term(f_out, f_t, layers, mask)
    if unit:
        terms["unit"] = _unit_distance(f_out, f_t, unit_layers).mean()
    return terms


@torch.no_grad()
def perceptual_distance(net: FeatureNet, a: torch.Tensor, b: torch.Tensor,
                        layers: tuple[str, ...] = DISTANCE_LAYERS) -> torch.Tensor:
    """LPIPS's uncalibrated VGG distance between RGB 0..1 batches ``a`` and ``b``: one value per image."""
    return _unit_distance(net(a, list(layers)), net(b, list(layers)), layers)


@torch.no_grad()
def layer_distances(net: FeatureNet, a: torch.Tensor, b: torch.Tensor,
                    layers: tuple[str, ...] = DISTANCE_LAYERS) -> dict[str, torch.Tensor]:
    """:func:`perceptual_distance` layer by layer (one value per image each; they sum to it)."""
    return _unit_layer_distances(net(a, list(layers)), net(b, list(layers)), layers)


def unit_feature_loss(net: FeatureNet, out: torch.Tensor, target: torch.Tensor,
                      layers: tuple[str, ...] = DISTANCE_LAYERS) -> torch.Tensor:
    """:func:`perceptual_distance` with gradients into ``out``, averaged over the batch. Unlike
    :func:`feature_loss` it weighs every layer's direction of activity equally, whatever its magnitude."""
    return perceptual_terms(net, out, target, unit=True, unit_layers=layers)["unit"]


def image_tensor(rgb: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """A uint8 H×W×3 picture as the 1×3×H×W float batch (RGB 0..1) these functions take."""
    return torch.from_numpy(np.asarray(rgb, dtype=np.float32) / 255.0).permute(2, 0, 1)[None].to(device)


@torch.no_grad()
def image_distance(net: FeatureNet, a: np.ndarray, b: np.ndarray) -> float:
    """:func:`perceptual_distance` between two uint8 H×W×3 pictures (the evaluations' measure)."""
    return float(perceptual_distance(net, image_tensor(a), image_tensor(b))[0])
