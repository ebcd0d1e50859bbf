"""(LR, HR) training pairs: random HR crops of BSDS500 train+test, LR by PIL bicubic (the SR protocol)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from models import data


class PairSampler:
    """Draws batches of (lr, hr) float tensors in 0..1: lr (N, 3, p, p), hr (N, 3, p·s, p·s).

    Crops come from whole images held in memory (or from a pack of HR crops), get one of the 8
    dihedral transforms, and are downscaled with PIL bicubic after quantisation to uint8, exactly as
    the benchmark LR images are made.
    """

    def __init__(self, images: Sequence[np.ndarray], scale: int, lr_patch: int, seed: int,
                 degrade: str = "bicubic") -> None:
        if not images:
            raise ValueError("no training images")
        self.images, self.scale, self.lr_patch = list(images), scale, lr_patch
        self.rng = np.random.default_rng(seed)
        self.degrade = degrade

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        hr_patch = self.lr_patch * self.scale
        lrs, hrs = [], []
        for _ in range(size):
            img = self.images[int(self.rng.integers(len(self.images)))]
            hr = data.random_flip(data.random_crop(img, hr_patch, self.rng), self.rng)
            if self.degrade == "real":
                lr = data.real_photo_degrade(hr, self.scale, self.rng)
            else:
                lr = data.bicubic_downscale(hr, self.scale)
            lrs.append(lr)
            hrs.append(hr)
        return _to_tensor(np.stack(lrs)), _to_tensor(np.stack(hrs))


def _to_tensor(batch: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(batch).permute(0, 3, 1, 2).float().div_(255.0)


def load_training_images(limit: int | None = None, pack: str | Path | None = None) -> list[np.ndarray]:
    """BSDS500 train+test photos as uint8 arrays (``limit`` of them), or the crops of a training pack."""
    if pack is not None:
        return list(data.load_pack(pack)[:limit])
    return [data.load_rgb(p) for p in data.training_images()[:limit]]
