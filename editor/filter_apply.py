"""How the editor feeds a filter and takes its result back, around ``plugins.pipeline.apply_filter``.

``prepare`` copies what the filter needs out of the document on the GUI thread (the current layer,
the sketch, the mask; only the selection's bounding box plus context when there is a selection), so
the worker never touches live document arrays. ``scaled_planes`` runs in the worker too: for filters
that change the image size it resizes the mask and sketch to the result (a second of work at 48 MP).
``commit`` turns the result into one undo step on the GUI thread: a new layer (default) or a
replacement of the current layer, feathered into the selection; filters that change the image size
replace the whole (flattened) document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from editor.document import DocState, Document, Layer
from editor.i18n import filter_text
from editor.undo import AddLayer, History, Operation, SwapState, edit_plane
from plugins.chain import works_on_region
from plugins.contract import InputKind, OutputKind
from plugins.errors import ParamError
from plugins.imageio import MAX_PIXELS
from plugins.registry import FilterEntry
from plugins.resample import resize

NEW_LAYER = "new-layer"
REPLACE = "replace"
SELECTION_FEATHER = 8.0   # pixels of soft edge around a selection


@dataclass
class FilterInput:
    entry: FilterEntry
    params: dict[str, Any]
    pixels: np.ndarray             # what the filter receives (a copy)
    mask: np.ndarray | None
    x0: int                        # where ``pixels`` sits in the document
    y0: int
    weights: np.ndarray | None     # feathered selection over the crop, or None for everywhere
    target: str
    layer_uid: int
    doc_size: tuple[int, int]      # (w, h) when prepared
    planes: tuple[np.ndarray | None, np.ndarray | None] = (None, None)   # scaled output: mask, sketch
    scaled: bool = False           # the result has another size: it replaces the whole document
    name: str = ""                 # the layer's name and the undo step's text


@dataclass
class ScaledPlanes:
    """The document's mask and sketch resized to a scaled result, made off the GUI thread."""

    mask: np.ndarray
    sketch: np.ndarray | None


def prepare(doc: Document, entry: FilterEntry, params: dict[str, Any], target: str = NEW_LAYER,
            feather: float = SELECTION_FEATHER) -> FilterInput:
    """Gather the filter's input from the document. Raises ParamError with a user-facing reason."""
    spec = entry.spec
    assert spec is not None
    values = spec.coerce_params(params)  # typed and checked once: the values the filter gets
    scale = spec.output_scale(values) if spec.output == OutputKind.SCALED else None
    return gather(doc, entry, values, target, feather, name=filter_text(spec, spec.name),
                  input_kind=spec.input, needs_mask=works_on_region(spec), requires_mask=spec.requires_mask,
                  scale=scale, overlap=spec.tiling.overlap)


def gather(doc: Document, entry: FilterEntry, params: dict[str, Any], target: str, feather: float, *,
           name: str, input_kind: str, needs_mask: bool, requires_mask: bool, scale: int | None,
           overlap: int) -> FilterInput:
    """What :func:`prepare` does for one filter, for any work described by these fields (a chain too).

    ``scale`` is the output scale when the result has another size (None: same size, and a selection
    limits the work to its bounding box plus context).
    """
    if requires_mask and doc.mask_is_empty():
        raise ParamError(f"{name} needs a mask: paint over the area to change with the mask brush (B).")
    scaled = scale is not None
    if scale is not None:
        width, height = doc.width * scale, doc.height * scale
        if width * height > MAX_PIXELS:
            raise ParamError(f"{name} ×{scale} would make a {width}×{height} image, more than the "
                             f"{MAX_PIXELS // 1_000_000} megapixels Holst can hold; choose a smaller scale "
                             f"or a smaller image.")
    if input_kind == InputKind.SKETCH:
        source = doc.sketch_image()
    elif scaled:
        source = doc.flatten()
    else:
        source = doc.current_layer.pixels
    mask = doc.mask if needs_mask and not doc.mask_is_empty() else None
    x0 = y0 = 0
    weights = None
    sel = doc.selection
    if sel is not None and not scaled and not sel.is_empty():
        bx0, by0, bx1, by1 = sel.bbox()  # type: ignore[misc]
        context = int(feather) + max(16, overlap)
        x0, y0 = max(0, bx0 - context), max(0, by0 - context)
        x1, y1 = min(doc.width, bx1 + context), min(doc.height, by1 + context)
        weights = sel.feathered(feather)[y0:y1, x0:x1]
        source = source[y0:y1, x0:x1]
        if mask is not None:
            mask = mask[y0:y1, x0:x1]
    planes: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
    if scaled:
        planes = (None if doc.mask_is_empty() else doc.mask.copy(),
                  None if doc.sketch is None else doc.sketch.copy())
    return FilterInput(entry, dict(params), np.ascontiguousarray(source).copy(),
                       None if mask is None else mask.copy(), x0, y0, weights, target,
                       doc.current_layer.uid, (doc.width, doc.height), planes, scaled, name)


