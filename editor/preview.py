"""Live preview of a filter: run it on a downscaled copy of the visible region, off the GUI thread.

``prepare_preview`` samples the current layer (or the sketch), the mask and the selection over the
visible rectangle at about one sample per screen pixel; ``finish_preview`` blends the result into
the sampled original by the selection, so the canvas can draw it stretched over that rectangle.
Nothing is written to the document; Apply still runs at full size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from editor.document import Document
from plugins.chain import works_on_region
from plugins.contract import InputKind, OutputKind
from plugins.registry import FilterEntry

MAX_SAMPLES = 1_500_000   # pixels fed to a preview run, whatever the zoom


@dataclass
class PreviewInput:
    entry: FilterEntry
    params: dict[str, Any]
    pixels: np.ndarray
    mask: np.ndarray | None
    weights: np.ndarray | None
    rect: tuple[int, int, int, int]   # (x0, y0, x1, y1) in image pixels


def previewable(entry: FilterEntry) -> bool:
    spec = entry.spec
    return entry.usable and spec is not None and spec.output in (OutputKind.SAME, OutputKind.SCALED)


def prepare_preview(doc: Document, entry: FilterEntry, params: dict[str, Any],
                    rect: tuple[int, int, int, int], zoom: float) -> PreviewInput | None:
    """Copies of what the preview needs, or None when this filter/document cannot be previewed."""
    spec = entry.spec
    if not previewable(entry) or spec is None:
        return None
    x0, y0, x1, y1 = rect
    area = (x1 - x0) * (y1 - y0)
    step = max(1, int(math.floor(1.0 / zoom)) if zoom < 1 else 1,
               int(math.ceil(math.sqrt(area / MAX_SAMPLES))))
    sl = (slice(y0, y1, step), slice(x0, x1, step))
    if spec.input == InputKind.SKETCH:
        source = doc.sketch_image()[sl]
    elif spec.output == OutputKind.SCALED:
        source = doc.composite_region(x0, y0, x1, y1, with_sketch=False, step=step)
    else:
        source = doc.current_layer.pixels[sl]
    mask = None
    if works_on_region(spec):
        mask = np.ascontiguousarray(doc.mask[sl])
        if not mask.any():
            if spec.requires_mask:
                return None
            mask = None
    weights = None
    if doc.selection is not None and spec.output == OutputKind.SAME:
        weights = np.ascontiguousarray(doc.selection.raster[sl])
    return PreviewInput(entry, dict(params), np.ascontiguousarray(source), mask, weights, rect)


def finish_preview(inp: PreviewInput, result: np.ndarray) -> np.ndarray:
    """The preview image (uint8 RGBA at the sampled size), limited to the selection if there is one."""
    h, w = inp.pixels.shape[:2]
    if result.shape[:2] != (h, w):       # a scaled filter: back to the sampled size
        from PIL import Image

        result = np.asarray(Image.fromarray(result, "RGBA").resize((w, h), Image.Resampling.BOX))
    if inp.weights is None:
        return np.ascontiguousarray(result)
    wgt = inp.weights[:, :, None]
    mixed = inp.pixels.astype(np.float32) * (1.0 - wgt) + result.astype(np.float32) * wgt
    return (mixed + 0.5).astype(np.uint8)
