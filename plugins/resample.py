"""The one image resize of the app (Pillow planes: float "F", so values are never clipped, or uint8
"L"), and a low-pass built on it. Sizes are (h, w)."""

from __future__ import annotations

import numpy as np
from PIL import Image

METHODS = {"box": Image.Resampling.BOX, "bilinear": Image.Resampling.BILINEAR,
           "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS}


def resize(image: np.ndarray, size: tuple[int, int], method: str = "auto", *,
           clip: bool = False) -> np.ndarray:
    """H×W or H×W×C float (or uint8) resized to ``size`` = (h, w); always a new array.

    ``method``: "auto" = area average (box) when the area shrinks, bicubic when it grows; or one of
    "box", "bilinear", "bicubic", "lanczos". Float planes come back float32, uint8 planes uint8.
    Bicubic and Lanczos overshoot: ``clip=True`` clamps resampled float values to 0..1 (an image that
    already has the size is returned as it is).
    """
    height, width = size
    if method == "auto":
        method = "box" if height * width < image.shape[0] * image.shape[1] else "bicubic"
    if image.dtype != np.uint8:
        image = image.astype(np.float32, copy=False)
    if image.shape[:2] == (height, width):
        return image.copy()
    if image.ndim == 3:
        out = np.stack([resize(image[:, :, c], size, method) for c in range(image.shape[2])], axis=2)
    else:
        plane = Image.fromarray(np.ascontiguousarray(image), "L" if image.dtype == np.uint8 else "F")
        out = np.asarray(plane.resize((width, height), METHODS[method]))
    return np.clip(out, 0.0, 1.0) if clip and out.dtype != np.uint8 else out


def low_pass(image: np.ndarray, factor: int) -> np.ndarray:
    """The low frequencies of an H×W(×C) image: box-shrunk by ``factor``, bicubic-enlarged back.

    ``image − low_pass(image, factor)`` is its fine detail (features smaller than about ``factor`` px).
    """
    height, width = image.shape[:2]
    small = resize(image, (max(1, height // factor), max(1, width // factor)), "box")
    return resize(small, (height, width), "bicubic")
