"""VGG-19-shaped feature network for Gram (style/texture) and content losses.

ImageNet-pretrained VGG weights cannot be downloaded here, so by default the network has
**random, fixed-seed weights** (design.md §6). Gram-matrix losses on random-weight convolutional
networks still give good texture synthesis and style transfer (He, Wang & Hopcroft 2016;
Ustyuzhaninov et al. 2017), provided the activations stay well scaled through the depth. A
torchvision-compatible pretrained state dict is accepted from a path when one exists.

Initialisation of the random network (``init="calibrated"``, the default)
    1. Every conv weight is drawn from Kaiming/He normal N(0, 2 / fan_in) (He et al. 2015) with a
       ``torch.Generator`` seeded by ``seed``; biases start at 0.
    2. Per output channel, weight scale and bias are then set so that the pre-activation has mean 0
       and standard deviation 1 on a fixed calibration batch (LSUV-style, Mishkin & Matas 2016,
       done per channel like a batch norm folded into the conv). The calibration images are
       seeded 1/f ("pink") colour noise, whose power spectrum resembles natural photographs, so
       the result depends only on ``seed`` and the architecture — no data set is involved.
       Zero-mean, unit-variance pre-activations keep every ReLU active about half the time at
       every depth, so all layers contribute to the Gram matrices with comparable magnitude.
    ``init="kaiming"`` stops after step 1 (plain He init).

Input: RGB in 0..1, shape (N, 3, H, W). The network normalises with the ImageNet mean/std itself
(as torchvision's VGG expects), so pretrained and random weights take the same input.

Layer names follow the VGG-19 paper / torchvision layout (``nn.Sequential`` indices 0…36 under
``features``, so a torchvision ``vgg19`` state dict loads directly):
``conv1_1 relu1_1 conv1_2 relu1_2 pool1  conv2_1 … pool2  conv3_1 … conv3_4 relu3_4 pool3
conv4_1 … pool4  conv5_1 … relu5_4 pool5``.

API
    FeatureNet(pool="avg"|"max"|"blur", padding="zeros"|"circular", width=1.0, seed=0,
               last_layer="relu5_4", init="calibrated"|"kaiming")
        ``width`` scales every channel count (1.0 = VGG-19 exactly; smaller is faster and is only
        for random weights). ``last_layer`` truncates the network (cheaper when deep layers are not
        needed). ``padding="circular"`` makes every conv periodic, for seamless textures.
        ``pool="blur"``: [1,2,1]⊗[1,2,1]/16 blur then stride 2 (anti-aliased pooling, Zhang 2019). Its
        gradient is smooth; 2×2 average pooling's gradient is constant on 2×2 blocks, which leaves a
        2-pixel grid in images optimised through it (texture synthesis).
    net(x, layers) -> dict[name, Tensor]        features at the named layers (any order)
    net.layer_names, net.channels(name)          names present; channels of a layer
    random_vgg19(**kw) -> FeatureNet             the default random network, eval mode, no grads
    load_torchvision_vgg19(path, **kw) -> FeatureNet   pretrained weights from a state-dict file
    default_feature_net(**kw) -> FeatureNet      pretrained if $HOLST_VGG19_WEIGHTS names an existing
                                                 file, else random_vgg19(**kw)
    gram(feat) -> (N, C, C)                      F Fᵀ / (C·H·W) (Johnson et al. 2016 normalisation)
    style_loss(feats, target_grams, weights=None) -> scalar   Σ_l w_l · mean((G_l − T_l)²)
    texture_loss = style_loss                    (Gatys et al. 2015 texture synthesis loss)
    content_loss(feats, target_feats, layers) -> scalar       Σ mean((F − P)²)
    STYLE_LAYERS, CONTENT_LAYERS                 Gatys et al. 2016 choices (relu1_1…relu5_1; relu4_2)
    IMAGENET_MEAN, IMAGENET_STD
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
VGG19_BLOCKS: tuple[tuple[int, int], ...] = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
CONTENT_LAYERS = ("relu4_2",)
WEIGHTS_ENV = "HOLST_VGG19_WEIGHTS"
_CALIB_SIZE = 128
_CALIB_BATCH = 4


class BlurPool(nn.Module):
    """Anti-aliased 2× downsampling: depthwise [1,2,1]⊗[1,2,1]/16 blur, then every second pixel."""

    def __init__(self, channels: int, padding: str = "zeros") -> None:
        super().__init__()
        taps = torch.tensor([1.0, 2.0, 1.0])
        kernel = (taps[:, None] * taps[None, :] / 16.0).expand(channels, 1, 3, 3).contiguous()
        self.register_buffer("kernel", kernel, persistent=False)
        self.padding = padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.padding == "circular":
            x = F.pad(x, (1, 1, 1, 1), mode="circular")
            return F.conv2d(x, self.kernel, stride=2, groups=x.shape[1])
        return F.conv2d(x, self.kernel, stride=2, padding=1, groups=x.shape[1])


def _layout() -> list[tuple[str, str, int]]:
    """(name, kind, out_channels_at_width_1) for every module of torchvision's ``vgg19.features``."""
    rows: list[tuple[str, str, int]] = []
    for block, (n_convs, channels) in enumerate(VGG19_BLOCKS, start=1):
        for k in range(1, n_convs + 1):
            rows.append((f"conv{block}_{k}", "conv", channels))
            rows.append((f"relu{block}_{k}", "relu", channels))
        rows.append((f"pool{block}", "pool", channels))
    return rows


