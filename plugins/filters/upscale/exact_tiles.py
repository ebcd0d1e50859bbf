"""Exact tiling for a network with a finite receptive field: tiles read a context margin, results are
cropped and written straight into the uint8 output, with no blending.

``plugins.tiling.run_tiled`` blends overlapping tiles with feathered weights, about ten float passes
over the output; at ×4 the output has 16× the input's pixels, and on two CPU cores that blending
cost several times the network itself. When the margin is at least the receptive-field radius, every
output pixel of a cropped tile equals the untiled result, so blending is unnecessary.
Cancellation, progress and GPU out-of-memory recovery follow ``FilterContext.run_tiled``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from plugins.context import MIN_TILE, FilterContext
from plugins.errors import GpuOutOfMemory, OutOfMemory

TileFn = Callable[[np.ndarray], np.ndarray]  # float32 h×w×3 → float32 3×(h·s)×(w·s), 0..1 expected


def _write_uint8(dst: np.ndarray, chw: np.ndarray) -> None:
    """Store a 3×h×w float result (0..1) into an h×w×3 uint8 view, rounding and clamping."""
    np.multiply(chw, 255.0, out=chw)
    np.add(chw, 0.5, out=chw)
    np.clip(chw, 0.0, 255.0, out=chw)
    dst[...] = chw.transpose(1, 2, 0)


def run_exact(image: np.ndarray, fn: TileFn, out: np.ndarray, *, tile: int, margin: int, scale: int,
              progress: Callable[[float], None], cancel: Callable[[], None]) -> np.ndarray:
    """Fill ``out`` ((H·s)×(W·s)×3 uint8) tile by tile; each tile sees ``margin`` extra input pixels."""
    height, width = image.shape[:2]
    ys, xs = range(0, height, tile), range(0, width, tile)
    total, done = len(ys) * len(xs), 0
    for y in ys:
        for x in xs:
            cancel()
            y0, x0 = max(0, y - margin), max(0, x - margin)
            y1, x1 = min(height, y + tile + margin), min(width, x + tile + margin)
            result = fn(image[y0:y1, x0:x1])
            h, w = min(tile, height - y), min(tile, width - x)
            top, left = (y - y0) * scale, (x - x0) * scale
            crop = result[:, top:top + h * scale, left:left + w * scale]
            _write_uint8(out[y * scale:(y + h) * scale, x * scale:(x + w) * scale], crop)
            done += 1
            progress(done / total)
    return out


def run_tiled_exact(ctx: FilterContext, image: np.ndarray, fn: TileFn, *, scale: int,
                    margin: int) -> np.ndarray:
    """``run_exact`` into ``ctx.output_buffer`` with the context's tile size, progress and cancel token.

    On GPU out-of-memory the tile is halved (down to MIN_TILE), then the runtime falls back to the CPU
    and the run restarts at the original size, as ``FilterContext.run_tiled`` does.
    """
    height, width = image.shape[:2]
    out = ctx.output_buffer(height * scale, width * scale)[:, :, :3]
    size = current = ctx.tile or ctx.spec.tiling.tile
    while True:
        try:
            return run_exact(image, fn, out, tile=current, margin=margin, scale=scale,
                             progress=ctx.progress, cancel=ctx.cancel.raise_if_cancelled)
        except OutOfMemory as exc:
            gpu = isinstance(exc, GpuOutOfMemory)
            if current // 2 >= MIN_TILE:
                current //= 2
                ctx.notify(ctx.runtime.retry_note(current, gpu))
                continue
            if not gpu or ctx.runtime.forced_cpu or ctx.runtime.preferred == "cpu":
                raise
            ctx.runtime.fall_back_to_cpu("the GPU ran out of memory even with small tiles")
            ctx.notify("Out of GPU memory: continuing on the CPU.")
            current = size
