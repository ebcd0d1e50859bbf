"""The Filters panel: every discovered filter by category, its generated form, Apply / Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.filter_apply import NEW_LAYER, REPLACE
from editor.i18n import filter_text
from editor.panels.params import ParamForm
from editor.preview import previewable
from editor.widgets import check_box, push_button
from plugins.contract import InputKind, OutputKind
from plugins.registry import FilterEntry, Status

_ROLE = Qt.ItemDataRole.UserRole


class FiltersPanel(QWidget):
    apply_requested = Signal(object, dict, str)   # entry, params, target
    preview_requested = Signal(object, dict)      # entry, params (None entry: preview off)
    cancel_requested = Signal()

    def __init__(self, selection_rect: Callable[[], tuple[int, int, int, int] | None]) -> None:
        super().__init__()
        self._selection_rect = selection_rect
        self.entries: list[FilterEntry] = []
        self.form: ParamForm | None = None
        self.tree = QTreeWidget()
        self.tree.setObjectName("filter_tree")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setMaximumHeight(170)
        self.tree.currentItemChanged.connect(self._on_current)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setObjectName("filter_description")
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.target = QComboBox()
        self.target.setObjectName("filter_target")
        self.target.addItem(self.tr("Result to a new layer"), NEW_LAYER)
        self.target.addItem(self.tr("Replace the current layer"), REPLACE)
        self.preview = check_box(self.tr("Preview"), "filter_preview", self._request_preview)
        self.preview.setToolTip(self.tr("Show the filter on the visible part of the image, at screen "
                                        "resolution, before applying it"))
        self.reset_button = QPushButton(self.tr("Defaults"))
        self.reset_button.clicked.connect(lambda: self.form.reset() if self.form else None)
        self.apply_button = push_button(self.tr("Apply"), "apply_button", self._apply)
        self.apply_button.setDefault(True)
        self.cancel_button = push_button(self.tr("Cancel"), "cancel_button", self.cancel_requested)
        self.progress = QProgressBar()
        self.progress.setObjectName("filter_progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.preview)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.description)
        layout.addWidget(self.form_area, 1)
        layout.addWidget(self.target)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.set_busy(False)
        self._show(None)

    def set_entries(self, entries: list[FilterEntry]) -> None:
        self.entries = [e for e in entries if e.spec is not None or e.status != Status.OK]
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for entry in sorted(self.entries, key=lambda e: (e.spec.category if e.spec else "~", e.id)):
            spec = entry.spec
            category = filter_text(spec, spec.category) if spec else self.tr("Broken plugins")
            group = groups.get(category)
            if group is None:
                group = groups[category] = QTreeWidgetItem(self.tree, [category])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setExpanded(True)
            item = QTreeWidgetItem(group)
            item.setData(0, _ROLE, entry)
            self._decorate(item, entry)
        self.tree.expandAll()
        first = self._first_usable() or self._first_any()
        if first is not None:
            self.tree.setCurrentItem(first)

    def _decorate(self, item: QTreeWidgetItem, entry: FilterEntry) -> None:
        spec = entry.spec
        name = filter_text(spec, spec.name) if spec else entry.folder.name
        item.setText(0, name if entry.usable else f"{name} — {self._status(entry)}")
        item.setToolTip(0, filter_text(spec, spec.description) if entry.usable and spec
                        else entry.reason or self._status(entry))
        item.setForeground(0, self.palette().text() if entry.usable else self.palette().placeholderText())

    def refresh_status(self) -> None:
        """Show statuses that changed since the list was made (a module that failed to import when
        the filters' modules were loaded in the background) without rebuilding the list."""
        current = self.current_entry()
        changed = False
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j)
                entry = item.data(0, _ROLE)
                shown = not item.text(0).endswith(self._status(entry))
                if shown != entry.usable:
                    self._decorate(item, entry)
                    changed = changed or entry is current
        if changed:
            self._show(current)
        self._update_apply()

    def _status(self, entry: FilterEntry) -> str:
        if entry.status == Status.UNTRAINED:
            return self.tr("model not trained yet")
        return self.tr("broken")

    def _first_usable(self) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, _ROLE).usable:
                    return group.child(j)
        return None

    def _first_any(self) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).childCount():
                return self.tree.topLevelItem(i).child(0)
        return None

    def select(self, filter_id: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, _ROLE).id == filter_id:
                    self.tree.setCurrentItem(group.child(j))
                    return True
        return False

    def current_entry(self) -> FilterEntry | None:
        item = self.tree.currentItem()
        return item.data(0, _ROLE) if item is not None else None

    def _on_current(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        self._show(item.data(0, _ROLE) if item is not None else None)

    def _show(self, entry: FilterEntry | None) -> None:
        old = self.form_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.form = None
        if entry is None or entry.spec is None:
            self.description.setText(entry.reason if entry else self.tr("Choose a filter."))
        else:
            spec = entry.spec
            text = filter_text(spec, spec.description)
            if not entry.usable:
                text += "\n\n" + (self.tr("Not available: ") + entry.reason)
            if spec.requires_mask:
                text += "\n\n" + self.tr("Paint a mask over the area to change (mask brush, B).")
            if spec.input == InputKind.SKETCH:
                text += "\n\n" + self.tr("Works on the sketch layer: draw with the pen (P) or extract edges.")
            if not spec.tiling.tiled:
                text += "\n\n" + self.tr("Not tiled: works on the whole image at once, whatever the "
                                          "tile size in Preferences.")
            self.description.setText(text)
            self.form = ParamForm(spec, entry.folder, self._selection_rect)
            self.form.setObjectName("param_form")
            self.form.changed.connect(self._request_preview)
            self.form_area.setWidget(self.form)
            self.target.setEnabled(spec.output != OutputKind.SCALED)
        self._update_apply()
        self._request_preview()

    def _request_preview(self, *_args: object) -> None:
        entry = self.current_entry()
        if self.preview.isChecked() and entry is not None and entry.usable and self.form is not None:
            self.preview_requested.emit(entry, self.form.values())
        else:
            self.preview_requested.emit(None, {})

    def _update_apply(self) -> None:
        entry = self.current_entry()
        self.apply_button.setEnabled(not self._busy and entry is not None and entry.usable)
        self.preview.setEnabled(entry is not None and previewable(entry))

    def _apply(self) -> None:
        entry = self.current_entry()
        if entry is None or not entry.usable or self.form is None:
            return
        self.apply_requested.emit(entry, self.form.values(), self.target.currentData())

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        if not busy:
            self.progress.setValue(0)
        self._update_apply()

    def set_progress(self, fraction: float) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
