"""The document: a stack of RGBA layers plus a mask, a selection and an optional sketch plane.

Pixels follow docs/architecture.md: layers are uint8 H×W×4 straight alpha, the mask is float32
H×W in 0..1 (1 = act here), the sketch plane is float32 H×W ink (1 = black line). Every edit goes
through undo commands (editor/undo.py), which call the ``notify_*`` methods so views repaint only
the changed rectangle.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QObject, QRect, Signal

from editor.compositing import LayerView, composite, sketch_to_rgba
from editor.selection import Selection

_uids = itertools.count(1)

PlaneKey = tuple  # ("layer", uid) | ("mask",) | ("sketch",)
MASK: PlaneKey = ("mask",)
SKETCH: PlaneKey = ("sketch",)


@dataclass(eq=False)  # identity, not pixel-wise equality (list.remove, `in`)
class Layer:
    pixels: np.ndarray
    name: str
    visible: bool = True
    opacity: float = 1.0
    blend: str = "normal"
    uid: int = field(default_factory=lambda: next(_uids))

    @property
    def key(self) -> PlaneKey:
        return ("layer", self.uid)


@dataclass
class DocState:
    """Everything that a size-changing operation (an upscale) swaps as a whole, for undo."""

    layers: list[Layer]
    current: int
    mask: np.ndarray
    sketch: np.ndarray | None
    original_scale: int = 1


class Document(QObject):
    pixels_changed = Signal(QRect)
    mask_changed = Signal(QRect)
    layers_changed = Signal()
    selection_changed = Signal()
    reset = Signal()

    def __init__(self, pixels: np.ndarray, meta: object | None = None, path: str | None = None,
                 name: str = "Background") -> None:
        super().__init__()
        if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
            raise ValueError("a document layer must be uint8 H×W×4")
        self.meta = meta
        self.path = path
        self.layers: list[Layer] = [Layer(np.ascontiguousarray(pixels), name)]
        self.current = 0
        self.mask = np.zeros(pixels.shape[:2], np.float32)
        self.sketch: np.ndarray | None = None
        self.sketch_visible = True
        self.sketch_paper = False   # show the sketch alone, on white paper (drawing from scratch)
        self.selection: Selection | None = None
        self.original = pixels.copy()   # "before" of the compare view
        self.original_scale = 1         # image size / original size, after upscaling filters

    # ---- geometry -------------------------------------------------------------------------
    @property
    def width(self) -> int:
        return int(self.mask.shape[1])

    @property
    def height(self) -> int:
        return int(self.mask.shape[0])

    def original_region(self, x0: int, y0: int, x1: int, y1: int, step: int = 1) -> np.ndarray | None:
        """The original image over an image-space region (nearest-neighbour when upscaled since)."""
        s = self.original_scale
        oh, ow = self.original.shape[:2]
        if (oh * s, ow * s) != self.mask.shape:
            return None
        if s == 1:
            return self.original[y0:y1:step, x0:x1:step]
        ys = np.arange(y0, y1, step) // s
        xs = np.arange(x0, x1, step) // s
        return self.original[ys[:, None], xs[None, :]]

    def rect(self) -> QRect:
        return QRect(0, 0, self.width, self.height)

    # ---- layers ---------------------------------------------------------------------------
    @property
    def current_layer(self) -> Layer:
        return self.layers[self.current]

    def layer_by_uid(self, uid: int) -> Layer:
        for layer in self.layers:
            if layer.uid == uid:
                return layer
        raise KeyError(uid)

    def index_of(self, uid: int) -> int:
        return next(i for i, layer in enumerate(self.layers) if layer.uid == uid)

    def plane(self, key: PlaneKey) -> np.ndarray:
        """The array an undoable pixel edit writes to."""
        if key[0] == "layer":
            return self.layer_by_uid(key[1]).pixels
        if key == MASK:
            return self.mask
        if key == SKETCH:
            if self.sketch is None:
                self.sketch = np.zeros_like(self.mask)
            return self.sketch
        raise KeyError(key)

    def notify_plane(self, key: PlaneKey, rect: QRect) -> None:
        if key == MASK:
            self.mask_changed.emit(rect)
        else:
            self.pixels_changed.emit(rect)

    def set_current(self, index: int) -> None:
        index = max(0, min(index, len(self.layers) - 1))
        if index != self.current:
            self.current = index
            self.layers_changed.emit()

    # ---- state swap (size-changing operations) --------------------------------------------
    def state(self) -> DocState:
        return DocState([replace(layer) for layer in self.layers], self.current, self.mask, self.sketch,
                        self.original_scale)

    def set_state(self, state: DocState) -> None:
        self.layers = [replace(layer) for layer in state.layers]
        self.current = min(state.current, len(self.layers) - 1)
        self.mask = state.mask
        self.sketch = state.sketch
        self.original_scale = state.original_scale
        if self.selection is not None and self.selection.raster.shape != self.mask.shape:
            self.selection = None
            self.selection_changed.emit()
        self.reset.emit()
        self.layers_changed.emit()

    # ---- rendering ------------------------------------------------------------------------
    def composite_region(self, x0: int, y0: int, x1: int, y1: int, *, with_sketch: bool = True,
                         step: int = 1) -> np.ndarray:
        """The visible image in [x0, x1) × [y0, y1) as uint8 RGBA, sampling every ``step``-th pixel.

        Compositing is per pixel, so sampling the layers first gives exactly the sampled composite
        at a fraction of the cost; the canvas uses it for its zoomed-out tile pyramid.
        """
        sl = (slice(y0, y1, step), slice(x0, x1, step))
        show_sketch = with_sketch and self.sketch_visible
        if show_sketch and self.sketch_paper:
            return sketch_to_rgba(self.plane(SKETCH)[sl])
        views = [LayerView(layer.pixels[sl], layer.opacity, layer.blend)
                 for layer in self.layers if layer.visible]
        if show_sketch and self.sketch is not None:
            views.append(LayerView(sketch_to_rgba(self.sketch[sl]), 1.0, "multiply"))
        shape = (len(range(y0, y1, step)), len(range(x0, x1, step)))
        return composite(views, shape)

    def flatten(self, *, with_sketch: bool = False) -> np.ndarray:
        """The whole image as one RGBA layer (what export writes)."""
        return self.composite_region(0, 0, self.width, self.height, with_sketch=with_sketch)

    def sketch_image(self) -> np.ndarray:
        """The sketch plane as black lines on white, the input of sketch filters."""
        return sketch_to_rgba(self.plane(SKETCH))

    def mask_is_empty(self) -> bool:
        return not bool((self.mask > 0.0).any())


def downsample(region: np.ndarray, factor: int) -> np.ndarray:
    """Mean over factor×factor blocks (edges replicated to a whole block); keeps the dtype.

    Summing the factor² strided views is several times faster than a reshaped ``mean``, which
    matters because the canvas calls this for every zoomed-out tile it renders.
    """
    if factor <= 1:
        return region
    h, w = region.shape[:2]
    ph, pw = (-h) % factor, (-w) % factor
    if ph or pw:
        pad = [(0, ph), (0, pw)] + [(0, 0)] * (region.ndim - 2)
        region = np.pad(region, pad, mode="edge")
    integer = region.dtype == np.uint8
    count = factor * factor
    wide = np.uint16 if count * 255 < 1 << 16 else np.uint32
    acc = np.zeros((region.shape[0] // factor, region.shape[1] // factor) + region.shape[2:],
                   wide if integer else np.float32)
    for dy in range(factor):
        for dx in range(factor):
            acc += region[dy::factor, dx::factor]
    if integer:
        return ((acc + count // 2) // count).astype(np.uint8)
    return (acc / count).astype(region.dtype)
