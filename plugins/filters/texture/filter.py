"""Texture filter glue: seamless tile (no mask) or region fill (mask), see MODEL_CARD.md.

Tile mode returns a new size×size image (manifest ``output = "new-layer"``); fill mode returns the
input's size with only the masked pixels (plus the feather band) changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.errors import ParamError
from plugins.resample import resize

from .fill import fill_region
from .graphs import context_graphs
from .resample import downscale, resize_periodic
from .synth import Graphs, align, synthesize

MAX_SAMPLE_SIDE = 1024      # a larger tile-mode sample is reduced to this (Gram targets stay affordable)
UNSEAMLESS_MARGIN = 8       # non-seamless tiles are cut from a canvas 1/8 larger


def _crop_rect(image: np.ndarray, rect: tuple[int, int, int, int] | None) -> np.ndarray:
    if rect is None:
        return image
    x, y, w, h = rect
    height, width = image.shape[:2]
    if x >= width or y >= height:
        raise ParamError(f"the sample rectangle {x},{y},{w},{h} lies outside the {width}×{height} image")
    crop = image[y:min(height, y + h), x:min(width, x + w)]
    if min(crop.shape[:2]) < 16:
        raise ParamError("the sample rectangle is too small (at least 16×16 pixels inside the image)")
    return crop


def scale_sample(sample: np.ndarray, scale: float) -> np.ndarray:
    """The sample enlarged (``scale`` > 1: larger features in the tile) or reduced (< 1)."""
    if scale == 1.0:
        return sample
    height, width = sample.shape[:2]
    size = max(16, round(height * scale)), max(16, round(width * scale))
    return np.clip(resize(sample, size, "box" if scale < 1.0 else "bicubic"), 0.0, 1.0)


def make_tile(graphs: Graphs, sample: np.ndarray, size: int, *, seamless: bool = True, scale: float = 1.0,
              quality: str = "normal", seed: int = 0, progress=None, check_cancel=None) -> np.ndarray:
    """A size×size texture tile from ``sample`` (its features ``scale`` times larger); periodic when
    ``seamless``."""
    sample = scale_sample(sample, scale)
    longest = max(sample.shape[:2])
    if longest > MAX_SAMPLE_SIDE:
        sample = downscale(sample, int(np.ceil(longest / MAX_SAMPLE_SIDE)))
    if seamless:
        side = align(size)
        tile = synthesize(graphs, sample, side, side, quality=quality, seed=seed, progress=progress,
                          check_cancel=check_cancel)
        return resize_periodic(tile, size, size)
    side = align(size + size // UNSEAMLESS_MARGIN)
    tile = synthesize(graphs, sample, side, side, quality=quality, seed=seed, progress=progress,
                      check_cancel=check_cancel)
    offset = (side - size) // 2
    return tile[offset:offset + size, offset:offset + size]


def run(ctx, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    graphs = context_graphs(ctx)
    check = ctx.cancel.raise_if_cancelled
    if mask is None or not (mask > 0).any():
        sample = _crop_rect(image, params["sample"])
        return ctx.run_once(lambda: make_tile(
            graphs, sample, int(params["size"]), seamless=bool(params["seamless"]),
            scale=float(params["scale"]), quality=params["quality"], seed=int(params["seed"]),
            progress=ctx.progress, check_cancel=check))
    if (mask > 0).all():
        raise ParamError("the mask covers the whole image: leave some texture to sample from")
    try:
        return ctx.run_once(lambda: fill_region(
            graphs, image, mask, sample_rect=params["sample"], feather=int(params["feather"]),
            quality=params["quality"], seed=int(params["seed"]), progress=ctx.progress, check_cancel=check))
    except ValueError as exc:
        raise ParamError(str(exc)) from None
