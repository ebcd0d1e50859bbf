"""The texture-synthesis loss and its gradient as one *forward* graph, so it can be exported to ONNX.

``torch.onnx`` cannot export ``autograd``; the backward pass of the feature network is therefore
written out explicitly with ordinary forward ops, and checked against autograd in the tests:

* conv (3×3, stride 1):  dX = conv(pad(dY), flip(W)ᵀ)  — the adjoint of a convolution is the
  correlation with the spatially flipped, in/out-transposed kernel. With circular padding the
  adjoint of a circular convolution is again circular, so the same padding is used; with zero
  padding it is zero padding (``padding=1``).
* ReLU: dX = dY · [pre-activation > 0].
* 2×2 average pooling: dX = nearest-upsample(dY) / 4.
* blur pooling (models.features.BlurPool, circular): per axis dX[2i] = dY[i]/2,
  dX[2i+1] = (dY[i] + dY[i+1])/4 — a smooth (linear-interpolation) upsampling, so the gradient
  carries no 2-pixel grid.
* Gram loss  L = Σ_l w_l · mean_ij((G_l − T_l)²),  G_l = F M Fᵀ / (C·ΣM), where M is the diagonal of
  a position weight map m (the input ``region``, average-pooled along with the features):
  dL/dF = 4 · w_l · (G_l − T_l) F M / (C³ · ΣM).
  The region map lets fill mode measure the statistics of the hole being synthesized rather than of
  the whole canvas, most of which is fixed surrounding image; for a tile it is all ones.

Inputs of ``TextureStep``: image ``x`` (1, 3, H, W) in 0..1, ``region`` (1, 1, H, W) in 0..1, layer
weights ``w`` (L,), and one target Gram matrix (C_l, C_l) per loss layer. Outputs: scalar ``loss`` and
``grad`` = dL/dx (1, 3, H, W).
H and W must be multiples of 2^(number of pools) so that pooling is invertible.
``GramTargets``: (sample (1, 3, H, W), valid (1, 1, H, W)) → the Gram matrices of every loss layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from models.features import BlurPool, FeatureNet


def circular_pad(x: torch.Tensor, pad: int = 1) -> torch.Tensor:
    """Periodic padding by ``pad`` pixels on every side, with slices and concat (exports everywhere)."""
    x = torch.cat([x[:, :, -pad:], x, x[:, :, :pad]], dim=2)
    return torch.cat([x[:, :, :, -pad:], x, x[:, :, :, :pad]], dim=3)


class _Conv(nn.Module):
    """A 3×3 conv with its adjoint (for the hand-written backward pass)."""

    def __init__(self, conv: nn.Conv2d, circular: bool) -> None:
        super().__init__()
        self.circular = circular
        self.weight = nn.Parameter(conv.weight.detach().clone(), requires_grad=False)
        self.bias = nn.Parameter(conv.bias.detach().clone(), requires_grad=False)
        adjoint = conv.weight.detach().flip(2, 3).transpose(0, 1).contiguous()
        self.adjoint = nn.Parameter(adjoint, requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.circular:
            return F.conv2d(circular_pad(x), self.weight, self.bias)
        return F.conv2d(x, self.weight, self.bias, padding=1)

    def backward(self, grad: torch.Tensor) -> torch.Tensor:
        if self.circular:
            return F.conv2d(circular_pad(grad), self.adjoint)
        return F.conv2d(grad, self.adjoint, padding=1)


def _plan(net: FeatureNet, loss_layers: Sequence[str]) -> list[tuple[str, str]]:
    """(kind, name) for the modules up to the deepest loss layer; kind is conv | relu | avg | blur."""
    last = max(net.layer_names.index(n) for n in loss_layers)
    plan = []
    for name, module in zip(net.layer_names[: last + 1], net.features):
        if isinstance(module, nn.Conv2d):
            kind = "conv"
        elif isinstance(module, nn.ReLU):
            kind = "relu"
        elif isinstance(module, nn.AvgPool2d):
            kind = "avg"
        elif isinstance(module, BlurPool):
            kind = "blur"
        else:
            raise ValueError("the explicit backward pass supports average and blur pooling only")
        plan.append((kind, name))
    return plan


def _interleave(even: torch.Tensor, odd: torch.Tensor, dim: int) -> torch.Tensor:
    """[e0, o0, e1, o1, …] along ``dim`` (2 or 3) of NCHW tensors."""
    stacked = torch.stack([even, odd], dim=dim + 1)
    shape = list(even.shape)
    shape[dim] = shape[dim] * 2
    return stacked.reshape(shape)


def blur_pool_backward(grad: torch.Tensor) -> torch.Tensor:
    """Adjoint of circular BlurPool: per axis dX[2i] = dY[i]/2, dX[2i+1] = (dY[i] + dY[i+1])/4."""
    for dim in (2, 3):
        following = torch.cat([grad.narrow(dim, 1, grad.shape[dim] - 1), grad.narrow(dim, 0, 1)], dim=dim)
        grad = _interleave(grad * 0.5, (grad + following) * 0.25, dim)
    return grad


class TextureStep(nn.Module):
    """(x, w, *targets) → (loss, dloss/dx), with the backward pass written as forward ops."""

    def __init__(self, net: FeatureNet, loss_layers: Sequence[str], circular: bool = True) -> None:
        super().__init__()
        self.loss_layers = tuple(loss_layers)
        self.plan = _plan(net, self.loss_layers)
        self.convs = nn.ModuleList(
            _Conv(m, circular) for m in net.features[: len(self.plan)] if isinstance(m, nn.Conv2d))
        self.register_buffer("mean", net.mean.clone())
        self.register_buffer("std", net.std.clone())
        self.n_pools = sum(kind in ("avg", "blur") for kind, _ in self.plan)
        if "blur" in (kind for kind, _ in self.plan) and not circular:
            raise ValueError("the blur-pool backward pass is written for circular padding")
        self.circular = circular

        taps = torch.tensor([0.25, 0.5, 0.25])
        for name in (n for kind, n in self.plan if kind == "blur"):
            kernel = (taps[:, None] * taps[None, :]).expand(net.channels(name), 1, 3, 3).contiguous()
            self.register_buffer(f"blur_{name}", kernel)

    def blur(self, h: torch.Tensor, name: str) -> torch.Tensor:
        """Circular [1,2,1]² blur pooling (the adjoint in ``blur_pool_backward`` assumes circular)."""
        kernel = getattr(self, f"blur_{name}")
        return F.conv2d(circular_pad(h), kernel, stride=2, groups=kernel.shape[0])

    def forward(self, x: torch.Tensor, region: torch.Tensor, weights: torch.Tensor, *targets: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        feats, masks = self.features(x, region)
        loss, feat_grads = self.gram_terms(feats, weights, targets)
        return loss, self.backward(feat_grads, masks)

    def features(self, x: torch.Tensor, region: torch.Tensor
                 ) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], list[torch.Tensor]]:
        """Forward pass: {loss layer: (features, pooled region)} and the ReLU masks the backward pass
        needs. The plan ends at the deepest loss layer."""
        h = (x - self.mean) / self.std
        m = region
        masks: list[torch.Tensor] = []
        feats: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        conv_index = 0
        for kind, name in self.plan:
            if kind == "conv":
                h = self.convs[conv_index](h)
                conv_index += 1
            elif kind == "relu":
                masks.append((h > 0).to(h.dtype))
                h = torch.relu(h)
            else:
                h = F.avg_pool2d(h, 2) if kind == "avg" else self.blur(h, name)
                m = F.avg_pool2d(m, 2)
            if name in self.loss_layers:
                feats[name] = (h, m)
        return feats, masks

    def gram_terms(self, feats: dict[str, tuple[torch.Tensor, torch.Tensor]], weights: torch.Tensor,
                   targets: Sequence[torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The weighted Gram loss and its gradient with respect to each loss layer's features."""
        loss = torch.zeros((), dtype=weights.dtype)
        feat_grads: dict[str, torch.Tensor] = {}
        for index, name in enumerate(self.loss_layers):
            feat, weight_map = feats[name]
            _, channels, height, width = feat.shape
            flat = feat.reshape(channels, height * width)
            weight_flat = weight_map.reshape(1, height * width)
            count = weight_flat.sum().clamp_min(1e-6)
            weighted = flat * weight_flat
            diff = weighted @ flat.t() / (channels * count) - targets[index]
            loss = loss + weights[index] * (diff * diff).mean()
            grad_flat = (4.0 * weights[index] / (channels ** 3 * count)) * (diff @ weighted)
            feat_grads[name] = grad_flat.reshape(feat.shape)
        return loss, feat_grads

    def backward(self, feat_grads: dict[str, torch.Tensor], masks: list[torch.Tensor]) -> torch.Tensor:
        """d loss / d x from the gradients at the loss layers (one for each, the deepest included)."""
        masks = list(masks)
        grad = torch.zeros_like(feat_grads[self.plan[-1][1]])
        conv_index = len(self.convs)
        for kind, name in reversed(self.plan):
            if name in feat_grads:
                grad = grad + feat_grads[name]
            if kind == "conv":
                conv_index -= 1
                grad = self.convs[conv_index].backward(grad)
            elif kind == "relu":
                grad = grad * masks.pop()
            elif kind == "avg":
                grad = F.interpolate(grad, scale_factor=2.0, mode="nearest") * 0.25
            else:
                grad = blur_pool_backward(grad)
        return grad / self.std


