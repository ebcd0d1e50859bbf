"""Undo/redo: operations that store only the changed 256×256 tiles, in a QUndoStack with a byte budget.

An *operation* is already applied when it is pushed (a brush stroke paints as the mouse moves, a
filter result arrives from a worker), so the first ``redo`` that QUndoStack calls on push is skipped.
When the stored history exceeds the memory budget, the oldest steps are dropped.
"""

from __future__ import annotations

import traceback

import numpy as np
from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from editor.document import DocState, Document, Layer, PlaneKey

TILE = 256


def _tile_rect(tx: int, ty: int, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x0, y0 = tx * TILE, ty * TILE
    return x0, y0, min(x0 + TILE, shape[1]), min(y0 + TILE, shape[0])


class Operation:
    """One undoable step. Subclasses set ``text`` and implement ``redo``/``undo``/``nbytes``."""

    text = ""
    merge_id = -1

    def redo(self, doc: Document) -> None:
        raise NotImplementedError

    def undo(self, doc: Document) -> None:
        raise NotImplementedError

    def nbytes(self) -> int:
        return 0

    def merge(self, other: Operation) -> bool:  # noqa: ARG002 - overridden where merging makes sense
        return False


class TileCapture:
    """Copies tiles of a plane before they are first written, then keeps those that changed."""

    def __init__(self, plane: np.ndarray) -> None:
        self.plane = plane
        self.before: dict[tuple[int, int], np.ndarray] = {}

    def capture(self, x0: int, y0: int, x1: int, y1: int) -> None:
        h, w = self.plane.shape[:2]
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            return
        for ty in range(y0 // TILE, (y1 - 1) // TILE + 1):
            for tx in range(x0 // TILE, (x1 - 1) // TILE + 1):
                if (tx, ty) not in self.before:
                    a, b, c, d = _tile_rect(tx, ty, self.plane.shape)
                    self.before[(tx, ty)] = self.plane[b:d, a:c].copy()

    def finish(self, key: PlaneKey, text: str) -> PixelEdit | None:
        tiles = {}
        for (tx, ty), old in self.before.items():
            a, b, c, d = _tile_rect(tx, ty, self.plane.shape)
            new = self.plane[b:d, a:c]
            if not np.array_equal(old, new):
                tiles[(tx, ty)] = (old, new.copy())
        return PixelEdit(key, tiles, text) if tiles else None


class PixelEdit(Operation):
    def __init__(self, key: PlaneKey, tiles: dict, text: str) -> None:
        self.key = key
        self.tiles = tiles
        self.text = text

    def _write(self, doc: Document, which: int) -> None:
        plane = doc.plane(self.key)
        bounds = QRect()
        for (tx, ty), pair in self.tiles.items():
            a, b, c, d = _tile_rect(tx, ty, plane.shape)
            plane[b:d, a:c] = pair[which]
            bounds = bounds.united(QRect(a, b, c - a, d - b))
        doc.notify_plane(self.key, bounds)

    def redo(self, doc: Document) -> None:
        self._write(doc, 1)

    def undo(self, doc: Document) -> None:
        self._write(doc, 0)

    def nbytes(self) -> int:
        return sum(o.nbytes + n.nbytes for o, n in self.tiles.values())


def edit_plane(doc: Document, key: PlaneKey, x0: int, y0: int, values: np.ndarray,
               text: str) -> PixelEdit | None:
    """Write ``values`` into a plane at (x0, y0) and return the tile diff (None if nothing changed)."""
    plane = doc.plane(key)
    h, w = values.shape[:2]
    cap = TileCapture(plane)
    cap.capture(x0, y0, x0 + w, y0 + h)
    plane[y0:y0 + h, x0:x0 + w] = values
    op = cap.finish(key, text)
    doc.notify_plane(key, QRect(x0, y0, w, h))
    return op


def _layers_changed(doc: Document, current: int) -> None:
    """After the layer stack changed: make ``current`` (clamped) the current layer and say so."""
    doc.current = min(current, len(doc.layers) - 1)
    doc.layers_changed.emit()
    doc.pixels_changed.emit(doc.rect())


def _insert_layer(doc: Document, layer: Layer, index: int) -> None:
    doc.layers.insert(index, layer)
    _layers_changed(doc, index)


def _remove_layer(doc: Document, layer: Layer, current: int) -> None:
    doc.layers.remove(layer)
    _layers_changed(doc, current)


class AddLayer(Operation):
    def __init__(self, layer: Layer, index: int, text: str) -> None:
        self.layer, self.index, self.text = layer, index, text
        self.prev_current = 0

    def redo(self, doc: Document) -> None:
        self.prev_current = doc.current
        _insert_layer(doc, self.layer, self.index)

    def undo(self, doc: Document) -> None:
        _remove_layer(doc, self.layer, self.prev_current)

    def nbytes(self) -> int:
        return self.layer.pixels.nbytes


class RemoveLayer(Operation):
    def __init__(self, doc: Document, index: int, text: str) -> None:
        self.layer, self.index, self.text = doc.layers[index], index, text

    def redo(self, doc: Document) -> None:
        _remove_layer(doc, self.layer, self.index)

    def undo(self, doc: Document) -> None:
        _insert_layer(doc, self.layer, self.index)

    def nbytes(self) -> int:
        return self.layer.pixels.nbytes


class MoveLayer(Operation):
    def __init__(self, src: int, dst: int, text: str) -> None:
        self.src, self.dst, self.text = src, dst, text

    def _move(self, doc: Document, a: int, b: int) -> None:
        _insert_layer(doc, doc.layers.pop(a), b)

    def redo(self, doc: Document) -> None:
        self._move(doc, self.src, self.dst)

    def undo(self, doc: Document) -> None:
        self._move(doc, self.dst, self.src)


class LayerProps(Operation):
    """Change of visible/opacity/blend/name; consecutive changes of one property merge (sliders)."""

    merge_id = 1

    def __init__(self, uid: int, prop: str, old: object, new: object, text: str) -> None:
        self.uid, self.prop, self.old, self.new, self.text = uid, prop, old, new, text

    def _set(self, doc: Document, value: object) -> None:
        setattr(doc.layer_by_uid(self.uid), self.prop, value)
        doc.layers_changed.emit()
        doc.pixels_changed.emit(doc.rect())

    def redo(self, doc: Document) -> None:
        self._set(doc, self.new)

    def undo(self, doc: Document) -> None:
        self._set(doc, self.old)

    def merge(self, other: Operation) -> bool:
        if isinstance(other, LayerProps) and other.uid == self.uid and other.prop == self.prop \
                and self.prop in ("opacity", "name"):
            self.new = other.new
            return True
        return False


class SwapState(Operation):
    """Replace layers, mask and sketch at once (size-changing filters such as upscale)."""

    def __init__(self, old: DocState, new: DocState, text: str) -> None:
        self.old, self.new, self.text = old, new, text

    def redo(self, doc: Document) -> None:
        doc.set_state(self.new)

    def undo(self, doc: Document) -> None:
        doc.set_state(self.old)

    def nbytes(self) -> int:
        def size(state: DocState) -> int:
            total = sum(layer.pixels.nbytes for layer in state.layers) + state.mask.nbytes
            return total + (state.sketch.nbytes if state.sketch is not None else 0)
        return size(self.old) + size(self.new)


class Compound(Operation):
    """Several operations as one history step (e.g. merge down = pixel edit + remove layer)."""

    def __init__(self, ops: list[Operation], text: str) -> None:
        self.ops, self.text = ops, text

    def redo(self, doc: Document) -> None:
        for op in self.ops:
            op.redo(doc)

    def undo(self, doc: Document) -> None:
        for op in reversed(self.ops):
            op.undo(doc)

    def nbytes(self) -> int:
        return sum(op.nbytes() for op in self.ops)


class _Command(QUndoCommand):
    def __init__(self, history: History, op: Operation, applied: bool) -> None:
        super().__init__(op.text)
        self.history = history
        self.op = op
        self._skip = applied

    # An exception escaping a Qt virtual call can take the process down: report it instead.
    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        try:
            self.op.redo(self.history.doc)
        except Exception:
            traceback.print_exc()

    def undo(self) -> None:
        try:
            self.op.undo(self.history.doc)
        except Exception:
            traceback.print_exc()

    def id(self) -> int:
        return self.op.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        return isinstance(other, _Command) and self.op.merge(other.op)


class History(QObject):
    """The document's QUndoStack plus a byte budget over the stored steps."""

    trimmed = Signal(int)

    def __init__(self, doc: Document, budget_bytes: int = 1 << 30, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.stack = QUndoStack(self)
        self.budget = budget_bytes
        self._commands: list[_Command] = []

    def push(self, op: Operation | None, *, applied: bool = True) -> None:
        """Record ``op``; ``applied`` says whether the document already shows its result."""
        if op is None:
            return
        if not applied:
            op.redo(self.doc)
        index = self.stack.index()
        self._commands = self._commands[:index]
        cmd = _Command(self, op, applied=True)
        count = self.stack.count()
        self.stack.push(cmd)
        if self.stack.count() > count:
            self._commands.append(cmd)
        self._enforce_budget()

    def total_bytes(self) -> int:
        return sum(cmd.op.nbytes() for cmd in self._commands)

    def _enforce_budget(self) -> None:
        total = self.total_bytes()
        if total <= self.budget or len(self._commands) <= 1:
            return
        keep = list(self._commands)
        dropped = 0
        while len(keep) > 1 and total > self.budget:
            total -= keep.pop(0).op.nbytes()
            dropped += 1
        ops = [cmd.op for cmd in keep]
        self.stack.clear()
        self._commands = []
        for op in ops:
            cmd = _Command(self, op, applied=True)
            self.stack.push(cmd)
            self._commands.append(cmd)
        self.stack.resetClean()
        self.trimmed.emit(dropped)
