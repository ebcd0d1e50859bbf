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

MODEL_FILE = "colorize.onnx"


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    intensity = float(params["intensity"])
    session = ctx.model(MODEL_FILE) if intensity > 0 else None

    def predict(L: np.ndarray) -> np.ndarray:
        return session.run({"L": L})[0]

    height, width = image.shape[:2]
    out = ctx.output_buffer(height, width)[:, :, :3]
    return colorize(image, predict, intensity=intensity, working_size=int(params["working_size"]), mask=mask,
                    out=out, progress=ctx.progress, cancel=ctx.cancel.raise_if_cancelled)