class GramTargets(nn.Module):
    """(sample (1,3,H,W) in 0..1, valid (1,1,H,W) in {0,1}) → Gram matrices (C_l, C_l) per loss layer.

    Only feature positions whose whole receptive field lies on valid pixels count:
    G_l = Σ_p v_p F_p F_pᵀ / (C · Σ_p v_p), where v is ``valid`` eroded by every 3×3 conv and
    min-pooled by every pooling layer. With ``valid`` all ones this is ``features.gram``. This lets the
    app take texture statistics from "the rest of the image" around a hole without the hole leaking in.
    """

    def __init__(self, net: FeatureNet, loss_layers: Sequence[str]) -> None:
        super().__init__()
        self.net = net
        self.loss_layers = tuple(loss_layers)
        self.plan = _plan(net, self.loss_layers)

    def forward(self, sample: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, ...]:
        h = (sample - self.net.mean) / self.net.std
        v = valid
        grams = []
        for (kind, name), layer in zip(self.plan, self.net.features):
            h = layer(h)
            if kind in ("conv", "blur"):  # erosion; out-of-image neighbours do not invalidate
                v = -F.max_pool2d(-v, 3, stride=1, padding=1)
            if kind in ("avg", "blur"):  # zero-padded blur pooling keeps odd sizes' last pixel (ceil)
                v = -F.max_pool2d(-v, 2, stride=2, ceil_mode=kind == "blur")
            if name in self.loss_layers:
                channels = h.shape[1]
                flat = h.reshape(channels, -1)
                weight = v.reshape(1, -1)
                total = weight.sum().clamp_min(1.0)
                grams.append((flat * weight) @ flat.t() / (channels * total))
        return tuple(grams)


def reference_loss(net: FeatureNet, x: torch.Tensor, region: torch.Tensor, weights: torch.Tensor,
                   targets: Sequence[torch.Tensor], loss_layers: Sequence[str]) -> torch.Tensor:
    """The same loss through ``net`` and autograd — the ground truth the explicit gradient must match."""
    feats = net(x, loss_layers)
    total = torch.zeros((), dtype=x.dtype)
    for index, name in enumerate(loss_layers):
        feat = feats[name]
        m = F.adaptive_avg_pool2d(region, feat.shape[2:]) if feat.shape[2:] != region.shape[2:] else region
        flat = feat.reshape(feat.shape[1], -1)
        weighted = flat * m.reshape(1, -1)
        g = weighted @ flat.t() / (feat.shape[1] * m.sum())
        total = total + weights[index] * (g - targets[index]).pow(2).mean()
    return total
