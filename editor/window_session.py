"""The main window's session care: preferences, autosave and crash recovery, About.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QMessageBox

from editor.jobs import Job
from editor.preferences import PreferencesDialog
from editor.recovery import snapshot


class SessionMixin:
    """Session actions of :class:`editor.main_window.MainWindow` (uses the attributes it sets up)."""

    # ------------------------------------------------------------------ preferences, autosave
    def preferences_dialog(self) -> None:
        dialog = PreferencesDialog(self.prefs, self)
        if dialog.exec():
            dialog.store()
            self.apply_preferences()

    def apply_preferences(self) -> None:
        from editor.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.prefs.theme)
        if self.history is not None:
            self.history.budget = self.prefs.memory_bytes
        self._apply_autosave_interval()
        self.show_message(self.tr("Preferences saved."))

    def _apply_autosave_interval(self) -> None:
        seconds = self.prefs.autosave_s
        if seconds > 0:
            self._autosave_timer.start(seconds * 1000)
        else:
            self._autosave_timer.stop()

    def autosave(self) -> Job | None:
        """Write a recovery snapshot when there are unsaved changes not yet snapshotted."""
        if self.doc is None or self.history is None or not self.is_modified():
            return None
        index = self.history.stack.index()
        if index == self._autosaved_index:
            return None
        self._autosaved_index = index
        snap = snapshot(self.doc)
        job = Job(lambda _p, _c, _n: self.recovery.write(snap), "autosave")
        job.signals.failed.connect(lambda text: self.show_message(self.tr("Autosave failed: ") + text))
        return self.runner.start(job)

    def offer_recovery(self, ask: Callable[[dict], bool] | None = None) -> bool:
        """At start-up: offer the newest session left by a crashed Holst. True when one was restored."""
        orphans = self.recovery.orphans()
        if not orphans:
            return False
        folder = orphans[0]
        info = self.recovery.describe(folder)
        if ask is None:
            name = os.path.basename(info.get("path") or "") or self.tr("an untitled image")
            answer = QMessageBox.question(
                self, "Holst", self.tr("Holst did not close properly. Recover your unsaved work on %1?")
                .replace("%1", name))
            accepted = answer == QMessageBox.StandardButton.Yes
        else:
            accepted = ask(info)
        if not accepted:
            for old in orphans:
                self.recovery.remove(old)
            return False
        doc = self.recovery.restore(folder)
        self.set_document(doc, clean=False)
        for old in orphans:
            self.recovery.remove(old)
        self.show_message(self.tr("Recovered the unsaved session."))
        return True

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Holst"),
                          self.tr("Holst — an image editor whose filters are neural networks trained by the "
                                  "Holst project, running locally with onnxruntime."))
