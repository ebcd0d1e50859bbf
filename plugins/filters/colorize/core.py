"""The colorize algorithm around the network, in NumPy: lightness at full resolution, prediction of
ab at a working resolution, bilinear upsampling of ab strip by strip, recombination with the
untouched L (chroma shrunk where needed to stay in sRGB, so L is kept exactly).

``predict`` maps normalised L (1×1×h×w, −1..1, h and w padded to the network's size needs: the
manifest's ``[[models]] multiple_of`` and ``min_side``) to ab (1×2×h×w, Lab units). The filter binds it
to the ONNX session; ``models.colorize.evaluate`` binds the same code to a torch checkpoint, so what is
measured is what ships.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from plugins.lab import lab_to_rgb_in_gamut, lightness
from plugins.netcall import SizeNeeds, fit_long_side, from_nchw, pad, to_nchw
from plugins.pixels import store
from plugins.resample import resize

Predict = Callable[[np.ndarray], np.ndarray]
STRIP_ROWS = 256


def full_lightness(image: np.ndarray, cancel: Callable[[], None] = lambda: None) -> np.ndarray:
    """L* (H×W float32) of float RGB, computed strip by strip to bound float64 temporaries."""
    out = np.empty(image.shape[:2], np.float32)
    for top in range(0, image.shape[0], STRIP_ROWS):
        cancel()
        out[top:top + STRIP_ROWS] = lightness(image[top:top + STRIP_ROWS])
    return out


def predict_ab(predict: Predict, L_small: np.ndarray, needs: SizeNeeds) -> np.ndarray:
    """ab (h×w×2) for lightness ``L_small`` (h×w), padded by reflection to the network's ``needs``."""
    ab = predict(to_nchw(pad(L_small / 50.0 - 1.0, needs, "reflect")))
    return from_nchw(ab, L_small.shape).astype(np.float32)


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


def colorize(image: np.ndarray, predict: Predict, *, needs: SizeNeeds, intensity: float = 1.0,
             working_size: int = 256,
             mask: np.ndarray | None = None, out: np.ndarray | None = None,
             progress: Callable[[float], None] = lambda f: None,
             cancel: Callable[[], None] = lambda: None) -> np.ndarray:
    """Colour ``image`` (float32 H×W×3, 0..1; colour input is reduced to its lightness first).

    Returns float32 RGB H×W×3, or writes uint8 RGB into ``out`` (H×W×3) and returns it.
    ``intensity`` scales the predicted chroma (0 = grey, 1 = as predicted, 2 = twice as saturated).
    The network runs on a copy whose long side is ``working_size`` (never under ``needs.min_side``).
    """
    height, width = image.shape[:2]
    L = full_lightness(image, cancel)
    progress(0.1)
    shape = fit_long_side(height, width, working_size, minimum=needs.min_side)
    small = resize(L, shape, "bicubic") if intensity > 0 else None
    ab = predict_ab(predict, np.clip(small, 0.0, 100.0), needs) * intensity if small is not None else None
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
        store(result[top:bottom], rgb)
        progress(0.5 + 0.5 * bottom / height)
    return result
