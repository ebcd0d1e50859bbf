"""The main window's file work (``FileActions``, owned by the window as ``window.files``): open, save,
export, masks on disk, drag and drop, clipboard, recent files and the unsaved-changes prompt. Decoding
and encoding run as background jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QMenu,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from editor.document import Document
from editor.export_dialog import ExportDialog
from editor.i18n import Translated
from editor.jobs import Job, JobRunner
from editor.panels.mask import set_mask
from editor.preferences import Prefs
from editor.recovery import RecoveryStore
from editor.widgets import ok_cancel
from editor.window_host import WindowHost

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
        form.addRow(ok_cancel(self))

    def size(self) -> tuple[int, int]:
        return self.width_spin.value(), self.height_spin.value()


def last_dir(doc: Document | None, prefs: Prefs) -> str:
    """Where a file dialog starts: the open image's folder, else the most recent file's."""
    if doc is not None and doc.path:
        return str(Path(doc.path).parent)
    recent = prefs.recent
    return str(Path(recent[0]).parent) if recent else ""


def ask_image_to_open(parent: QWidget, title: str, doc: Document | None, prefs: Prefs) -> str:
    """An image file chosen in an Open dialog that starts at :func:`last_dir`; "" when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, last_dir(doc, prefs), OPEN_FILTER)
    return path


