"""Colorize trunk on the ImageNet VGG16 (issue #22): semantics from a classifier's features.

Larsson et al. (2016) colour from VGG16 hypercolumns and Iizuka et al. (2016) fuse a global image
feature into every position; this trunk does both inside a U-Net:

    L* ─ grey sRGB (L replicated to RGB) ─ VGG16 conv1_1 … conv5_3 (caffe preprocessing inside)
            relu2_2 (½) ─┐  relu3_3 (¼) ─┐  relu4_3 (⅛) ─┐  relu5_3 (1/16) ─ conv ─ ⊕ global ─┐
                          │                │                └─ 1×1 ─ cat ─ 2 convs ◄─ up ──────┘
                          │                └─ 1×1 ─ cat ─ 2 convs ◄─ up
                          └─ 1×1 ─ cat ─ 2 convs ◄─ up ─ 1×1 head → logits (or ab) at ½

global = mean over the image of relu5_3 → linear → ReLU, broadcast and fused by a 1×1 conv.
The network sees the grey picture exactly as a grey photo's RGB (sRGB of L*), which is what the
ImageNet weights saw on black-and-white photos. Output resolution is ½ like the U-Net's, so the head,
the loss and the decoding of ``models.nets.colorize.ColorizeNet`` stay the same.
The encoder starts random; training loads ``models.vgg16.conv_weights()`` (:meth:`load_vgg16`).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from models.colorize.lab import DELTA, linear_to_srgb
from models.features import FeatureNet

SKIPS = ("relu2_2", "relu3_3", "relu4_3")
DEEPEST = "relu5_3"
#: The encoder's conv layers left frozen by default: low-level edge and texture detectors.
FROZEN = ("conv1_1", "conv1_2", "conv2_1", "conv2_2")


def grey_srgb(L: torch.Tensor) -> torch.Tensor:
    """Normalised L* (−1..1, N×1×H×W) → the sRGB (0..1, N×3×H×W) of the grey with that lightness."""
    fy = ((L + 1.0) * 50.0 + 16.0) / 116.0
    y = torch.where(fy > DELTA, fy ** 3, 3 * DELTA ** 2 * (fy - 4.0 / 29.0))
    return linear_to_srgb(y).expand(-1, 3, -1, -1)


def conv_bn(cin: int, cout: int, kernel: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UpFuse(nn.Module):
    """Bilinear ×2 of the coarse path, concatenated with a 1×1-reduced skip, then two 3×3 convs."""

    def __init__(self, cin: int, cskip: int, creduced: int, cout: int) -> None:
        super().__init__()
        self.reduce = conv_bn(cskip, creduced, 1)
        self.body = nn.Sequential(conv_bn(cin + creduced, cout), conv_bn(cout, cout))

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.body(torch.cat([x, self.reduce(skip)], dim=1))


class VGGColorizeTrunk(nn.Module):
    """L (N×1×H×W, −1..1; H, W multiples of 16) → ``out_channels`` maps at ½ resolution.

    ``width`` scales the VGG16's channels (1.0 = the real network; smaller only for tests) and
    ``decoder`` the decoder's (the ½-resolution stage has ``decoder`` channels, the coarser ones 2×
    and 4× that). :meth:`set_trainable` chooses which encoder convs are fine-tuned.
    """

    def __init__(self, out_channels: int, width: float = 1.0, decoder: int = 64) -> None:
        super().__init__()
        self.encoder = FeatureNet(arch="vgg16", pool="max", last_layer=DEEPEST, init="kaiming",
                                  preprocess="caffe", width=width)
        ch = self.encoder.channels
        d = decoder
        self.bottom = conv_bn(ch(DEEPEST), 4 * d)
        self.global_fc = nn.Sequential(nn.Linear(ch(DEEPEST), 4 * d), nn.ReLU(inplace=True))
        self.fuse = conv_bn(8 * d, 4 * d, 1)
        self.up4 = UpFuse(4 * d, ch("relu4_3"), 2 * d, 4 * d)     # ⅛
        self.up3 = UpFuse(4 * d, ch("relu3_3"), d, 2 * d)         # ¼
        self.up2 = UpFuse(2 * d, ch("relu2_2"), d // 2, d)        # ½
        self.head = nn.Conv2d(d, out_channels, 1)
        self.set_trainable(frozen=FROZEN)

    def load_vgg16(self, weights: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
        """The ImageNet conv weights (``models.vgg16.conv_weights()``) into the encoder."""
        self.encoder.load_convs(weights)

    def set_trainable(self, frozen: tuple[str, ...] = FROZEN) -> None:
        """Fine-tune every encoder conv except those named in ``frozen``."""
        for name, conv in self.encoder.convs():
            conv.requires_grad_(name not in frozen)

    def freeze_through(self, last: str) -> None:
        """Keep the encoder convs up to and including ``last`` fixed and fine-tune the rest (the trainings'
        ``--frozen-through``)."""
        names = [name for name, _ in self.encoder.convs()]
        if last not in names:
            raise ValueError(f"--frozen-through must be one of {', '.join(names)}")
        self.set_trainable(frozen=tuple(names[:names.index(last) + 1]))

    def encoder_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.encoder.parameters() if p.requires_grad]

    def decoder_parameters(self) -> list[nn.Parameter]:
        return [p for name, p in self.named_parameters() if not name.startswith("encoder.")]

    def forward(self, L: torch.Tensor) -> torch.Tensor:
        feats = self.encoder(grey_srgb(L), [*SKIPS, DEEPEST])
        deep = feats[DEEPEST]
        x = self.bottom(deep)
        glob = self.global_fc(deep.mean(dim=(2, 3)))[:, :, None, None].expand(-1, -1, *x.shape[-2:])
        x = self.fuse(torch.cat([x, glob], dim=1))
        x = self.up4(x, feats["relu4_3"])
        x = self.up3(x, feats["relu3_3"])
        x = self.up2(x, feats["relu2_2"])
        return self.head(x)
