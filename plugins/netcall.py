"""Network-call helpers shared by every filter: images in and out of NCHW, padding to what a model
accepts and cropping back, and fitting an image's long side to a working size. Sizes are (h, w).

A model's size needs come from its manifest entry (``[[models]] multiple_of``, ``min_side``), so a
network that needs other sizes is a manifest edit, not a code change.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class SizeNeeds(Protocol):
    """What ``pad`` reads from a model's manifest entry (``plugins.contract.ModelRef``)."""

    multiple_of: int
    min_side: int


def to_nchw(image: np.ndarray) -> np.ndarray:
    """H×W×C (or H×W) → contiguous float32 1×C×H×W (1×1×H×W)."""
    batch = image[None, None] if image.ndim == 2 else np.transpose(image, (2, 0, 1))[None]
    return np.ascontiguousarray(batch, dtype=np.float32)


def from_nchw(batch: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """The first image of an N×C×H×W output as an H×W×C view, cropped to ``size`` (h, w) if given."""
    first = batch[0] if size is None else batch[0, :, :size[0], :size[1]]
    return np.transpose(first, (1, 2, 0))


def padded_length(length: int, multiple_of: int, min_side: int = 1) -> int:
    """The smallest side ≥ ``length`` and ≥ ``min_side`` that is a multiple of ``multiple_of``."""
    return -(-max(length, min_side) // multiple_of) * multiple_of


def pad(image: np.ndarray, needs: SizeNeeds, fill: str | float = "reflect") -> np.ndarray:
    """``image`` (H×W or H×W×C) padded at the bottom and right to a size the model accepts.

    ``fill``: "reflect" (mirrored content; "edge" instead when the image is too small to mirror that
    far), "edge", or a constant value (e.g. 1.0 for white paper). Crop the result back with
    ``from_nchw(out, (H, W))`` or ``[:H, :W]``. Returns ``image`` itself when it fits already.
    """
    height, width = image.shape[:2]
    pad_h = padded_length(height, needs.multiple_of, needs.min_side) - height
    pad_w = padded_length(width, needs.multiple_of, needs.min_side) - width
    if not (pad_h or pad_w):
        return image
    widths = ((0, pad_h), (0, pad_w)) + ((0, 0),) * (image.ndim - 2)
    if isinstance(fill, str):
        mode = "edge" if fill == "reflect" and min(height, width) <= max(pad_h, pad_w) else fill
        return np.pad(image, widths, mode=mode)
    return np.pad(image, widths, mode="constant", constant_values=fill)


def long_side_factor(height: int, width: int, side: int, *, enlarge: bool = True) -> float:
    """The scale that brings the longer of ``height``, ``width`` to ``side`` (at most 1 unless
    ``enlarge``)."""
    factor = side / max(height, width)
    return factor if enlarge else min(1.0, factor)


def fit_long_side(height: int, width: int, side: int, *, enlarge: bool = True,
                  minimum: int = 1) -> tuple[int, int]:
    """(h, w) with the longer side ``side`` and the aspect ratio kept (never enlarged unless
    ``enlarge``), each at least ``minimum``."""
    factor = long_side_factor(height, width, side, enlarge=enlarge)
    return max(minimum, round(height * factor)), max(minimum, round(width * factor))
