"""Upscale: super-resolution ×2 or ×4 by a small residual CNN trained by Holst on BSDS500.

The network works at the input resolution and ends in a sub-pixel (PixelShuffle) upsampling. Its
receptive-field radius is 8 input pixels = a quarter of the manifest's overlap, so the manifest's
``exact`` tiling (tiles read that margin of context and are cropped, no blending) gives the untiled
result, written straight into the uint8 output. Alpha is upscaled separately by the pipeline.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext
from plugins.netcall import from_nchw, to_nchw


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    scale = int(params["scale"])
    model = ctx.model(f"x{scale}")
    name = model.input_names[0]
    return ctx.run_tiled(image, lambda tile: from_nchw(model.run({name: to_nchw(tile)})[0]), scale=scale,
                         to_uint8=True)
