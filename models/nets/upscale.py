"""The Upscale network: a small residual CNN that works at the low resolution and upsamples at the end.

Layout (ESPCN / ABPN family, sized for ≤ 3 s per input megapixel at ×4 on two CPU cores):

    x ─ conv3×3(3→C) ─ ReLU ─ [conv3×3(C→C) ─ ReLU] × body ─ conv3×3(C→3·s²) ─┐
    │                                                                          + ─ PixelShuffle(s) ─ y
    └──────────────────── conv5×5(3→3·s²), linear ────────────────────────────┘

The linear 5×5 branch is a learned interpolation filter (initialised to nearest-neighbour repetition,
so the untrained net is a nearest upscaler); the deep branch adds the high-frequency residual. Input
and output are RGB in 0..1; every layer keeps H, W (zero padding), so any input size works.
"""

from __future__ import annotations

import torch
from torch import nn


class UpscaleNet(nn.Module):
    def __init__(self, scale: int = 4, channels: int = 32, body: int = 6) -> None:
        super().__init__()
        if scale < 2:
            raise ValueError("scale must be ≥ 2")
        self.scale, self.channels, self.body_layers = scale, channels, body
        out = 3 * scale * scale
        layers: list[nn.Module] = [nn.Conv2d(3, channels, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(body):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True)]
        layers.append(nn.Conv2d(channels, out, 3, padding=1))
        self.deep = nn.Sequential(*layers)
        self.linear = nn.Conv2d(3, out, 5, padding=2)
        self.shuffle = nn.PixelShuffle(scale)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.deep:
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
        last = self.deep[-1]
        assert isinstance(last, nn.Conv2d)
        last.weight.data.mul_(0.1)  # start close to the linear branch alone
        with torch.no_grad():
            self.linear.weight.zero_()
            self.linear.bias.zero_()
            s2 = self.scale * self.scale
            for c in range(3):  # PixelShuffle takes channel c·s² + k to colour c, sub-pixel k
                self.linear.weight[c * s2:(c + 1) * s2, c, 2, 2] = 1.0

    @property
    def receptive_radius(self) -> int:
        """Input pixels on each side that influence one output pixel."""
        return max(self.body_layers + 2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.deep(x) + self.linear(x))


def count_params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def flops_per_input_pixel(net: UpscaleNet) -> int:
    """Multiply-adds × 2 of every convolution, per low-resolution (input) pixel."""
    total = 0
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            total += 2 * m.in_channels * m.out_channels * kh * kw
    return total
