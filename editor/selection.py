"""A selection: an outline (for display) and its antialiased raster (for filters and masks)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPolygonF

from editor.maskops import bbox, feather


class Selection:
    def __init__(self, path: QPainterPath, size: tuple[int, int]) -> None:
        self.path = path
        self.raster = _rasterize(path, size)

    @classmethod
    def from_rect(cls, rect: QRectF, size: tuple[int, int]) -> Selection:
        path = QPainterPath()
        path.addRect(rect.normalized())
        return cls(path, size)

    @classmethod
    def from_polygon(cls, points: list[QPointF], size: tuple[int, int]) -> Selection:
        path = QPainterPath()
        path.addPolygon(QPolygonF(points))
        path.closeSubpath()
        return cls(path, size)

    def bbox(self) -> tuple[int, int, int, int] | None:
        return bbox(self.raster)

    def is_empty(self) -> bool:
        return self.bbox() is None

    def feathered(self, radius: float) -> np.ndarray:
        return feather(self.raster, radius)


def _rasterize(path: QPainterPath, size: tuple[int, int]) -> np.ndarray:
    """Fill ``path`` into a float32 (h, w) coverage array, antialiased."""
    w, h = size
    image = QImage(w, h, QImage.Format.Format_Grayscale8)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255))
    painter.drawPath(path)
    painter.end()
    buf = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    arr = buf.reshape(h, image.bytesPerLine())[:, :w]
    return arr.astype(np.float32) / 255.0
