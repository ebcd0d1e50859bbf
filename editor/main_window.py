"""The main window: menus, shortcuts, tool bar, docks, status bar, and the file/filter workflows.

Everything slow runs as a background Job (editor/jobs.py): decoding and encoding files, filter
inference (ONNX session creation included), edge extraction, autosave. The window only copies
inputs out of the document and commits results back as undo steps.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolBar,
    QUndoView,
    QWidget,
)

from editor import filter_apply, preview
from editor.canvas import Canvas, to_qimage
from editor.document import MASK, SKETCH, Document
from editor.export_dialog import ExportDialog
from editor.icons import icon
from editor.jobs import Job, JobRunner
from editor.panels.filters import FiltersPanel
from editor.panels.layers import LayersPanel, merge_down
from editor.panels.mask import MaskPanel, set_mask
from editor.panels.sketch import SketchPanel, edges_module, set_sketch
from editor.preferences import PreferencesDialog, Prefs
from editor.recovery import RecoveryStore, snapshot
from editor.selection import Selection
from editor.tools import BrushSettings, BrushTool, LassoSelectTool, RectSelectTool, Tool
from editor.undo import Compound, History
from plugins.errors import HolstError

OPEN_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp);;All files (*)"
SAVE_FILTER = "PNG (*.png);;JPEG (*.jpg *.jpeg);;WebP (*.webp);;TIFF (*.tif *.tiff);;BMP (*.bmp)"
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp"}
BLANK_SIZE = (1024, 768)


def blank_pixels(width: int, height: int) -> np.ndarray:
    pixels = np.full((height, width, 4), 255, np.uint8)
    return pixels


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """A QImage (any format) as a uint8 H×W×4 straight-alpha array."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = image.width(), image.height()
    buf = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return buf.reshape(h, image.bytesPerLine())[:, :w * 4].reshape(h, w, 4).copy()


