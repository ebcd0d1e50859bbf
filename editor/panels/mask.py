"""The Mask panel: overlay toggle, invert, clear, grow/shrink, feather, from selection, load/save PNG.

Each button is one undo step on the mask plane (only changed tiles are stored).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGridLayout, QPushButton, QSpinBox, QVBoxLayout, QWidget

from editor.document import MASK, Document
from editor.maskops import feather, grow
from editor.undo import History, edit_plane
from editor.widgets import check_box, push_button


def set_mask(doc: Document, history: History, new: np.ndarray, text: str) -> None:
    """Replace the whole mask as one undo step."""
    history.push(edit_plane(doc, MASK, 0, 0, new.astype(np.float32), text))


class MaskPanel(QWidget):
    load_requested = Signal()
    save_requested = Signal()
    overlay_toggled = Signal(bool)

    def __init__(self, message: Callable[[str], None]) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.history: History | None = None
        self._message = message
        self.overlay = check_box(self.tr("Show mask overlay"), "mask_overlay", self.overlay_toggled, True)
        self.amount = QSpinBox()
        self.amount.setObjectName("mask_amount")
        self.amount.setRange(1, 500)
        self.amount.setValue(8)
        self.amount.setSuffix(" px")
        grid = QGridLayout()
        actions = [("invert", self.tr("Invert"), self.invert), ("clear", self.tr("Clear"), self.clear),
                   ("grow", self.tr("Grow"), self.grow), ("shrink", self.tr("Shrink"), self.shrink),
                   ("feather", self.tr("Feather"), self.feather),
                   ("from_selection", self.tr("From selection"), self.from_selection),
                   ("load", self.tr("Load PNG…"), self.load_requested.emit),
                   ("save", self.tr("Save PNG…"), self.save_requested.emit)]
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, text, slot) in enumerate(actions):
            button = push_button(text, f"mask_{key}", slot)
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button
        layout = QVBoxLayout(self)
        layout.addWidget(self.overlay)
        row = QFormLayout()
        row.addRow(self.tr("Grow, shrink, feather by"), self.amount)
        layout.addLayout(row)
        layout.addLayout(grid)
        layout.addStretch(1)

    def set_document(self, doc: Document, history: History) -> None:
        self.doc, self.history = doc, history

    def _apply(self, fn: Callable[[np.ndarray], np.ndarray], text: str) -> None:
        if self.doc is None or self.history is None:
            return
        set_mask(self.doc, self.history, fn(self.doc.mask), text)

    def invert(self) -> None:
        self._apply(lambda m: 1.0 - m, self.tr("Invert mask"))

    def clear(self) -> None:
        self._apply(np.zeros_like, self.tr("Clear mask"))

    def grow(self) -> None:
        self._apply(lambda m: grow(m, self.amount.value()), self.tr("Grow mask"))

    def shrink(self) -> None:
        self._apply(lambda m: grow(m, -self.amount.value()), self.tr("Shrink mask"))

    def feather(self) -> None:
        self._apply(lambda m: feather(m, self.amount.value()), self.tr("Feather mask"))

    def from_selection(self) -> None:
        if self.doc is None or self.doc.selection is None:
            self._message(self.tr("Make a selection first (rectangle M, lasso L)."))
            return
        raster = self.doc.selection.raster
        self._apply(lambda _m: raster.copy(), self.tr("Mask from selection"))
