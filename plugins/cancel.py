"""A thread-safe cancellation flag shared between the GUI (or Ctrl+C handler) and a running filter."""

from __future__ import annotations

import threading

from plugins.errors import Cancelled


class CancelToken:
    """Set once by whoever wants the job to stop; filters check it between steps/tiles."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled")