class MainWindow(QMainWindow):
    document_changed = Signal()
    filter_finished = Signal(str)   # "done" | "cancelled" | "failed"

    def __init__(self, settings: QSettings | None = None, recovery: RecoveryStore | None = None) -> None:
        super().__init__()
        self.prefs = Prefs(settings)
        self.recovery = recovery or RecoveryStore()
        self.runner = JobRunner(self)
        self.doc: Document | None = None
        self.history: History | None = None
        self.undo_group = QUndoGroup(self)
        self.filter_job: Job | None = None
        self.filter_input: filter_apply.FilterInput | None = None
        self.last_error = ""
        self._shown_notices: set[str] = set()
        self._autosaved_index = -1
        self._error_box: QMessageBox | None = None
        # files Save must not overwrite (the bundled sample): Save asks for a new name instead
        self.protected_paths: set[str] = set()
        # a hook the tests replace: returns "save", "discard" or "cancel"
        self.ask_unsaved: Callable[[], str] = self._ask_unsaved
        self.setWindowTitle("Holst")
        self.setAcceptDrops(True)
        self.resize(1400, 900)

        self.canvas = Canvas()
        self.canvas.setObjectName("canvas")
        self.setCentralWidget(self.canvas)
        self._build_tools()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbars()
        self._build_status()
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.canvas.cursor_moved.connect(self._on_cursor)

        self.preview_job: Job | None = None
        self._preview_request: tuple[Any, dict] | None = None
        self._preview_generation = 0
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(350)
        self._preview_timer.timeout.connect(self._run_preview)
        self.canvas.view_changed.connect(self._preview_stale)
        QApplication.instance().installEventFilter(self)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.timeout.connect(self.autosave)
        self._apply_autosave_interval()
        self.set_document(Document(blank_pixels(*BLANK_SIZE), None, None, self.tr("Background")))
        self.set_tool("mask_brush")
        self.load_filters()

    # ------------------------------------------------------------------ construction
    def _build_tools(self) -> None:
        self.mask_settings = BrushSettings(size=60.0, hardness=0.6, opacity=1.0)
        self.sketch_settings = BrushSettings(size=4.0, hardness=0.9, opacity=1.0)
        self.tools: dict[str, Tool] = {
            "mask_brush": BrushTool("mask_brush", MASK, 1.0, self.mask_settings,
                                    self.tr("Mask brush stroke")),
            "mask_eraser": BrushTool("mask_eraser", MASK, 0.0, self.mask_settings,
                                     self.tr("Mask eraser stroke")),
            "sketch_pen": BrushTool("sketch_pen", SKETCH, 1.0, self.sketch_settings,
                                    self.tr("Sketch pen stroke")),
            "sketch_eraser": BrushTool("sketch_eraser", SKETCH, 0.0, self.sketch_settings,
                                       self.tr("Sketch eraser stroke")),
            "rect_select": RectSelectTool(),
            "lasso_select": LassoSelectTool(),
        }

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.filters_panel = FiltersPanel(self.selection_rect)
        self.filters_panel.apply_requested.connect(self.apply_filter)
        self.filters_panel.cancel_requested.connect(self.cancel_filter)
        self.filters_panel.preview_requested.connect(self._on_preview_requested)
        self.layers_panel = LayersPanel()
        self.mask_panel = MaskPanel(self.show_message)
        self.mask_panel.overlay_toggled.connect(self.canvas.set_show_mask)
        self.mask_panel.load_requested.connect(self.load_mask_dialog)
        self.mask_panel.save_requested.connect(self.save_mask_dialog)
        self.sketch_panel = SketchPanel(self.show_message)
        self.sketch_panel.extract_requested.connect(self.extract_edges)
        self.sketch_panel.load_requested.connect(self.load_drawing_dialog)
        self.history_view = QUndoView(self.undo_group)
        self.history_view.setObjectName("history_view")
        self.history_view.setEmptyLabel(self.tr("<opened image>"))
        self.filters_dock = self._dock(self.tr("Filters"), "filters_dock", self.filters_panel, right)
        self.layers_dock = self._dock(self.tr("Layers"), "layers_dock", self.layers_panel, right)
        self.history_dock = self._dock(self.tr("History"), "history_dock", self.history_view, right)
        self.mask_dock = self._dock(self.tr("Mask"), "mask_dock", self.mask_panel, right)
        self.sketch_dock = self._dock(self.tr("Sketch"), "sketch_dock", self.sketch_panel, right)
        self.tabifyDockWidget(self.layers_dock, self.history_dock)
        self.tabifyDockWidget(self.history_dock, self.mask_dock)
        self.tabifyDockWidget(self.mask_dock, self.sketch_dock)
        self.layers_dock.raise_()
        self.resizeDocks([self.filters_dock], [380], Qt.Orientation.Horizontal)
        self.resizeDocks([self.filters_dock, self.layers_dock], [600, 300], Qt.Orientation.Vertical)

    def _action(self, text: str, slot: Callable[..., Any] | None = None, shortcut: Any = None,
                name: str = "", checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        if slot is not None:
            (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)  # shortcuts work even when menus are hidden
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey  # noqa: N806
        a = self._action
        self.act_open = a(self.tr("&Open…"), self.open_dialog, K.Open, "act_open")
        self.act_save = a(self.tr("&Save"), self.save, K.Save, "act_save")
        self.act_save_as = a(self.tr("Save &As…"), self.save_as, "Ctrl+Shift+S", "act_save_as")
        self.act_export = a(self.tr("&Export…"), self.export_dialog, "Ctrl+E", "act_export")
        self.act_quit = a(self.tr("&Quit"), self.close, K.Quit, "act_quit")
        self.act_undo = self.undo_group.createUndoAction(self, self.tr("&Undo"))
        self.act_undo.setShortcut(QKeySequence("Ctrl+Z"))
        self.act_undo.setObjectName("act_undo")
        self.act_redo = self.undo_group.createRedoAction(self, self.tr("&Redo"))
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setObjectName("act_redo")
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_paste = a(self.tr("&Paste as new layer"), self.paste, K.Paste, "act_paste")
        self.act_paste_new = a(self.tr("Paste as new &image"), self.paste_as_new, "Ctrl+Shift+V",
                               "act_paste_new")
        self.act_prefs = a(self.tr("&Preferences…"), self.preferences_dialog, "Ctrl+,", "act_prefs")
        self.act_zoom_in = a(self.tr("Zoom &in"), lambda: self.canvas.set_zoom(self.canvas.zoom * 1.25),
                             ["Ctrl++", "Ctrl+="], "act_zoom_in")
        self.act_zoom_out = a(self.tr("Zoom &out"), lambda: self.canvas.set_zoom(self.canvas.zoom / 1.25),
                              "Ctrl+-", "act_zoom_out")
        self.act_fit = a(self.tr("&Fit in window"), self.canvas.fit, "Ctrl+0", "act_fit")
        self.act_100 = a(self.tr("&Actual size (100 %)"), self.canvas.actual_size, "Ctrl+1", "act_100")
        self.act_compare = a(self.tr("&Compare before/after"), self.canvas.set_compare, "Ctrl+K",
                             "act_compare", checkable=True)
        self.canvas.compare_changed.connect(self.act_compare.setChecked)
        self.act_mask_overlay = a(self.tr("Show &mask overlay"), self._set_mask_overlay, "Ctrl+M",
                                  "act_mask_overlay", checkable=True)
        self.act_mask_overlay.setChecked(True)
        self.act_select_all = a(self.tr("Select &all"), self.select_all, K.SelectAll, "act_select_all")
        self.act_deselect = a(self.tr("&Deselect"), self.deselect, "Ctrl+D", "act_deselect")
        self.act_invert_sel = a(self.tr("&Invert selection"), self.invert_selection, "Ctrl+Shift+I",
                                "act_invert_selection")
        self.act_flatten = a(self.tr("&Flatten image"), self.flatten_image, "Ctrl+Shift+E", "act_flatten")
        self.act_merge = a(self.tr("&Merge down"), self.layers_panel.do_merge, "Ctrl+Alt+E", "act_merge")
        self.act_new_layer = a(self.tr("&New layer"), self.layers_panel.do_add, "Ctrl+Shift+N",
                               "act_new_layer")
        self.act_dup_layer = a(self.tr("&Duplicate layer"), self.layers_panel.do_duplicate, "Ctrl+J",
                               "act_dup_layer")
        self.act_del_layer = a(self.tr("De&lete layer"), self.layers_panel.do_delete, None, "act_del_layer")
        self.act_brush_smaller = a(self.tr("Smaller brush"), lambda: self.resize_brush(1 / 1.2), "[",
                                   "act_brush_smaller")
        self.act_brush_bigger = a(self.tr("Bigger brush"), lambda: self.resize_brush(1.2), "]",
                                  "act_brush_bigger")
        self.act_about = a(self.tr("&About Holst"), self.about, None, "act_about")
        # tools
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for name, text, key in (("mask_brush", self.tr("Mask brush"), "B"),
                                ("mask_eraser", self.tr("Mask eraser"), "E"),
                                ("rect_select", self.tr("Rectangle select"), "M"),
                                ("lasso_select", self.tr("Lasso select"), "L"),
                                ("sketch_pen", self.tr("Sketch pen"), "P"),
                                ("sketch_eraser", self.tr("Sketch eraser"), "Shift+E")):
            act = a(f"{text} ({key})", None, key, f"tool_{name}", checkable=True)
            act.setIcon(icon(name))
            act.triggered.connect(lambda _checked=False, n=name: self.set_tool(n))
            self.tool_group.addAction(act)
            self.tool_actions[name] = act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        for act in (self.act_save, self.act_save_as, self.act_export):
            file_menu.addAction(act)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu(self.tr("&Edit"))
        for act in (self.act_undo, self.act_redo):
            edit.addAction(act)
        edit.addSeparator()
        edit.addAction(self.act_paste)
        edit.addAction(self.act_paste_new)
        edit.addSeparator()
        edit.addAction(self.act_prefs)
        view = bar.addMenu(self.tr("&View"))
        for act in (self.act_zoom_in, self.act_zoom_out, self.act_fit, self.act_100):
            view.addAction(act)
        view.addSeparator()
        view.addAction(self.act_compare)
        view.addAction(self.act_mask_overlay)
        view.addSeparator()
        docks = (self.filters_dock, self.layers_dock, self.history_dock, self.mask_dock, self.sketch_dock)
        for dock in docks:
            view.addAction(dock.toggleViewAction())
        select = bar.addMenu(self.tr("&Select"))
        for act in (self.act_select_all, self.act_deselect, self.act_invert_sel):
            select.addAction(act)
        select.addSeparator()
        select.addAction(self.tool_actions["rect_select"])
        select.addAction(self.tool_actions["lasso_select"])
        layer = bar.addMenu(self.tr("&Layer"))
        for act in (self.act_new_layer, self.act_dup_layer, self.act_del_layer, self.act_merge,
                    self.act_flatten):
            layer.addAction(act)
        mask = bar.addMenu(self.tr("&Mask"))
        mask.addAction(self.tool_actions["mask_brush"])
        mask.addAction(self.tool_actions["mask_eraser"])
        mask.addSeparator()
        for key in ("invert", "clear", "grow", "shrink", "feather", "from_selection", "load", "save"):
            button = self.mask_panel.buttons[key]
            act = mask.addAction(button.text())
            act.triggered.connect(button.click)
        self.filters_menu = bar.addMenu(self.tr("Filte&rs"))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.act_about)

    def _build_toolbars(self) -> None:
        tools = QToolBar(self.tr("Tools"))
        tools.setObjectName("tools_toolbar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for act in self.tool_actions.values():
            tools.addAction(act)
        tools.addSeparator()
        self.act_compare.setIcon(icon("compare"))
        tools.addAction(self.act_compare)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tools)
        self.options_bar = QToolBar(self.tr("Tool options"))
        self.options_bar.setObjectName("options_toolbar")
        self.size_spin = QSpinBox()
        self.size_spin.setObjectName("brush_size")
        self.size_spin.setRange(1, 2000)
        self.size_spin.setSuffix(" px")
        self.hard_spin = QDoubleSpinBox()
        self.hard_spin.setObjectName("brush_hardness")
        self.hard_spin.setRange(0.0, 1.0)
        self.hard_spin.setSingleStep(0.1)
        self.opacity_spin = QDoubleSpinBox()
        self.opacity_spin.setObjectName("brush_opacity")
        self.opacity_spin.setRange(0.01, 1.0)
        self.opacity_spin.setSingleStep(0.1)
        for label, widget in ((self.tr("Size"), self.size_spin), (self.tr("Hardness"), self.hard_spin),
                              (self.tr("Opacity"), self.opacity_spin)):
            self.options_bar.addWidget(QLabel(f" {label} "))
            self.options_bar.addWidget(widget)
        self.size_spin.valueChanged.connect(lambda v: self._set_brush("size", float(v)))
        self.hard_spin.valueChanged.connect(lambda v: self._set_brush("hardness", v))
        self.opacity_spin.valueChanged.connect(lambda v: self._set_brush("opacity", v))
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.options_bar)

    def _build_status(self) -> None:
        status = self.statusBar()
        self.message_label = QLabel()
        self.message_label.setObjectName("status_message")
        self.pos_label = QLabel()
        self.size_label = QLabel()
        self.zoom_label = QLabel()
        self.provider_label = QLabel()
        self.provider_label.setObjectName("status_provider")
        self.status_progress = QProgressBar()
        self.status_progress.setObjectName("status_progress")
        self.status_progress.setRange(0, 1000)
        self.status_progress.setMaximumWidth(160)
        self.status_cancel = QPushButton(self.tr("Cancel"))
        self.status_cancel.setObjectName("status_cancel")
        self.status_cancel.clicked.connect(self.cancel_filter)
        status.addWidget(self.message_label, 1)
        for widget in (self.status_progress, self.status_cancel, self.provider_label, self.pos_label,
                       self.size_label, self.zoom_label):
            status.addPermanentWidget(widget)
        self.status_progress.hide()
        self.status_cancel.hide()

    # ------------------------------------------------------------------ document
    def set_document(self, doc: Document, *, clean: bool = True) -> None:
        """Show ``doc`` with a fresh history (the previous document is dropped)."""
        old = self.history
        if self.filter_job is not None:
            self.filter_job.cancel()
        self.doc = doc
        self.history = History(doc, self.prefs.memory_bytes, self)
        self.undo_group.addStack(self.history.stack)
        self.undo_group.setActiveStack(self.history.stack)
        if old is not None:
            self.undo_group.removeStack(old.stack)
            old.deleteLater()
        self.history.stack.cleanChanged.connect(self._update_title)
        self.history.stack.indexChanged.connect(self._on_history_index)
        self.history.trimmed.connect(self._on_trimmed)
        if not clean:
            self.history.stack.resetClean()
        doc.reset.connect(self._update_size)
        doc.pixels_changed.connect(self._preview_stale)
        doc.mask_changed.connect(self._preview_stale)
        doc.selection_changed.connect(self._preview_stale)
        self.canvas.set_document(doc, self.history)
        self.layers_panel.set_document(doc, self.history)
        self.mask_panel.set_document(doc, self.history)
        self.sketch_panel.set_document(doc, self.history)
        self._autosaved_index = -1
        self._update_title()
        self._update_size()
        self.document_changed.emit()

    def _on_history_index(self, _index: int) -> None:
        self._update_title()

    def _on_trimmed(self, count: int) -> None:
        self.show_message(self.tr("Undo memory budget reached: the %n oldest step(s) were dropped.", "",
                                  count))

    def _update_size(self) -> None:
        if self.doc is not None:
            self.size_label.setText(f"{self.doc.width} × {self.doc.height}")

    def is_modified(self) -> bool:
        return self.history is not None and not self.history.stack.isClean()

    def _update_title(self) -> None:
        name = Path(self.doc.path).name if self.doc and self.doc.path else self.tr("Untitled")
        self.setWindowTitle(f"{name}[*] — Holst")
        self.setWindowModified(self.is_modified())

    def _on_cursor(self, pos: QPoint | None) -> None:
        self.pos_label.setText("" if pos is None else f"{pos.x()}, {pos.y()}")

    def selection_rect(self) -> tuple[int, int, int, int] | None:
        if self.doc is None or self.doc.selection is None:
            return None
        box = self.doc.selection.bbox()
        if box is None:
            return None
        x0, y0, x1, y1 = box
        return (x0, y0, x1 - x0, y1 - y0)

    # ------------------------------------------------------------------ messages
    def show_message(self, text: str) -> None:
        self.message_label.setText(text)

    def show_error(self, text: str) -> None:
        """One clear line in the status bar and a non-blocking message box."""
        self.last_error = text
        self.message_label.setText(text)
        if self._error_box is not None:
            self._error_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "Holst", text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("error_box")
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
        self._error_box = box

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

    # ------------------------------------------------------------------ filters
    def load_filters(self) -> Job:
        """Discover plugins off the GUI thread (imports and ONNX hash checks can take a moment)."""
        from plugins import registry

        job = Job(lambda _p, _c, _n: registry.all_filters(refresh=True), "discover")
        job.signals.done.connect(self._filters_loaded)
        job.signals.failed.connect(self.show_error)
        return self.runner.start(job)

    def _filters_loaded(self, entries: list) -> None:
        self.filters_panel.set_entries(entries)
        self.filters_menu.clear()
        for entry in entries:
            if entry.spec is None:
                continue
            act = self.filters_menu.addAction(entry.spec.name + ("" if entry.usable else " …"))
            act.setEnabled(entry.usable)
            act.triggered.connect(lambda _c=False, fid=entry.id: self._focus_filter(fid))
        usable = sum(1 for e in entries if e.usable)
        self.show_message(self.tr("%1 filters ready, %2 not available")
                          .replace("%1", str(usable)).replace("%2", str(len(entries) - usable)))

    def _focus_filter(self, filter_id: str) -> None:
        self.filters_dock.show()
        self.filters_dock.raise_()
        self.filters_panel.select(filter_id)

    def apply_filter(self, entry: Any, params: dict, target: str = filter_apply.NEW_LAYER) -> Job | None:
        """Run a filter in the background; the result becomes one undo step when it arrives."""
        if self.doc is None or self.history is None or self.filter_job is not None:
            return None
        try:
            inp = filter_apply.prepare(self.doc, entry, params, target)
            entry.spec.coerce_params(params)
        except HolstError as exc:
            self.show_error(str(exc))
            return None
        from plugins.pipeline import apply_filter
        from plugins.runtime import default_runtime

        provider, tile = self.prefs.provider, self.prefs.tile

        def work(progress: Callable[[float], None], token: Any, notify: Callable[[str], None]) -> dict:
            runtime = default_runtime(provider)
            try:
                result = apply_filter(entry, inp.pixels, mask=inp.mask, params=inp.params, runtime=runtime,
                                      progress=progress, cancel=token, tile=tile, notify=notify)
            finally:
                for notice in list(runtime.notices):   # provider fall-backs, said once per session
                    notify(notice)
            return {"pixels": result, "provider": runtime.active_provider}

        job = Job(work, entry.id)
        doc = self.doc
        job.signals.progress.connect(self._on_progress)
        job.signals.notice.connect(self._on_notice)
        job.signals.done.connect(lambda result: self._filter_done(doc, inp, result))
        job.signals.failed.connect(self._filter_failed)
        job.signals.cancelled.connect(self._filter_cancelled)
        job.signals.finished.connect(self._filter_ended)
        self.filter_job, self.filter_input = job, inp
        self.filters_panel.preview.setChecked(False)   # the result replaces the preview
        self._stop_preview()
        self.filters_panel.set_busy(True)
        self.status_progress.setValue(0)
        self.status_progress.show()
        self.status_cancel.show()
        self.show_message(self.tr("Running %1…").replace("%1", entry.spec.name))
        return self.runner.start(job)

    # ------------------------------------------------------------------ preview
    def _on_preview_requested(self, entry: Any, params: dict) -> None:
        self._preview_request = (entry, params) if entry is not None else None
        if self._preview_request is None:
            self._stop_preview()
        else:
            self._preview_timer.start()

    def _preview_stale(self, *_args: object) -> None:
        if self._preview_request is not None:
            self._preview_timer.start()

    def _stop_preview(self) -> None:
        self._preview_timer.stop()
        self._preview_generation += 1
        if self.preview_job is not None:
            self.preview_job.cancel()
        self.canvas.set_preview(None)

    def _run_preview(self) -> Job | None:
        """Run the requested filter on a screen-sized sample of the visible region."""
        request, doc, rect = self._preview_request, self.doc, self.canvas.visible_image_rect()
        if request is None or doc is None or rect is None:
            return None
        if self.filter_job is not None:      # the full run has priority; try again afterwards
            self._preview_timer.start()
            return None
        entry, params = request
        inp = preview.prepare_preview(doc, entry, params, rect, self.canvas.zoom)
        if inp is None:
            self.canvas.set_preview(None)
            return None
        if self.preview_job is not None:
            self.preview_job.cancel()
        self._preview_generation += 1
        generation = self._preview_generation
        from plugins.pipeline import apply_filter
        from plugins.runtime import default_runtime

        provider = self.prefs.provider

        def work(_progress: object, token: Any, _notify: object) -> np.ndarray:
            result = apply_filter(inp.entry, inp.pixels, mask=inp.mask, params=inp.params,
                                  runtime=default_runtime(provider), cancel=token)
            return preview.finish_preview(inp, result)

        def done(rgba: np.ndarray) -> None:
            if generation == self._preview_generation and doc is self.doc:
                x0, y0, x1, y1 = inp.rect
                self.canvas.set_preview(to_qimage(rgba), QRectF(x0, y0, x1 - x0, y1 - y0))

        job = Job(work, "preview")
        job.signals.done.connect(done)
        job.signals.failed.connect(lambda text: self.show_message(self.tr("Preview: ") + text))
        self.preview_job = job
        return self.runner.start(job)

    def _on_progress(self, fraction: float) -> None:
        self.filters_panel.set_progress(fraction)
        self.status_progress.setValue(int(fraction * 1000))

    def cancel_filter(self) -> None:
        if self.filter_job is not None:
            self.filter_job.cancel()
            self.show_message(self.tr("Cancelling…"))

    def _on_notice(self, text: str) -> None:
        if text not in self._shown_notices:
            self._shown_notices.add(text)
            self.show_message(text)

    def _filter_done(self, doc: Document, inp: filter_apply.FilterInput, outcome: dict) -> None:
        provider = str(outcome["provider"])
        self.provider_label.setText(self.tr("Runs on %1").replace("%1", provider.upper()))
        if doc is not self.doc or self.history is None:
            return
        try:
            filter_apply.commit(doc, self.history, inp, outcome["pixels"])
        except HolstError as exc:
            self.show_error(str(exc))
            self.filter_finished.emit("failed")
            return
        self.show_message(self.tr("%1 applied").replace("%1", inp.entry.spec.name))
        self.filter_finished.emit("done")

    def _filter_failed(self, text: str) -> None:
        self.show_error(text)
        self.filter_finished.emit("failed")

    def _filter_cancelled(self) -> None:
        self.show_message(self.tr("Cancelled — the image is unchanged."))
        self.filter_finished.emit("cancelled")

    def _filter_ended(self) -> None:
        self.filter_job = None
        self.filter_input = None
        self.filters_panel.set_busy(False)
        self.status_progress.hide()
        self.status_cancel.hide()

    # ------------------------------------------------------------------ sketch
    def extract_edges(self, weight: float = 1.0, detail: float = 0.5) -> Job | None:
        module = edges_module()
        if module is None or self.doc is None:
            self.show_error(self.tr("Edge extraction needs the edges2photo filter, which is not installed."))
            return None
        doc = self.doc
        rgb = doc.flatten()[..., :3].astype(np.float32) / 255.0
        job = Job(lambda _p, _c, _n: module.extract_edges(rgb, line_weight=weight, detail=detail), "edges")

        def done(drawing: np.ndarray) -> None:
            if doc is self.doc and self.history is not None:
                set_sketch(doc, self.history, 1.0 - drawing, self.tr("Extract edges"))
                doc.sketch_visible = True
                self.sketch_panel.visible.setChecked(True)

        job.signals.done.connect(done)
        job.signals.failed.connect(self.show_error)
        return self.runner.start(job)

    def load_drawing_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Load drawing"), self._last_dir(), OPEN_FILTER)
        if path:
            self.load_drawing(path)

    def load_drawing(self, path: str) -> Job | None:
        """A drawing file (dark lines on light paper) becomes the sketch plane, at the image's size."""
        if self.doc is None:
            return None
        from PIL import Image

        from plugins.imageio import load_image

        doc = self.doc
        module = edges_module()
        size = (doc.width, doc.height)

        def work(_p: object, _c: object, _n: object) -> np.ndarray:
            rgb = load_image(path).pixels[..., :3].astype(np.float32) / 255.0
            if module is not None:
                paper = module.normalise_drawing(rgb)
            else:
                paper = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
            img = Image.fromarray(paper.astype(np.float32), "F").resize(size, Image.Resampling.BILINEAR)
            return 1.0 - np.clip(np.asarray(img, np.float32), 0.0, 1.0)

        job = Job(work, "drawing")
        job.signals.done.connect(lambda ink: set_sketch(doc, self.history, ink, self.tr("Load drawing"))
                                 if doc is self.doc and self.history is not None else None)
        job.signals.failed.connect(self.show_error)
        return self.runner.start(job)

    # ------------------------------------------------------------------ tools, selection, layers
    def set_tool(self, name: str) -> None:
        tool = self.tools[name]
        self.tool_actions[name].setChecked(True)
        self.canvas.set_tool(tool)
        brush = isinstance(tool, BrushTool)
        self.options_bar.setEnabled(brush)
        if brush:
            self._sync_brush_widgets()
        if name.startswith("sketch") and self.doc is not None and not self.doc.sketch_visible:
            self.sketch_panel.visible.setChecked(True)
        self.show_message(self.tool_actions[name].text())

    def current_brush(self) -> BrushSettings | None:
        tool = self.canvas.tool
        return tool.settings if isinstance(tool, BrushTool) else None

    def _sync_brush_widgets(self) -> None:
        settings = self.current_brush()
        if settings is None:
            return
        for spin, value in ((self.size_spin, int(settings.size)), (self.hard_spin, settings.hardness),
                            (self.opacity_spin, settings.opacity)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _set_brush(self, key: str, value: float) -> None:
        settings = self.current_brush()
        if settings is not None:
            setattr(settings, key, value)
            self.canvas.update()

    def resize_brush(self, factor: float) -> None:
        settings = self.current_brush()
        if settings is not None:
            settings.grow(factor)
            self._sync_brush_widgets()
            self.canvas.update()
            self.show_message(self.tr("Brush size: %1 px").replace("%1", str(int(settings.size))))

    def _set_mask_overlay(self, on: bool) -> None:
        self.canvas.set_show_mask(on)
        self.mask_panel.overlay.setChecked(on)

    def select_all(self) -> None:
        if self.doc is not None:
            self.doc.selection = Selection.from_rect(QRectF(0, 0, self.doc.width, self.doc.height),
                                                     (self.doc.width, self.doc.height))
            self.doc.selection_changed.emit()

    def deselect(self) -> None:
        if self.doc is not None and self.doc.selection is not None:
            self.doc.selection = None
            self.doc.selection_changed.emit()

    def invert_selection(self) -> None:
        if self.doc is None:
            return
        from PySide6.QtGui import QPainterPath

        whole = QPainterPath()
        whole.addRect(QRectF(0, 0, self.doc.width, self.doc.height))
        path = whole if self.doc.selection is None else whole.subtracted(self.doc.selection.path)
        self.doc.selection = Selection(path, (self.doc.width, self.doc.height))
        self.doc.selection_changed.emit()

    def flatten_image(self) -> None:
        doc, history = self.doc, self.history
        if doc is None or history is None or len(doc.layers) < 2:
            return
        ops = []
        while len(doc.layers) > 1:
            top = len(doc.layers) - 1
            op = merge_down(doc, top)
            if op is None:
                break
            ops.append(op)
        history.push(Compound(ops, self.tr("Flatten image")))
        doc.set_current(0)

    # ------------------------------------------------------------------ preferences, autosave
    def preferences_dialog(self) -> None:
        dialog = PreferencesDialog(self.prefs, self)
        if dialog.exec():
            dialog.store()
            self.apply_preferences()

    def apply_preferences(self) -> None:
        from editor.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.prefs.theme)
        if self.history is not None:
            self.history.budget = self.prefs.memory_bytes
        self._apply_autosave_interval()
        self.show_message(self.tr("Preferences saved."))

    def _apply_autosave_interval(self) -> None:
        seconds = self.prefs.autosave_s
        if seconds > 0:
            self._autosave_timer.start(seconds * 1000)
        else:
            self._autosave_timer.stop()

    def autosave(self) -> Job | None:
        """Write a recovery snapshot when there are unsaved changes not yet snapshotted."""
        if self.doc is None or self.history is None or not self.is_modified():
            return None
        index = self.history.stack.index()
        if index == self._autosaved_index:
            return None
        self._autosaved_index = index
        snap = snapshot(self.doc)
        job = Job(lambda _p, _c, _n: self.recovery.write(snap), "autosave")
        job.signals.failed.connect(lambda text: self.show_message(self.tr("Autosave failed: ") + text))
        return self.runner.start(job)

    def offer_recovery(self, ask: Callable[[dict], bool] | None = None) -> bool:
        """At start-up: offer the newest session left by a crashed Holst. True when one was restored."""
        orphans = self.recovery.orphans()
        if not orphans:
            return False
        folder = orphans[0]
        info = self.recovery.describe(folder)
        if ask is None:
            name = os.path.basename(info.get("path") or "") or self.tr("an untitled image")
            answer = QMessageBox.question(
                self, "Holst", self.tr("Holst did not close properly. Recover your unsaved work on %1?")
                .replace("%1", name))
            accepted = answer == QMessageBox.StandardButton.Yes
        else:
            accepted = ask(info)
        if not accepted:
            for old in orphans:
                self.recovery.remove(old)
            return False
        doc = self.recovery.restore(folder)
        self.set_document(doc, clean=False)
        for old in orphans:
            self.recovery.remove(old)
        self.show_message(self.tr("Recovered the unsaved session."))
        return True

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Holst"),
                          self.tr("Holst — an image editor whose filters are neural networks trained by the "
                                  "Holst project, running locally with onnxruntime."))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Hold backslash anywhere in the window (not while typing) to see the original image."""
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and watched is not self.canvas:
            key_event = event
            if key_event.key() == Qt.Key.Key_Backslash and not key_event.isAutoRepeat() \
                    and isinstance(watched, QWidget) and watched.window() is self \
                    and not isinstance(QApplication.focusWidget(), (QLineEdit, QAbstractSpinBox)):
                if event.type() == QEvent.Type.KeyPress:
                    self.canvas.keyPressEvent(key_event)
                else:
                    self.canvas.keyReleaseEvent(key_event)
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        if self.filter_job is not None:
            self.filter_job.cancel()
        self.runner.wait(5000)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.recovery.discard()
        event.accept()
