"""Training samples for inpainting: random crops of the training photos at random scales with masks.

Each sample rescales a training photo by a random factor (so the network sees content at the sizes
the filter meets after it has downscaled a crop to its working resolution), cuts a square crop,
flips it at random and pairs it with a fresh mask: :func:`models.inpaint.masks.brush_mask` (the
evaluation's kind) or, with ``masks="artist"``, :func:`models.inpaint.masks.artist_mask` (strokes,
blobs, large areas, object outlines).
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from models.inpaint.masks import COVERAGE, artist_mask, brush_mask, object_shapes

SCALE_RANGE = (0.45, 1.0)


def load_training_images(limit: int | None = None, varied: bool = False) -> list[np.ndarray]:
    """BSDS500 train + test photos (with ``varied`` also the ImageNet sample and CQ100; the first
    ``limit``) as uint8 (H, W, 3) arrays; val is never used."""
    from models.data import load_rgb, training_images

    return [load_rgb(p) for p in training_images(varied=varied)[:limit]]


class InpaintSampler:
    """Draws (image, mask) batches as tensors: image (N, 3, S, S) in 0..1, mask (N, 1, S, S)."""

    def __init__(self, images: list[np.ndarray], size: int, seed: int,
                 coverage: tuple[float, float] = COVERAGE, masks: str = "brush") -> None:
        if not images:
            raise ValueError("no training images")
        if masks not in ("brush", "artist"):
            raise ValueError(f"masks must be 'brush' or 'artist', not {masks!r}")
        self.images = images
        self.size = size
        self.coverage = coverage
        self.masks = masks
        self.shapes = object_shapes() if masks == "artist" else None
        self.rng = np.random.default_rng(seed)

    def crop(self) -> np.ndarray:
        """One random rescaled, cropped, flipped uint8 (S, S, 3) patch."""
        rng, size = self.rng, self.size
        img = self.images[int(rng.integers(len(self.images)))]
        h, w = img.shape[:2]
        low = max(SCALE_RANGE[0], size / min(h, w))
        scale = rng.uniform(low, max(low, SCALE_RANGE[1]))
        if abs(scale - 1.0) > 1e-3:
            img = cv2.resize(img, (max(size, round(w * scale)), max(size, round(h * scale))),
                             interpolation=cv2.INTER_AREA)
            h, w = img.shape[:2]
        y = int(rng.integers(h - size + 1))
        x = int(rng.integers(w - size + 1))
        patch = img[y:y + size, x:x + size]
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        return np.ascontiguousarray(patch)

    def mask(self) -> np.ndarray:
        if self.masks == "artist":
            return artist_mask(self.size, self.size, self.rng, self.shapes)
        return brush_mask(self.size, self.size, self.rng, self.coverage)

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        crops = np.stack([self.crop() for _ in range(n)]).astype(np.float32) / 255.0
        masks = np.stack([self.mask() for _ in range(n)])
        image = torch.from_numpy(crops).permute(0, 3, 1, 2).contiguous()
        mask = torch.from_numpy(masks)[:, None]
        return image, mask
