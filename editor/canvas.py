"""The canvas: a QWidget that paints the document from a cache of 256×256 tile images.

Zoomed out, tiles come from a pyramid level (level L shows every 2^L-th pixel, averaged 2×2), so an
8K image never needs a full-size QImage; edits invalidate only the tiles of their rectangle. The
mask is drawn as a translucent red overlay from its own tile cache. In compare mode the original
image is shown left of a draggable divider; holding backslash shows the original everywhere.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

from editor.document import Document
from editor.tiles import (
    TILE,
    TileCache,
    checker_brush,
    render_image_tile,
    render_mask_tile,
    tile_region,
)
from editor.tools.base import Tool
from editor.undo import History

MIN_ZOOM, MAX_ZOOM = 1 / 64, 64.0
PAINT_BUDGET_S = 0.025  # time one paint may spend re-rendering edited tiles


class Canvas(QWidget):
    zoom_changed = Signal(float)
    cursor_moved = Signal(object)        # QPoint in image pixels, or None
    compare_changed = Signal(bool)
    view_changed = Signal()              # zoom or pan changed (the filter preview follows the view)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAcceptDrops(False)  # the main window handles drops
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.doc: Document | None = None
        self.history: History | None = None
        self.tool: Tool | None = None
        self.zoom = 1.0
        self.offset = QPointF(0, 0)
        self.show_mask = True
        self.compare = False
        self.divider = 0.5
        self.show_original = False
        self._images = TileCache()
        self._masks = TileCache()
        self._originals = TileCache()
        self._checker = checker_brush()
        self._fit_pending = True
        self._pan_from: QPointF | None = None
        self._space = False
        self._tool_active = False
        self._drag_divider = False
        self._mouse: QPointF | None = None
        self._doc_size = (0, 0)
        self._paint_deadline = 0.0
        self._refine_pending = False
        self._rendered = 0
        self.preview: QImage | None = None
        self.preview_rect = QRectF()
        self._ants_phase = 0
        self._ants = QTimer(self)
        self._ants.setInterval(150)
        self._ants.timeout.connect(self._march)

    # ---- document -------------------------------------------------------------------------
    def set_document(self, doc: Document, history: History) -> None:
        if self.doc is not None:
            for sig, slot in self._connections():
                sig.disconnect(slot)
        self.doc = doc
        self.history = history
        for sig, slot in self._connections():
            sig.connect(slot)
        self._reset()
        self.fit()

    def _connections(self) -> list:
        assert self.doc is not None
        return [(self.doc.pixels_changed, self._on_pixels), (self.doc.mask_changed, self._on_mask),
                (self.doc.reset, self._reset), (self.doc.selection_changed, self._on_selection)]

    def _reset(self) -> None:
        if self.doc is not None and (self.doc.width, self.doc.height) != self._doc_size:
            self._doc_size = (self.doc.width, self.doc.height)
            self.fit()                      # a new size (an upscale, its undo): show all of it
        self._images.invalidate(None)
        self._masks.invalidate(None)
        self._originals.invalidate(None)
        self._on_selection()
        self.update()

    def _on_pixels(self, rect: QRect) -> None:
        self._images.invalidate(rect)
        self.update(self._widget_rect(rect))

    def _on_mask(self, rect: QRect) -> None:
        self._masks.invalidate(rect)
        self.update(self._widget_rect(rect))

    def _widget_rect(self, rect: QRect) -> QRect:
        """The widget area showing image rectangle ``rect`` (a little larger, for smoothing)."""
        if rect.isEmpty():
            return self.rect()
        a = self.to_widget(QPointF(rect.left(), rect.top()))
        b = self.to_widget(QPointF(rect.right() + 1, rect.bottom() + 1))
        return QRectF(a, b).toAlignedRect().adjusted(-2, -2, 2, 2)

    def _cursor_rect(self, pos: QPointF | None) -> QRect:
        if pos is None or not getattr(self.tool, "brush_size", None):
            return QRect()
        r = self.tool.brush_size * self.zoom / 2 + 3  # type: ignore[union-attr]
        return QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r).toAlignedRect()

    def _on_selection(self) -> None:
        if self.doc is not None and self.doc.selection is not None:
            self._ants.start()
        else:
            self._ants.stop()
        self.update()

    def _march(self) -> None:
        self._ants_phase = (self._ants_phase + 1) % 8
        self.update()

    def set_show_mask(self, on: bool) -> None:
        self.show_mask = on
        self.update()

    def set_compare(self, on: bool) -> None:
        if on != self.compare:
            self.compare = on
            self.compare_changed.emit(on)
            self.update()

    def set_tool(self, tool: Tool | None) -> None:
        if self.tool is not None and self.doc is not None:
            self.tool.cancel(self)
        self.tool = tool
        self.setCursor(tool.cursor if tool else Qt.CursorShape.ArrowCursor)
        self.update()

    # ---- view transform -------------------------------------------------------------------
    def to_image(self, p: QPointF) -> QPointF:
        return QPointF((p.x() - self.offset.x()) / self.zoom, (p.y() - self.offset.y()) / self.zoom)

    def to_widget(self, p: QPointF) -> QPointF:
        return QPointF(p.x() * self.zoom + self.offset.x(), p.y() * self.zoom + self.offset.y())

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under ``anchor`` (widget coords; default: centre) fixed."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if anchor is None:
            anchor = QPointF(self.width() / 2, self.height() / 2)
        fixed = self.to_image(anchor)
        self.zoom = zoom
        self.offset = QPointF(anchor.x() - fixed.x() * zoom, anchor.y() - fixed.y() * zoom)
        self.zoom_changed.emit(zoom)
        self.view_changed.emit()
        self.update()

    def fit(self) -> None:
        if self.doc is None:
            return
        if self.width() < 4 or self.height() < 4 or not self.isVisible():
            self._fit_pending = True
        margin = 16
        z = min((self.width() - margin) / self.doc.width, (self.height() - margin) / self.doc.height)
        self._center(max(MIN_ZOOM, min(z, MAX_ZOOM)))

    def actual_size(self) -> None:
        self._center(1.0)

    def _center(self, zoom: float) -> None:
        assert self.doc is not None
        self.zoom = zoom
        self.offset = QPointF(round((self.width() - self.doc.width * zoom) / 2),
                              round((self.height() - self.doc.height * zoom) / 2))
        self.zoom_changed.emit(zoom)
        self.view_changed.emit()
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._fit_pending and self.doc is not None and self.width() > 4:
            self._fit_pending = False
            self.fit()
        super().resizeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        if self._fit_pending and self.doc is not None:
            self._fit_pending = False
            self.fit()
        super().showEvent(event)

    def visible_image_rect(self) -> tuple[int, int, int, int] | None:
        """The part of the image on screen, as (x0, y0, x1, y1) pixel bounds, or None."""
        if self.doc is None:
            return None
        a = self.to_image(QPointF(0, 0))
        b = self.to_image(QPointF(self.width(), self.height()))
        x0, y0 = max(0, int(math.floor(a.x()))), max(0, int(math.floor(a.y())))
        x1, y1 = min(self.doc.width, int(math.ceil(b.x()))), min(self.doc.height, int(math.ceil(b.y())))
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def set_preview(self, image: QImage | None, rect: QRectF | None = None) -> None:
        """Show ``image`` stretched over ``rect`` (image coordinates) above the document, or nothing."""
        self.preview = image
        self.preview_rect = rect or QRectF()
        self.update()

    # ---- tiles ----------------------------------------------------------------------------
    def _level(self) -> int:
        return max(0, min(8, int(math.floor(math.log2(1.0 / self.zoom))))) if self.zoom < 1 else 0

    def _region(self, level: int, tx: int, ty: int) -> tuple[int, int, int, int]:
        assert self.doc is not None
        return tile_region(self.doc, level, tx, ty)

    def _image_tile(self, level: int, tx: int, ty: int, original: bool) -> QImage | None:
        assert self.doc is not None
        cache = self._originals if original else self._images
        hit = cache.get((level, tx, ty))
        if hit is not False:
            return hit  # type: ignore[return-value]
        image = render_image_tile(self.doc, level, tx, ty, original)
        cache.put((level, tx, ty), image)
        return image

    def _mask_tile(self, level: int, tx: int, ty: int) -> QImage | None:
        assert self.doc is not None
        hit = self._masks.get((level, tx, ty))
        if hit is not False:
            return hit  # type: ignore[return-value]
        image = render_mask_tile(self.doc, level, tx, ty)
        self._masks.put((level, tx, ty), image)
        return image

    # ---- painting -------------------------------------------------------------------------
    @property
    def refining(self) -> bool:
        """True while some visible tiles still show their look from before the last edit."""
        return self._refine_pending

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._paint_deadline = time.perf_counter() + PAINT_BUDGET_S
        self._refine_pending = False
        self._rendered = 0
        painter = QPainter(self)
        try:
            self._paint(painter, event)
        finally:
            painter.end()  # a drawing error must never leave the painter active (Qt aborts on exit)
        if self._refine_pending:
            QTimer.singleShot(0, self.update)

    def _paint(self, painter: QPainter, event: QPaintEvent) -> None:
        painter.fillRect(self.rect(), self.palette().color(self.backgroundRole()).darker(130))
        if self.doc is None:
            return
        doc = self.doc
        img_rect = QRectF(self.offset.x(), self.offset.y(), doc.width * self.zoom, doc.height * self.zoom)
        painter.fillRect(img_rect, self._checker)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom < 1.0)
        originals_ok = doc.original_region(0, 0, 1, 1) is not None
        if self.show_original and originals_ok:
            self._paint_tiles(painter, event.rect(), original=True)
        elif self.compare and originals_ok:
            split = int(self.width() * self.divider)
            painter.save()
            painter.setClipRect(QRect(0, 0, split, self.height()))
            self._paint_tiles(painter, event.rect(), original=True)
            painter.restore()
            painter.save()
            painter.setClipRect(QRect(split, 0, self.width() - split, self.height()))
            self._paint_tiles(painter, event.rect(), original=False)
            self._paint_preview(painter)
            painter.restore()
        else:
            self._paint_tiles(painter, event.rect(), original=False)
            if not self.show_original:
                self._paint_preview(painter)
        if self.show_mask and not self.show_original:
            self._paint_tiles(painter, event.rect(), original=False, mask=True)
        self._paint_selection(painter)
        if self.compare and originals_ok and not self.show_original:
            self._paint_divider(painter)
        if self.tool is not None:
            self.tool.paint_overlay(self, painter)
            self._paint_brush_cursor(painter)

    def _visible_tiles(self, level: int, clip: QRect) -> list[tuple[int, int]]:
        assert self.doc is not None
        span = TILE << level
        a = self.to_image(QPointF(clip.left(), clip.top()))
        b = self.to_image(QPointF(clip.right() + 1, clip.bottom() + 1))
        tx0, ty0 = max(0, int(a.x() // span)), max(0, int(a.y() // span))
        tx1 = min((self.doc.width - 1) // span, int(b.x() // span))
        ty1 = min((self.doc.height - 1) // span, int(b.y() // span))
        return [(tx, ty) for ty in range(ty0, ty1 + 1) for tx in range(tx0, tx1 + 1)]

    def _paint_tiles(self, painter: QPainter, clip: QRect, *, original: bool, mask: bool = False) -> None:
        """Draw the visible tiles. Re-rendering edited tiles stops after PAINT_BUDGET_S: the rest are
        drawn from their stale images and refined by the next paint, so the window never stalls."""
        level = self._level()
        cache = self._masks if mask else (self._originals if original else self._images)
        for tx, ty in self._visible_tiles(level, clip):
            key = (level, tx, ty)
            fresh = cache.get(key) is not False
            late = self._rendered > 0 and time.perf_counter() > self._paint_deadline
            if not fresh and late and key in cache.stale:
                image = cache.stale[key]
                self._refine_pending = True
            elif not fresh and late and not mask and level > 0:
                # nothing to show yet (a new document, an upscale): a cheap draft now, refined next paint
                image = render_image_tile(self.doc, level, tx, ty, original, draft=True)
                cache.stale[key] = image
                self._refine_pending = True
            else:
                image = self._mask_tile(level, tx, ty) if mask else self._image_tile(level, tx, ty, original)
                self._rendered += 0 if fresh else 1   # at least one tile per paint: always progress
            if image is None:
                continue
            x0, y0, x1, y1 = self._region(level, tx, ty)
            # integer device rectangles: neighbouring tiles share edges, so no hairline seams
            left, top = round(x0 * self.zoom + self.offset.x()), round(y0 * self.zoom + self.offset.y())
            right, bottom = round(x1 * self.zoom + self.offset.x()), round(y1 * self.zoom + self.offset.y())
            painter.drawImage(QRectF(left, top, right - left, bottom - top), image)

    def _paint_preview(self, painter: QPainter) -> None:
        if self.preview is None or self.preview_rect.isEmpty():
            return
        r = self.preview_rect
        target = QRectF(self.to_widget(r.topLeft()), self.to_widget(r.bottomRight()))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom < 1.0)
        painter.drawImage(target, self.preview)
        painter.restore()

    def _paint_selection(self, painter: QPainter) -> None:
        assert self.doc is not None
        sel = self.doc.selection
        if sel is None:
            return
        path = QTransform(self.zoom, 0, 0, self.zoom, self.offset.x(), self.offset.y()).map(sel.path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(0, 0, 0), 1))
        painter.drawPath(path)
        pen = QPen(QColor(255, 255, 255), 1, Qt.PenStyle.CustomDashLine)
        pen.setDashPattern([4, 4])
        pen.setDashOffset(self._ants_phase)
        painter.setPen(pen)
        painter.drawPath(path)

    def _paint_divider(self, painter: QPainter) -> None:
        x = int(self.width() * self.divider)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.drawLine(x, 0, x, self.height())
        painter.setBrush(QColor(40, 40, 40))
        painter.drawEllipse(QPointF(x, self.height() / 2), 9, 9)
        painter.setPen(QPen(QColor(255, 255, 255), 1))
        painter.drawText(QRectF(x - 9, self.height() / 2 - 9, 18, 18), Qt.AlignmentFlag.AlignCenter, "⇔")
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(QRectF(x - 110, 8, 100, 20), Qt.AlignmentFlag.AlignRight, self.tr("Before"))
        painter.drawText(QRectF(x + 10, 8, 100, 20), Qt.AlignmentFlag.AlignLeft, self.tr("After"))

    def _paint_brush_cursor(self, painter: QPainter) -> None:
        size = getattr(self.tool, "brush_size", None)
        if not size or self._mouse is None:
            return
        r = size * self.zoom / 2
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(0, 0, 0), 1))
        painter.drawEllipse(self._mouse, r + 1, r + 1)
        painter.setPen(QPen(QColor(255, 255, 255), 1))
        painter.drawEllipse(self._mouse, r, r)

    # ---- input ----------------------------------------------------------------------------
    def _near_divider(self, x: float) -> bool:
        return self.compare and abs(x - self.width() * self.divider) <= 8

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        self.setFocus()
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = pos
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton or self.doc is None:
            return
        if self._near_divider(pos.x()):
            self._drag_divider = True
            return
        if self.tool is not None:
            self._tool_active = True
            self.tool.press(self, self.to_image(pos), event.modifiers())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        previous, self._mouse = self._mouse, pos
        if self._pan_from is not None:
            self.offset += pos - self._pan_from
            self._pan_from = pos
            self.update()
            return
        if self._drag_divider:
            self.divider = min(1.0, max(0.0, pos.x() / max(1, self.width())))
            self.update()
            return
        if self.doc is not None:
            p = self.to_image(pos)
            inside = 0 <= p.x() < self.doc.width and 0 <= p.y() < self.doc.height
            self.cursor_moved.emit(QPoint(int(p.x()), int(p.y())) if inside else None)
            if self._tool_active and self.tool is not None:
                self.tool.move(self, p)
        if self.tool is not None and self.tool.brush_size:
            self.update(self._cursor_rect(previous).united(self._cursor_rect(pos)))
        if self.compare:
            self.setCursor(Qt.CursorShape.SplitHCursor if self._near_divider(pos.x())
                           else (self.tool.cursor if self.tool else Qt.CursorShape.ArrowCursor))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton,
                                                             Qt.MouseButton.LeftButton):
            self._pan_from = None
            self.view_changed.emit()
            self.setCursor(Qt.CursorShape.OpenHandCursor if self._space
                           else (self.tool.cursor if self.tool else Qt.CursorShape.ArrowCursor))
            return
        if self._drag_divider:
            self._drag_divider = False
            return
        if self._tool_active and self.tool is not None and event.button() == Qt.MouseButton.LeftButton:
            self._tool_active = False
            self.tool.release(self, self.to_image(event.position()))

    def enterEvent(self, event) -> None:  # noqa: N802
        # take the keyboard when the pointer arrives (Space-drag, backslash), unless the user is typing
        focus = QApplication.focusWidget()
        if not isinstance(focus, (QLineEdit, QAbstractSpinBox)):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.update(self._cursor_rect(self._mouse))
        self._mouse = None
        self.cursor_moved.emit(None)
        self.update()
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom * (1.25 ** steps), event.position())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.isAutoRepeat():
            return
        if event.key() == Qt.Key.Key_Space:
            self._space = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        elif event.key() == Qt.Key.Key_Backslash:
            self.show_original = True
            self.update()
        elif event.key() == Qt.Key.Key_Escape and self._tool_active and self.tool is not None:
            self._tool_active = False
            self.tool.cancel(self)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.isAutoRepeat():
            return
        if event.key() == Qt.Key.Key_Space:
            self._space = False
            self.setCursor(self.tool.cursor if self.tool else Qt.CursorShape.ArrowCursor)
        elif event.key() == Qt.Key.Key_Backslash:
            self.show_original = False
            self.update()
        else:
            super().keyReleaseEvent(event)
