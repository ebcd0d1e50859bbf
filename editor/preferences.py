"""User preferences (QSettings) and the Preferences dialog.

Execution provider, tile size, undo memory budget, autosave interval, language and theme. The
provider is applied to the next filter run; language takes effect after a restart.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.widgets import ok_cancel
from plugins.contract import MAX_TILE, MIN_TILE
from plugins.runtime import PROVIDER_CHOICES, PROVIDER_LABELS

LANGUAGES = {"en": "English", "ru": "Русский"}
THEMES = ("system", "light", "dark")
DEFAULTS = {"provider": "auto", "tile": 0, "memory_mb": 1024, "autosave_s": 60, "language": "",
            "theme": "dark", "recent": []}
#: What the dialog's spin boxes allow; a settings file edited by hand is clamped to the same ranges.
RANGES = {"tile": (0, MAX_TILE), "memory_mb": (64, 65536), "autosave_s": (0, 3600)}
RECENT_LIMIT = 10


class Prefs:
    """Typed access to QSettings. ``tile`` 0 means "the filter's own tile size"."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings()

    def _get(self, key: str, kind: type) -> Any:
        try:
            value = self.settings.value(key, DEFAULTS[key])
            if kind is list:
                if value is None or value == "":
                    return []
                items = value if isinstance(value, list) else [value]
                return [str(v) for v in items if isinstance(v, str) and v][:RECENT_LIMIT]
            if kind is int and not isinstance(value, int):
                value = float(str(value).strip())   # "60", "6e1", " 60 " as QSettings may hand them
            return kind(value)
        except (TypeError, ValueError, OverflowError):
            return DEFAULTS[key]

    def _int(self, key: str) -> int:
        """An int setting clamped to the range the dialog allows (a hand-edited file may say anything)."""
        low, high = RANGES[key]
        return min(high, max(low, self._get(key, int)))

    @property
    def provider(self) -> str:
        value = self._get("provider", str)
        return value if value in PROVIDER_CHOICES else "auto"

    @property
    def tile(self) -> int | None:
        value = self._int("tile")
        return value if value >= MIN_TILE else None

    @property
    def memory_bytes(self) -> int:
        return self._int("memory_mb") * 1024 * 1024

    @property
    def autosave_s(self) -> int:
        return self._int("autosave_s")

    @property
    def language(self) -> str:
        """The chosen language; until one is chosen, the system's when Holst speaks it, else English."""
        value = self._get("language", str)
        if value in LANGUAGES:
            return value
        system = QLocale.system().name()[:2]
        return system if system in LANGUAGES else "en"

    @property
    def theme(self) -> str:
        value = self._get("theme", str)
        return value if value in THEMES else "dark"

    @property
    def recent(self) -> list[str]:
        return self._get("recent", list)

    def add_recent(self, path: str, limit: int = RECENT_LIMIT) -> None:
        items = [p for p in self.recent if p != path]
        self.settings.setValue("recent", [path, *items][:limit])

    def set(self, key: str, value: object) -> None:
        self.settings.setValue(key, value)
        self.settings.sync()


class PreferencesDialog(QDialog):
    def __init__(self, prefs: Prefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.setWindowTitle(self.tr("Preferences"))
        self.provider = QComboBox()
        self.provider.setObjectName("pref_provider")
        for choice in PROVIDER_CHOICES:
            label = self.tr("Automatic (best available)") if choice == "auto" else PROVIDER_LABELS[choice]
            self.provider.addItem(label, choice)
        self.provider.setCurrentIndex(self.provider.findData(prefs.provider))
        self.tile = QSpinBox()
        self.tile.setObjectName("pref_tile")
        self.tile.setRange(*RANGES["tile"])
        self.tile.setSingleStep(64)
        self.tile.setSpecialValueText(self.tr("Filter default"))
        self.tile.setValue(prefs.tile or 0)
        self.tile.setSuffix(" px")
        self.tile.setToolTip(self.tr("Tile edge for the filters that run in tiles, for Apply and the "
                                     "preview. Smaller tiles need less memory."))
        self.memory = QSpinBox()
        self.memory.setObjectName("pref_memory")
        self.memory.setRange(*RANGES["memory_mb"])
        self.memory.setSingleStep(256)
        self.memory.setValue(prefs.memory_bytes // (1024 * 1024))
        self.memory.setSuffix(" MB")
        self.autosave = QSpinBox()
        self.autosave.setObjectName("pref_autosave")
        self.autosave.setRange(*RANGES["autosave_s"])
        self.autosave.setSpecialValueText(self.tr("Off"))
        self.autosave.setValue(prefs.autosave_s)
        self.autosave.setSuffix(" s")
        self.language = QComboBox()
        self.language.setObjectName("pref_language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(prefs.language))
        self.theme = QComboBox()
        self.theme.setObjectName("pref_theme")
        for name, label in zip(THEMES, (self.tr("System"), self.tr("Light"), self.tr("Dark")), strict=True):
            self.theme.addItem(label, name)
        self.theme.setCurrentIndex(self.theme.findData(prefs.theme))
        form = QFormLayout()
        form.addRow(self.tr("Execution provider"), self.provider)
        form.addRow(self.tr("Tile size"), self.tile)
        form.addRow(self.tr("Undo memory budget"), self.memory)
        form.addRow(self.tr("Autosave every"), self.autosave)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Theme"), self.theme)
        note = QLabel(self.tr("A new language is used after restarting Holst."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(ok_cancel(self))

    def store(self) -> None:
        """Write the dialog's values to the settings."""
        self.prefs.set("provider", self.provider.currentData())
        self.prefs.set("tile", self.tile.value())
        self.prefs.set("memory_mb", self.memory.value())
        self.prefs.set("autosave_s", self.autosave.value())
        self.prefs.set("language", self.language.currentData())
        self.prefs.set("theme", self.theme.currentData())
