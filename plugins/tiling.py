"""The tiling engine: one image through a network in bounded memory, tile by tile.

A filter's manifest declares how its network may be tiled (``[tiling] mode``):

* ``blend``: tiles overlap by ``overlap`` input pixels and are blended with feathered weights. A
  tile's weight is 0 within ``overlap/4`` of an inner edge (where the network lacked context) and
  ramps linearly to 1 over the next ``overlap/2``. Where two tiles overlap their weights sum to 1, so
  a network whose receptive-field radius is at most ``overlap/4`` gives exactly the untiled result,
  and any network (e.g. one with image-wide statistics) gives a soft, seam-free transition.
* ``exact``: the tiles do not overlap; each reads ``overlap/4`` extra input pixels of context on
  every side and its result is cropped back. For a network whose receptive-field radius is at most
  that margin, every output pixel equals the untiled result, and no float blending pass over the
  output is needed (at ×4 that blending costs more than the network).
* ``none``: the filter is not tiled (it runs its networks through ``FilterContext.run_once``).

The same rule holds for both tiled modes: receptive-field radius ≤ ``overlap/4`` means tiled = untiled.
A network with strided layers sees the same pixel grid in every tile only if every tile starts at a
multiple of its total stride: ``align`` (the model's ``multiple_of``) puts every tile there; the last
tile along an axis may then be up to ``align − 1`` pixels longer than ``tile``.
``plan`` resolves the tile size once (the user's ``--tile`` or preference, else the manifest's), and
``Tiler.split`` gives the next smaller tile when a GPU runs out of memory (``FilterContext`` retries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from plugins.cancel import CancelToken
from plugins.contract import MIN_TILE, TilingMode, TilingSpec
from plugins.pixels import store

TileFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Tiler:
    """How one run is tiled: the mode, the tile edge and the overlap (input pixels)."""

    mode: TilingMode
    tile: int
    overlap: int

    def split(self, height: int, width: int) -> Tiler | None:
        """The plan with half the tile (of what an ``height``×``width`` image really used), or None
        when that would be smaller than MIN_TILE or, blending, leave no room for the overlap."""
        smaller = min(self.tile, max(height, width)) // 2
        least = MIN_TILE if self.mode == TilingMode.EXACT else max(MIN_TILE, 2 * self.overlap + 1)
        return replace(self, tile=smaller) if smaller >= least else None


def plan(declared: TilingSpec, requested: int | None = None) -> Tiler | None:
    """The tiling of one run, resolved once: the user's tile size (``requested``: CLI ``--tile``, the
    editor's preference) or else the manifest's; None for a filter that is not tiled.

    A user tile too small for the declared blending overlap keeps working with the largest overlap
    it has room for (less context at the seams, still no visible tile borders).
    """
    if not declared.tiled:
        return None
    size = requested or declared.tile
    blend = declared.mode == TilingMode.BLEND
    overlap = min(declared.overlap, (size - 1) // 2) if blend else declared.overlap
    return Tiler(declared.mode, size, overlap)


def tile_spans(length: int, tile: int, overlap: int, align: int = 1) -> list[tuple[int, int]]:
    """(start, size) of tiles covering ``length``, overlapping by at least ``overlap``, every start a
    multiple of ``align``; the last tile ends at ``length`` (up to ``align − 1`` longer than ``tile``)."""
    if length <= tile:
        return [(0, length)]
    stride = max(align, (tile - overlap) // align * align)
    starts = list(range(0, length - tile, stride))
    last = (length - tile) // align * align
    if last > starts[-1]:
        starts.append(last)
    return [(start, tile) for start in starts[:-1]] + [(starts[-1], length - starts[-1])]


def run_tiled(image: np.ndarray, fn: TileFn, *, tile: int, overlap: int,
              mode: TilingMode = TilingMode.BLEND, scale: int = 1, align: int = 1,
              progress: Callable[[float], None] | None = None, cancel: CancelToken | None = None,
              out: np.ndarray | None = None) -> np.ndarray:
    """Apply ``fn`` to ``image`` (H×W×C float32) tile by tile, in ``mode`` ("blend" or "exact").

    ``fn`` maps an h×w×C tile to an (h·scale)×(w·scale)×C' float array in 0..1 (it may return a view,
    e.g. of the network's NCHW output). Progress is reported after each tile; cancellation is
    checked before each tile (raises Cancelled). Every tile starts at a multiple of ``align``. ``out``
    may be a preallocated (H·scale)×(W·scale)×C' array; a uint8 ``out`` receives 0..255 values (this
    is how a ×4 upscale of a 24-megapixel photo stays within a few GiB).
    """
    if image.ndim != 3:
        raise ValueError("run_tiled expects an H×W×C array")
    if mode == TilingMode.EXACT:
        return _run_exact(image, fn, tile=tile, margin=overlap // 4, scale=scale, align=align,
                          progress=progress, cancel=cancel, out=out)
    if mode != TilingMode.BLEND:
        raise ValueError(f"tiling mode '{mode}' does not tile")
    return _run_blend(image, fn, tile=tile, overlap=overlap, scale=scale, align=align, progress=progress,
                      cancel=cancel, out=out)


def _call(fn: TileFn, part: np.ndarray, height: int, width: int) -> np.ndarray:
    """``fn(part)`` as float32 h×w×C, checked against the expected output size."""
    result = np.asarray(fn(part), dtype=np.float32)
    if result.ndim == 2:
        result = result[:, :, None]
    if result.shape[:2] != (height, width):
        raise ValueError(f"tile function returned {result.shape[:2]}, expected {(height, width)}")
    return result


def _run_exact(image: np.ndarray, fn: TileFn, *, tile: int, margin: int, scale: int, align: int,
               progress: Callable[[float], None] | None, cancel: CancelToken | None,
               out: np.ndarray | None) -> np.ndarray:
    """Non-overlapping tiles, each computed with ``margin`` input pixels of context and cropped."""
    height, width = image.shape[:2]
    tile, margin = max(align, tile // align * align), -(-margin // align) * align  # aligned reads
    ys, xs = range(0, height, tile), range(0, width, tile)
    total, done = len(ys) * len(xs), 0
    for y in ys:
        for x in xs:
            if cancel is not None:
                cancel.raise_if_cancelled()
            y0, x0 = max(0, y - margin), max(0, x - margin)
            y1, x1 = min(height, y + tile + margin), min(width, x + tile + margin)
            result = _call(fn, image[y0:y1, x0:x1], (y1 - y0) * scale, (x1 - x0) * scale)
            h, w = min(tile, height - y), min(tile, width - x)
            top, left = (y - y0) * scale, (x - x0) * scale
            if out is None:
                out = np.empty((height * scale, width * scale, result.shape[2]), dtype=np.float32)
            store(out[y * scale:(y + h) * scale, x * scale:(x + w) * scale],
                   result[top:top + h * scale, left:left + w * scale])
            done += 1
            if progress is not None:
                progress(done / total)
    assert out is not None
    return out


def _ramp(length: int, margin: float, feather: float, inner_start: bool, inner_end: bool) -> np.ndarray:
    """1-D blending weights for one tile axis (output pixels)."""
    position = np.arange(length, dtype=np.float32) + 0.5
    weight = np.ones(length, dtype=np.float32)
    if feather <= 0:
        return weight
    if inner_start:
        weight = np.minimum(weight, np.clip((position - margin) / feather, 0.0, 1.0))
    if inner_end:
        weight = np.minimum(weight, np.clip((length - position - margin) / feather, 0.0, 1.0))
    return weight


def _run_blend(image: np.ndarray, fn: TileFn, *, tile: int, overlap: int, scale: int, align: int,
               progress: Callable[[float], None] | None, cancel: CancelToken | None,
               out: np.ndarray | None) -> np.ndarray:
    """Overlapping tiles blended one row of tiles (a strip) at a time: finished rows are written out
    at once, so the float working memory is about two strips, not the whole output."""
    height, width = image.shape[:2]
    if tile < 2 * overlap + 1:
        raise ValueError(f"tile {tile} is too small for overlap {overlap}")
    rows = tile_spans(height, tile, overlap, align)
    cols = tile_spans(width, tile, overlap, align)
    total = len(rows) * len(cols)
    margin, feather = overlap * scale / 4.0, overlap * scale / 2.0
    out_w = width * scale
    # Weights are separable (wy ⊗ wx) and every strip uses the same columns, so the blend weight of
    # an output pixel is (sum of wy over strips) × (sum of wx over columns): two 1-D arrays.
    col_weight = np.zeros(out_w, dtype=np.float32)
    for x, w in cols:
        col_weight[x * scale:(x + w) * scale] += _ramp(w * scale, margin, feather, x > 0, x + w < width)
    pending: tuple[int, np.ndarray, np.ndarray] | None = None  # (first output row, acc, row weights)
    done = 0
    for row, (y, h) in enumerate(rows):
        strip_acc: np.ndarray | None = None
        wy = _ramp(h * scale, margin, feather, y > 0, y + h < height)
        row_weight = wy.copy()
        for x, w in cols:
            if cancel is not None:
                cancel.raise_if_cancelled()
            result = _call(fn, image[y:y + h, x:x + w], h * scale, w * scale)
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
        done_until = rows[row + 1][0] * scale if row + 1 < len(rows) else (y + h) * scale
        keep = done_until - top
        weights = row_weight[:keep, None, None] * col_weight[None, :, None]
        store(out[top:done_until], strip_acc[:keep] / np.maximum(weights, 1e-8))
        pending = (done_until, strip_acc[keep:], row_weight[keep:]) if keep < strip_acc.shape[0] else None
    assert out is not None
    return out