def _fit(result: np.ndarray, w: int, h: int) -> np.ndarray:
    """A ``new-layer`` result of another size (e.g. a seamless texture tile) repeated to fill w×h.

    Repeating rather than resampling keeps the filter's pixels as they are, and shows at a glance
    whether a tile really wraps without seams.
    """
    rh, rw = result.shape[:2]
    if (rh, rw) == (h, w):
        return result
    reps = (-(-h // rh), -(-w // rw), 1)
    return np.ascontiguousarray(np.tile(result, reps)[:h, :w])


def scaled_planes(job: FilterInput, result: np.ndarray) -> ScaledPlanes | None:
    """Mask and sketch at the size of a scaled ``result`` (None for filters that keep the size).

    An empty mask becomes a fresh zero plane, which costs nothing until it is painted on.
    """
    if not job.scaled:
        return None
    h, w = result.shape[:2]
    mask, sketch = job.planes
    mask_plane = np.zeros((h, w), np.float32) if mask is None else resize(mask, (h, w), "bilinear", clip=True)
    return ScaledPlanes(mask_plane, None if sketch is None else resize(sketch, (h, w), "bilinear", clip=True))


def commit(doc: Document, history: History, job: FilterInput, result: np.ndarray,
           planes: ScaledPlanes | None = None) -> Operation | None:
    """Put ``result`` into the document as one undo step and return that step.

    ``planes`` is what :func:`scaled_planes` made in the worker; scaled outputs need it.
    """
    if (doc.width, doc.height) != job.doc_size:
        raise ParamError("the image size changed while the filter ran; apply it again")
    name = job.name
    if job.scaled:
        h, w = result.shape[:2]
        scale = h // doc.height
        assert planes is not None, "a scaled result needs scaled_planes() from the worker"
        new = DocState([Layer(result, name)], 0, planes.mask, planes.sketch,  # type: ignore[arg-type]
                       doc.original_scale * scale)
        op: Operation = SwapState(doc.state(), new, name)
        history.push(op, applied=False)
        return op
    ch, cw = job.pixels.shape[:2]
    result = _fit(result, cw, ch)
    try:
        layer_index = doc.index_of(job.layer_uid)
    except StopIteration:
        layer_index = doc.current
    if job.target == REPLACE:
        layer = doc.layers[layer_index]
        before = layer.pixels[job.y0:job.y0 + ch, job.x0:job.x0 + cw]
        if job.weights is not None:
            w8 = job.weights[:, :, None]
            mixed = before.astype(np.float32) * (1 - w8) + result.astype(np.float32) * w8
            result = (mixed + 0.5).astype(np.uint8)
        op = edit_plane(doc, layer.key, job.x0, job.y0, result, name)
        history.push(op)
        return op
    pixels = np.zeros((doc.height, doc.width, 4), np.uint8)
    if job.weights is not None:
        result = result.copy()
        result[..., 3] = (result[..., 3].astype(np.float32) * job.weights + 0.5).astype(np.uint8)
    pixels[job.y0:job.y0 + ch, job.x0:job.x0 + cw] = result
    op = AddLayer(Layer(pixels, name), layer_index + 1, name)
    history.push(op, applied=False)
    return op
