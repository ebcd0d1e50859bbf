"""Rectangle and lasso selection. A click without a drag clears the selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from editor.selection import Selection
from editor.tools.base import Tool

if TYPE_CHECKING:
    from editor.canvas import Canvas


def _clamp(canvas: Canvas, p: QPointF) -> QPointF:
    return QPointF(min(max(p.x(), 0.0), canvas.doc.width), min(max(p.y(), 0.0), canvas.doc.height))


def _snap(canvas: Canvas, p: QPointF) -> QPointF:
    """Rectangles snap to pixel corners, so a selection covers whole pixels."""
    c = _clamp(canvas, p)
    return QPointF(round(c.x()), round(c.y()))


class RectSelectTool(Tool):
    name = "rect_select"

    def __init__(self) -> None:
        self._start: QPointF | None = None
        self._end: QPointF | None = None

    def press(self, canvas: Canvas, pos: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        self._start = self._end = _snap(canvas, pos)

    def move(self, canvas: Canvas, pos: QPointF) -> None:
        if self._start is not None:
            self._end = _snap(canvas, pos)
            canvas.update()

    def release(self, canvas: Canvas, pos: QPointF) -> None:
        if self._start is None:
            return
        rect = QRectF(self._start, _snap(canvas, pos)).normalized()
        self._start = self._end = None
        doc = canvas.doc
        if rect.width() < 1 or rect.height() < 1:
            doc.selection = None
        else:
            doc.selection = Selection.from_rect(rect, (doc.width, doc.height))
        doc.selection_changed.emit()

    def cancel(self, canvas: Canvas) -> None:
        self._start = self._end = None
        canvas.update()

    def paint_overlay(self, canvas: Canvas, painter: QPainter) -> None:
        if self._start is None or self._end is None:
            return
        painter.setPen(QPen(QColor(255, 255, 255), 1, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(canvas.to_widget(self._start), canvas.to_widget(self._end)).normalized())


class LassoSelectTool(Tool):
    name = "lasso_select"

    def __init__(self) -> None:
        self._points: list[QPointF] = []

    def press(self, canvas: Canvas, pos: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        self._points = [_clamp(canvas, pos)]

    def move(self, canvas: Canvas, pos: QPointF) -> None:
        if self._points:
            self._points.append(_clamp(canvas, pos))
            canvas.update()

    def release(self, canvas: Canvas, pos: QPointF) -> None:
        if not self._points:
            return
        points = self._points + [_clamp(canvas, pos)]
        self._points = []
        doc = canvas.doc
        sel = Selection.from_polygon(points, (doc.width, doc.height)) if len(points) >= 3 else None
        doc.selection = None if sel is None or sel.is_empty() else sel
        doc.selection_changed.emit()

    def cancel(self, canvas: Canvas) -> None:
        self._points = []
        canvas.update()

    def paint_overlay(self, canvas: Canvas, painter: QPainter) -> None:
        if len(self._points) < 2:
            return
        painter.setPen(QPen(QColor(255, 255, 255), 1, Qt.PenStyle.DashLine))
        painter.drawPolyline(QPolygonF([canvas.to_widget(p) for p in self._points]))
