"""Emit Qt signals from Python without PySide6 6.12.0's reference-count bug.

In PySide6 6.12.0 ``SignalInstance.emit()`` returns ``True`` without owning a reference to it, so
every emit from Python lowers ``True``'s reference count by one. On Python 3.11 (where ``True`` is
not immortal) a long session, or merely interpreter shutdown, then aborts with "bool_dealloc:
deallocating True". All of the editor's Python-side emits go through :func:`emit`, which gives the
missing reference back when (and only when) the running PySide6 is measured to have the bug.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _measure(rounds: int = 8) -> int:
    """Change of True's reference count per emit (-1 with the bug, 0 without)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.ping.emit()
    delta = sys.getrefcount(True) - before
    for _ in range(max(0, -delta)):   # repay what the probe itself took
        _incref(True)
    return delta // rounds


LEAKS_TRUE = _measure() < 0


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, keeping ``True``'s reference count balanced."""
    result = signal.emit(*args)
    if LEAKS_TRUE and isinstance(result, bool):
        _incref(result)


def emitter(signal: Any):
    """A callable that emits ``signal`` (for callbacks and slot connections)."""
    return lambda *args: emit(signal, *args)
