"""Screenshots of the real Holst window, for the README and for checking the UI by eye.

    python docs/make_screenshots.py            # writes docs/screenshots/*.jpg

Runs offscreen (no display needed) with throw-away settings. Everything is driven through the real
widgets (tools, panels, the Apply button); each usable filter is applied to the bundled sample and
captured as ``filter_<id>.jpg`` (JPEG, quality 90: under a quarter of the PNG's size, and the
repository keeps every version). Filters whose model is not trained yet are listed and skipped.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from editor.app import SAMPLE, make_app  # noqa: E402
from editor.i18n import install_translation, remove_translation  # noqa: E402
from editor.main_window import MainWindow  # noqa: E402
from editor.recovery import RecoveryStore  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1500, 940)


def pump(app: QApplication, window: MainWindow, seconds: float = 0.3) -> None:
    """Let background jobs finish and the window repaint."""
    end = time.time() + seconds
    while time.time() < end or window.runner.busy():
        app.processEvents()
        window.runner.wait(10)
        if time.time() > end + 600:
            raise TimeoutError("a background job did not finish")


def new_window(app: QApplication, tmp: Path) -> MainWindow:
    settings = QSettings(str(tmp / f"settings-{time.time_ns()}.ini"), QSettings.Format.IniFormat)
    settings.setValue("autosave_s", 0)
    window = MainWindow(settings, RecoveryStore(tmp / "recovery"))
    window.files.ask_unsaved = lambda: "discard"
    window.resize(*SIZE)
    window.show()
    pump(app, window)
    window.files.open_file(str(SAMPLE), ask=False)
    pump(app, window, 0.5)
    window.canvas.fit()
    return window


def shot(app: QApplication, widget: QWidget, name: str) -> None:
    app.processEvents()
    canvas = getattr(widget, "canvas", None)
    while canvas is not None and canvas.refining:   # let every edited tile re-render first
        canvas.repaint()
    path = OUT / f"{name}.jpg"
    widget.grab().save(str(path), "JPG", 90)
    print(f"wrote {path.relative_to(ROOT)}")


def drag(app: QApplication, window: MainWindow, points: list[tuple[float, float]]) -> None:
    canvas = window.canvas
    wpts = [canvas.to_widget(QPointF(*p)).toPoint() for p in points]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, wpts[0])
    for a, b in zip(wpts, wpts[1:], strict=False):
        for t in np.linspace(0, 1, 6)[1:]:
            QTest.mouseMove(canvas, a + (b - a) * float(t))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, wpts[-1])
    app.processEvents()


def apply_current(app: QApplication, window: MainWindow) -> str:
    result: list[str] = []
    window.filter_finished.connect(result.append)
    QTest.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    while not result:
        pump(app, window, 0.05)
    pump(app, window, 0.2)
    return result[0]


def editing_shots(app: QApplication, tmp: Path) -> list:
    """The window as it opens, a mask being painted, layers, compare, lasso and the sketch layer;
    returns the filters panel's entries."""
    # the window as it opens, with the filters panel
    window = new_window(app, tmp)
    entries = window.filters_panel.entries
    stylize = next((e for e in entries if e.id == "stylize"), None)
    if stylize is not None:
        window.filters_panel.select("stylize")
    shot(app, window, "main_window")

    # painting an inpainting mask: translucent red overlay and the brush outline
    window.set_tool("mask_brush")
    window.size_spin.setValue(70)
    drag(app, window, [(560, 560), (700, 600), (860, 580), (930, 650)])
    drag(app, window, [(180, 700), (260, 740)])
    if any(e.id == "inpaint" for e in entries):
        window.filters_panel.select("inpaint")
    QTest.mouseMove(window.canvas, window.canvas.to_widget(QPointF(1000, 420)).toPoint())
    window.mask_dock.raise_()
    shot(app, window, "mask_painting")

    # layers and blend modes: a duplicated layer in Screen mode at 60 %
    window.mask_panel.clear()
    window.layers_panel.do_duplicate()
    panel = window.layers_panel
    panel.blend.setCurrentIndex(panel.blend.findData("screen"))
    panel.opacity.setValue(60)
    window.layers_dock.raise_()
    shot(app, window, "layers_blend")

    # before/after compare with the divider in the middle
    window.canvas.set_compare(True)
    window.canvas.divider = 0.45
    window.history_dock.raise_()
    shot(app, window, "compare_history")
    window.canvas.set_compare(False)

    # lasso selection (marching ants)
    window.set_tool("lasso_select")
    drag(app, window, [(300, 200), (700, 150), (900, 400), (500, 520), (250, 420), (300, 200)])
    shot(app, window, "selection_lasso")
    window.deselect()

    # sketch layer: edges extracted from the photo, then a few pen strokes
    window.sketch_dock.raise_()
    window.filters.sketch_from_photo({"line_weight": 1.0, "detail": 0.6})
    pump(app, window, 0.3)
    window.set_tool("sketch_pen")
    window.size_spin.setValue(5)
    drag(app, window, [(100, 120), (240, 90), (380, 130)])
    if any(e.id == "edges2photo" for e in entries):
        window.filters_panel.select("edges2photo")
    shot(app, window, "sketch_layer")
    window.close()
    return entries



