"""The colorize algorithm around the network, in NumPy: lightness at full resolution, prediction of
ab at a working resolution, bilinear upsampling of ab strip by strip, recombination with the
untouched L (chroma shrunk where needed to stay in sRGB, so L is kept exactly).

``predict`` maps normalised L (1×1×h×w, −1..1, h and w multiples of ``MULTIPLE``) to ab (1×2×h×w, Lab
units). The filter binds it to the ONNX session; ``models.colorize.evaluate`` binds the same code to a
torch checkpoint, so what is measured is what ships.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from plugins.lab import lab_to_rgb_in_gamut, lightness

Predict = Callable[[np.ndarray], np.ndarray]
MULTIPLE = 16
STRIP_ROWS = 256
MIN_WORKING_SIDE = 32


def working_shape(height: int, width: int, working_size: int) -> tuple[int, int]:
    """(h, w) with the longer side ``working_size`` and the aspect ratio kept."""
    scale = working_size / max(height, width)
    return max(MIN_WORKING_SIDE, round(height * scale)), max(MIN_WORKING_SIDE, round(width * scale))


def full_lightness(image: np.ndarray, cancel: Callable[[], None] = lambda: None) -> np.ndarray:
    """L* (H×W float32) of float RGB, computed strip by strip to bound float64 temporaries."""
    out = np.empty(image.shape[:2], np.float32)
    for top in range(0, image.shape[0], STRIP_ROWS):
        cancel()
        out[top:top + STRIP_ROWS] = lightness(image[top:top + STRIP_ROWS])
    return out


def resize_plane(plane: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a float32 H×W plane to ``shape`` (h, w): antialiased when shrinking."""
    if plane.shape == shape:
        return plane.astype(np.float32, copy=True)
    img = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), "F")
    return np.asarray(img.resize((shape[1], shape[0]), Image.Resampling.BICUBIC), dtype=np.float32)


def predict_ab(predict: Predict, L_small: np.ndarray) -> np.ndarray:
    """ab (h×w×2) for lightness ``L_small`` (h×w), padding by reflection to a multiple of 16."""
    height, width = L_small.shape
    pad_h, pad_w = -height % MULTIPLE, -width % MULTIPLE
    x = (L_small / 50.0 - 1.0)[None, None]
    if pad_h or pad_w:
        mode = "reflect" if min(height, width) > max(pad_h, pad_w) else "edge"
        x = np.pad(x, ((0, 0), (0, 0), (0, pad_h), (0, pad_w)), mode=mode)
    ab = predict(np.ascontiguousarray(x, dtype=np.float32))
    return np.transpose(ab[0, :, :height, :width], (1, 2, 0)).astype(np.float32)


def _source_index(out_size: int, in_size: int, start: int, stop: int) -> tuple[np.ndarray, ...]:
    """Bilinear source indices and weights for output positions start..stop (half-pixel centres,
    like torch's ``align_corners=False``)."""
    pos = (np.arange(start, stop) + 0.5) * (in_size / out_size) - 0.5
    pos = np.clip(pos, 0.0, in_size - 1)
    low = np.floor(pos).astype(np.int64)
    high = np.minimum(low + 1, in_size - 1)
    return low, high, (pos - low).astype(np.float32)


def upsample_rows(ab: np.ndarray, height: int, width: int, top: int, bottom: int) -> np.ndarray:
    """Rows top..bottom of ``ab`` (h×w×2) bilinearly upsampled to height×width."""
    y0, y1, wy = _source_index(height, ab.shape[0], top, bottom)
    x0, x1, wx = _source_index(width, ab.shape[1], 0, width)
    rows = ab[y0] * (1.0 - wy)[:, None, None] + ab[y1] * wy[:, None, None]
    return rows[:, x0] * (1.0 - wx)[None, :, None] + rows[:, x1] * wx[None, :, None]


def colorize(image: np.ndarray, predict: Predict, *, intensity: float = 1.0, working_size: int = 256,
             mask: np.ndarray | None = None, out: np.ndarray | None = None,
             progress: Callable[[float], None] = lambda f: None,
             cancel: Callable[[], None] = lambda: None) -> np.ndarray:
    """Colour ``image`` (float32 H×W×3, 0..1; colour input is reduced to its lightness first).

    Returns float32 RGB H×W×3, or writes uint8 RGB into ``out`` (H×W×3) and returns it.
    ``intensity`` scales the predicted chroma (0 = grey, 1 = as predicted, 2 = twice as saturated).
    """
    height, width = image.shape[:2]
    L = full_lightness(image, cancel)
    progress(0.1)
    small = resize_plane(L, working_shape(height, width, working_size)) if intensity > 0 else None
    ab = predict_ab(predict, np.clip(small, 0.0, 100.0)) * intensity if small is not None else None
    progress(0.5)
    result = out if out is not None else np.empty((height, width, 3), np.float32)
    for top in range(0, height, STRIP_ROWS):
        cancel()
        bottom = min(height, top + STRIP_ROWS)
        strip_ab = (upsample_rows(ab, height, width, top, bottom) if ab is not None
                    else np.zeros((bottom - top, width, 2), np.float32))
        rgb = lab_to_rgb_in_gamut(L[top:bottom], strip_ab)
        if mask is not None:
            weight = mask[top:bottom, :, None]
            rgb = image[top:bottom] + weight * (rgb - image[top:bottom])
        if result.dtype == np.uint8:
            result[top:bottom] = (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        else:
            result[top:bottom] = rgb
        progress(0.5 + 0.5 * bottom / height)
    return result
