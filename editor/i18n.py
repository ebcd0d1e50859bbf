"""Loading the interface translation (resources/i18n/holst_<lang>.qm, compiled from the .ts)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from plugins.contract import FilterSpec

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"


_language = "en"


def filter_text(spec: FilterSpec, english: str) -> str:
    """A string from a filter's manifest in the interface language (its [translations.<lang>] table)."""
    return spec.text(english, _language)


class Translated:
    """``self.tr`` for the window's plain (non-Qt) collaborators. The translation context is the class
    name, which is what ``pyside6-lupdate`` records for a ``self.tr("…")`` call inside a class."""

    def tr(self, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return QCoreApplication.translate(type(self).__name__, text, disambiguation, n)


def install_translation(app: QApplication, language: str) -> list[QTranslator]:
    """Install Holst's and Qt's own translators for ``language``; returns them (keep them alive)."""
    global _language
    _language = language
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"holst_{language}.qm")):
        app.installTranslator(ours)
        installed.append(ours)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(QLocale(language), "qtbase", "_", qt_dir):
        app.installTranslator(qt)
        installed.append(qt)
    return installed


def remove_translation(app: QApplication, translators: list[QTranslator]) -> None:
    """Undo :func:`install_translation`: back to the English interface."""
    global _language
    for translator in translators:
        app.removeTranslator(translator)
    _language = "en"
