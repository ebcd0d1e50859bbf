"""The Sketch panel: a drawing plane (black lines on white) for sketch filters.

The pen and eraser are canvas tools; here are show/hide, clear, load a drawing, and the commands that
plugins contribute for this layer (a manifest's ``[[commands]]`` with role "sketch-from-photo", e.g.
"extract edges from photo"): one button and parameter form each, run off the GUI thread by the window.
The panel names no filter: what it offers is what the installed plugins declare.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.document import SKETCH, Document
from editor.i18n import filter_text
from editor.panels.params import ParamForm
from editor.undo import History, edit_plane
from editor.widgets import check_box, push_button
from plugins.contract import CommandSpec
from plugins.registry import FilterEntry

PluginCommand = tuple[FilterEntry, CommandSpec]


def set_sketch(doc: Document, history: History, ink: np.ndarray, text: str) -> None:
    history.push(edit_plane(doc, SKETCH, 0, 0, ink.astype(np.float32), text))
    doc.pixels_changed.emit(doc.rect())


class SketchPanel(QWidget):
    command_requested = Signal(object, object, dict)   # FilterEntry, CommandSpec, parameter values
    load_requested = Signal()
    visibility_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.history: History | None = None
        self.visible = check_box(self.tr("Show sketch layer"), "sketch_visible", self._on_visible, True)
        self.paper = check_box(self.tr("Paper view (hide the photo)"), "sketch_paper", self._on_paper)
        #: one (command, button, form) per contributed command, in discovery order (see set_commands)
        self.commands: list[tuple[PluginCommand, QPushButton, ParamForm]] = []
        #: the first command's button (the usual "extract edges from photo"), None when no plugin offers one
        self.extract: QPushButton | None = None
        self._commands_box = QVBoxLayout()
        self.clear = push_button(self.tr("Clear sketch"), "sketch_clear", self.do_clear)
        self.load = push_button(self.tr("Load drawing…"), "sketch_load", self.load_requested)
        grid = QGridLayout()
        grid.addWidget(self.load, 0, 0)
        grid.addWidget(self.clear, 0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.visible)
        layout.addWidget(self.paper)
        layout.addLayout(self._commands_box)
        layout.addLayout(grid)
        layout.addStretch(1)

    def set_commands(self, commands: list[PluginCommand]) -> None:
        """Show one parameter form and button per plugin command of role "sketch-from-photo"."""
        while self._commands_box.count():
            widget = self._commands_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.commands = []
        for entry, command in commands:
            form = ParamForm(entry.spec, entry.folder, params=command.params)
            button = push_button(filter_text(entry.spec, command.label),
                                 f"sketch_command_{entry.id}_{command.id}",
                                 lambda _=False, e=entry, c=command, f=form:
                                 self.command_requested.emit(e, c, f.values()))
            if command.help:
                button.setToolTip(filter_text(entry.spec, command.help))
            self._commands_box.addWidget(form)
            self._commands_box.addWidget(button)
            self.commands.append(((entry, command), button, form))
        self.extract = self.commands[0][1] if self.commands else None

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

    def do_clear(self) -> None:
        if self.doc is None or self.history is None or self.doc.sketch is None:
            return
        set_sketch(self.doc, self.history, np.zeros_like(self.doc.mask), self.tr("Clear sketch"))
