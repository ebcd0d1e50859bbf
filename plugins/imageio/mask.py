"""Mask files: a greyscale image where white (255) means "act here" (1.0).

Size policy: a mask whose size differs from the image's is resized (bilinear) when it has the same
aspect ratio — a mask painted on a half-size copy works — and refused with a clear error otherwise,
because a mask of another shape is almost certainly the wrong file.
"""

from __future__ import annotations

import os
from functools import partial
from typing import BinaryIO

import numpy as np
from PIL import Image

from plugins.errors import ImageLoadError, ImageSaveError
from plugins.imageio.atomic import atomic_write
from plugins.imageio.formats import SUPPORTED_LIST, format_for_path
from plugins.imageio.load import load_image
from plugins.resample import resize


def load_mask(path: str | os.PathLike[str], size: tuple[int, int] | None = None) -> np.ndarray:
    """float32 (H, W) in 0..1 from a mask file; ``size`` is the image's (width, height).

    Grey level times alpha: a white stroke on a transparent background is a mask too.
    """
    name = os.fspath(path)
    pixels = load_image(name).pixels.astype(np.float32)
    grey = pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114
    mask = np.clip(grey * pixels[..., 3] / (255.0 * 255.0), 0.0, 1.0).astype(np.float32)
    if size is None:
        return mask
    width, height = int(size[0]), int(size[1])
    mask_h, mask_w = mask.shape
    if (mask_w, mask_h) == (width, height):
        return mask
    if abs(mask_h - mask_w * height / width) > 1.0:
        raise ImageLoadError(f"cannot use mask '{name}': it is {mask_w}×{mask_h} pixels but the image is "
                             f"{width}×{height} (a mask needs the image's size or at least its shape)")
    return resize(mask, (height, width), "bilinear", clip=True)


def save_mask(path: str | os.PathLike[str], mask: np.ndarray) -> None:
    """Write a float (H, W) 0..1 mask as an 8-bit greyscale image (PNG recommended), atomically."""
    name = os.fspath(path)
    array = np.asarray(mask)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"mask must be a non-empty (H, W) array, got shape {array.shape}")
    kind = format_for_path(name)
    if kind is None:
        raise ImageSaveError(f"cannot save mask '{name}': unsupported file type (use {SUPPORTED_LIST})")
    levels = np.clip(np.rint(np.nan_to_num(array.astype(np.float32)) * 255.0), 0, 255).astype(np.uint8)
    try:
        atomic_write(name, partial(_write_grey, levels=levels, kind=kind))
    except OSError as exc:
        why = exc.strerror.lower() if exc.strerror else str(exc)
        raise ImageSaveError(f"cannot save mask '{name}': {why}") from None


def _write_grey(fh: BinaryIO, *, levels: np.ndarray, kind: str) -> None:
    Image.fromarray(levels, "L").save(fh, kind)
