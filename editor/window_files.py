"""The main window's file work: open, save, export, masks on disk, drag and drop, clipboard,
recent files and the unsaved-changes prompt. Decoding and encoding run as background jobs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from editor.document import Document
from editor.export_dialog import ExportDialog
from editor.jobs import Job
from editor.panels.mask import set_mask

OPEN_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp);;All files (*)"
SAVE_FILTER = "PNG (*.png);;JPEG (*.jpg *.jpeg);;WebP (*.webp);;TIFF (*.tif *.tiff);;BMP (*.bmp)"
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp"}


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """A QImage (any format) as a uint8 H×W×4 straight-alpha array."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = image.width(), image.height()
    buf = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return buf.reshape(h, image.bytesPerLine())[:, :w * 4].reshape(h, w, 4).copy()


class NewImageDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New image"))
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin, value in ((self.width_spin, 1920), (self.height_spin, 1080)):
            spin.setRange(1, 30000)
            spin.setValue(value)
            spin.setSuffix(" px")
        form = QFormLayout(self)
        form.addRow(self.tr("Width"), self.width_spin)
        form.addRow(self.tr("Height"), self.height_spin)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok | cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def size(self) -> tuple[int, int]:
        return self.width_spin.value(), self.height_spin.value()


class FilesMixin:
    """File actions of :class:`editor.main_window.MainWindow` (uses the attributes it sets up)."""

    def _ask_unsaved(self) -> str:
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, "Holst", self.tr("The image has unsaved changes. Save them?"),
                                      buttons, QMessageBox.StandardButton.Save)
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unchanged)."""
        if not self.is_modified():
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save(wait=True)
        return answer == "discard"

    # ------------------------------------------------------------------ files
    def new_dialog(self) -> None:
        dialog = NewImageDialog(self)
        if dialog.exec():
            self.new_image(*dialog.size())

    def new_image(self, width: int, height: int, transparent: bool = False) -> bool:
        """A blank document (white, or transparent) after the unsaved-changes prompt."""
        if not self.maybe_save():
            return False
        pixels = np.zeros((height, width, 4), np.uint8) if transparent else np.full((height, width, 4), 255,
                                                                                    np.uint8)
        self.set_document(Document(pixels, None, None, self.tr("Background")))
        return True

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open image"), self._last_dir(), OPEN_FILTER)
        if path:
            self.open_file(path)

    def _last_dir(self) -> str:
        if self.doc is not None and self.doc.path:
            return str(Path(self.doc.path).parent)
        recent = self.prefs.recent
        return str(Path(recent[0]).parent) if recent else ""

    def open_file(self, path: str, *, ask: bool = True) -> Job | None:
        """Decode ``path`` in the background and show it; returns the job (tests wait on it)."""
        if ask and not self.maybe_save():
            return None
        from plugins.imageio import load_image

        self.show_message(self.tr("Opening %1…").replace("%1", os.path.basename(path)))
        job = Job(lambda _p, _c, _n: load_image(path), "open")

        def done(loaded: Any) -> None:
            name = self.tr("Background")
            self.set_document(Document(loaded.pixels, loaded.meta, os.path.abspath(path), name))
            self.prefs.add_recent(os.path.abspath(path))
            self.show_message(self.tr("Opened %1").replace("%1", os.path.basename(path)))

        job.signals.done.connect(done)
        job.signals.failed.connect(self.show_error)
        return self.runner.start(job)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.prefs.recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _c=False, p=path: self.open_file(p))
        if not self.prefs.recent:
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)

    def save(self, wait: bool = False) -> bool:
        """Save to the document's file (flattened); asks for a name when it has none."""
        doc = self.doc
        if doc is None:
            return False
        from plugins.imageio import format_for_path

        if not doc.path or format_for_path(doc.path) is None or \
                os.path.realpath(doc.path) in self.protected_paths:
            return self.save_as(wait=wait)
        depth = getattr(doc.meta, "bit_depth", 8)
        fmt = format_for_path(doc.path)
        return self.save_to(doc.path, bit_depth=16 if depth > 8 and fmt in ("PNG", "TIFF") else 8, wait=wait)

    def save_as(self, wait: bool = False) -> bool:
        start = os.path.join(self._last_dir(), "untitled.png")
        if self.doc is not None and self.doc.path:
            start = self.doc.path
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save image"), start, SAVE_FILTER)
        if not path:
            return False
        return self.save_to(path, wait=wait)

    def export_dialog(self) -> None:
        if self.doc is None:
            return
        start = self.doc.path or os.path.join(self._last_dir(), "untitled.png")
        base, _ = os.path.splitext(start)
        dialog = ExportDialog(base + "-export.png", getattr(self.doc.meta, "bit_depth", 8), self)
        if dialog.exec():
            opts = dialog.options()
            self.save_to(opts["path"], fmt=opts["fmt"], quality=opts["quality"], bit_depth=opts["bit_depth"],
                         metadata=opts["metadata"], export=True)

    def save_to(self, path: str, *, fmt: str | None = None, quality: int = 95, bit_depth: int = 8,
                metadata: bool = True, export: bool = False, wait: bool = False) -> bool:
        """Flatten and write in the background (atomic). ``export`` leaves the document's name alone."""
        doc, history = self.doc, self.history
        if doc is None or history is None:
            return False
        from plugins.imageio import ImageMeta, save_image

        pixels = doc.flatten()
        meta = doc.meta if metadata and isinstance(doc.meta, ImageMeta) else None
        if meta is not None and not doc.layers[0].pixels[..., 3].all():
            meta = ImageMeta(meta.format, meta.mode, meta.bit_depth, True, meta.icc_profile, meta.exif)
        index = history.stack.index()
        job = Job(lambda _p, _c, _n: save_image(path, pixels, meta, fmt=fmt, quality=quality,
                                                bit_depth=bit_depth), "save")
        outcome: dict[str, bool] = {}

        def done(_result: object) -> None:
            outcome["ok"] = True
            name = os.path.basename(path)
            if not export and self.doc is doc:
                doc.path = os.path.abspath(path)
                if history.stack.index() == index:
                    history.stack.setClean()
                    self.recovery.discard()   # the work is safe in the file now
                self._update_title()
            self.prefs.add_recent(os.path.abspath(path))
            text = self.tr("Exported %1") if export else self.tr("Saved %1")
            if len(doc.layers) > 1:
                text += " " + self.tr("(layers flattened)")
            self.show_message(text.replace("%1", name))

        def failed(text: str) -> None:
            outcome["ok"] = False
            self.show_error(text)

        job.signals.done.connect(done)
        job.signals.failed.connect(failed)
        self.show_message(self.tr("Saving %1…").replace("%1", os.path.basename(path)))
        self.runner.start(job)
        if wait:
            while job.running or "ok" not in outcome:
                QGuiApplication.processEvents()
                self.runner.wait(20)
            return outcome["ok"]
        return True

    def load_mask_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Load mask"), self._last_dir(), OPEN_FILTER)
        if path:
            self.load_mask(path)

    def load_mask(self, path: str) -> Job | None:
        doc = self.doc
        if doc is None:
            return None
        from plugins.imageio import load_mask

        size = (doc.width, doc.height)
        job = Job(lambda _p, _c, _n: load_mask(path, size), "mask")
        job.signals.done.connect(lambda m: self._set_mask_if(doc, m, self.tr("Load mask")))
        job.signals.failed.connect(self.show_error)
        return self.runner.start(job)

    def _set_mask_if(self, doc: Document, mask: np.ndarray, text: str) -> None:
        if doc is self.doc and self.history is not None and mask.shape == doc.mask.shape:
            set_mask(doc, self.history, mask, text)

    def save_mask_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save mask"),
                                              os.path.join(self._last_dir(), "mask.png"), "PNG (*.png)")
        if path:
            self.save_mask(path)

    def save_mask(self, path: str) -> Job | None:
        if self.doc is None:
            return None
        from plugins.imageio import save_mask

        mask = self.doc.mask.copy()
        job = Job(lambda _p, _c, _n: save_mask(path, mask), "save mask")
        job.signals.done.connect(lambda _r: self.show_message(self.tr("Mask saved")))
        job.signals.failed.connect(self.show_error)
        return self.runner.start(job)

    # drag and drop, clipboard
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        if mime.hasImage() or any(Path(u.toLocalFile()).suffix.lower() in IMAGE_EXTS for u in mime.urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        for url in mime.urls():
            path = url.toLocalFile()
            if Path(path).suffix.lower() in IMAGE_EXTS:
                event.acceptProposedAction()
                self.open_file(path)
                return
        if mime.hasImage():
            event.acceptProposedAction()
            self._paste_image(QImage(mime.imageData()), as_layer=True)

    def paste(self) -> None:
        self._paste_clipboard(as_layer=True)

    def paste_as_new(self) -> None:
        self._paste_clipboard(as_layer=False)

    def _paste_clipboard(self, as_layer: bool) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            for url in mime.urls():
                if Path(url.toLocalFile()).suffix.lower() in IMAGE_EXTS:
                    self.open_file(url.toLocalFile())
                    return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.show_message(self.tr("The clipboard holds no image."))
            return
        self._paste_image(image, as_layer)

    def _paste_image(self, image: QImage, as_layer: bool) -> None:
        pixels = qimage_to_rgba(image)
        if not as_layer or self.doc is None or self.history is None:
            if self.maybe_save():
                self.set_document(Document(pixels, None, None, self.tr("Pasted")), clean=False)
            return
        from editor.document import Layer
        from editor.undo import AddLayer

        doc = self.doc
        layer = np.zeros((doc.height, doc.width, 4), np.uint8)
        h, w = min(doc.height, pixels.shape[0]), min(doc.width, pixels.shape[1])
        layer[:h, :w] = pixels[:h, :w]
        self.history.push(AddLayer(Layer(layer, self.tr("Pasted")), doc.current + 1, self.tr("Paste")),
                          applied=False)
