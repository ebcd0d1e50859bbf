"""Colorize: a grayscale (or desaturated colour) photo gets natural colours.

The network sees only the lightness L* of the photo at a working resolution and predicts the
chroma ab there; ab is upsampled and recombined with the untouched full-resolution L, so detail and
tones stay exactly as they were. Colour inputs are reduced to their lightness first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext

from .core import colorize


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    intensity = params["intensity"]
    model = ctx.model("network") if intensity > 0 else None  # opened (and hash-checked) before any work

    def predict(L: np.ndarray) -> np.ndarray:  # one untiled run at the working size
        assert model is not None
        return ctx.run_once(lambda: model.run({"L": L})[0])

    height, width = image.shape[:2]
    out = ctx.output_buffer(height, width)[:, :, :3]
    return colorize(image, predict, needs=ctx.spec.model("network"), intensity=intensity,
                    working_size=params["working_size"], mask=mask, out=out, progress=ctx.progress,
                    cancel=ctx.cancel.raise_if_cancelled)
