"""Fill a masked region with texture synthesized from its surroundings (or from a sample rectangle).

Geometry, at a working scale that keeps the synthesis canvas ≤ MAX_CANVAS pixels per side:

* ``free``   = the hole (mask > 0) grown by the feather radius: these pixels are synthesized.
* canvas     = bounding box of ``free`` plus a context margin, a multiple of ``synth.ALIGN``, where the
               pixels outside ``free`` are held at the image's values, so the new texture continues them.
* sample     = the ``sample`` rectangle, or a window around the hole with the hole marked invalid
               (the Gram graph ignores every feature whose receptive field touches it).
* blend      = alpha 1 on the mask (its soft values kept), ramping linearly to 0 over ``feather``
               pixels outside it; nothing further out changes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from plugins.resample import resize

from .synth import Graphs, align, synthesize

MAX_CANVAS = 1024          # longest canvas side at the working scale
MAX_SAMPLE = 1024          # longest sample side at the working scale
MIN_SAMPLE = 64


def grow(mask: np.ndarray, radius: int) -> np.ndarray:
    """Binary dilation by a (2·radius+1)² square."""
    out = mask.astype(bool)
    for axis in (0, 1):
        acc = out.copy()
        for shift in range(1, radius + 1):
            acc[(slice(shift, None),) if axis == 0 else (slice(None), slice(shift, None))] |= \
                out[(slice(None, -shift),) if axis == 0 else (slice(None), slice(None, -shift))]
            acc[(slice(None, -shift),) if axis == 0 else (slice(None), slice(None, -shift))] |= \
                out[(slice(shift, None),) if axis == 0 else (slice(None), slice(shift, None))]
        out = acc
    return out


def feather_alpha(mask: np.ndarray, feather: int) -> np.ndarray:
    """max(mask, linear ramp from 1 at the mask's edge to 0 at ``feather`` pixels outside it)."""
    alpha = mask.astype(np.float32).copy()
    region = mask > 0
    for step in range(1, feather + 1):
        region = grow(region, 1)
        alpha = np.maximum(alpha, region * np.float32(1.0 - step / (feather + 1)))
    return alpha


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(mask)
    return int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1


def _place(start: int, length: int, limit: int) -> int:
    """Shift a [start, start+length) window to lie inside [0, limit) when it fits."""
    if length >= limit:
        return 0
    return min(max(start, 0), limit - length)


def fill_region(graphs: Graphs, image: np.ndarray, mask: np.ndarray, *,
                sample_rect: tuple[int, int, int, int] | None = None, feather: int = 8,
                quality: str = "normal", seed: int = 0, progress: Callable[[float], None] | None = None,
                check_cancel: Callable[[], None] | None = None) -> np.ndarray:
    """``image`` (H×W×3 float) with the region where ``mask`` > 0 replaced by synthesized texture."""
    height, width = image.shape[:2]
    hole = mask > 0
    top, bottom, left, right = _bbox(hole)
    extent = max(bottom - top, right - left) + 2 * feather
    margin = max(32, extent // 4)
    scale = min(1.0, MAX_CANVAS / (extent + 2 * margin))
    work_w, work_h = max(1, round(width * scale)), max(1, round(height * scale))
    work = np.clip(resize(image, (work_h, work_w), "lanczos"), 0.0, 1.0)
    work_hole = resize(hole.astype(np.float32), (work_h, work_w), "lanczos") > 0.01
    work_feather = int(np.ceil(feather * scale)) + 1
    free = grow(work_hole, work_feather)

    f_top, f_bottom, f_left, f_right = _bbox(free)
    work_margin = max(8, int(margin * scale))
    canvas_h = align(f_bottom - f_top + 2 * work_margin)
    canvas_w = align(f_right - f_left + 2 * work_margin)
    y0 = _place((f_top + f_bottom - canvas_h) // 2, canvas_h, work_h)
    x0 = _place((f_left + f_right - canvas_w) // 2, canvas_w, work_w)
    pad_h, pad_w = max(0, y0 + canvas_h - work_h), max(0, x0 + canvas_w - work_w)
    padded = np.pad(work, ((0, pad_h), (0, pad_w), (0, 0)), mode="reflect" if min(work_h, work_w) > 1
                    else "edge")
    free_padded = np.pad(free, ((0, pad_h), (0, pad_w)))
    known = padded[y0:y0 + canvas_h, x0:x0 + canvas_w]
    canvas_free = free_padded[y0:y0 + canvas_h, x0:x0 + canvas_w]

    sample, valid = _sample(work, free, sample_rect, scale, (f_top, f_bottom, f_left, f_right))
    synth = synthesize(graphs, sample, canvas_h, canvas_w, sample_valid=valid, known=known,
                       free=canvas_free.astype(np.float32), quality=quality, seed=seed,
                       progress=progress, check_cancel=check_cancel)

    # Back to full resolution: the part of the canvas inside the image, resized by 1/scale.
    in_h, in_w = min(canvas_h, work_h - y0), min(canvas_w, work_w - x0)
    fy0, fx0 = int(round(y0 / scale)), int(round(x0 / scale))
    fy1, fx1 = min(height, int(round((y0 + in_h) / scale))), min(width, int(round((x0 + in_w) / scale)))
    patch = np.clip(resize(synth[:in_h, :in_w], (fy1 - fy0, fx1 - fx0), "lanczos"), 0.0, 1.0)
    alpha = feather_alpha(mask[fy0:fy1, fx0:fx1], feather)[:, :, None]
    out = image.astype(np.float32).copy()
    out[fy0:fy1, fx0:fx1] = image[fy0:fy1, fx0:fx1] * (1.0 - alpha) + patch * alpha
    return out


def _sample(work: np.ndarray, free: np.ndarray, rect: tuple[int, int, int, int] | None, scale: float,
            box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The texture sample and its validity map at the working scale."""
    work_h, work_w = work.shape[:2]
    if rect is not None:
        x, y, w, h = (int(round(v * scale)) for v in rect)
        x, y = min(x, work_w - 1), min(y, work_h - 1)
        w, h = max(1, min(w, work_w - x)), max(1, min(h, work_h - y))
        sample = work[y:y + h, x:x + w]
        valid = ~free[y:y + h, x:x + w]
        if min(sample.shape[:2]) < 16:
            raise ValueError("the sample rectangle is too small (at least 16×16 pixels)")
        if valid.mean() < 0.5:
            valid = np.ones_like(valid)  # the user chose a sample inside the hole: trust them
        return _cap(sample, valid)
    top, bottom, left, right = box
    reach = max(bottom - top, right - left, MIN_SAMPLE)
    y0, y1 = max(0, top - reach), min(work_h, bottom + reach)
    x0, x1 = max(0, left - reach), min(work_w, right + reach)
    valid = ~free[y0:y1, x0:x1]
    if valid.mean() < 0.2:       # the hole fills its surroundings: use the whole image
        y0, y1, x0, x1 = 0, work_h, 0, work_w
        valid = ~free
    if not valid.any():
        raise ValueError("the mask covers the whole image: there is nothing left to take texture from")
    return _cap(work[y0:y1, x0:x1], valid)


def _cap(sample: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Crop (not scale: the texture's scale must not change) a sample larger than MAX_SAMPLE."""
    h, w = sample.shape[:2]
    y0, x0 = max(0, (h - MAX_SAMPLE) // 2), max(0, (w - MAX_SAMPLE) // 2)
    sample = sample[y0:y0 + MAX_SAMPLE, x0:x0 + MAX_SAMPLE]
    valid = valid[y0:y0 + MAX_SAMPLE, x0:x0 + MAX_SAMPLE]
    return np.ascontiguousarray(sample, np.float32), valid.astype(np.float32)


__all__ = ["fill_region", "feather_alpha", "grow"]
