"""editor.qtfix.emit keeps True's reference count balanced (PySide6 6.12.0 emit bug)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QRect, Signal

from editor.qtfix import emit, emitter


class _Source(QObject):
    plain = Signal()
    rect = Signal(QRect)


def test_emit_does_not_lose_references_to_true():
    src = _Source()
    got = []
    src.plain.connect(lambda: got.append(1))
    src.rect.connect(got.append)
    emit(src.plain)                      # warm up: first calls may cache objects
    emitter(src.rect)(QRect())
    got.clear()
    before = sys.getrefcount(True)
    for _ in range(100):
        emit(src.plain)
        emitter(src.rect)(QRect(1, 2, 3, 4))
    after = sys.getrefcount(True)
    # without the fix this drops by 200; allow ±1 for the interpreter's own bookkeeping
    assert abs(after - before) <= 1
    assert len(got) == 200 and got[-1] == QRect(1, 2, 3, 4)
