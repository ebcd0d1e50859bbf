"""Background work: a function run off the GUI thread that reports back by signals.

Filters (inference, ONNX session creation), file decoding and encoding all go through here so the
window stays responsive. The function receives ``progress(fraction)``, a ``CancelToken`` and
``notify(text)``; a ``Cancelled`` exception ends the job quietly, any other exception becomes one
message.

Each job runs on its own daemon thread (at most ``threads`` at once, the rest wait in a queue). The
worker only emits private signals; :class:`JobSignals` re-emits them on the GUI thread as the public
``progress``/``done``/``failed``/``cancelled``/``finished`` unless the job was *abandoned*. Abandoning
is how Cancel returns at once from a filter that never looks at its cancel token (a pure-Python loop
in a plugin): the window is told "cancelled" and moves on, the thread stops counting against the
limit, and whatever it returns later is dropped. Once a worker has returned, the runner lets go of the
job, its signal connections and everything its closures held, so finished and cancelled jobs are freed.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from plugins.cancel import CancelToken
from plugins.errors import Cancelled, HolstError

Work = Callable[[Callable[[float], None], CancelToken, Callable[[str], None]], Any]
_PUBLIC = ("progress", "notice", "done", "failed", "cancelled", "finished")


class JobSignals(QObject):
    progress = Signal(float)
    notice = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()  # after any of done / failed / cancelled

    # emitted by the worker thread, delivered (queued) on the GUI thread
    worker_progress = Signal(float)
    worker_notice = Signal(str)
    worker_outcome = Signal(str, object)
    worker_exited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.abandoned = False
        self.ended = False        # the public ``finished`` has been emitted
        self.on_exit: Callable[[], None] | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self.worker_progress.connect(self._relay_progress, queued)
        self.worker_notice.connect(self._relay_notice, queued)
        self.worker_outcome.connect(self._relay_outcome, queued)
        self.worker_exited.connect(self._relay_exited, queued)

    @Slot(float)
    def _relay_progress(self, fraction: float) -> None:
        if not self.abandoned and not self.ended:
            self.progress.emit(fraction)

    @Slot(str)
    def _relay_notice(self, text: str) -> None:
        if not self.abandoned and not self.ended:
            self.notice.emit(text)

    @Slot(str, object)
    def _relay_outcome(self, kind: str, payload: object) -> None:
        if self.abandoned or self.ended:
            return
        if kind == "done":
            self.done.emit(payload)
        elif kind == "failed":
            self.failed.emit(str(payload))
        else:
            self.cancelled.emit()
        self.end()

    @Slot()
    def _relay_exited(self) -> None:
        if self.on_exit is not None:
            self.on_exit()

    def end(self) -> None:
        """Emit the public ``finished`` once and drop every connection to the public signals (the
        closures connected to them often hold a copy of the image)."""
        if self.ended:
            return
        self.ended = True
        self.finished.emit()
        self.disconnect_public()

    def disconnect_public(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for name in _PUBLIC:
                with contextlib.suppress(RuntimeError, TypeError):
                    getattr(self, name).disconnect()


class Job:
    """One unit of background work; start it with :meth:`JobRunner.start`."""

    def __init__(self, work: Work, label: str = "") -> None:
        self.work: Work | None = work
        self.label = label
        self.token = CancelToken()
        self.signals = JobSignals()
        self.running = True       # until the worker has returned (or the job was abandoned)
        self.thread: threading.Thread | None = None

    @property
    def abandoned(self) -> bool:
        return self.signals.abandoned

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        """The worker thread's body."""
        work, self.work = self.work, None  # the closure goes with the worker, not with the Job
        kind, payload = "cancelled", None
        try:
            assert work is not None
            result = work(self._progress, self.token, self._notice)
            if self.token.cancelled:
                raise Cancelled("cancelled")
            kind, payload = "done", result
        except Cancelled:
            kind = "cancelled"
        except HolstError as exc:
            kind, payload = "failed", str(exc)
        except MemoryError:
            kind, payload = "failed", "Not enough memory for this operation."
        except BaseException as exc:  # noqa: BLE001 - a bug (or a plugin's SystemExit): one line, details on stderr
            traceback.print_exc()
            kind, payload = "failed", f"Unexpected error: {type(exc).__name__}: {exc}"
        finally:
            del work
        self._emit(self.signals.worker_outcome, kind, payload)
        del payload
        self.running = False
        self._emit(self.signals.worker_exited)

    def _progress(self, fraction: float) -> None:
        self._emit(self.signals.worker_progress, float(fraction))

    def _notice(self, text: str) -> None:
        self._emit(self.signals.worker_notice, str(text))

    @staticmethod
    def _emit(signal: Any, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window (and the signals object) is already gone
            signal.emit(*args)


class JobRunner(QObject):
    """Starts jobs on daemon threads, at most ``threads`` at once, and keeps them referenced while
    they run (abandoned ones too, until their thread really returns)."""

    def __init__(self, parent: QObject | None = None, threads: int = 3) -> None:
        super().__init__(parent)
        self.threads = threads
        self._pending: deque[Job] = deque()
        self._live: set[Job] = set()

    def start(self, job: Job) -> Job:
        self._live.add(job)
        job.signals.on_exit = lambda job=job: self._exited(job)
        self._pending.append(job)
        self._pump()
        return job

    def abandon(self, job: Job) -> None:
        """Stop waiting for ``job``: it is told to cancel, the window gets ``cancelled`` and ``finished``
        now, and whatever it does later is ignored. Its thread no longer counts against the limit."""
        if job.signals.abandoned or job.signals.ended:
            return
        job.cancel()
        job.signals.abandoned = True
        if job in self._pending:
            self._pending.remove(job)
            job.running = False
            self._live.discard(job)
        job.signals.cancelled.emit()
        job.signals.end()
        self._pump()

    def abandon_all(self) -> None:
        for job in list(self._live):
            self.abandon(job)

    def _running(self) -> list[Job]:
        return [j for j in self._live if j.thread is not None and j.running and not j.signals.abandoned]

    def _pump(self) -> None:
        while self._pending and len(self._running()) < self.threads:
            job = self._pending.popleft()
            job.thread = threading.Thread(target=job.run, name=f"holst-job-{job.label}", daemon=True)
            job.thread.start()

    def _exited(self, job: Job) -> None:
        """The worker returned (delivered on the GUI thread after its outcome): forget the job."""
        if job.thread is not None:
            job.thread.join(1.0)  # it is past its last line; make sure it let go of its references
        job.signals.on_exit = None
        if job.signals.abandoned:
            job.signals.disconnect_public()
        self._live.discard(job)
        self._pump()

    def live_jobs(self) -> int:
        """Jobs this runner still references (running, waiting, or abandoned and not yet returned)."""
        return len(self._live)

    def busy(self) -> bool:
        """Whether a job (not abandoned) is waiting, running, or has not yet delivered its outcome —
        so a job started from another's ``done`` slot keeps the runner busy without a gap."""
        return any(not job.signals.ended and not job.signals.abandoned for job in self._live)

    def abandoned_running(self) -> bool:
        """Whether an abandoned job's thread is still running (it may never stop)."""
        return any(job.signals.abandoned and job.thread is not None and job.thread.is_alive()
                   for job in self._live)

    def wait(self, msecs: int = -1) -> bool:
        """Block until no job that was not abandoned is running or waiting (``msecs`` < 0: forever).

        Waiting jobs are started here as threads come free, since the GUI thread is blocked."""
        deadline = None if msecs < 0 else time.monotonic() + msecs / 1000.0
        while True:
            for job in list(self._live):
                if job.thread is not None and not job.thread.is_alive():
                    job.running = False
            self._pump()
            busy = [j for j in self._live if j.running and not j.signals.abandoned]
            if not busy:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            thread = next((j.thread for j in busy if j.thread is not None), None)
            timeout = 0.01 if deadline is None else max(0.0, min(0.01, deadline - time.monotonic()))
            if thread is not None:
                thread.join(timeout)
            else:
                time.sleep(timeout)
