"""Upscale: super-resolution ×2 or ×4 by a small residual CNN trained by Holst on BSDS500.

The network works at the input resolution and ends in a sub-pixel (PixelShuffle) upsampling. Its
receptive-field radius is 8 input pixels = a quarter of the manifest's overlap, and the image is
processed in tiles that read that margin of context, so a tiled result equals the untiled one (see
``exact_tiles``: no blending, which at ×4 would cost more than the network). Alpha is upscaled
separately by the pipeline.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext

from .exact_tiles import run_tiled_exact

MODEL_FILES = {2: "upscale_x2.onnx", 4: "upscale_x4.onnx"}


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    scale = int(params["scale"])
    session = ctx.model(MODEL_FILES[scale])
    name = session.input_names[0]

    def upscale_tile(tile: np.ndarray) -> np.ndarray:
        chw = np.ascontiguousarray(tile.transpose(2, 0, 1)[None], dtype=np.float32)
        return session.run({name: chw})[0][0]

    return run_tiled_exact(ctx, image, upscale_tile, scale=scale, margin=ctx.spec.tiling.overlap // 4)
