"""A slim 70×70 PatchGAN (Isola et al. 2017: C64-C128-C256-C512 with 4×4 convs, here at half the
width for a CPU budget) judging (L, ab) pairs. Used when the toolkit's ``models/nets/patchgan.py`` is
not present."""

from __future__ import annotations

import torch.nn as nn


def _block(cin: int, cout: int, stride: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 4, stride, 1, bias=False), nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.2, inplace=True)]


class SlimPatchGAN(nn.Sequential):
    def __init__(self, in_channels: int = 3, width: int = 32) -> None:
        w = width
        super().__init__(
            nn.Conv2d(in_channels, w, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),
            *_block(w, 2 * w, 2), *_block(2 * w, 4 * w, 2), *_block(4 * w, 8 * w, 1),
            nn.Conv2d(8 * w, 1, 4, 1, 1))
