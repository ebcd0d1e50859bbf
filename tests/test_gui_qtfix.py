"""editor.qtfix keeps None/True alive although PySide6 6.12.0 drops references to them."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

from editor import qtfix


class _Source(QObject):
    plain = Signal()


def test_many_void_calls_and_emits_cannot_free_the_singletons():
    if not qtfix.APPLIED:
        pytest.skip("this PySide6 does not leak references")
    src = _Source()
    for _ in range(20000):      # far more than None's natural reference count would survive
        src.setObjectName("x")
        src.plain.emit()
    assert sys.getrefcount(None) > 1 << 39
    assert sys.getrefcount(True) > 1 << 39


def test_probe_measures_the_leak_it_repairs():
    none_lost, true_lost = qtfix._losses(4)
    assert (none_lost > 0 or true_lost > 0) == qtfix.APPLIED or sys.version_info >= (3, 12)
