"""A parameter form generated from a filter's schema (plugins.contract.ParamSpec).

float → slider + spin box, int → spin box, choice → combo box (with the manifest's thumbnails as
icons), bool → check box, colour → colour button, image → path + Browse, rect → x,y,w,h + "From
selection", text → line edit. ``values()`` returns typed values that ``FilterSpec.coerce_params``
accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from editor.i18n import filter_text
from plugins import plugin_files
from plugins.contract import FilterSpec, ParamSpec
from plugins.errors import PluginError

SLIDER_STEPS = 1000
THUMB = 48


class FloatEditor(QWidget):
    changed = Signal()

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        lo = spec.min if spec.min is not None else 0.0
        hi = spec.max if spec.max is not None else max(1.0, float(spec.default) * 2)
        self.lo, self.hi = float(lo), float(hi)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(self.lo, self.hi)
        step = spec.step or (self.hi - self.lo) / 100.0
        self.spin.setSingleStep(step)
        text = f"{step:g}"
        self.spin.setDecimals(min(4, len(text.split(".")[-1])) if "." in text else 2)
        self.spin.setMinimumWidth(70)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.set_value(float(spec.default))

    def _from_slider(self, v: int) -> None:
        value = self.lo + (self.hi - self.lo) * v / SLIDER_STEPS
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.changed.emit()

    def _from_spin(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round((value - self.lo) / max(1e-12, self.hi - self.lo) * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self.changed.emit()

    def set_value(self, value: float) -> None:
        self.spin.setValue(value)
        self._from_spin(self.spin.value())

    def value(self) -> float:
        return float(self.spin.value())


class ColourButton(QPushButton):
    changed = Signal()

    def __init__(self, colour: str) -> None:
        super().__init__()
        self.set_value(colour)
        self.clicked.connect(self._pick)

    def set_value(self, colour: str) -> None:
        self._colour = colour.lower()
        self.setText(self._colour)
        self.setStyleSheet(f"background-color: {self._colour}; color: "
                           f"{'#000' if QColor(self._colour).lightness() > 128 else '#fff'};")

    def _pick(self) -> None:
        colour = QColorDialog.getColor(QColor(self._colour), self, self.tr("Choose a colour"))
        if colour.isValid():
            self.set_value(colour.name())
            self.changed.emit()

    def value(self) -> str:
        return self._colour


class _LineAndButton(QWidget):
    """A line edit with a button beside it that fills it in; ``changed`` when the text changes."""

    changed = Signal()

    def __init__(self, text: str) -> None:
        super().__init__()
        self.edit = QLineEdit(text)
        self.button = QPushButton()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.button)
        self.edit.textChanged.connect(self.changed)


class PathEditor(_LineAndButton):
    def __init__(self, text: str, browse_filter: str) -> None:
        super().__init__(text)
        self.button.setText(self.tr("Browse…"))
        self._filter = browse_filter
        self.button.clicked.connect(self._browse)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose an image"), "", self._filter)
        if path:
            self.edit.setText(path)

    def value(self) -> str:
        return self.edit.text()


class RectEditor(_LineAndButton):
    def __init__(self, text: str, selection_rect: Callable[[], tuple[int, int, int, int] | None]) -> None:
        super().__init__(text)
        self.edit.setPlaceholderText("x,y,w,h")
        self.button.setText(self.tr("From selection"))
        self._selection_rect = selection_rect
        self.button.clicked.connect(self._from_selection)

    def _from_selection(self) -> None:
        rect = self._selection_rect()
        if rect is not None:
            self.edit.setText(",".join(str(v) for v in rect))

    def value(self) -> str:
        return self.edit.text().strip()


class ParamForm(QWidget):
    """The generated form for one filter's parameters (or, given ``params``, one of its commands')."""

    changed = Signal()

    def __init__(self, spec: FilterSpec, folder: Path,
                 selection_rect: Callable[[], tuple[int, int, int, int] | None] = lambda: None,
                 params: tuple[ParamSpec, ...] | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.params = spec.params if params is None else params
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for param in self.params:
            editor = self._make(param, folder, selection_rect)
            editor.setObjectName(f"param_{param.name}")
            if param.help:
                editor.setToolTip(filter_text(spec, param.help))
            self.editors[param.name] = editor
            form.addRow(filter_text(spec, param.label) if param.label else param.name, editor)
        self._form = form
        if any(p.enabled_when for p in self.params):
            self.changed.connect(self._update_enabled)
            self._update_enabled()

    def _update_enabled(self) -> None:
        """Grey out the parameters that the current values leave unused (manifest ``enabled_when``)."""
        values = self.values()
        for param in self.params:
            used = param.is_used(values)
            self.editors[param.name].setEnabled(used)
            label = self._form.labelForField(self.editors[param.name])
            if label is not None:
                label.setEnabled(used)

    def _make(self, p: ParamSpec, folder: Path,
              selection_rect: Callable[[], tuple[int, int, int, int] | None]) -> QWidget:
        if p.type == "float":
            ed = FloatEditor(p)
            ed.changed.connect(self.changed)
            return ed
        if p.type == "int":
            spin = QSpinBox()
            low = int(p.min) if p.min is not None else -10**9
            high = int(p.max) if p.max is not None else 10**9
            spin.setRange(max(-_INT_LIMIT, low), min(_INT_LIMIT, high))  # a spin box holds 32 bits
            spin.setSingleStep(max(1, min(_INT_LIMIT, int(p.step or 1))))
            spin.setValue(max(-_INT_LIMIT, min(_INT_LIMIT, int(p.default))))
            spin.valueChanged.connect(self.changed)
            return spin
        if p.type == "choice":
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            labels = [filter_text(self.spec, label) for label in p.labels] \
                if len(p.labels) == len(p.choices) else list(p.choices)
            thumbs = list(p.thumbnails) if len(p.thumbnails) == len(p.choices) else []
            for i, (choice, label) in enumerate(zip(p.choices, labels, strict=True)):
                icon = QIcon()
                if thumbs and thumbs[i]:
                    pix = _thumbnail(folder, thumbs[i])
                    if not pix.isNull():
                        icon = QIcon(pix.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                                Qt.TransformationMode.SmoothTransformation))
                combo.addItem(icon, label, choice)
            if any(not combo.itemIcon(i).isNull() for i in range(combo.count())):
                combo.setIconSize(QSize(THUMB, THUMB))
            combo.setCurrentIndex(max(0, combo.findData(str(p.default))))
            combo.currentIndexChanged.connect(self.changed)
            return combo
        if p.type == "bool":
            box = QCheckBox()
            box.setChecked(bool(p.default))
            box.toggled.connect(self.changed)
            return box
        if p.type == "colour":
            button = ColourButton(str(p.default or "#000000"))
            button.changed.connect(self.changed)
            return button
        if p.type == "image":
            ed = PathEditor(str(p.default or ""),
                            self.tr("Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp)"))
            ed.changed.connect(self.changed)
            return ed
        if p.type == "rect":
            default = p.default
            if isinstance(default, (tuple, list)):
                text = ",".join(str(v) for v in default)
            else:
                text = str(default or "")
            ed = RectEditor(text, selection_rect)
            ed.changed.connect(self.changed)
            return ed
        line = QLineEdit(str(p.default or ""))
        line.textChanged.connect(self.changed)
        return line

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in self.params:
            ed = self.editors[p.name]
            if isinstance(ed, (FloatEditor, QSpinBox)):
                out[p.name] = ed.value()
            elif isinstance(ed, QComboBox):
                out[p.name] = ed.currentData()
            elif isinstance(ed, QCheckBox):
                out[p.name] = ed.isChecked()
            elif isinstance(ed, (ColourButton, PathEditor, RectEditor)):
                out[p.name] = ed.value()
            elif isinstance(ed, QLineEdit):
                out[p.name] = ed.text()
        return out

    def set_value(self, name: str, value: Any) -> None:
        ed = self.editors[name]
        if isinstance(ed, FloatEditor):
            ed.set_value(float(value))
        elif isinstance(ed, QSpinBox):
            ed.setValue(int(value))
        elif isinstance(ed, QComboBox):
            ed.setCurrentIndex(max(0, ed.findData(str(value))))
        elif isinstance(ed, QCheckBox):
            ed.setChecked(bool(value))
        elif isinstance(ed, ColourButton):
            ed.set_value(str(value))
        elif isinstance(ed, (PathEditor, RectEditor)):
            ed.edit.setText(str(value))
        elif isinstance(ed, QLineEdit):
            ed.setText(str(value))

    def reset(self) -> None:
        for p in self.params:
            default = p.default
            if p.type == "rect" and isinstance(default, (tuple, list)):
                default = ",".join(str(v) for v in default)
            self.set_value(p.name, "" if default is None else default)


_INT_LIMIT = 2**31 - 1


def _thumbnail(folder: Path, name: str) -> QPixmap:
    """A thumbnail the manifest names, read only if it is a small regular file inside the plugin's
    folder (never a FIFO, a device or a file elsewhere); an empty pixmap otherwise."""
    try:
        path = plugin_files.resolve(folder, name, plugin_files.MAX_ASSET_BYTES, "thumbnail")
    except PluginError:
        return QPixmap()
    return QPixmap(str(path))
