"""Filters ▸ Run chain…: several filters in a row on the image, as one undo step.

The dialog lists the chain's filters in order (add, remove, move), shows the parameter form of the
selected one (the same generated form as the Filters panel), offers the presets of ``plugins.chain``
(the restoration of old photos: inpaint the scratches → colorize → upscale) and, while the chain runs,
one progress bar over the whole chain and Cancel. The work itself is the window's (``apply_chain`` in
editor/window_chain.py); this module only builds the :class:`plugins.chain.Chain`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from editor.filter_apply import NEW_LAYER, REPLACE
from editor.i18n import filter_text
from editor.panels.params import ParamForm
from plugins import chain
from plugins.contract import OutputKind
from plugins.registry import FilterEntry

_ROLE = Qt.ItemDataRole.UserRole
CUSTOM = ""

# The presets' texts, for the translation files (plugins/ stays Qt-free and English).
_PRESET_TEXTS = (
    QT_TRANSLATE_NOOP("ChainDialog", "Restore an old photo"),
    QT_TRANSLATE_NOOP("ChainDialog",
                      "Fills the scratches painted in the mask, colorizes, then doubles the size."),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("ChainDialog", text)


class ChainDialog(QDialog):
    run_requested = Signal(object, str)       # plugins.chain.Chain, target (new layer / replace)
    cancel_requested = Signal()

    def __init__(self, entries: list[FilterEntry], parent: QWidget | None = None,
                 selection_rect: Callable[[], tuple[int, int, int, int] | None] = lambda: None) -> None:
        super().__init__(parent)
        self._selection_rect = selection_rect
        self.setObjectName("chain_dialog")
        self.setWindowTitle(self.tr("Run chain"))
        self.entries = {e.id: e for e in entries if e.usable and e.spec is not None}
        self.running = False

        self.preset = QComboBox()
        self.preset.setObjectName("chain_preset")
        self.preset.addItem(self.tr("Custom chain"), CUSTOM)
        for preset in chain.PRESETS.values():
            if all(step in self.entries for step in preset.steps):
                self.preset.addItem(tr(preset.label), preset.name)
                self.preset.setItemData(self.preset.count() - 1, tr(preset.help), Qt.ItemDataRole.ToolTipRole)
        self.preset.activated.connect(lambda _i: self.load_preset(self.preset.currentData()))
        self.preset_help = QLabel()
        self.preset_help.setWordWrap(True)

        self.steps = QListWidget()
        self.steps.setObjectName("chain_steps")
        self.steps.setMaximumHeight(130)
        self.steps.currentItemChanged.connect(self._show_form)
        self.add_choice = QComboBox()
        self.add_choice.setObjectName("chain_add_choice")
        for entry in sorted(self.entries.values(), key=lambda e: filter_text(e.spec, e.spec.name)):
            self.add_choice.addItem(filter_text(entry.spec, entry.spec.name), entry.id)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName("chain_add")
        self.add_button.clicked.connect(lambda: self.add_step(self.add_choice.currentData()))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_step)
        self.up_button = QPushButton(self.tr("Move up"))
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button = QPushButton(self.tr("Move down"))
        self.down_button.clicked.connect(lambda: self.move_step(1))
        edit_row = QHBoxLayout()
        for widget in (self.add_choice, self.add_button, self.remove_button, self.up_button,
                       self.down_button):
            edit_row.addWidget(widget)

        self.forms = QStackedWidget()
        self.forms.addWidget(QLabel(self.tr("Add a filter to the chain.")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.forms)
        params_box = QGroupBox(self.tr("Parameters of the selected filter"))
        QVBoxLayout(params_box).addWidget(scroll)

        self.target = QComboBox()
        self.target.setObjectName("chain_target")
        self.target.addItem(self.tr("Result to a new layer"), NEW_LAYER)
        self.target.addItem(self.tr("Replace the current layer"), REPLACE)
        self.progress = QProgressBar()
        self.progress.setObjectName("chain_progress")
        self.progress.setRange(0, 1000)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Close"))
        self.cancel_button.setObjectName("chain_cancel")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.run_button = QPushButton(self.tr("Run"))
        self.run_button.setObjectName("chain_run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self._run)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.run_button)

        top = QFormLayout()
        top.addRow(self.tr("Preset"), self.preset)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preset_help)
        layout.addWidget(QLabel(self.tr("Filters, in the order they run:")))
        layout.addWidget(self.steps)
        layout.addLayout(edit_row)
        layout.addWidget(params_box, 1)
        layout.addWidget(self.target)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.resize(520, 620)
        self.set_running(False)

    # -- the chain ---------------------------------------------------------------------------------
    def step_ids(self) -> list[str]:
        return [self.steps.item(i).data(_ROLE)[0] for i in range(self.steps.count())]

    def form(self, index: int) -> ParamForm:
        return self.steps.item(index).data(_ROLE)[1]

    def add_step(self, filter_id: str) -> ParamForm | None:
        entry = self.entries.get(filter_id)
        if entry is None:
            return None
        form = ParamForm(entry.spec, entry.folder, self._selection_rect)
        self.forms.addWidget(form)
        item = QListWidgetItem(filter_text(entry.spec, entry.spec.name))
        item.setData(_ROLE, (entry.id, form))
        self.steps.addItem(item)
        self.steps.setCurrentItem(item)
        self._changed()
        return form

    def remove_step(self) -> None:
        row = self.steps.currentRow()
        if row < 0:
            return
        item = self.steps.takeItem(row)
        form = item.data(_ROLE)[1]
        self.forms.removeWidget(form)
        form.deleteLater()
        self._changed()

    def move_step(self, offset: int) -> None:
        row = self.steps.currentRow()
        new = row + offset
        if row < 0 or not 0 <= new < self.steps.count():
            return
        item = self.steps.takeItem(row)
        self.steps.insertItem(new, item)
        self.steps.setCurrentRow(new)
        self._changed()

    def load_preset(self, name: str) -> None:
        """Replace the steps by a preset's, with its parameter values in their forms."""
        self.preset.setCurrentIndex(max(0, self.preset.findData(name)))
        preset = chain.PRESETS.get(name)
        if preset is None:
            self.preset_help.setText("")
            return
        while self.steps.count():
            self.steps.setCurrentRow(0)
            self.remove_step()
        forms = [self.add_step(fid) for fid in preset.steps]
        specs = [self.entries[fid].spec for fid in preset.steps]
        for form, spec, values in zip(forms, specs, chain.split_params(specs, preset.params)):
            for name_, text in values.items():
                form.set_value(name_, spec.param(name_).parse(text))
        self.steps.setCurrentRow(0)
        self.preset.setCurrentIndex(self.preset.findData(name))
        self.preset_help.setText(tr(preset.help))

    def _changed(self) -> None:
        if self.preset.currentData() != CUSTOM and self.step_ids() != list(
                chain.PRESETS[self.preset.currentData()].steps):
            self.preset.setCurrentIndex(0)
            self.preset_help.setText("")
        changes_size = any(self.entries[fid].spec.output == OutputKind.SCALED for fid in self.step_ids())
        self.target.setEnabled(not changes_size)
        self._update_buttons()

    def _show_form(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            self.forms.setCurrentIndex(0)
        else:
            self.forms.setCurrentWidget(item.data(_ROLE)[1])
        self._update_buttons()

    def build(self) -> chain.Chain:
        """The chain as set up in the dialog (raises ParamError for a bad value)."""
        ids = self.step_ids()
        entries = [self.entries[fid] for fid in ids]
        values = [self.form(i).values() for i in range(len(ids))]
        preset = self.preset.currentData()
        return chain.from_values(preset or chain.SEPARATOR.join(ids), entries, values)

    def display_name(self) -> str:
        """The chain's name in the interface: the preset's, or the filters' joined by arrows."""
        preset = chain.PRESETS.get(self.preset.currentData())
        if preset is not None:
            return tr(preset.label)
        return " → ".join(self.steps.item(i).text() for i in range(self.steps.count()))

    # -- running -----------------------------------------------------------------------------------
    def _run(self) -> None:
        if not self.steps.count():
            self.status.setText(self.tr("Add at least one filter."))
            return
        self.status.setText("")
        self.run_requested.emit(self.build(), self.target.currentData())

    def _cancel_or_close(self) -> None:
        if self.running:
            self.cancel_requested.emit()
        else:
            self.reject()

    def set_running(self, running: bool) -> None:
        self.running = running
        self.progress.setVisible(running)
        self.progress.setValue(0)
        self.cancel_button.setText(self.tr("Cancel") if running else self.tr("Close"))
        for widget in (self.preset, self.steps, self.add_choice, self.forms, self.target):
            widget.setEnabled(not running)
        if not running:
            self._changed()
        self._update_buttons()

    def set_progress(self, fraction: float) -> None:
        self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))

    def finished_with(self, outcome: str, message: str = "") -> None:
        """The window's answer: "done" closes the dialog; otherwise it stays, saying why."""
        self.set_running(False)
        if outcome == "done":
            self.accept()
        elif outcome == "cancelled":
            self.status.setText(self.tr("Cancelled — the image is unchanged."))
        else:
            self.status.setText(message)

    def _update_buttons(self) -> None:
        has_steps = self.steps.count() > 0
        row = self.steps.currentRow()
        idle = not self.running
        self.run_button.setEnabled(idle and has_steps)
        self.add_button.setEnabled(idle and self.add_choice.count() > 0)
        self.remove_button.setEnabled(idle and row >= 0)
        self.up_button.setEnabled(idle and row > 0)
        self.down_button.setEnabled(idle and 0 <= row < self.steps.count() - 1)