def filter_shots(app: QApplication, tmp: Path, entries: list) -> list[str]:
    """Every usable filter applied through the Apply button; returns those not captured, with why."""
    skipped = []
    for entry in entries:
        if entry.spec is None or entry.id.startswith("test_"):
            continue
        if not entry.usable:
            skipped.append(f"{entry.id} ({entry.status_text()})")
            continue
        window = new_window(app, tmp)
        window.filters_panel.select(entry.id)
        if entry.spec.requires_mask or entry.spec.input == "image+mask":
            window.set_tool("mask_brush")
            window.size_spin.setValue(60)
            drag(app, window, [(560, 560), (700, 600), (860, 580)])
        if entry.spec.input == "sketch":
            window.filters.sketch_from_photo({"line_weight": 1.0, "detail": 0.6})
            pump(app, window, 0.3)
            window.sketch_dock.raise_()
            window.sketch_panel.paper.setChecked(True)   # the drawing the filter receives
            shot(app, window, f"filter_{entry.id}_input")
            window.layers_dock.raise_()
        outcome = apply_current(app, window)
        if outcome != "done":
            skipped.append(f"{entry.id} ({window.last_error})")
        else:
            canvas = window.canvas
            if entry.spec.output == "scaled":   # at fit size the gain is invisible: look at 100 %
                doc = window.doc
                canvas.set_zoom(1.0)
                canvas.offset = QPointF(canvas.width() / 2 - doc.width * 0.45,
                                        canvas.height() / 2 - doc.height * 0.58)
            window.set_tool("rect_select")                   # no brush outline over the result
            canvas.set_compare(entry.spec.input != "sketch")   # a drawing's "before" is the _input shot
            canvas.divider = 0.5
            shot(app, window, f"filter_{entry.id}")
        window.close()

    return skipped


def own_painting_shot(app: QApplication, tmp: Path, stylize) -> list[str]:
    """Stylize with "your own painting" (Gatys mode); returns what was not captured, with why."""
    skipped: list[str] = []
    # a public-domain painting from ../shared, read there
    painting = ROOT.parent / "shared" / "data" / "styles" / "starry_night.jpg"
    if stylize is not None and stylize.usable and painting.is_file():
        window = new_window(app, tmp)
        window.filters_panel.select("stylize")
        editors = window.filters_panel.form.editors
        editors["own_painting"].edit.setText(str(painting))
        if apply_current(app, window) == "done":
            window.set_tool("rect_select")
            window.canvas.set_compare(True)
            window.canvas.divider = 0.5
            shot(app, window, "filter_stylize_own_painting")
        else:
            skipped.append(f"stylize own painting ({window.last_error})")
        window.close()

    return skipped


def dialog_and_theme_shots(app: QApplication, tmp: Path, stylize) -> None:
    """Preferences and export dialogs, the Russian interface and the light theme."""
    window = new_window(app, tmp)
    from editor.export_dialog import ExportDialog
    from editor.preferences import PreferencesDialog

    prefs = PreferencesDialog(window.prefs, window)
    prefs.show()
    shot(app, prefs, "preferences")
    prefs.close()
    export = ExportDialog(str(tmp / "sample-export.jpg"), 8, window)
    export.show()
    shot(app, export, "export_dialog")
    export.close()
    window.close()
    translators = install_translation(app, "ru")
    window = new_window(app, tmp)
    if stylize is not None:
        window.filters_panel.select("stylize")
    shot(app, window, "main_window_ru")
    window.close()
    remove_translation(app, translators)

    from editor.theme import apply_theme

    apply_theme(app, "light")
    window = new_window(app, tmp)
    window.layers_panel.do_duplicate()
    shot(app, window, "main_window_light")
    window.close()
    apply_theme(app, "dark")



def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_app()
    tmp = Path(tempfile.mkdtemp(prefix="holst-shots-"))
    entries = editing_shots(app, tmp)
    stylize = next((e for e in entries if e.id == "stylize"), None)
    skipped = filter_shots(app, tmp, entries) + own_painting_shot(app, tmp, stylize)
    dialog_and_theme_shots(app, tmp, stylize)
    if skipped:
        print("not captured (not usable here): " + ", ".join(skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
