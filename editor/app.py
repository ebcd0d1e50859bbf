"""Start the editor: ``run_app(path)`` creates the QApplication and the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from editor.i18n import install_translation
from editor.main_window import MainWindow
from editor.preferences import Prefs
from editor.theme import apply_theme

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample.png"
ICON = ROOT / "resources" / "icons" / "holst.svg"


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Holst's names, theme and translation (reused when one exists)."""
    QCoreApplication.setOrganizationName("Holst")
    QCoreApplication.setApplicationName("Holst")
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    prefs = Prefs()
    apply_theme(app, prefs.theme)
    app._holst_translators = install_translation(app, prefs.language)  # type: ignore[attr-defined]
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    return app


def start_session(window: MainWindow, target: str | None) -> None:
    """Offer a crashed session back; unless one was recovered, open ``target`` — also when recovery
    fails in any way (a damaged session is set aside and said so by ``SessionKeeper.offer_recovery``)."""
    try:
        recovered = window.session.offer_recovery()
    except Exception as exc:  # noqa: BLE001 - whatever happens, the requested image still opens
        window.show_message(str(exc))
        recovered = False
    if not recovered and target:
        window.files.open_file(target, ask=False)


def run_app(path: str | None) -> int:
    """Open the editor on ``path`` (or the bundled sample, or a blank canvas) and run the event loop."""
    app = make_app()
    window = MainWindow()
    window.files.protected_paths.add(os.path.realpath(SAMPLE))
    window.show()
    target = path if path else (str(SAMPLE) if SAMPLE.exists() else None)

    QTimer.singleShot(0, lambda: start_session(window, target))
    code = int(app.exec())
    if window.runner.abandoned_running():
        # a cancelled filter that never stops (a plugin's endless loop) must not keep the process alive
        # or crash it during interpreter shutdown: leave at once, the window has cleaned up already
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


if __name__ == "__main__":  # pragma: no cover - convenience for `python -m editor.app`
    sys.exit(run_app(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HOLST_IMAGE")))
