"""The Export dialog: file, format, quality and bit depth; the image is flattened on export."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.widgets import ok_cancel

FORMATS = (("PNG", "png"), ("JPEG", "jpg"), ("WebP", "webp"), ("TIFF", "tif"), ("BMP", "bmp"))
LOSSY = {"JPEG", "WebP"}
DEEP = {"PNG", "TIFF"}


class ExportDialog(QDialog):
    def __init__(self, path: str, bit_depth: int = 8, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export image"))
        self.path = QLineEdit(path)
        self.path.setObjectName("export_path")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.format = QComboBox()
        self.format.setObjectName("export_format")
        for name, ext in FORMATS:
            self.format.addItem(name, ext)
        self.quality = QSpinBox()
        self.quality.setObjectName("export_quality")
        self.quality.setRange(1, 100)
        self.quality.setValue(92)
        self.depth = QComboBox()
        self.depth.setObjectName("export_depth")
        self.depth.addItem(self.tr("8 bits per channel"), 8)
        self.depth.addItem(self.tr("16 bits per channel"), 16)
        self.depth.setCurrentIndex(1 if bit_depth == 16 else 0)
        self.metadata = QCheckBox(self.tr("Keep colour profile and EXIF"))
        self.metadata.setObjectName("export_metadata")
        self.metadata.setChecked(True)
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        for i, (_name, e) in enumerate(FORMATS):
            if e == ext or (ext in ("jpeg",) and e == "jpg") or (ext == "tiff" and e == "tif"):
                self.format.setCurrentIndex(i)
        self.format.currentIndexChanged.connect(self._format_changed)
        form = QFormLayout()
        form.addRow(self.tr("File"), row)
        form.addRow(self.tr("Format"), self.format)
        form.addRow(self.tr("Quality"), self.quality)
        form.addRow(self.tr("Bit depth"), self.depth)
        form.addRow("", self.metadata)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(ok_cancel(self))
        self._format_changed()

    def _format_changed(self) -> None:
        name = self.format.currentText()
        self.quality.setEnabled(name in LOSSY)
        self.depth.setEnabled(name in DEEP)
        if name not in DEEP:
            self.depth.setCurrentIndex(0)
        base, _ = os.path.splitext(self.path.text())
        if base:
            self.path.setText(f"{base}.{self.format.currentData()}")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export image"), self.path.text())
        if path:
            self.path.setText(path)
            self._format_changed()

    def options(self) -> dict:
        return {"path": self.path.text(), "fmt": self.format.currentText().upper(),
                "quality": self.quality.value(), "bit_depth": int(self.depth.currentData()),
                "metadata": self.metadata.isChecked()}
