"""Background work: a QRunnable that runs a function off the GUI thread and reports back by signals.

Filters (inference, ONNX session creation), file decoding and encoding all go through here so the
window stays responsive. The function receives ``progress(fraction)`` and a ``CancelToken``; a
``Cancelled`` exception ends the job quietly, any other exception becomes one message.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from plugins.cancel import CancelToken
from plugins.errors import Cancelled, HolstError

Work = Callable[[Callable[[float], None], CancelToken, Callable[[str], None]], Any]


class JobSignals(QObject):
    progress = Signal(float)
    notice = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()  # after any of done / failed / cancelled


class Job(QRunnable):
    """One unit of background work. Keep the object alive until ``signals.finished``."""

    def __init__(self, work: Work, label: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.label = label
        self.token = CancelToken()
        self.signals = JobSignals()
        self.running = True

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self.token, self.signals.notice.emit)
            if self.token.cancelled:
                raise Cancelled("cancelled")
        except Cancelled:
            self.signals.cancelled.emit()
        except HolstError as exc:
            self.signals.failed.emit(str(exc))
        except MemoryError:
            self.signals.failed.emit("Not enough memory for this operation.")
        except Exception as exc:  # a bug: show one line, keep the details on stderr
            traceback.print_exc()
            self.signals.failed.emit(f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            self.signals.done.emit(result)
        finally:
            self.running = False
            self.signals.finished.emit()


class JobRunner(QObject):
    """Starts jobs on a private thread pool and keeps them referenced while they run."""

    def __init__(self, parent: QObject | None = None, threads: int = 3) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._live: set[Job] = set()

    def start(self, job: Job) -> Job:
        self._live.add(job)
        job.signals.finished.connect(lambda: self._live.discard(job))
        self.pool.start(job)
        return job

    def busy(self) -> bool:
        return any(job.running for job in self._live)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
