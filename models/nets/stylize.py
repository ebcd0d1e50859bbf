"""One feed-forward style-transfer network for N styles (Johnson et al. 2016 body, conditional instance
normalisation of Dumoulin et al. 2017).

Every normalisation layer owns a table of per-style scale/shift vectors (``gamma``, ``beta``: S×C). The
network takes a style-weights vector ``w`` (N×S) and normalises with ``w @ gamma`` and ``w @ beta``, so a
one-hot ``w`` selects a style and a convex combination blends two or more styles inside the graph.

Tiling. Instance normalisation uses whole-image statistics, so running a large photo tile by tile would
give every tile its own colour balance (visible seams). The network therefore also accepts externally
supplied normalisation statistics: ``stats`` (N×2ΣC: per layer the channel means, then the variances)
and ``stats_mix`` (N×1). Each layer normalises with ``mix·given + (1−mix)·own`` statistics and reports its
own statistics in a second output. The app first runs a downscaled copy of the whole image with
``mix = 0`` to collect global statistics, then runs every tile with ``mix = 1`` and those statistics:
all tiles then share one normalisation and the tiled result has no seams.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class StylizeConfig:
    """Shape of the network. ``widths`` are the channels at full, 1/2, 1/4 … resolution: one stride-2
    convolution per further entry, so the input sides must be multiples of ``2 ** (len(widths) - 1)``.
    ``n_res`` residual blocks work at the lowest resolution, where each 3×3 convolution sees furthest
    (the receptive field that large motifs such as whole swirls and wave crests need)."""

    n_styles: int = 5
    widths: tuple[int, ...] = (16, 32, 64, 128)
    n_res: int = 5
    eps: float = 1e-5

    @property
    def multiple(self) -> int:
        return 2 ** (len(self.widths) - 1)


#: Name endings of the per-style parameters (each norm layer's S×C scale and shift tables); every other
#: parameter is shared by all styles.
PER_STYLE = (".gamma", ".beta")


class CondInstanceNorm(nn.Module):
    """Instance normalisation whose affine parameters are a style-weighted mix of per-style rows."""

    def __init__(self, channels: int, n_styles: int, eps: float) -> None:
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(n_styles, channels))
        self.beta = nn.Parameter(torch.zeros(n_styles, channels))

    def forward(self, x: torch.Tensor, norm: NormState) -> torch.Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        var = (x - mean).pow(2).mean(dim=(2, 3), keepdim=True)
        norm.record(mean, var)
        given = norm.take(self.channels)
        if given is not None:
            given_mean, given_var, mix = given
            mean = mix * given_mean + (1.0 - mix) * mean
            var = mix * given_var + (1.0 - mix) * var
        gamma = (norm.weights @ self.gamma)[:, :, None, None]
        beta = (norm.weights @ self.beta)[:, :, None, None]
        return (x - mean) * torch.rsqrt(var + self.eps) * gamma + beta


class NormState:
    """Per-forward bookkeeping: the style weights, the given statistics (consumed layer by layer) and
    the statistics each layer measured."""

    def __init__(self, weights: torch.Tensor, stats: torch.Tensor | None, mix: torch.Tensor | None) -> None:
        self.weights = weights
        self._stats = stats
        self._mix = mix
        self._offset = 0
        self.measured: list[torch.Tensor] = []

    def record(self, mean: torch.Tensor, var: torch.Tensor) -> None:
        self.measured.append(torch.cat([mean.flatten(1), var.flatten(1)], dim=1))

    def take(self, channels: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
        if self._stats is None or self._mix is None:
            return None
        start = self._offset
        self._offset += 2 * channels
        mean = self._stats[:, start:start + channels][:, :, None, None]
        var = self._stats[:, start + channels:start + 2 * channels][:, :, None, None]
        return mean, var, self._mix[:, :, None, None]


class ConvNormAct(nn.Module):
    """Reflection-padded conv → conditional instance norm → optional ReLU."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, cfg: StylizeConfig,
                 relu: bool = True) -> None:
        super().__init__()
        self.pad = nn.ReflectionPad2d(kernel // 2)
        self.conv = nn.Conv2d(cin, cout, kernel, stride)
        self.norm = CondInstanceNorm(cout, cfg.n_styles, cfg.eps)
        self.relu = relu

    def forward(self, x: torch.Tensor, norm: NormState) -> torch.Tensor:
        x = self.norm(self.conv(self.pad(x)), norm)
        return torch.relu(x) if self.relu else x


class ResBlock(nn.Module):
    def __init__(self, channels: int, cfg: StylizeConfig) -> None:
        super().__init__()
        self.a = ConvNormAct(channels, channels, 3, 1, cfg)
        self.b = ConvNormAct(channels, channels, 3, 1, cfg, relu=False)

    def forward(self, x: torch.Tensor, norm: NormState) -> torch.Tensor:
        return x + self.b(self.a(x, norm), norm)


class UpConv(nn.Module):
    """Nearest-neighbour ×2 then conv ("resize-convolution"): no checkerboard artefacts."""

    def __init__(self, cin: int, cout: int, cfg: StylizeConfig) -> None:
        super().__init__()
        self.block = ConvNormAct(cin, cout, 3, 1, cfg)

    def forward(self, x: torch.Tensor, norm: NormState) -> torch.Tensor:
        x = nn.functional.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.block(x, norm)


class StylizeNet(nn.Module):
    """Image (N×3×H×W, 0..1, sides multiples of ``cfg.multiple``) + style weights (N×S) → stylised image."""

    def __init__(self, cfg: StylizeConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or StylizeConfig()
        widths = cfg.widths
        self.down = nn.ModuleList([ConvNormAct(3, widths[0], 9, 1, cfg)] + [
            ConvNormAct(a, b, 3, 2, cfg) for a, b in zip(widths[:-1], widths[1:])])
        self.res = nn.ModuleList([ResBlock(widths[-1], cfg) for _ in range(cfg.n_res)])
        self.up = nn.ModuleList([UpConv(a, b, cfg) for a, b in zip(widths[:0:-1], widths[-2::-1])])
        self.out_pad = nn.ReflectionPad2d(4)
        self.out_conv = nn.Conv2d(widths[0], 3, 9)

    @property
    def stats_size(self) -> int:
        """Length of the statistics vector: 2 × the channels of every normalisation layer."""
        return sum(2 * m.channels for m in self.modules() if isinstance(m, CondInstanceNorm))

    def forward(self, image: torch.Tensor, weights: torch.Tensor, stats: torch.Tensor | None = None,
                stats_mix: torch.Tensor | None = None) -> torch.Tensor:
        return self.run(image, weights, stats, stats_mix)[0]

    def run(self, image: torch.Tensor, weights: torch.Tensor, stats: torch.Tensor | None = None,
            stats_mix: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The stylised image and the normalisation statistics measured on the way."""
        norm = NormState(weights, stats, stats_mix)
        x = image - 0.5
        for layer in self.down:
            x = layer(x, norm)
        for block in self.res:
            x = block(x, norm)
        for layer in self.up:
            x = layer(x, norm)
        out = torch.sigmoid(self.out_conv(self.out_pad(x)))
        return out, torch.cat(norm.measured, dim=1)


class StylizeExport(nn.Module):
    """The graph shipped as ONNX: inputs image, style_weights, norm_stats, norm_stats_mix; outputs the
    stylised image and the measured statistics (see the module docstring for the two-pass use)."""

    def __init__(self, net: StylizeNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor, style_weights: torch.Tensor, norm_stats: torch.Tensor,
                norm_stats_mix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net.run(image, style_weights, norm_stats, norm_stats_mix)
