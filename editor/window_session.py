"""The main window's session care: preferences, autosave and crash recovery, About.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QMessageBox

from editor.jobs import Job
from editor.preferences import PreferencesDialog
from editor.recovery import RecoveryError, SessionInfo, snapshot


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
        """At start-up: offer the newest session left by a crashed Holst. True when one was restored.

        Never raises: a session that cannot be restored (damaged description, missing, truncated or
        odd layer files) is set aside with one message, so it is not tried again at every start, and
        the caller goes on to open what the user asked for.
        """
        try:
            sessions = self.recovery.sessions()
        except Exception as exc:  # noqa: BLE001 - start-up must go on whatever is in the folder
            self.show_message(self.tr("Recovery skipped: ") + str(exc))
            return False
        damaged = [(folder, info) for folder, info in sessions if isinstance(info, RecoveryError)]
        usable = [(folder, info) for folder, info in sessions if isinstance(info, SessionInfo)]
        for folder, _info in damaged:
            self.recovery.set_aside(folder)
        if damaged:  # a box, not the status line: opening the image would overwrite that at once
            self.show_error(self.tr("A damaged recovery session was set aside (%1).")
                            .replace("%1", str(damaged[0][1])))
        if not usable:
            return False
        folder, info = usable[0]
        if ask is None:
            name = os.path.basename(info.path or "") or self.tr("an untitled image")
            answer = QMessageBox.question(
                self, "Holst", self.tr("Holst did not close properly. Recover your unsaved work on %1?")
                .replace("%1", name))
            accepted = answer == QMessageBox.StandardButton.Yes
        else:
            accepted = ask(vars(info))
        if not accepted:
            for old, _info in usable:
                self.recovery.remove(old)
            return False
        try:
            doc = self.recovery.restore(folder)
        except RecoveryError as exc:
            self.recovery.set_aside(folder)
            self.show_error(self.tr("The unsaved session could not be recovered and was set aside: ")
                            + str(exc))
            return False
        self.set_document(doc, clean=False)
        for old, _info in usable:
            self.recovery.remove(old)
        self.show_message(self.tr("Recovered the unsaved session."))
        return True

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Holst"),
                          self.tr("Holst — an image editor whose filters are neural networks trained by the "
                                  "Holst project, running locally with onnxruntime."))
