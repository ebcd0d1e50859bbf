"""edges2photo generator on the ImageNet VGG16 (issue #21): a drawing's semantics from a classifier.

The slim pix2pix U-Net (``models.nets.edges2photo``) learns what the lines depict from 400 photos only; the
colorize trunk (``models.nets.colorize_vgg``: VGG16 encoder, hypercolumn skips, a global branch) met its
goal because the ImageNet features already know what things are. This generator reuses that trunk on the
drawing (paper white, ink black, as the VGG16 sees a black-and-white picture) and adds a full-resolution
stage that sees the drawing itself, so the lines land where they are drawn:

    drawing ─ VGGColorizeTrunk (decoder maps at ½) ─ bilinear ×2 ─ cat drawing ─ 2 convs ─ 3×3 → tanh RGB

It takes a ``noise`` input, as the U-Net does, so that the trainer calls both alike, and ignores it: the
output is deterministic (no dropout gains). Its inputs are not the plugin's (the U-Net's noise has 256
gains), so it is evaluated in torch (``python -m models.edges2photo.evaluate --run RUN``), not through the
app.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from models.nets.colorize_vgg import VGGColorizeTrunk, conv_bn


class VGGEdgesGenerator(nn.Module):
    """Drawing (N×1×H×W, paper +1, ink −1; H, W multiples of 16) → RGB (N×3×H×W, −1..1)."""

    multiple = 16
    noise_channels = 1

    def __init__(self, decoder: int = 64, width: float = 1.0) -> None:
        super().__init__()
        self.vgg = VGGColorizeTrunk(decoder, width=width, decoder=decoder)
        self.full = nn.Sequential(conv_bn(decoder + 1, decoder // 2), conv_bn(decoder // 2, decoder // 2))
        self.out = nn.Conv2d(decoder // 2, 3, 3, padding=1)

    def train_noise(self, batch: int, device: torch.device | str = "cpu") -> torch.Tensor:
        return torch.ones(batch, self.noise_channels, device=device)

    mean_noise = train_noise

    def forward(self, sketch: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        x = F.interpolate(self.vgg(sketch), size=sketch.shape[-2:], mode="bilinear", align_corners=False)
        return torch.tanh(self.out(self.full(torch.cat([x, sketch], dim=1))))
