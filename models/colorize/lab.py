"""sRGB (D65) ↔ CIE Lab in torch, differentiable, from the same constants as the app's NumPy version
(``plugins/lab.py``). Tensors are N×3×H×W (channels first)."""

from __future__ import annotations

import torch

from plugins import lab as np_lab

DELTA = np_lab.DELTA


def _matrix(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32)


RGB_TO_XYZ = _matrix(np_lab.RGB_TO_XYZ / np_lab.WHITE[:, None])  # rows pre-divided by the white
XYZ_TO_RGB = _matrix(np_lab.XYZ_TO_RGB * np_lab.WHITE[None, :])


def _mix(matrix: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return torch.einsum("ij,njhw->nihw", matrix.to(x), x)


def srgb_to_linear(c: torch.Tensor) -> torch.Tensor:
    high = ((c.clamp(min=np_lab.SRGB_THRESHOLD) + 0.055) / 1.055) ** 2.4
    return torch.where(c <= np_lab.SRGB_THRESHOLD, c / 12.92, high)


def linear_to_srgb(c: torch.Tensor) -> torch.Tensor:
    c = c.clamp(min=0.0)
    high = 1.055 * c.clamp(min=0.0031308) ** (1.0 / 2.4) - 0.055
    return torch.where(c <= 0.0031308, c * 12.92, high)


def _f(t: torch.Tensor) -> torch.Tensor:
    cube_root = t.clamp(min=DELTA ** 3) ** (1.0 / 3.0)
    return torch.where(t > DELTA ** 3, cube_root, t / (3 * DELTA ** 2) + 4.0 / 29.0)


def _f_inv(t: torch.Tensor) -> torch.Tensor:
    return torch.where(t > DELTA, t ** 3, 3 * DELTA ** 2 * (t - 4.0 / 29.0))


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """N×3×H×W sRGB 0..1 → N×3×H×W Lab (L 0..100)."""
    f = _f(_mix(RGB_TO_XYZ, srgb_to_linear(rgb)))
    fx, fy, fz = f[:, 0:1], f[:, 1:2], f[:, 2:3]
    return torch.cat([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], dim=1)


def lab_to_rgb(lab: torch.Tensor, clip: bool = True) -> torch.Tensor:
    """N×3×H×W Lab → N×3×H×W sRGB (clipped to 0..1 unless ``clip=False``)."""
    fy = (lab[:, 0:1] + 16.0) / 116.0
    f = torch.cat([fy + lab[:, 1:2] / 500.0, fy, fy - lab[:, 2:3] / 200.0], dim=1)
    rgb = linear_to_srgb(_mix(XYZ_TO_RGB, _f_inv(f)))
    return rgb.clamp(0.0, 1.0) if clip else rgb
