"""The Layers panel: list (top layer first) with visibility, opacity, blend mode and layer actions.

Every change is an undo step (editor/undo.py); the panel only reads the document and pushes
operations, and rebuilds itself when ``Document.layers_changed`` fires.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.compositing import BLEND_MODES, LayerView, composite
from editor.document import Document, Layer, downsample
from editor.icons import icon
from editor.tiles import to_qimage
from editor.undo import AddLayer, Compound, History, LayerProps, MoveLayer, RemoveLayer, edit_plane

THUMB = 40


def _thumbnail(layer: Layer) -> QIcon:
    h, w = layer.pixels.shape[:2]
    step = max(1, max(h, w) // THUMB)
    small = downsample(layer.pixels[::max(1, step // 2), ::max(1, step // 2)], 2 if step > 1 else 1)
    image = to_qimage(np.ascontiguousarray(small))
    return QIcon(QPixmap.fromImage(image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)))


def merge_down(doc: Document, index: int) -> Compound | None:
    """One step that composites layer ``index`` onto the layer below and removes it."""
    if index <= 0:
        return None
    upper, lower = doc.layers[index], doc.layers[index - 1]
    views = [LayerView(lower.pixels, lower.opacity if lower.visible else 0.0, "normal"),
             LayerView(upper.pixels, upper.opacity if upper.visible else 0.0, upper.blend)]
    merged = composite(views, lower.pixels.shape[:2])
    ops = []
    remove = RemoveLayer(doc, index, "")
    remove.redo(doc)
    ops.append(remove)
    if lower.opacity != 1.0:
        props = LayerProps(lower.uid, "opacity", lower.opacity, 1.0, "")
        props.redo(doc)
        ops.append(props)
    pix = edit_plane(doc, lower.key, 0, 0, merged, "")
    if pix is not None:
        ops.append(pix)
    return Compound(ops, "Merge down")


class LayersPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.history: History | None = None
        self._updating = False
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setSingleShot(True)
        self._thumb_timer.setInterval(400)
        self._thumb_timer.timeout.connect(self.refresh_thumbnails)
        self.list = QListWidget()
        self.list.setObjectName("layer_list")
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.currentRowChanged.connect(self._on_row)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.setDragDropMode(QListWidget.DragDropMode.InternalMove)   # drag a row to reorder
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        self.blend = QComboBox()
        self.blend.setObjectName("layer_blend")
        labels = {"normal": self.tr("Normal"), "multiply": self.tr("Multiply"), "screen": self.tr("Screen"),
                  "overlay": self.tr("Overlay")}
        for mode in BLEND_MODES:
            self.blend.addItem(labels[mode], mode)
        self.blend.currentIndexChanged.connect(self._on_blend)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("layer_opacity")
        self.opacity.setRange(0, 100)
        self.opacity.valueChanged.connect(self._on_opacity)
        form = QFormLayout()
        form.addRow(self.tr("Blend"), self.blend)
        form.addRow(self.tr("Opacity"), self.opacity)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip in (("add", "+", self.tr("New empty layer")),
                               ("duplicate", "2×", self.tr("Duplicate layer")),
                               ("up", "↑", self.tr("Move layer up")),
                               ("down", "↓", self.tr("Move layer down")),
                               ("merge", "↧", self.tr("Merge down")),
                               ("delete", "×", self.tr("Delete layer"))):
            button = QToolButton()
            button.setText(text)
            button.setIcon(icon(f"layer_{key}"))
            button.setToolTip(tip)
            button.setObjectName(f"layer_{key}")
            button.clicked.connect(getattr(self, f"do_{key}"))
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def set_document(self, doc: Document, history: History) -> None:
        if self.doc is not None:
            self.doc.layers_changed.disconnect(self.refresh)
            self.doc.pixels_changed.disconnect(self._schedule_thumbnails)
        self.doc, self.history = doc, history
        doc.layers_changed.connect(self.refresh)
        doc.pixels_changed.connect(self._schedule_thumbnails)
        self.refresh()

    def _schedule_thumbnails(self, _rect: object = None) -> None:
        self._thumb_timer.start()

    def refresh_thumbnails(self) -> None:
        """Redraw the small previews after pixel edits (debounced: strokes emit many changes)."""
        if self.doc is None or self.list.count() != len(self.doc.layers):
            return
        for row in range(self.list.count()):
            self.list.item(row).setIcon(_thumbnail(self.doc.layers[self._row_to_index(row)]))

    # list rows are top-first; document indices are bottom-first
    def _row_to_index(self, row: int) -> int:
        assert self.doc is not None
        return len(self.doc.layers) - 1 - row

    def refresh(self) -> None:
        doc = self.doc
        if doc is None:
            return
        self._updating = True
        self.list.clear()
        for layer in reversed(doc.layers):
            item = QListWidgetItem(_thumbnail(layer), layer.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            item.setToolTip(self.tr("Tick to show, double-click to rename"))
            self.list.addItem(item)
        self.list.setCurrentRow(self._row_to_index(doc.current))
        layer = doc.current_layer
        self.blend.setCurrentIndex(BLEND_MODES.index(layer.blend))
        self.opacity.setValue(round(layer.opacity * 100))
        n = len(doc.layers)
        self.buttons["up"].setEnabled(doc.current < n - 1)
        self.buttons["down"].setEnabled(doc.current > 0)
        self.buttons["merge"].setEnabled(doc.current > 0)
        self.buttons["delete"].setEnabled(n > 1)
        self._updating = False

    def _push(self, op) -> None:
        assert self.history is not None
        self.history.push(op, applied=False)

    def _on_row(self, row: int) -> None:
        if self._updating or self.doc is None or row < 0:
            return
        self.doc.set_current(self._row_to_index(row))

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._updating or self.doc is None:
            return
        layer = self.doc.layers[self._row_to_index(self.list.row(item))]
        visible = item.checkState() == Qt.CheckState.Checked
        if visible != layer.visible:
            self._push(LayerProps(layer.uid, "visible", layer.visible, visible,
                                  self.tr("Show layer") if visible else self.tr("Hide layer")))
        elif item.text() != layer.name and item.text().strip():
            self._push(LayerProps(layer.uid, "name", layer.name, item.text().strip(),
                                  self.tr("Rename layer")))

    def _on_rows_moved(self, _parent: object, start: int, _end: int, _dest: object, row: int) -> None:
        if self._updating or self.doc is None:
            return
        target = row if row < start else row - 1
        src, dst = self._row_to_index(start), self._row_to_index(target)
        if src != dst:
            # rebuild the list after Qt has finished its own drop handling
            QTimer.singleShot(0, lambda: self._push(MoveLayer(src, dst, self.tr("Move layer"))))

    def _on_blend(self, _index: int) -> None:
        if self._updating or self.doc is None:
            return
        layer = self.doc.current_layer
        mode = self.blend.currentData()
        if mode != layer.blend:
            self._push(LayerProps(layer.uid, "blend", layer.blend, mode, self.tr("Blend mode")))

    def _on_opacity(self, value: int) -> None:
        if self._updating or self.doc is None:
            return
        layer = self.doc.current_layer
        if abs(layer.opacity - value / 100) > 1e-6:
            self._push(LayerProps(layer.uid, "opacity", layer.opacity, value / 100, self.tr("Layer opacity")))

    def do_add(self) -> None:
        if self.doc is None:
            return
        pixels = np.zeros((self.doc.height, self.doc.width, 4), np.uint8)
        self._push(AddLayer(Layer(pixels, self.tr("Layer %1").replace("%1", str(len(self.doc.layers) + 1))),
                            self.doc.current + 1, self.tr("New layer")))

    def do_duplicate(self) -> None:
        if self.doc is None:
            return
        src = self.doc.current_layer
        layer = Layer(src.pixels.copy(), src.name + self.tr(" copy"), src.visible, src.opacity, src.blend)
        self._push(AddLayer(layer, self.doc.current + 1, self.tr("Duplicate layer")))

    def do_delete(self) -> None:
        if self.doc is None or len(self.doc.layers) <= 1:
            return
        self._push(RemoveLayer(self.doc, self.doc.current, self.tr("Delete layer")))

    def do_up(self) -> None:
        if self.doc is not None and self.doc.current < len(self.doc.layers) - 1:
            self._push(MoveLayer(self.doc.current, self.doc.current + 1, self.tr("Move layer up")))

    def do_down(self) -> None:
        if self.doc is not None and self.doc.current > 0:
            self._push(MoveLayer(self.doc.current, self.doc.current - 1, self.tr("Move layer down")))

    def do_merge(self) -> None:
        if self.doc is None or self.history is None:
            return
        op = merge_down(self.doc, self.doc.current)
        if op is not None:
            op.text = self.tr("Merge down")
            self.history.push(op)
