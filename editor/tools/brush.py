"""Round brushes that paint a float plane (the mask or the sketch) with size, hardness and opacity.

A stroke keeps a coverage buffer per touched tile (the max of its dabs), so opacity applies once per
stroke, not once per overlapping dab, and the plane is recomputed from the pre-stroke tiles, which
the same TileCapture keeps for the undo step. Only the dab's rectangle is touched per dab, so
painting cost does not depend on the image size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRect, Qt

from editor.document import PlaneKey
from editor.tools.base import Tool
from editor.undo import TILE, TileCapture

if TYPE_CHECKING:
    from editor.canvas import Canvas


@dataclass
class BrushSettings:
    size: float = 40.0       # diameter, image pixels
    hardness: float = 0.7    # 0 soft … 1 hard edge
    opacity: float = 1.0     # 0..1, per stroke

    def grow(self, factor: float) -> None:
        self.size = float(min(2000.0, max(1.0, round(self.size * factor))))


def dab_profile(radius: float, hardness: float, cx: float, cy: float,
                x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Coverage (float32, 0..1) of a round dab centred at (cx, cy) over [x0,x1)×[y0,y1)."""
    ys = np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5 - cy
    xs = np.arange(x0, x1, dtype=np.float32)[None, :] + 0.5 - cx
    dist = np.sqrt(xs * xs + ys * ys)
    r = max(radius, 0.5)
    inner = r * min(max(hardness, 0.0), 0.999)
    # linear ramp from the hard core to the rim, widened by half a pixel for antialiasing
    t = np.clip((r + 0.5 - dist) / (r + 0.5 - inner), 0.0, 1.0)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)


class BrushTool(Tool):
    def __init__(self, name: str, key: PlaneKey, value: float, settings: BrushSettings, label: str) -> None:
        self.name = name
        self.key = key
        self.value = np.float32(value)
        self.settings = settings
        self.label = label
        self._capture: TileCapture | None = None
        self._cover: dict[tuple[int, int], np.ndarray] = {}
        self._last: QPointF | None = None

    @property
    def brush_size(self) -> float:  # type: ignore[override]
        return self.settings.size

    def press(self, canvas: Canvas, pos: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        plane = canvas.doc.plane(self.key)
        self._capture = TileCapture(plane)
        self._cover = {}
        self._last = pos
        self._dab(canvas, pos)

    def move(self, canvas: Canvas, pos: QPointF) -> None:
        if self._capture is None or self._last is None:
            return
        spacing = max(1.0, self.settings.size * 0.15)
        dx, dy = pos.x() - self._last.x(), pos.y() - self._last.y()
        dist = math.hypot(dx, dy)
        steps = int(dist // spacing)
        for i in range(1, steps + 1):
            self._dab(canvas, QPointF(self._last.x() + dx * i * spacing / dist,
                                      self._last.y() + dy * i * spacing / dist))
        if steps:
            self._last = QPointF(self._last.x() + dx * steps * spacing / dist,
                                 self._last.y() + dy * steps * spacing / dist)

    def release(self, canvas: Canvas, pos: QPointF) -> None:
        if self._capture is None:
            return
        self.move(canvas, pos)
        op = self._capture.finish(self.key, self.label)
        self._capture = None
        self._cover = {}
        canvas.history.push(op)

    def cancel(self, canvas: Canvas) -> None:
        if self._capture is None:
            return
        plane = self._capture.plane
        for (tx, ty), old in self._capture.before.items():
            plane[ty * TILE:ty * TILE + old.shape[0], tx * TILE:tx * TILE + old.shape[1]] = old
        self._capture = None
        canvas.doc.notify_plane(self.key, canvas.doc.rect())

    def _dab(self, canvas: Canvas, pos: QPointF) -> None:
        assert self._capture is not None
        plane = self._capture.plane
        h, w = plane.shape[:2]
        r = self.settings.size / 2.0
        x0, y0 = max(0, int(math.floor(pos.x() - r - 1))), max(0, int(math.floor(pos.y() - r - 1)))
        x1, y1 = min(w, int(math.ceil(pos.x() + r + 1))), min(h, int(math.ceil(pos.y() + r + 1)))
        if x1 <= x0 or y1 <= y0:
            return
        self._capture.capture(x0, y0, x1, y1)
        prof = dab_profile(r, self.settings.hardness, pos.x(), pos.y(), x0, y0, x1, y1)
        opacity = np.float32(self.settings.opacity)
        for ty in range(y0 // TILE, (y1 - 1) // TILE + 1):
            for tx in range(x0 // TILE, (x1 - 1) // TILE + 1):
                orig = self._capture.before[(tx, ty)]
                cov = self._cover.get((tx, ty))
                if cov is None:
                    cov = self._cover[(tx, ty)] = np.zeros(orig.shape, np.float32)
                bx, by = tx * TILE, ty * TILE
                ax0, ay0 = max(x0, bx), max(y0, by)
                ax1, ay1 = min(x1, bx + orig.shape[1]), min(y1, by + orig.shape[0])
                tsl = (slice(ay0 - by, ay1 - by), slice(ax0 - bx, ax1 - bx))
                np.maximum(cov[tsl], prof[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0], out=cov[tsl])
                o = orig[tsl]
                plane[ay0:ay1, ax0:ax1] = o + (self.value - o) * (cov[tsl] * opacity)
        canvas.doc.notify_plane(self.key, QRect(x0, y0, x1 - x0, y1 - y0))
