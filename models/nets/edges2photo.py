"""pix2pix U-Net generator for edges2photo (Isola et al. 2017), slimmed for CPU training.

Encoder C16-C32-C64-C128-C128-C128 (4×4 convs, stride 2, LeakyReLU 0.2, BatchNorm except on the first
and innermost layers) — pix2pix's C64-…-C512 at a quarter of the width, so that the shared 2-core CPU
sees ~4× more samples in the same time — and a mirrored decoder with skip connections and a tanh RGB
output. The decoder upsamples by nearest resize + 3×3 conv instead of 4×4 transposed convs: in short
training runs transposed convs leave checkerboard patterns, which would also inflate a sharpness score.
Inputs must have H and W divisible by ``2 ** depth`` (filter.py pads).

pix2pix gets its stochasticity from dropout kept on at test time. Here that dropout is an explicit
graph input: ``noise`` (N × ``noise_channels``) holds per-channel gains for the innermost decoder
blocks. Training feeds Bernoulli(0.5)·2 gains (inverted dropout); the app feeds ``1 + v·(b·2 − 1)``
for a seeded Bernoulli draw ``b`` and a variation ``v`` in 0..1, so the seed really changes the
picture and ``v = 0`` gives the dropout's expectation.
"""

from __future__ import annotations

import torch
from torch import nn

from models.nets.frozen_norm import FrozenNormMixin

DEFAULT_WIDTHS = (16, 32, 64, 128, 128, 128)


class UNetGenerator(FrozenNormMixin):
    """Sketch (N×1×H×W, paper 1, ink −1) + noise gains (N×K) → RGB (N×3×H×W in −1..1)."""

    def __init__(self, in_channels: int = 1, out_channels: int = 3,
                 widths: tuple[int, ...] = DEFAULT_WIDTHS, noise_layers: int = 2,
                 upsample: str = "resize", frozen_norm: bool = False) -> None:
        super().__init__()
        self.upsample = upsample
        self.frozen_norm = frozen_norm
        self.widths = tuple(widths)
        self.depth = len(widths)
        self.noise_layers = noise_layers
        self.down = nn.ModuleList()
        previous = in_channels
        for index, width in enumerate(widths):
            layers: list[nn.Module] = []
            if index > 0:
                layers.append(nn.LeakyReLU(0.2))
            layers.append(nn.Conv2d(previous, width, 4, 2, 1, bias=index in (0, self.depth - 1)))
            if 0 < index < self.depth - 1:
                layers.append(nn.BatchNorm2d(width))
            self.down.append(nn.Sequential(*layers))
            previous = width
        self.up = nn.ModuleList()
        # Decoder block i turns the innermost-so-far features into the resolution of encoder level
        # depth-2-i; its input has the skip concatenated (except for the innermost block).
        for index in range(self.depth - 1):
            level = self.depth - 2 - index
            in_ch = widths[-1] if index == 0 else 2 * widths[level + 1]
            self.up.append(nn.Sequential(nn.ReLU(), self._up_conv(in_ch, widths[level], bias=False),
                                         nn.BatchNorm2d(widths[level])))
        self.final = nn.Sequential(nn.ReLU(), self._up_conv(2 * widths[0], out_channels, bias=True),
                                   nn.Tanh())
        self.noise_widths = [widths[self.depth - 2 - i] for i in range(noise_layers)]

    def _up_conv(self, in_ch: int, out_ch: int, bias: bool) -> nn.Module:
        """×2 upsampling: pix2pix's 4×4 transposed conv, or nearest resize + 3×3 conv (no checkerboard)."""
        if self.upsample == "transpose":
            return nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=bias)
        if self.upsample == "resize":
            return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                 nn.Conv2d(in_ch, out_ch, 3, 1, 1, bias=bias))
        raise ValueError(f"upsample must be 'transpose' or 'resize', not {self.upsample!r}")

    @property
    def multiple(self) -> int:
        """H and W must be divisible by this."""
        return 2 ** self.depth

    @property
    def noise_channels(self) -> int:
        return sum(self.noise_widths)

    def train_noise(self, batch: int, device: torch.device | str = "cpu") -> torch.Tensor:
        """Inverted dropout gains with p = 0.5, as pix2pix uses in training."""
        return torch.bernoulli(torch.full((batch, self.noise_channels), 0.5, device=device)) * 2.0

    def mean_noise(self, batch: int, device: torch.device | str = "cpu") -> torch.Tensor:
        """The dropout's expectation: all gains 1 (deterministic output)."""
        return torch.ones(batch, self.noise_channels, device=device)

    def forward(self, sketch: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        skips = []
        x = sketch
        for block in self.down:
            x = block(x)
            skips.append(x)
        offset = 0
        for index, block in enumerate(self.up):
            x = block(x)
            if index < self.noise_layers:
                width = self.noise_widths[index]
                x = x * noise[:, offset:offset + width, None, None]
                offset += width
            x = torch.cat([x, skips[self.depth - 2 - index]], dim=1)
        return self.final(x)
