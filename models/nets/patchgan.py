"""The 70×70 PatchGAN discriminator of pix2pix (Isola et al. 2017): C64-C128-C256-C512, then a 1-channel map.

Each output logit sees a 70×70 input patch. The first layer has no normalisation; the others use
instance norm (batch statistics are unreliable at the small batches these filters train with).
"""

from __future__ import annotations

import torch
from torch import nn


def _block(cin: int, cout: int, stride: int, norm: bool) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, 4, stride, 1, bias=not norm)]
    if norm:
        layers.append(nn.InstanceNorm2d(cout, affine=True))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return layers


class PatchGAN(nn.Module):
    """``PatchGAN(in_channels)`` maps (N, in_channels, H, W) to raw logits (N, 1, H/8 − 2, W/8 − 2).

    For a conditional GAN pass the condition and the image concatenated on channels.
    """

    def __init__(self, in_channels: int = 3, base: int = 64) -> None:
        super().__init__()
        layers = _block(in_channels, base, 2, norm=False)
        layers += _block(base, base * 2, 2, norm=True)
        layers += _block(base * 2, base * 4, 2, norm=True)
        layers += _block(base * 4, base * 8, 1, norm=True)
        layers.append(nn.Conv2d(base * 8, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """``(logits, [activation after each LeakyReLU])``, for a feature-matching loss (pix2pixHD)."""
        feats = []
        for layer in self.net:
            x = layer(x)
            if isinstance(layer, nn.LeakyReLU):
                feats.append(x)
        return x, feats
