"""The toolkit's 70×70 PatchGAN, returning its intermediate activations for feature matching."""

from __future__ import annotations

import torch
from torch import nn

from models.nets.patchgan import PatchGAN


class FeatureDiscriminator(nn.Module):
    """``forward(x) -> (logits, [activation after each LeakyReLU])``."""

    def __init__(self, width: int = 32) -> None:
        super().__init__()
        self.patchgan = PatchGAN(in_channels=3, base=width)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        return self.patchgan.features(x)
