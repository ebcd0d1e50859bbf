"""The Sketch panel: a drawing plane (black lines on white) for sketch filters such as edges2photo.

The pen and eraser are canvas tools; here are show/hide, clear, load a drawing, and "extract edges
from the current photo" (plugins/filters/edges2photo/edges.py, run off the GUI thread).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.document import SKETCH, Document
from editor.undo import History, edit_plane


def edges_module() -> ModuleType | None:
    """The edges2photo filter's edge extractor, when that filter is installed."""
    try:
        return importlib.import_module("plugins.filters.edges2photo.edges")
    except Exception:  # absent or broken: the button is disabled with a reason
        return None


def set_sketch(doc: Document, history: History, ink: np.ndarray, text: str) -> None:
    history.push(edit_plane(doc, SKETCH, 0, 0, ink.astype(np.float32), text))
    doc.pixels_changed.emit(doc.rect())


class SketchPanel(QWidget):
    extract_requested = Signal(float, float)   # line weight, detail
    load_requested = Signal()
    visibility_changed = Signal(bool)

    def __init__(self, message: Callable[[str], None]) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.history: History | None = None
        self._message = message
        self.visible = QCheckBox(self.tr("Show sketch layer"))
        self.visible.setObjectName("sketch_visible")
        self.visible.setChecked(True)
        self.visible.toggled.connect(self._on_visible)
        self.paper = QCheckBox(self.tr("Paper view (hide the photo)"))
        self.paper.setObjectName("sketch_paper")
        self.paper.toggled.connect(self._on_paper)
        self.weight = QDoubleSpinBox()
        self.weight.setRange(0.5, 3.0)
        self.weight.setSingleStep(0.25)
        self.weight.setValue(1.0)
        self.detail = QDoubleSpinBox()
        self.detail.setRange(0.0, 1.0)
        self.detail.setSingleStep(0.1)
        self.detail.setValue(0.5)
        self.extract = QPushButton(self.tr("Extract edges from photo"))
        self.extract.setObjectName("sketch_extract")
        self.extract.clicked.connect(self._extract)
        if edges_module() is None:
            self.extract.setEnabled(False)
            self.extract.setToolTip(self.tr("Needs the edges2photo filter, which is not installed."))
        self.clear = QPushButton(self.tr("Clear sketch"))
        self.clear.setObjectName("sketch_clear")
        self.clear.clicked.connect(self.do_clear)
        self.load = QPushButton(self.tr("Load drawing…"))
        self.load.setObjectName("sketch_load")
        self.load.clicked.connect(self.load_requested)
        form = QFormLayout()
        form.addRow(self.tr("Line weight"), self.weight)
        form.addRow(self.tr("Detail"), self.detail)
        grid = QGridLayout()
        grid.addWidget(self.extract, 0, 0, 1, 2)
        grid.addWidget(self.load, 1, 0)
        grid.addWidget(self.clear, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.visible)
        layout.addWidget(self.paper)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addStretch(1)

    def set_document(self, doc: Document, history: History) -> None:
        self.doc, self.history = doc, history
        self.visible.setChecked(doc.sketch_visible)
        self.paper.setChecked(doc.sketch_paper)

    def _on_visible(self, on: bool) -> None:
        if self.doc is not None:
            self.doc.sketch_visible = on
            self.doc.pixels_changed.emit(self.doc.rect())
        self.visibility_changed.emit(on)

    def _on_paper(self, on: bool) -> None:
        if self.doc is not None:
            self.doc.sketch_paper = on
            if on:
                self.visible.setChecked(True)
            self.doc.pixels_changed.emit(self.doc.rect())

    def _extract(self) -> None:
        self.extract_requested.emit(self.weight.value(), self.detail.value())

    def do_clear(self) -> None:
        if self.doc is None or self.history is None or self.doc.sketch is None:
            return
        set_sketch(self.doc, self.history, np.zeros_like(self.doc.mask), self.tr("Clear sketch"))
