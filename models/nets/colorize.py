"""Colorize network: L (N×1×H×W, normalised to −1..1) → ab, predicted at half resolution.

Two trunks: ``unet``, a slim U-Net trained from scratch (below), and ``vgg16``, a U-Net on the ImageNet
VGG16 with hypercolumn skips and a global feature branch (``models.nets.colorize_vgg``).
Two heads share the trunk:
- ``class``: logits over the quantised ab bins (Zhang et al. 2016), decoded by the annealed mean;
- ``gan``: ab directly (tanh, scaled to ±110), trained with L1 + PatchGAN.
Chroma varies slowly, so the decoder stops at ½ resolution and ab is upsampled bilinearly; the app
recombines it with the full-resolution L anyway. H and W must be multiples of ``MULTIPLE``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from models.nets.frozen_norm import FrozenNormMixin

MULTIPLE = 16
AB_SCALE = 110.0
TRUNKS = ("unet", "vgg16")


def conv_block(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Down(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(conv_block(cin, cout, stride=2), conv_block(cout, cout))


class Up(nn.Module):
    """Bilinear ×2, concatenate the skip, two convs."""

    def __init__(self, cin: int, cskip: int, cout: int) -> None:
        super().__init__()
        self.body = nn.Sequential(conv_block(cin + cskip, cout), conv_block(cout, cout))

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.body(torch.cat([x, skip], dim=1))


class ColorizeUNet(nn.Module):
    """Encoder to 1/16 with a dilated bottleneck (wide context for "what is this"), decoder to 1/2."""

    def __init__(self, out_channels: int, width: int = 16) -> None:
        super().__init__()
        w = width
        self.stem = conv_block(1, w)                                           # 1
        self.down1 = Down(w, 2 * w)                                            # 1/2
        self.down2 = Down(2 * w, 4 * w)                                        # 1/4
        self.down3 = Down(4 * w, 8 * w)                                        # 1/8
        self.down4 = Down(8 * w, 8 * w)                                        # 1/16
        self.context = nn.Sequential(conv_block(8 * w, 8 * w, dilation=2),
                                     conv_block(8 * w, 8 * w, dilation=4))
        self.up3 = Up(8 * w, 8 * w, 8 * w)                                     # 1/8
        self.up2 = Up(8 * w, 4 * w, 4 * w)                                     # 1/4
        self.up1 = Up(4 * w, 2 * w, 2 * w)                                     # 1/2
        self.head = nn.Conv2d(2 * w, out_channels, 1)

    def forward(self, L: torch.Tensor) -> torch.Tensor:
        """Raw head output at ½ resolution (logits or normalised ab)."""
        x0 = self.stem(L)
        x1 = self.down1(x0)
        x2 = self.down2(x1)
        x3 = self.down3(x2)
        x4 = self.context(self.down4(x3))
        y = self.up3(x4, x3)
        y = self.up2(y, x2)
        y = self.up1(y, x1)
        return self.head(y)


class ColorizeNet(FrozenNormMixin):
    """Trunk + head + decoding to ab (Lab units) at ½ resolution."""

    def __init__(self, variant: str, centres: torch.Tensor | None = None, width: int = 16,
                 temperature: float = 0.38, class_weights: torch.Tensor | None = None,
                 prior_correction: float = 0.0, trunk: str = "unet", vgg_width: float = 1.0) -> None:
        """``width``: the U-Net's base width, or the VGG16 trunk's decoder width; ``vgg_width`` scales
        the VGG16's channels (1.0 = the real network; smaller only in tests)."""
        super().__init__()
        if variant not in ("class", "gan"):
            raise ValueError(f"unknown variant {variant!r}")
        if trunk not in TRUNKS:
            raise ValueError(f"unknown trunk {trunk!r}: one of {', '.join(TRUNKS)}")
        if variant == "class" and centres is None:
            raise ValueError("the class variant needs the ab bin centres")
        self.variant = variant
        self.temperature = temperature
        out = 2 if variant == "gan" else centres.shape[0]
        self.trunk = trunk
        if trunk == "vgg16":
            from models.nets.colorize_vgg import VGGColorizeTrunk

            self.vgg = VGGColorizeTrunk(out, width=vgg_width, decoder=width)
        else:
            self.unet = ColorizeUNet(out, width)
        self.register_buffer("centres", centres if centres is not None else torch.zeros(0, 2))
        # Training with rebalancing weights w learns a distribution tilted by w towards rare colours;
        # decoding may undo a fraction β of that tilt: logits − β·log w (β = 0: Zhang et al.'s decoding).
        self.prior_correction = prior_correction
        log_w = torch.zeros(out) if class_weights is None else torch.log(class_weights)
        self.register_buffer("log_weights", log_w)  # saved: export decodes with the run's prior

    def raw(self, L: torch.Tensor) -> torch.Tensor:
        return self.vgg(L) if self.trunk == "vgg16" else self.unet(L)

    def decode(self, raw: torch.Tensor) -> torch.Tensor:
        """Head output → ab in Lab units (annealed mean for the class variant)."""
        if self.variant == "gan":
            return torch.tanh(raw) * AB_SCALE
        if self.prior_correction:
            raw = raw - self.prior_correction * self.log_weights[None, :, None, None]
        prob = torch.softmax(raw / self.temperature, dim=1)
        return torch.einsum("nqhw,qc->nchw", prob, self.centres)

    def forward(self, L: torch.Tensor) -> torch.Tensor:
        """L (N×1×H×W, −1..1) → ab (N×2×H×W, Lab units) at full resolution."""
        ab = self.decode(self.raw(L))
        return F.interpolate(ab, size=L.shape[-2:], mode="bilinear", align_corners=False)
