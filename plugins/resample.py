"""Float image resampling shared by the filters (Pillow "F" planes, so values are never clipped)."""

from __future__ import annotations

import numpy as np
from PIL import Image


def resize(image: np.ndarray, height: int, width: int, *, down: bool) -> np.ndarray:
    """Resize float32 H×W or H×W×C: area average when shrinking, bicubic when enlarging."""
    if image.shape[:2] == (height, width):
        return image.astype(np.float32, copy=True)
    method = Image.Resampling.BOX if down else Image.Resampling.BICUBIC
    if image.ndim == 2:
        return np.asarray(Image.fromarray(image.astype(np.float32), "F").resize((width, height), method))
    planes = [resize(image[:, :, c], height, width, down=down) for c in range(image.shape[2])]
    return np.stack(planes, axis=2)


def low_pass(image: np.ndarray, factor: int) -> np.ndarray:
    """The low frequencies of an H×W(×C) image: box-shrunk by ``factor``, bicubic-enlarged back.

    ``image − low_pass(image, factor)`` is its fine detail (features smaller than about ``factor`` px).
    """
    height, width = image.shape[:2]
    small = resize(image, max(1, height // factor), max(1, width // factor), down=True)
    return resize(small, height, width, down=False)