LAYER_NAMES: tuple[str, ...] = tuple(name for name, _, _ in _layout())


def pink_noise(batch: int, size: int, generator: torch.Generator) -> torch.Tensor:
    """Colour noise with a 1/f amplitude spectrum (like natural images), scaled to 0..1."""
    white = torch.randn(batch, 3, size, size, generator=generator)
    spectrum = torch.fft.rfft2(white)
    fy = torch.fft.fftfreq(size).abs()[:, None]
    fx = torch.fft.rfftfreq(size)[None, :]
    radius = torch.sqrt(fy ** 2 + fx ** 2).clamp_min(1.0 / size)
    noise = torch.fft.irfft2(spectrum / radius, s=(size, size))
    flat = noise.flatten(1)
    low, high = flat.min(1).values, flat.max(1).values
    return ((noise - low[:, None, None, None]) / (high - low)[:, None, None, None]).clamp(0, 1)


class FeatureNet(nn.Module):
    """VGG-19 layout with random (calibrated) or pretrained weights; see the module docstring."""

    def __init__(self, *, pool: str = "avg", padding: str = "zeros", width: float = 1.0, seed: int = 0,
                 last_layer: str = "relu5_4", init: str = "calibrated") -> None:
        super().__init__()
        if pool not in ("avg", "max", "blur"):
            raise ValueError("pool must be 'avg', 'max' or 'blur'")
        if padding not in ("zeros", "circular"):
            raise ValueError("padding must be 'zeros' or 'circular'")
        if last_layer not in LAYER_NAMES:
            raise ValueError(f"unknown layer '{last_layer}'")
        if init not in ("calibrated", "kaiming"):
            raise ValueError("init must be 'calibrated' or 'kaiming'")
        self.pool, self.padding, self.width, self.seed = pool, padding, width, seed
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        modules: list[nn.Module] = []
        names: list[str] = []
        self._channels: dict[str, int] = {}
        in_ch = 3
        for name, kind, channels in _layout():
            out_ch = max(4, int(round(channels * width)))
            if kind == "conv":
                modules.append(nn.Conv2d(in_ch, out_ch, 3, padding=1, padding_mode=padding))
                in_ch = out_ch
            elif kind == "relu":
                modules.append(nn.ReLU(inplace=False))
            elif pool == "blur":
                modules.append(BlurPool(in_ch, padding))
            else:
                modules.append(nn.AvgPool2d(2, 2) if pool == "avg" else nn.MaxPool2d(2, 2))
            names.append(name)
            self._channels[name] = in_ch
            if name == last_layer:
                break
        self.features = nn.Sequential(*modules)
        self.layer_names: tuple[str, ...] = tuple(names)
        self._index = {name: i for i, name in enumerate(names)}
        self._random_init(seed, calibrate=init == "calibrated")
        self.requires_grad_(False)
        self.eval()

    def channels(self, name: str) -> int:
        return self._channels[name]

    def convs(self) -> list[tuple[str, nn.Conv2d]]:
        """The conv layers in order, with their names."""
        return [(n, m) for n, m in zip(self.layer_names, self.features) if isinstance(m, nn.Conv2d)]

    @torch.no_grad()
    def _random_init(self, seed: int, calibrate: bool) -> None:
        gen = torch.Generator().manual_seed(seed)
        for _, conv in self.convs():
            fan_in = conv.in_channels * 9
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * math.sqrt(2.0 / fan_in))
            conv.bias.zero_()
        if not calibrate:
            return
        x = (pink_noise(_CALIB_BATCH, _CALIB_SIZE, gen) - self.mean) / self.std
        for layer in self.features:
            if isinstance(layer, nn.Conv2d):
                pre = layer(x)
                mean = pre.mean(dim=(0, 2, 3))
                std = pre.std(dim=(0, 2, 3)).clamp_min(1e-6)
                layer.weight.div_(std.view(-1, 1, 1, 1))
                layer.bias.copy_((layer.bias - mean) / std)
            x = layer(x)

    def forward(self, x: torch.Tensor, layers: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        """Features of RGB 0..1 ``x`` at ``layers`` (default: STYLE_LAYERS present in the net)."""
        wanted = list(layers) if layers is not None else [n for n in STYLE_LAYERS if n in self._index]
        unknown = [n for n in wanted if n not in self._index]
        if unknown:
            raise KeyError(f"layers not in this network: {unknown}")
        last = max(self._index[n] for n in wanted)
        h = (x - self.mean) / self.std
        out: dict[str, torch.Tensor] = {}
        for i, layer in enumerate(self.features):
            h = layer(h)
            if self.layer_names[i] in wanted:
                out[self.layer_names[i]] = h
            if i == last:
                break
        return out


def random_vgg19(**kwargs) -> FeatureNet:
    """The project's default random-weight VGG-19 (eval mode, no gradients for its weights)."""
    return FeatureNet(**kwargs)


def load_torchvision_vgg19(path: str | os.PathLike, *, pool: str = "max", padding: str = "zeros",
                           last_layer: str = "relu5_4") -> FeatureNet:
    """A FeatureNet with weights from a torchvision ``vgg19`` state dict (``features.N.weight`` keys).

    Accepts a full model state dict (classifier keys are ignored) or one already restricted to
    ``features.*``; a ``{"state_dict": ...}`` wrapper is unwrapped. No file ships with Holst.
    """
    state = torch.load(Path(path), map_location="cpu", weights_only=True)
    if isinstance(state, Mapping) and "state_dict" in state:
        state = state["state_dict"]
    net = FeatureNet(pool=pool, padding=padding, width=1.0, last_layer=last_layer, init="kaiming")
    wanted = {k: v for k, v in state.items() if k.startswith("features.")}
    own = net.state_dict()
    missing = [k for k in own if k.startswith("features.") and k not in wanted]
    if missing:
        raise ValueError(f"{path}: not a torchvision VGG-19 state dict (missing {missing[:3]}…)")
    for key in list(own):
        if key in wanted:
            if own[key].shape != wanted[key].shape:
                raise ValueError(f"{path}: {key} has shape {tuple(wanted[key].shape)}, "
                                 f"expected {tuple(own[key].shape)}")
            own[key] = wanted[key].float()
    net.load_state_dict(own)
    net.requires_grad_(False)
    return net.eval()


def pretrained_weights_path() -> Path | None:
    """The file ``$HOLST_VGG19_WEIGHTS`` names, when it exists (else the random network is used)."""
    path = os.environ.get(WEIGHTS_ENV, "")
    return Path(path) if path and Path(path).is_file() else None


def default_feature_net(**kwargs) -> FeatureNet:
    """Pretrained VGG-19 when ``$HOLST_VGG19_WEIGHTS`` names an existing file, else random weights."""
    path = pretrained_weights_path()
    if path is not None:
        keep = {k: v for k, v in kwargs.items() if k in ("pool", "padding", "last_layer")}
        return load_torchvision_vgg19(path, **keep)
    return random_vgg19(**kwargs)


def gram(feat: torch.Tensor) -> torch.Tensor:
    """Gram matrix F Fᵀ / (C·H·W) of (N, C, H, W) features → (N, C, C)."""
    n, c, h, w = feat.shape
    flat = feat.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def style_loss(feats: Mapping[str, torch.Tensor], target_grams: Mapping[str, torch.Tensor],
               weights: Mapping[str, float] | None = None) -> torch.Tensor:
    """Σ_l w_l · mean((gram(F_l) − T_l)²). Targets broadcast over the batch (shape (C, C) or (N, C, C))."""
    total = torch.zeros((), device=next(iter(feats.values())).device)
    for name, target in target_grams.items():
        weight = 1.0 if weights is None else weights.get(name, 0.0)
        if weight:
            total = total + weight * (gram(feats[name]) - target).pow(2).mean()
    return total


texture_loss = style_loss


def content_loss(feats: Mapping[str, torch.Tensor], target_feats: Mapping[str, torch.Tensor],
                 layers: Iterable[str] = CONTENT_LAYERS) -> torch.Tensor:
    """Σ over ``layers`` of mean((F − P)²)."""
    total = torch.zeros((), device=next(iter(feats.values())).device)
    for name in layers:
        total = total + F.mse_loss(feats[name], target_feats[name])
    return total
