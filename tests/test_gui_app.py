"""The entry point main.py uses: run_app opens the bundled sample (or a given file) and returns 0."""

from __future__ import annotations

import os

import pytest
from helpers_gui import sample_pixels, write_png
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

import editor.app as app_module
from editor.main_window import MainWindow
from editor.recovery import RecoveryStore


@pytest.fixture
def isolated(monkeypatch, tmp_path, qapp):
    """run_app with throw-away settings and recovery folder; returns the windows it made."""
    made: list[MainWindow] = []

    class Isolated(MainWindow):
        def __init__(self) -> None:
            settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
            settings.setValue("autosave_s", 0)
            super().__init__(settings, RecoveryStore(tmp_path / "recovery"))
            self.ask_unsaved = lambda: "discard"
            made.append(self)

    monkeypatch.setattr(app_module, "MainWindow", Isolated)
    monkeypatch.setattr(app_module, "make_app", lambda: QApplication.instance())
    return made


def close_when_loaded(made: list[MainWindow], expected_path: str) -> None:
    def check() -> None:
        if made and made[0].doc is not None and made[0].doc.path == expected_path \
                and not made[0].runner.busy():
            made[0].close()
            QApplication.instance().quit()
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(20, check)


def test_run_app_opens_the_bundled_sample(isolated):
    if not app_module.SAMPLE.exists():
        pytest.skip("resources/sample.png is not generated")
    close_when_loaded(isolated, str(app_module.SAMPLE))
    assert app_module.run_app(None) == 0
    window = isolated[0]
    assert os.path.realpath(app_module.SAMPLE) in window.protected_paths


def test_run_app_opens_a_given_file(isolated, tmp_path):
    path = write_png(tmp_path / "given.png", sample_pixels())
    close_when_loaded(isolated, str(path))
    assert app_module.run_app(str(path)) == 0
    assert (isolated[0].doc.width, isolated[0].doc.height) == (96, 64)
