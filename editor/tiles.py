"""The canvas's tile pyramid: 256×256 QImages of the document, its original and its mask.

Level L covers 256·2^L image pixels per tile and samples every 2^(L-1)-th pixel before a 2×2
average, so a zoomed-out 8K image is drawn from a few small images; an edit invalidates only the
tiles over its rectangle. Rendering is NumPy (editor/compositing.py); Qt only wraps the result.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap

from editor.compositing import LayerView, composite
from editor.document import Document, downsample

TILE = 256
MAX_CACHED_TILES = 768
MASK_RGB = (255, 32, 32)
MASK_ALPHA = 0.5


def to_qimage(rgba: np.ndarray) -> QImage:
    """uint8 h×w×4 straight RGBA → an independent premultiplied QImage."""
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def checker_brush() -> QBrush:
    pix = QPixmap(16, 16)
    pix.fill(QColor(204, 204, 204))
    p = QPainter(pix)
    p.fillRect(0, 0, 8, 8, QColor(255, 255, 255))
    p.fillRect(8, 8, 8, 8, QColor(255, 255, 255))
    p.end()
    return QBrush(pix)


class TileCache:
    """LRU of QImages keyed by (level, tx, ty).

    Invalidated tiles are kept as *stale* until re-rendered, so that a paint short of time can
    show the previous look of a tile instead of a hole and refine it on the next paint.
    """

    def __init__(self) -> None:
        self.tiles: OrderedDict[tuple[int, int, int], QImage | None] = OrderedDict()
        self.stale: dict[tuple[int, int, int], QImage | None] = {}

    def get(self, key: tuple[int, int, int]) -> QImage | None | bool:
        if key in self.tiles:
            self.tiles.move_to_end(key)
            return self.tiles[key]
        return False

    def put(self, key: tuple[int, int, int], image: QImage | None) -> None:
        self.tiles[key] = image
        self.stale.pop(key, None)
        while len(self.tiles) > MAX_CACHED_TILES:
            self.tiles.popitem(last=False)

    def invalidate(self, rect: QRect | None, keep_stale: bool = True) -> None:
        """Drop the tiles over ``rect`` (all when None); keep them as stale unless told not to."""
        if rect is None:
            self.tiles.clear()
            self.stale.clear()
            return
        for key in list(self.tiles):
            level, tx, ty = key
            span = TILE << level
            if QRect(tx * span, ty * span, span, span).intersects(rect):
                image = self.tiles.pop(key)
                if keep_stale:
                    self.stale[key] = image
        while len(self.stale) > MAX_CACHED_TILES:
            self.stale.pop(next(iter(self.stale)))



def tile_region(doc: Document, level: int, tx: int, ty: int) -> tuple[int, int, int, int]:
    """Image pixels (x0, y0, x1, y1) covered by tile (tx, ty) of ``level``."""
    span = TILE << level
    x0, y0 = tx * span, ty * span
    return x0, y0, min(x0 + span, doc.width), min(y0 + span, doc.height)


def render_image_tile(doc: Document, level: int, tx: int, ty: int, original: bool,
                      draft: bool = False) -> QImage | None:
    """The composite (or the original) under one tile; None when there is no original to show.

    A ``draft`` of a zoomed-out tile samples every 2^level-th pixel with no averaging: about a
    sixth of the work, shown while the canvas is short of time and refined on the next paint.
    """
    x0, y0, x1, y1 = tile_region(doc, level, tx, ty)
    average = level > 0 and not draft
    step = 1 << max(0, level - 1) if average else 1 << level
    if original:
        src = doc.original_region(x0, y0, x1, y1, step)
        if src is None:
            return None
        rgba = composite([LayerView(src)], src.shape[:2])
    else:
        rgba = doc.composite_region(x0, y0, x1, y1, step=step)
    if average:
        rgba = downsample(rgba, 2)
    return to_qimage(rgba)


def render_mask_tile(doc: Document, level: int, tx: int, ty: int) -> QImage | None:
    """The translucent red mask overlay under one tile; None where the mask is empty."""
    x0, y0, x1, y1 = tile_region(doc, level, tx, ty)
    step = 1 << max(0, level - 1)
    m = doc.mask[y0:y1:step, x0:x1:step]
    if m.max(initial=0.0) <= 0.0:
        return None
    if level > 0:
        m = downsample(m, 2)
    rgba = np.empty(m.shape + (4,), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = MASK_RGB
    rgba[..., 3] = np.clip(m * (255 * MASK_ALPHA) + 0.5, 0, 255)
    return to_qimage(rgba)
