"""Layer compositing in NumPy (straight alpha, W3C compositing and blending formulas).

Kept Qt-free so that export, the canvas and the tests share one definition of what the
document looks like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

BLEND_MODES = ("normal", "multiply", "screen", "overlay")


@dataclass
class LayerView:
    """What the compositor needs to know about one layer, for one region."""

    pixels: np.ndarray  # uint8 h×w×4, straight alpha
    opacity: float = 1.0
    blend: str = "normal"


def _blend(mode: str, cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    if mode == "normal":
        return cs
    if mode == "multiply":
        return cb * cs
    if mode == "screen":
        return cb + cs - cb * cs
    if mode == "overlay":  # hard-light with the layers swapped
        return np.where(cb <= 0.5, 2.0 * cb * cs, 1.0 - 2.0 * (1.0 - cb) * (1.0 - cs))
    raise ValueError(f"unknown blend mode '{mode}'")


def _covers(layer: LayerView) -> bool:
    """Whether the layer hides everything below it: normal, fully opaque, at full opacity."""
    return layer.blend == "normal" and layer.opacity >= 1.0 and bool((layer.pixels[..., 3] == 255).all())


def _from_top_opaque(layers: list[LayerView]) -> list[LayerView]:
    """The layers from the topmost one that covers the region upwards; the rest cannot show.

    A filter result on a new opaque layer is the typical case: the canvas then copies one layer
    instead of blending two in float32, several times faster per tile.
    """
    for index in range(len(layers) - 1, 0, -1):
        if _covers(layers[index]):
            return layers[index:]
    return layers


def composite(layers: Iterable[LayerView], shape: tuple[int, int]) -> np.ndarray:
    """Composite layers bottom→top over transparency; returns uint8 h×w×4 straight alpha."""
    h, w = shape
    layers = _from_top_opaque([layer for layer in layers if layer.opacity > 0.0])
    if len(layers) == 1 and layers[0].blend == "normal" and layers[0].opacity >= 1.0:
        return np.array(layers[0].pixels, dtype=np.uint8, copy=True)   # the common case: one photo
    colour = np.zeros((h, w, 3), np.float32)   # premultiplied
    alpha = np.zeros((h, w, 1), np.float32)
    first = True
    for layer in layers:
        if layer.opacity <= 0.0:
            continue
        src = layer.pixels.astype(np.float32) * (1.0 / 255.0)
        cs = src[..., :3]
        a_s = src[..., 3:4] * np.float32(layer.opacity)
        if first and layer.blend == "normal":
            colour = cs * a_s
            alpha = a_s
            first = False
            continue
        first = False
        # straight backdrop colour (0 where transparent)
        cb = np.divide(colour, alpha, out=np.zeros_like(colour), where=alpha > 0)
        mixed = _blend(layer.blend, cb, cs)
        colour = a_s * (1.0 - alpha) * cs + a_s * alpha * mixed + (1.0 - a_s) * colour
        alpha = a_s + alpha * (1.0 - a_s)
    straight = np.divide(colour, alpha, out=np.zeros_like(colour), where=alpha > 0)
    out = np.empty((h, w, 4), np.uint8)
    out[..., :3] = np.clip(straight * 255.0 + 0.5, 0, 255)
    out[..., 3] = np.clip(alpha[..., 0] * 255.0 + 0.5, 0, 255)
    return out


def sketch_to_rgba(ink: np.ndarray) -> np.ndarray:
    """A sketch plane (float32 ink 0..1, 1 = black line) as an opaque black-on-white RGBA image."""
    grey = np.clip((1.0 - ink) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out = np.empty(ink.shape + (4,), np.uint8)
    out[..., 0] = grey
    out[..., 1] = grey
    out[..., 2] = grey
    out[..., 3] = 255
    return out
