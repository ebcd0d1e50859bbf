"""Icons from resources/icons (SVG); a missing file gives an empty icon, never an error.

The SVGs are drawn in light grey for dark themes; on a light palette the grey is darkened so the
icons keep their contrast.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon, QPalette, QPixmap

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
LIGHT_STROKE, DARK_STROKE = "#d0d0d0", "#3c3c3c"
SIZE = 64


def _light_palette() -> bool:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() > 128


@cache
def _load(name: str, light: bool) -> QIcon:
    path = ICON_DIR / f"{name}.svg"
    if not path.exists():
        return QIcon()
    svg = path.read_text(encoding="utf-8")
    if light:
        svg = svg.replace(LIGHT_STROKE, DARK_STROKE)
    svg = svg.replace("<svg ", f'<svg width="{SIZE}" height="{SIZE}" ', 1)   # render sharp at SIZE px
    pixmap = QPixmap()
    if not pixmap.loadFromData(svg.encode("utf-8"), "SVG"):
        return QIcon(str(path))
    return QIcon(pixmap)


def icon(name: str) -> QIcon:
    return _load(name, _light_palette())
