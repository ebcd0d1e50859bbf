"""The interface between the canvas and a tool. Points are in image pixel coordinates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter

if TYPE_CHECKING:
    from editor.canvas import Canvas


class Tool:
    """Receives left-button presses, drags and releases from the canvas."""

    name = "tool"
    cursor = Qt.CursorShape.CrossCursor
    brush_size: float | None = None  # diameter in image pixels, drawn as the cursor outline

    def press(self, canvas: Canvas, pos: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        """Start an action."""

    def move(self, canvas: Canvas, pos: QPointF) -> None:
        """Continue it (button held)."""

    def release(self, canvas: Canvas, pos: QPointF) -> None:
        """Finish it: this is where the undo step is recorded."""

    def cancel(self, canvas: Canvas) -> None:
        """Abandon an unfinished action (Escape, document switch)."""

    def paint_overlay(self, canvas: Canvas, painter: QPainter) -> None:
        """Draw in-progress feedback in widget coordinates."""
