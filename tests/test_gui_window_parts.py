"""The main window's collaborators (editor/window_host.py): the window provides everything they use
of it, and they work with nothing more than that — a stub host in place of the window."""

from __future__ import annotations

import os

from helpers_gui import make_window, sample_pixels, write_png
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from editor.document import Document
from editor.jobs import JobRunner
from editor.preferences import Prefs
from editor.recovery import RecoveryStore
from editor.window_files import FileActions
from editor.window_host import FilterHost, WindowHost


def test_the_window_provides_what_its_collaborators_use(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    used = {name for protocol in (WindowHost, FilterHost) for name in vars(protocol)
            if not name.startswith("_")}
    assert {"doc", "history", "set_document", "show_error", "show_running"} <= used
    assert [name for name in sorted(used) if not hasattr(window, name)] == []
    assert (window.files.host, window.filters.host, window.chain.host, window.session.host) == (window,) * 4


class StubHost:
    """WindowHost and nothing else: a document slot and a message list."""

    def __init__(self) -> None:
        self.doc: Document | None = None
        self.history = None
        self.last_error = ""
        self.messages: list[str] = []
        self.modified = True

    def set_document(self, doc: Document, *, clean: bool = True) -> None:
        self.doc = doc

    def is_modified(self) -> bool:
        return self.modified

    def update_title(self) -> None:
        pass

    def show_message(self, text: str) -> None:
        self.messages.append(text)

    def show_error(self, text: str) -> None:
        self.last_error = text


def test_file_actions_need_only_their_host(qtbot, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    host = StubHost()
    prefs = Prefs(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    runner = JobRunner(parent)
    files = FileActions(host, parent, prefs, RecoveryStore(tmp_path / "recovery"), runner)
    files.ask_unsaved = lambda: "cancel"
    assert not files.new_image(8, 6) and host.doc is None     # unsaved changes kept: nothing replaced
    files.ask_unsaved = lambda: "discard"
    assert files.new_image(8, 6, transparent=True)
    assert (host.doc.width, host.doc.height) == (8, 6) and not host.doc.layers[0].pixels.any()
    path = write_png(tmp_path / "in.png", sample_pixels())
    files.open_file(str(path), ask=False)
    qtbot.waitUntil(lambda: host.doc.path == os.path.abspath(path) and not runner.busy(), timeout=20000)
    assert (host.doc.width, host.doc.height) == (96, 64)
    assert prefs.recent[0] == os.path.abspath(path) and host.messages[-1] == "Opened in.png"
