"""Training crops for colorize: BSDS500 train+test photos (never val = BSD100; with ``varied`` also the
ImageNet sample and CQ100), held in memory as uint8 at a few scales, sampled as random crops with
flips. The network sees L of each crop; its targets are the crop's ab, both computed in torch
(``models.colorize.lab``).

Photos are kept at several scales because the filter predicts at a working resolution (longer side
``working_size``, 256 by default): a crop of a downscaled photo shows the network as much of the scene
as it will see in the app. ``scales`` are relative to each photo's size; ``long_sides`` instead resize
every photo to given longer sides, which puts photos of different sizes (BSDS500 481 px, ImageNet
≈ 500 px, CQ100 768 px) at the app's working sizes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from models.colorize.lab import rgb_to_lab
from models.data import bsds_images, training_images

SCALES = (0.5, 0.7, 1.0)


def bsds_paths(split: str) -> list[Path]:
    """Sorted JPEG paths of one BSDS500 split ("train", "test" or "val" = BSD100)."""
    return bsds_images(split)


def load_rgb(path: Path, scale: float = 1.0) -> np.ndarray:
    """uint8 H×W×3 photo, optionally downscaled (Lanczos)."""
    with Image.open(path) as img:
        img = img.convert("RGB")
        if scale != 1.0:
            size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
            img = img.resize(size, Image.Resampling.LANCZOS)
        return np.asarray(img, dtype=np.uint8).copy()


def load_photos(crop: int, limit: int | None = None, scales: tuple[float, ...] = SCALES,
                varied: bool = False, long_sides: tuple[int, ...] = ()) -> list[tuple[np.ndarray, float]]:
    """(photo, scale) for the training photos (the first ``limit``) at every scale that holds a crop.

    The photos are BSDS500 train+test, with ``varied`` also the ImageNet sample and CQ100
    (``models.data.training_images``). With ``long_sides`` each photo is resized to those longer sides
    and the second item is the longer side instead of the scale.
    """
    paths = training_images(varied=varied)[:limit]
    if not long_sides:
        return [(load_rgb(p, s), s) for p in paths for s in scales if min(load_size(p, s)) >= crop]
    photos = []
    for path in paths:
        height, width = load_size(path, 1.0)
        for side in long_sides:
            scale = side / max(height, width)
            if min(round(height * scale), round(width * scale)) >= crop:
                photos.append((load_rgb(path, scale), float(side)))
    return photos


class CropSampler:
    """Random L/ab training crops from (photo, scale) pairs, deterministic for a given seed."""

    def __init__(self, photos: list[tuple[np.ndarray, float]], crop: int, seed: int = 0) -> None:
        if not photos:
            raise ValueError("no training photos")
        self.crop = crop
        self.images = [img for img, _ in photos]
        self.image_scales = [s for _, s in photos]
        self.rng = np.random.default_rng(seed)

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(L normalised to −1..1, N×1×c×c; ab in Lab units, N×2×c×c)."""
        crops = np.empty((size, self.crop, self.crop, 3), np.uint8)
        for i in range(size):
            img = self.images[self.rng.integers(len(self.images))]
            y = self.rng.integers(img.shape[0] - self.crop + 1)
            x = self.rng.integers(img.shape[1] - self.crop + 1)
            crop = img[y:y + self.crop, x:x + self.crop]
            if self.rng.random() < 0.5:
                crop = crop[:, ::-1]
            crops[i] = crop
        rgb = torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255.0
        lab = rgb_to_lab(rgb)
        return normalise_l(lab[:, :1]), lab[:, 1:]


def load_size(path: Path, scale: float) -> tuple[int, int]:
    with Image.open(path) as img:
        return round(img.height * scale), round(img.width * scale)


def normalise_l(L: torch.Tensor) -> torch.Tensor:
    """L* 0..100 → −1..1, the network's input convention (also used by the app)."""
    return L / 50.0 - 1.0
