"""edges2photo filter: dark lines on a light ground → a photo-like picture of the same size.

The drawing is normalised (paper 1, ink 0), resized so that its long side is the working resolution
(the scale the network was trained at), padded with paper to the U-Net's size needs (manifest), run
once through the generator with seeded dropout gains, optionally given the colours of a reference
picture (``palette.py``), cropped and resized back to the input's size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.netcall import SizeNeeds, fit_long_side, from_nchw, pad, to_nchw
from plugins.resample import resize

from .edges import normalise_drawing
from .noise import NOISE_CHANNELS, dropout_gains
from .palette import match_colours, reference_rgb


def generate(model: Any, drawing: np.ndarray, seed: int, variation: float, needs: SizeNeeds) -> np.ndarray:
    """Run the generator on a normalised drawing at its own size → float32 H×W×3 in 0..1.

    The drawing is padded with paper (1) to the network's size ``needs`` and the result cropped back."""
    feeds = {"sketch": to_nchw(pad(drawing, needs, 1.0) * 2.0 - 1.0),
             "noise": dropout_gains(NOISE_CHANNELS, seed, variation)}
    out = from_nchw(model.run(feeds)[0], drawing.shape)
    return np.clip((out + 1.0) * 0.5, 0.0, 1.0).astype(np.float32)


def run(ctx: Any, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    height, width = image.shape[:2]
    reference = reference_rgb(params["palette"]) if params["palette"] else None
    drawing = normalise_drawing(image)
    small = resize(drawing, fit_long_side(height, width, params["resolution"]), clip=True)
    ctx.progress(0.1)
    ctx.cancel.raise_if_cancelled()
    model, needs = ctx.model("network"), ctx.spec.model("network")
    seed, variation = params["seed"], params["variation"]
    result = ctx.run_once(lambda: generate(model, small, seed, variation, needs))
    ctx.cancel.raise_if_cancelled()
    if reference is not None:
        result = match_colours(result, reference, params["palette_strength"])
    ctx.progress(0.9)
    return resize(result, (height, width), clip=True)
