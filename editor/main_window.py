"""The main window: menus, shortcuts, tool bar, docks and status bar. The file, filter, chain and
session work lives in four collaborators the window owns and wires to its actions: ``self.files``
(:class:`editor.window_files.FileActions`), ``self.filters`` (:class:`editor.window_filters.FilterActions`),
``self.chain`` (:class:`editor.window_chain.ChainActions`) and ``self.session``
(:class:`editor.window_session.SessionKeeper`); what they use of the window is
:class:`editor.window_host.WindowHost`.

Everything slow runs as a background Job (editor/jobs.py): decoding and encoding files, filter
inference (ONNX session creation included), edge extraction, autosave. The window only copies
inputs out of the document and commits results back as undo steps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDockWidget,
    QDoubleSpinBox,
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

from editor.canvas import Canvas
from editor.document import MASK, SKETCH, Document
from editor.i18n import filter_text
from editor.icons import icon
from editor.jobs import JobRunner
from editor.panels.filters import FiltersPanel
from editor.panels.layers import LayersPanel, merge_down
from editor.panels.mask import MaskPanel
from editor.panels.sketch import SketchPanel
from editor.preferences import Prefs
from editor.recovery import RecoveryStore
from editor.selection import Selection
from editor.tools import BrushSettings, BrushTool, LassoSelectTool, RectSelectTool, Tool
from editor.undo import Compound, History
from editor.window_chain import ChainActions
from editor.window_files import FileActions
from editor.window_filters import FilterActions
from editor.window_session import SessionKeeper
from plugins.registry import FilterEntry

BLANK_SIZE = (1024, 768)


def blank_pixels(width: int, height: int) -> np.ndarray:
    return np.full((height, width, 4), 255, np.uint8)


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
        self.last_error = ""
        self._error_box: QMessageBox | None = None
        self.setWindowTitle("Holst")
        self.setAcceptDrops(True)
        self.resize(1400, 900)

        self.canvas = Canvas()
        self.canvas.setObjectName("canvas")
        self.setCentralWidget(self.canvas)
        self._build_tools()
        self._build_docks()
        self.files = FileActions(self, self, self.prefs, self.recovery, self.runner)
        self.filters = FilterActions(self, self, self.prefs, self.runner, self.canvas, self.filters_panel,
                                     self.sketch_panel, self.filter_finished.emit)
        self.chain = ChainActions(self, self, self.filters, self.selection_rect)
        self.session = SessionKeeper(self, self, self.prefs, self.recovery, self.runner)
        self._connect_panels()
        self._build_actions()
        self._build_menus()
        self._build_toolbars()
        self._build_status()
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.canvas.cursor_moved.connect(self._on_cursor)
        self.canvas.view_changed.connect(self.filters.preview_stale)
        QApplication.instance().installEventFilter(self)
        self.set_document(Document(blank_pixels(*BLANK_SIZE), None, None, self.tr("Background")))
        self.set_tool("mask_brush")
        self.filters.load_filters()

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
        self.layers_panel = LayersPanel()
        self.mask_panel = MaskPanel(self.show_message)
        self.sketch_panel = SketchPanel()
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

    def _connect_panels(self) -> None:
        self.filters_panel.apply_requested.connect(self.filters.apply_filter)
        self.filters_panel.cancel_requested.connect(self.filters.cancel_filter)
        self.filters_panel.preview_requested.connect(self.filters.on_preview_requested)
        self.mask_panel.load_requested.connect(self.files.load_mask_dialog)
        self.mask_panel.save_requested.connect(self.files.save_mask_dialog)
        self.sketch_panel.command_requested.connect(self.filters.run_sketch_command)
        self.sketch_panel.load_requested.connect(self.filters.load_drawing_dialog)

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
        files = self.files
        self.act_new = a(self.tr("&New…"), files.new_dialog, K.New, "act_new")
        self.act_open = a(self.tr("&Open…"), files.open_dialog, K.Open, "act_open")
        self.act_save = a(self.tr("&Save"), lambda: files.save(), K.Save, "act_save")
        self.act_save_as = a(self.tr("Save &As…"), lambda: files.save_as(), "Ctrl+Shift+S", "act_save_as")
        self.act_export = a(self.tr("&Export…"), files.export_dialog, "Ctrl+E", "act_export")
        self.act_quit = a(self.tr("&Quit"), self.close, K.Quit, "act_quit")
        self.act_undo = self.undo_group.createUndoAction(self, self.tr("&Undo"))
        self.act_undo.setShortcut(QKeySequence("Ctrl+Z"))
        self.act_undo.setObjectName("act_undo")
        self.act_redo = self.undo_group.createRedoAction(self, self.tr("&Redo"))
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setObjectName("act_redo")
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_paste = a(self.tr("&Paste as new layer"), files.paste, K.Paste, "act_paste")
        self.act_paste_new = a(self.tr("Paste as new &image"), files.paste_as_new, "Ctrl+Shift+V",
                               "act_paste_new")
        self.act_prefs = a(self.tr("&Preferences…"), self.session.preferences_dialog, "Ctrl+,", "act_prefs")
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
        self.mask_panel.overlay_toggled.connect(self.act_mask_overlay.setChecked)   # one state, two controls
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
        self.act_about = a(self.tr("&About Holst"), self.session.about, None, "act_about")
        self.act_run_chain = a(self.tr("Run &chain…"), self.chain.run_chain_dialog, "Ctrl+Shift+R",
                               "act_run_chain")
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
        file_menu.addAction(self.act_new)
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent(self.recent_menu))
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
        self.filters_menu.addAction(self.act_run_chain)   # the filters are listed above it once found
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
        self.status_cancel.clicked.connect(self.filters.cancel_filter)
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
        if self.filters.job is not None:
            self.filters.job.cancel()
        self.doc = doc
        self.history = History(doc, self.prefs.memory_bytes, self)
        self.undo_group.addStack(self.history.stack)
        self.undo_group.setActiveStack(self.history.stack)
        if old is not None:
            self.undo_group.removeStack(old.stack)
            old.deleteLater()
        self.history.stack.cleanChanged.connect(self.update_title)
        self.history.stack.indexChanged.connect(self._on_history_index)
        self.history.trimmed.connect(self._on_trimmed)
        if not clean:
            self.history.stack.resetClean()
        doc.reset.connect(self._update_size)
        doc.pixels_changed.connect(self.filters.preview_stale)
        doc.mask_changed.connect(self.filters.preview_stale)
        doc.selection_changed.connect(self.filters.preview_stale)
        self.canvas.set_document(doc, self.history)
        self.layers_panel.set_document(doc, self.history)
        self.mask_panel.set_document(doc, self.history)
        self.sketch_panel.set_document(doc, self.history)
        self.session.document_replaced()
        self.update_title()
        self._update_size()
        self.document_changed.emit()

    def _on_history_index(self, _index: int) -> None:
        self.update_title()

    def _on_trimmed(self, count: int) -> None:
        self.show_message(self.tr("Undo memory budget reached: the %n oldest step(s) were dropped.", "",
                                  count))

    def _update_size(self) -> None:
        if self.doc is not None:
            self.size_label.setText(f"{self.doc.width} × {self.doc.height}")

    def is_modified(self) -> bool:
        return self.history is not None and not self.history.stack.isClean()

    def update_title(self) -> None:
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
        if name.startswith("mask") and not self.act_mask_overlay.isChecked():
            self.act_mask_overlay.setChecked(True)      # painting a mask you cannot see helps nobody
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

    # ------------------------------------------------------------------ the filters' window services
    def list_filters(self, entries: list[FilterEntry]) -> None:
        """The Filters menu: one item per discovered filter (greyed when unusable), then Run chain…."""
        self.filters_menu.clear()
        for entry in entries:
            if entry.spec is None:
                continue
            name = filter_text(entry.spec, entry.spec.name)
            act = self.filters_menu.addAction(name + ("" if entry.usable else " …"))
            act.setEnabled(entry.usable)
            act.triggered.connect(lambda _c=False, fid=entry.id: self._focus_filter(fid))
        self.filters_menu.addSeparator()
        self.filters_menu.addAction(self.act_run_chain)

    def _focus_filter(self, filter_id: str) -> None:
        self.filters_dock.show()
        self.filters_dock.raise_()
        self.filters_panel.select(filter_id)

    def show_running(self, running: bool) -> None:
        if running:
            self.status_progress.setValue(0)
            self.status_progress.show()
            self.status_cancel.show()
        else:
            self.status_progress.hide()
            self.status_cancel.hide()

    def show_progress(self, fraction: float) -> None:
        self.status_progress.setValue(int(fraction * 1000))

    def show_provider(self, provider: str) -> None:
        self.provider_label.setText(self.tr("Runs on %1").replace("%1", str(provider).upper()))

    def show_mask_overlay(self, on: bool) -> None:
        self.act_mask_overlay.setChecked(on)

    # ------------------------------------------------------------------ drag and drop, closing
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self.files.drag_enter(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.files.drop(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.files.maybe_save():
            event.ignore()
            return
        self.filters.close_jobs()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.recovery.discard()
        event.accept()
