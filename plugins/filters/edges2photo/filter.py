"""edges2photo filter: dark lines on a light ground → a photo-like picture of the same size.

The drawing is normalised (paper 1, ink 0), resized so that its long side is the working resolution
(the scale the network was trained at), padded with paper to a multiple of the U-Net's 2^depth, run
once through the generator with seeded dropout gains, optionally given the colours of a reference
picture (``palette.py``), cropped and resized back to the input's size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .edges import normalise_drawing, resize_gray
from .noise import NOISE_CHANNELS, dropout_gains
from .palette import match_colours, reference_rgb

MODEL_FILE = "edges2photo.onnx"
#: Input H and W must be divisible by this (2 ** encoder depth of the generator).
MULTIPLE = 64


def working_size(height: int, width: int, long_side: int) -> tuple[int, int]:
    """(width, height) with the given long side, keeping the aspect ratio (at least 1 px each)."""
    factor = long_side / max(height, width)
    return max(1, round(width * factor)), max(1, round(height * factor))


def pad_to_multiple(sketch: np.ndarray, multiple: int = MULTIPLE) -> tuple[np.ndarray, tuple[int, int]]:
    """Pad an H×W drawing with paper (1) on the bottom/right to multiples of ``multiple``."""
    height, width = sketch.shape
    padded_h = -(-height // multiple) * multiple
    padded_w = -(-width // multiple) * multiple
    out = np.ones((padded_h, padded_w), dtype=np.float32)
    out[:height, :width] = sketch
    return out, (height, width)


def resize_rgb(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize float32 H×W×3 to (width, height), channel by channel (bicubic up, box down)."""
    return np.stack([resize_gray(rgb[:, :, c], size) for c in range(rgb.shape[2])], axis=2)


def generate(session: Any, drawing: np.ndarray, seed: int, variation: float) -> np.ndarray:
    """Run the generator on a normalised drawing at its own size → float32 H×W×3 in 0..1."""
    padded, (height, width) = pad_to_multiple(drawing)
    feeds = {"sketch": (padded * 2.0 - 1.0)[None, None].astype(np.float32),
             "noise": dropout_gains(NOISE_CHANNELS, seed, variation)}
    out = session.run(feeds)[0][0, :, :height, :width]
    return np.clip((out.transpose(1, 2, 0) + 1.0) * 0.5, 0.0, 1.0).astype(np.float32)


def run(ctx: Any, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    height, width = image.shape[:2]
    reference = reference_rgb(str(params["palette"])) if params["palette"] else None
    drawing = normalise_drawing(image)
    size = working_size(height, width, int(params["resolution"]))
    small = resize_gray(drawing, size)
    ctx.progress(0.1)
    ctx.cancel.raise_if_cancelled()
    session = ctx.model(MODEL_FILE)
    result = generate(session, small, int(params["seed"]), float(params["variation"]))
    ctx.cancel.raise_if_cancelled()
    if reference is not None:
        result = match_colours(result, reference, float(params["palette_strength"]))
    ctx.progress(0.9)
    return resize_rgb(result, (width, height))