class FileActions(Translated):
    """The window's file actions. ``parent`` is the window, as the parent of their dialogs."""

    def __init__(self, host: WindowHost, parent: QWidget, prefs: Prefs, recovery: RecoveryStore,
                 runner: JobRunner) -> None:
        self.host, self.parent, self.prefs, self.recovery, self.runner = host, parent, prefs, recovery, runner
        # files Save must not overwrite (the bundled sample): Save asks for a new name instead
        self.protected_paths: set[str] = set()
        # a hook the tests replace: returns "save", "discard" or "cancel"
        self.ask_unsaved: Callable[[], str] = self._ask_unsaved

    def _ask_unsaved(self) -> str:
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self.parent, "Holst",
                                      self.tr("The image has unsaved changes. Save them?"),
                                      buttons, QMessageBox.StandardButton.Save)
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unchanged)."""
        if not self.host.is_modified():
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save(wait=True)
        return answer == "discard"

    def _last_dir(self) -> str:
        return last_dir(self.host.doc, self.prefs)

    # ------------------------------------------------------------------ files
    def new_dialog(self) -> None:
        dialog = NewImageDialog(self.parent)
        if dialog.exec():
            self.new_image(*dialog.size())

    def new_image(self, width: int, height: int, transparent: bool = False) -> bool:
        """A blank document (white, or transparent) after the unsaved-changes prompt."""
        if not self.maybe_save():
            return False
        pixels = np.zeros((height, width, 4), np.uint8) if transparent else np.full((height, width, 4), 255,
                                                                                    np.uint8)
        self.host.set_document(Document(pixels, None, None, self.tr("Background")))
        return True

    def open_dialog(self) -> None:
        path = ask_image_to_open(self.parent, self.tr("Open image"), self.host.doc, self.prefs)
        if path:
            self.open_file(path)

    def open_file(self, path: str, *, ask: bool = True) -> Job | None:
        """Decode ``path`` in the background and show it; returns the job (tests wait on it)."""
        if ask and not self.maybe_save():
            return None
        from plugins.imageio import load_image

        self.host.show_message(self.tr("Opening %1…").replace("%1", os.path.basename(path)))
        job = Job(lambda _p, _c, _n: load_image(path), "open")

        def done(loaded: Any) -> None:
            name = self.tr("Background")
            self.host.set_document(Document(loaded.pixels, loaded.meta, os.path.abspath(path), name))
            self.prefs.add_recent(os.path.abspath(path))
            self.host.show_message(self.tr("Opened %1").replace("%1", os.path.basename(path)))

        job.signals.done.connect(done)
        job.signals.failed.connect(self.host.show_error)
        return self.runner.start(job)

    def fill_recent(self, menu: QMenu) -> None:
        """The File ▸ Open recent menu, filled as it is about to show."""
        menu.clear()
        for path in self.prefs.recent:
            act = menu.addAction(path)
            act.triggered.connect(lambda _c=False, p=path: self.open_file(p))
        if not self.prefs.recent:
            menu.addAction(self.tr("(none)")).setEnabled(False)

    def save(self, wait: bool = False) -> bool:
        """Save to the document's file (flattened); asks for a name when it has none."""
        doc = self.host.doc
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
        if self.host.doc is not None and self.host.doc.path:
            start = self.host.doc.path
        path, _ = QFileDialog.getSaveFileName(self.parent, self.tr("Save image"), start, SAVE_FILTER)
        if not path:
            return False
        return self.save_to(path, wait=wait)

    def export_dialog(self) -> None:
        if self.host.doc is None:
            return
        start = self.host.doc.path or os.path.join(self._last_dir(), "untitled.png")
        base, _ = os.path.splitext(start)
        dialog = ExportDialog(base + "-export.png", getattr(self.host.doc.meta, "bit_depth", 8),
                              self.parent)
        if dialog.exec():
            opts = dialog.options()
            self.save_to(opts["path"], fmt=opts["fmt"], quality=opts["quality"], bit_depth=opts["bit_depth"],
                         metadata=opts["metadata"], export=True)

    def save_to(self, path: str, *, fmt: str | None = None, quality: int = 95, bit_depth: int = 8,
                metadata: bool = True, export: bool = False, wait: bool = False) -> bool:
        """Flatten and write in the background (atomic). ``export`` leaves the document's name alone."""
        doc, history = self.host.doc, self.host.history
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
            if not export and self.host.doc is doc:
                doc.path = os.path.abspath(path)
                if history.stack.index() == index:
                    history.stack.setClean()
                    self.recovery.discard()   # the work is safe in the file now
                self.host.update_title()
            self.prefs.add_recent(os.path.abspath(path))
            text = self.tr("Exported %1") if export else self.tr("Saved %1")
            if len(doc.layers) > 1:
                text += " " + self.tr("(layers flattened)")
            self.host.show_message(text.replace("%1", name))

        def failed(text: str) -> None:
            outcome["ok"] = False
            self.host.show_error(text)

        job.signals.done.connect(done)
        job.signals.failed.connect(failed)
        self.host.show_message(self.tr("Saving %1…").replace("%1", os.path.basename(path)))
        self.runner.start(job)
        if wait:
            while job.running or "ok" not in outcome:
                QGuiApplication.processEvents()
                self.runner.wait(20)
            return outcome["ok"]
        return True

    def load_mask_dialog(self) -> None:
        path = ask_image_to_open(self.parent, self.tr("Load mask"), self.host.doc, self.prefs)
        if path:
            self.load_mask(path)

    def load_mask(self, path: str) -> Job | None:
        doc = self.host.doc
        if doc is None:
            return None
        from plugins.imageio import load_mask

        size = (doc.width, doc.height)
        job = Job(lambda _p, _c, _n: load_mask(path, size), "mask")
        job.signals.done.connect(lambda m: self._set_mask_if(doc, m, self.tr("Load mask")))
        job.signals.failed.connect(self.host.show_error)
        return self.runner.start(job)

    def _set_mask_if(self, doc: Document, mask: np.ndarray, text: str) -> None:
        if doc is self.host.doc and self.host.history is not None and mask.shape == doc.mask.shape:
            set_mask(doc, self.host.history, mask, text)

    def save_mask_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.parent, self.tr("Save mask"),
                                              os.path.join(self._last_dir(), "mask.png"), "PNG (*.png)")
        if path:
            self.save_mask(path)

    def save_mask(self, path: str) -> Job | None:
        if self.host.doc is None:
            return None
        from plugins.imageio import save_mask

        mask = self.host.doc.mask.copy()
        job = Job(lambda _p, _c, _n: save_mask(path, mask), "save mask")
        job.signals.done.connect(lambda _r: self.host.show_message(self.tr("Mask saved")))
        job.signals.failed.connect(self.host.show_error)
        return self.runner.start(job)

    # drag and drop (the window's dragEnterEvent and dropEvent hand the event here), clipboard
    def drag_enter(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasImage() or any(Path(u.toLocalFile()).suffix.lower() in IMAGE_EXTS for u in mime.urls()):
            event.acceptProposedAction()

    def drop(self, event: QDropEvent) -> None:
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
            self.host.show_message(self.tr("The clipboard holds no image."))
            return
        self._paste_image(image, as_layer)

    def _paste_image(self, image: QImage, as_layer: bool) -> None:
        pixels = qimage_to_rgba(image)
        if not as_layer or self.host.doc is None or self.host.history is None:
            if self.maybe_save():
                self.host.set_document(Document(pixels, None, None, self.tr("Pasted")), clean=False)
            return
        from editor.document import Layer
        from editor.undo import AddLayer

        doc = self.host.doc
        layer = np.zeros((doc.height, doc.width, 4), np.uint8)
        h, w = min(doc.height, pixels.shape[0]), min(doc.width, pixels.shape[1])
        layer[:h, :w] = pixels[:h, :w]
        self.host.history.push(AddLayer(Layer(layer, self.tr("Pasted")), doc.current + 1, self.tr("Paste")),
                          applied=False)
