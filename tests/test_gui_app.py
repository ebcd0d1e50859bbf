"""The entry point main.py uses: run_app opens the bundled sample (or a given file) and returns 0.

run_app runs QApplication.exec() and quits, which must not happen inside the test process (later
event loops would not run), so each case runs in a subprocess with its own settings folders.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers_gui import sample_pixels, write_png

import editor.app as app_module

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent('''
    import os, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    import editor.app as app_module

    class Window(app_module.MainWindow):
        def __init__(self):
            super().__init__()
            self.files.ask_unsaved = lambda: "discard"
            QTimer.singleShot(20, self.check)

        def check(self):
            if self.doc is not None and self.doc.path and not self.runner.busy():
                print("OPENED", self.doc.path, self.doc.width, self.doc.height,
                      os.path.realpath(str(app_module.SAMPLE)) in self.files.protected_paths, flush=True)
                self.close()
                QApplication.instance().quit()
            else:
                QTimer.singleShot(20, self.check)

    app_module.MainWindow = Window
    sys.exit(app_module.run_app(sys.argv[1] if len(sys.argv) > 1 else None))
''')


def run_app_subprocess(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), HOLST_RECOVERY_DIR=str(tmp_path / "recovery"),
               PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_run_app_opens_the_bundled_sample(tmp_path):
    if not app_module.SAMPLE.exists():
        pytest.skip("resources/sample.png is not generated")
    done = run_app_subprocess(tmp_path)
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("OPENED"))
    assert line.split()[1] == str(app_module.SAMPLE) and line.split()[-1] == "True"


def test_run_app_opens_a_given_file(tmp_path):
    path = write_png(tmp_path / "given.png", sample_pixels())
    done = run_app_subprocess(tmp_path, str(path))
    assert done.returncode == 0, done.stderr
    assert f"OPENED {path} 96 64" in done.stdout


def test_icons_keep_their_contrast_in_light_and_dark_themes(qapp):
    from editor.icons import icon
    from editor.theme import apply_theme

    palette = qapp.palette()
    try:
        colours = {}
        for theme in ("light", "dark"):
            apply_theme(qapp, theme)
            image = icon("layer_add").pixmap(64, 64).toImage()
            colours[theme] = image.pixelColor(32, 20).lightness()
        assert colours["light"] < 100 < colours["dark"]
    finally:
        qapp.setPalette(palette)
