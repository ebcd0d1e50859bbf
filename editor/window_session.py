"""The main window's session care (``SessionKeeper``, owned by the window as ``window.session``):
preferences, autosave and crash recovery, About.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from editor.i18n import Translated
from editor.jobs import Job, JobRunner
from editor.preferences import PreferencesDialog, Prefs
from editor.recovery import RecoveryError, RecoveryStore, SessionInfo, snapshot
from editor.window_host import WindowHost


class SessionKeeper(Translated):
    """Preferences, autosave every ``prefs.autosave_s`` seconds into ``recovery``, and the offer to
    recover a crashed session. ``parent`` is the window, as the parent of the dialogs and the timer."""

    def __init__(self, host: WindowHost, parent: QWidget, prefs: Prefs, recovery: RecoveryStore,
                 runner: JobRunner) -> None:
        self.host, self.parent, self.prefs, self.recovery, self.runner = host, parent, prefs, recovery, runner
        self._autosaved_index = -1
        self.autosave_timer = QTimer(parent)
        self.autosave_timer.timeout.connect(self.autosave)
        self._apply_autosave_interval()

    def document_replaced(self) -> None:
        """A new document is shown: its first unsaved change is snapshotted whatever its undo index."""
        self._autosaved_index = -1

    # ------------------------------------------------------------------ preferences, autosave
    def preferences_dialog(self) -> None:
        dialog = PreferencesDialog(self.prefs, self.parent)
        if dialog.exec():
            dialog.store()
            self.apply_preferences()

    def apply_preferences(self) -> None:
        from editor.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.prefs.theme)
        if self.host.history is not None:
            self.host.history.budget = self.prefs.memory_bytes
        self._apply_autosave_interval()
        self.host.show_message(self.tr("Preferences saved."))

    def _apply_autosave_interval(self) -> None:
        seconds = self.prefs.autosave_s
        if seconds > 0:
            self.autosave_timer.start(seconds * 1000)
        else:
            self.autosave_timer.stop()

    def autosave(self) -> Job | None:
        """Write a recovery snapshot when there are unsaved changes not yet snapshotted."""
        if self.host.doc is None or self.host.history is None or not self.host.is_modified():
            return None
        index = self.host.history.stack.index()
        if index == self._autosaved_index:
            return None
        self._autosaved_index = index
        snap = snapshot(self.host.doc)
        job = Job(lambda _p, _c, _n: self.recovery.write(snap), "autosave")
        job.signals.failed.connect(lambda text: self.host.show_message(self.tr("Autosave failed: ") + text))
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
            self.host.show_message(self.tr("Recovery skipped: ") + str(exc))
            return False
        damaged = [(folder, info) for folder, info in sessions if isinstance(info, RecoveryError)]
        usable = [(folder, info) for folder, info in sessions if isinstance(info, SessionInfo)]
        for folder, _info in damaged:
            self.recovery.set_aside(folder)
        if damaged:  # a box, not the status line: opening the image would overwrite that at once
            self.host.show_error(self.tr("A damaged recovery session was set aside (%1).")
                            .replace("%1", str(damaged[0][1])))
        if not usable:
            return False
        folder, info = usable[0]
        if ask is None:
            name = os.path.basename(info.path or "") or self.tr("an untitled image")
            answer = QMessageBox.question(
                self.parent, "Holst",
                self.tr("Holst did not close properly. Recover your unsaved work on %1?").replace("%1", name))
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
            self.host.show_error(self.tr("The unsaved session could not be recovered and was set aside: ")
                            + str(exc))
            return False
        self.host.set_document(doc, clean=False)
        for old, _info in usable:
            self.recovery.remove(old)
        self.host.show_message(self.tr("Recovered the unsaved session."))
        return True

    def about(self) -> None:
        QMessageBox.about(self.parent, self.tr("About Holst"),
                          self.tr("Holst — an image editor whose filters are neural networks trained by the "
                                  "Holst project, running locally with onnxruntime."))
