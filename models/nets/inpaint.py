"""Inpainting generator: a slim U-Net whose bottleneck is made of fast Fourier convolutions.

LaMa (Suvorov et al., WACV 2022) showed that fast Fourier convolutions (FFC, Chi et al., NeurIPS 2020)
give every layer an image-wide receptive field, which is what filling a large hole needs: the
network must see the far side of a 100-pixel gap. Here the encoder downsamples ×4 with strided
convolutions, the bottleneck holds residual FFC blocks (a local 3×3 branch and a global spectral
branch: rFFT → 1×1 conv on real/imag parts → inverse rFFT), and the decoder upsamples with skip
connections. The spectral transform uses ``norm="ortho"`` so its gain does not depend on the image
size, which lets a network trained on 128-px crops run at a few hundred pixels.

Every op exports to ONNX with the dynamo exporter (``DFT`` at opset 17/18; checked by
``tests/test_inpaint_export.py``). No normalisation layers: the statistics of a masked image depend
on the hole size, and a batch-norm running mean would mix them.

Input: ``image × (1 − mask) ‖ mask`` (N, 4, H, W) with H, W divisible by :data:`MULTIPLE`; image
in 0..1. Output: RGB in 0..1 (N, 3, H, W); the caller composites it into the hole.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

MULTIPLE = 4
"""Height and width of the input must be multiples of this (two stride-2 stages)."""


def _act() -> nn.Module:
    return nn.LeakyReLU(0.2, inplace=True)


class ConvAct(nn.Module):
    """Reflect-padded convolution followed by LeakyReLU."""

    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, padding=k // 2, padding_mode="reflect")
        self.act = _act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(x))


class FourierUnit(nn.Module):
    """1×1 convolution in the frequency domain: a global, image-wide mixing of features."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.act = _act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        spec = torch.fft.rfft2(x, norm="ortho")
        feat = self.act(self.conv(torch.cat([spec.real, spec.imag], dim=1)))
        spec = torch.complex(feat[:, :c], feat[:, c:])
        return torch.fft.irfft2(spec, s=(x.shape[-2], x.shape[-1]), norm="ortho")


class SpectralTransform(nn.Module):
    """LaMa's global branch: squeeze (1×1), Fourier unit with a residual, expand (1×1)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        mid = cout // 2
        self.squeeze = nn.Sequential(nn.Conv2d(cin, mid, 1), _act())
        self.fu = FourierUnit(mid)
        self.expand = nn.Conv2d(mid, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.squeeze(x)
        return self.expand(y + self.fu(y))


class FFC(nn.Module):
    """Fast Fourier convolution on a (local, global) channel split."""

    def __init__(self, channels: int, ratio_global: float = 0.5) -> None:
        super().__init__()
        self.cg = int(channels * ratio_global)
        self.cl = channels - self.cg
        cl, cg = self.cl, self.cg
        self.l2l = nn.Conv2d(cl, cl, 3, padding=1, padding_mode="reflect")
        self.l2g = nn.Conv2d(cl, cg, 3, padding=1, padding_mode="reflect")
        self.g2l = nn.Conv2d(cg, cl, 3, padding=1, padding_mode="reflect")
        self.g2g = SpectralTransform(cg, cg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xl, xg = x[:, : self.cl], x[:, self.cl:]
        yl = self.l2l(xl) + self.g2l(xg)
        yg = self.l2g(xl) + self.g2g(xg)
        return torch.cat([yl, yg], dim=1)


class FFCResBlock(nn.Module):
    """Two FFCs with activations and a residual connection (scaled for stable training)."""

    def __init__(self, channels: int, ratio_global: float = 0.5) -> None:
        super().__init__()
        self.ffc1 = FFC(channels, ratio_global)
        self.ffc2 = FFC(channels, ratio_global)
        self.act = _act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.ffc1(x))
        return x + 0.5 * self.ffc2(y)


class Up(nn.Module):
    """Nearest ×2 upsampling, concatenation with the encoder skip, two convolutions."""

    def __init__(self, cin: int, cskip: int, cout: int) -> None:
        super().__init__()
        self.conv1 = ConvAct(cin + cskip, cout)
        self.conv2 = ConvAct(cout, cout)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.conv2(self.conv1(torch.cat([x, skip], dim=1)))


class InpaintNet(nn.Module):
    """U-Net with an FFC bottleneck at 1/4 resolution.

    Channels are ``width/2`` at full resolution, ``width`` at 1/2 and ``2·width`` at 1/4: the full-
    resolution layers are kept thin because they dominate the cost on a CPU, while the bottleneck,
    where the global (Fourier) mixing happens, gets the most channels.
    """

    def __init__(self, width: int = 32, blocks: int = 3, ratio_global: float = 0.5) -> None:
        super().__init__()
        w0, w1, w2 = width // 2, width, 2 * width
        self.config = {"width": width, "blocks": blocks, "ratio_global": ratio_global}
        self.stem = ConvAct(4, w0, k=5)
        self.down1 = nn.Sequential(ConvAct(w0, w1, stride=2), ConvAct(w1, w1))
        self.down2 = nn.Sequential(ConvAct(w1, w2, stride=2), ConvAct(w2, w2))
        self.body = nn.Sequential(*[FFCResBlock(w2, ratio_global) for _ in range(blocks)])
        self.up2 = Up(w2, w1, w1)
        self.up1 = Up(w1, w0, w0)
        self.head = nn.Conv2d(w0, 3, 3, padding=1, padding_mode="reflect")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = self.stem(x)
        s1 = self.down1(s0)
        y = self.body(self.down2(s1))
        y = self.up1(self.up2(y, s1), s0)
        return torch.sigmoid(self.head(y))


def make_input(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Network input from an image (N, 3, H, W) in 0..1 and a mask (N, 1, H, W), 1 = hole."""
    return torch.cat([image * (1.0 - mask), mask], dim=1)


def composite(pred: torch.Tensor, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Keep the known pixels, take the prediction inside the hole."""
    return pred * mask + image * (1.0 - mask)
