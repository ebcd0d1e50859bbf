"""Tiled execution with overlap and feathered blending.

Each tile is processed with its neighbours' pixels around it, so a network sees real context.
A tile's weight is 0 within ``overlap/4`` of an inner edge (where the network lacked context) and
ramps linearly to 1 over the next ``overlap/2``. Where two tiles overlap their weights sum to 1, so
a network whose receptive-field radius is at most ``overlap/4`` gives exactly the untiled result,
and any network gives a soft, seam-free transition.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from plugins.cancel import CancelToken

TileFn = Callable[[np.ndarray], np.ndarray]


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets covering ``length`` with tiles of ``tile`` overlapping by at least ``overlap``."""
    if length <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, length - tile, stride))
    starts.append(length - tile)
    return starts


def _ramp(length: int, margin: float, feather: float, inner_start: bool, inner_end: bool) -> np.ndarray:
    """1-D weights for one tile axis (output pixels)."""
    position = np.arange(length, dtype=np.float32) + 0.5
    weight = np.ones(length, dtype=np.float32)
    if feather <= 0:
        return weight
    if inner_start:
        weight = np.minimum(weight, np.clip((position - margin) / feather, 0.0, 1.0))
    if inner_end:
        weight = np.minimum(weight, np.clip((length - position - margin) / feather, 0.0, 1.0))
    return weight


def count_tiles(height: int, width: int, tile: int, overlap: int) -> int:
    return len(tile_starts(height, tile, overlap)) * len(tile_starts(width, tile, overlap))


def run_tiled(image: np.ndarray, fn: TileFn, *, tile: int, overlap: int, scale: int = 1,
              progress: Callable[[float], None] | None = None, cancel: CancelToken | None = None,
              out: np.ndarray | None = None) -> np.ndarray:
    """Apply ``fn`` to ``image`` (H×W×C float32) tile by tile and blend the results.

    ``fn`` maps an h×w×C tile to an (h·scale)×(w·scale)×C' float array in 0..1. Progress is
    reported after each tile; cancellation is checked before each tile (raises Cancelled).

    Tiles are blended one row of tiles (a strip) at a time and finished rows are written out at
    once, so the float working memory is about two strips, not the whole output. ``out`` may be a
    preallocated (H·scale)×(W·scale)×C' array; a uint8 ``out`` receives 0..255 values (this is how a
    ×4 upscale of a 24-megapixel photo stays within a few GiB).
    """
    if image.ndim != 3:
        raise ValueError("run_tiled expects an H×W×C array")
    height, width = image.shape[:2]
    if tile < 2 * overlap + 1:
        raise ValueError(f"tile {tile} is too small for overlap {overlap}")
    ys = tile_starts(height, tile, overlap)
    xs = tile_starts(width, tile, overlap)
    total = len(ys) * len(xs)
    margin, feather = overlap * scale / 4.0, overlap * scale / 2.0
    out_w = width * scale
    # Weights are separable (wy ⊗ wx) and every strip uses the same columns, so the blend weight of
    # an output pixel is (sum of wy over strips) × (sum of wx over columns): two 1-D arrays.
    col_weight = np.zeros(out_w, dtype=np.float32)
    for x in xs:
        w = min(tile, width - x)
        col_weight[x * scale:(x + w) * scale] += _ramp(w * scale, margin, feather, x > 0, x + w < width)
    pending: tuple[int, np.ndarray, np.ndarray] | None = None  # (first output row, acc, row weights)
    done = 0
    for row, y in enumerate(ys):
        h = min(tile, height - y)
        strip_acc: np.ndarray | None = None
        wy = _ramp(h * scale, margin, feather, y > 0, y + h < height)
        row_weight = wy.copy()
        for x in xs:
            if cancel is not None:
                cancel.raise_if_cancelled()
            w = min(tile, width - x)
            result = np.asarray(fn(image[y:y + h, x:x + w]), dtype=np.float32)
            if result.ndim == 2:
                result = result[:, :, None]
            if result.shape[:2] != (h * scale, w * scale):
                raise ValueError(f"tile function returned {result.shape[:2]}, expected "
                                 f"{(h * scale, w * scale)}")
            if strip_acc is None:
                strip_acc = np.zeros((h * scale, out_w, result.shape[2]), dtype=np.float32)
                if out is None:
                    out = np.empty((height * scale, out_w, result.shape[2]), dtype=np.float32)
            wx = _ramp(w * scale, margin, feather, x > 0, x + w < width)
            result = result * wy[:, None, None]  # a new array: fn may return a view of its input
            result *= wx[None, :, None]
            ox = x * scale
            strip_acc[:, ox:ox + w * scale] += result
            done += 1
            if progress is not None:
                progress(done / total)
        assert strip_acc is not None and out is not None
        top = y * scale
        if pending is not None:
            first, acc, weights = pending
            offset = first - top
            strip_acc[offset:offset + acc.shape[0]] += acc
            row_weight[offset:offset + acc.shape[0]] += weights
        done_until = ys[row + 1] * scale if row + 1 < len(ys) else (y + h) * scale
        keep = done_until - top
        _write_rows(out, top, strip_acc[:keep], row_weight[:keep], col_weight)
        pending = (done_until, strip_acc[keep:], row_weight[keep:]) if keep < strip_acc.shape[0] else None
    assert out is not None
    return out


def _write_rows(out: np.ndarray, top: int, acc: np.ndarray, row_weight: np.ndarray,
                col_weight: np.ndarray) -> None:
    """Normalise finished rows by their weights and store them (as 0..255 for a uint8 ``out``)."""
    weights = row_weight[:, None, None] * col_weight[None, :, None]
    rows = acc / np.maximum(weights, 1e-8)
    if out.dtype == np.uint8:
        np.nan_to_num(rows, copy=False, nan=0.0, posinf=1.0, neginf=0.0)
        rows = np.clip(rows, 0.0, 1.0) * 255.0 + 0.5
    out[top:top + rows.shape[0]] = rows
