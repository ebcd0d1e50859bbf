"""Keep Python alive under PySide6 6.12.0's reference-count bugs.

Measured here with PySide6-Essentials 6.12.0 on CPython 3.11: every call of a ``void`` Qt method
from Python (``widget.update()``, ``painter.drawImage(...)``, ``app.processEvents()``…) drops one
reference to ``None``, and every ``Signal.emit()`` drops one reference to ``True``. CPython 3.11
does not make these singletons immortal, so after some thousands of calls, or at interpreter
shutdown, the process aborts with "none_dealloc: deallocating None" / "bool_dealloc". A paint event
alone makes dozens of such calls.

The singletons are never freed in a healthy interpreter, so the safe repair is to do what CPython
3.12 does: give them a reference count that can never reach zero. This runs once, when ``editor``
is imported, and only when the bug is measured (and only before 3.12, whose singletons are
immortal already).
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_HEADROOM = 1 << 40   # ~10^12 lost references before anything could go wrong


class _Probe(QObject):
    ping = Signal()


def _losses(rounds: int = 16) -> tuple[int, int]:
    """References to (None, True) lost per call of a void method and per emit."""
    probe = _Probe()
    none_before = sys.getrefcount(None)
    for _ in range(rounds):
        probe.setObjectName("probe")
    none_lost = none_before - sys.getrefcount(None)
    true_before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.ping.emit()
    true_lost = true_before - sys.getrefcount(True)
    return none_lost // rounds, true_lost // rounds


def _add_references(obj: object, count: int) -> None:
    # CPython < 3.12: ob_refcnt is the first field of every object, a Py_ssize_t at id(obj).
    cell = ctypes.c_ssize_t.from_address(id(obj))
    cell.value += count


def apply() -> bool:
    """Make None/True/False effectively immortal if this PySide6 leaks them; True if applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    none_lost, true_lost = _losses()
    if none_lost <= 0 and true_lost <= 0:
        return False
    for obj in (None, True, False):
        _add_references(obj, _HEADROOM)
    return True


APPLIED = apply()
