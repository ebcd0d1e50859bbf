"""Where to run the network: crops around the painted mask, one per cluster of strokes.

Two dabs at opposite corners of a 24-megapixel photo should cost two small crops, not one crop of
the whole frame downscaled into mush. The mask is reduced to a coarse grid, grown by the context
margin so that strokes close to each other share a crop, and split into connected components; each
component's bounding box plus the context margin is one crop.
"""

from __future__ import annotations

import numpy as np

CELL = 32
"""Edge of a coarse grid cell in pixels."""


def mask_bbox(hole: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the True pixels, exclusive bottom/right; None if empty."""
    rows = np.flatnonzero(hole.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(hole.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _coarse(hole: np.ndarray, cell: int) -> np.ndarray:
    """Boolean grid: a cell is set when any pixel inside it is part of the hole."""
    h, w = hole.shape
    gh, gw = -(-h // cell), -(-w // cell)
    padded = np.zeros((gh * cell, gw * cell), bool)
    padded[:h, :w] = hole
    return padded.reshape(gh, cell, gw, cell).any(axis=(1, 3))


def _dilate(grid: np.ndarray, radius: int) -> np.ndarray:
    """Square (Chebyshev) dilation of a boolean grid by ``radius`` cells."""
    if radius <= 0:
        return grid
    out = grid.copy()
    for axis in (0, 1):
        src = out.copy()
        for shift in range(1, radius + 1):
            if axis == 0:
                out[shift:] |= src[:-shift]
                out[:-shift] |= src[shift:]
            else:
                out[:, shift:] |= src[:, :-shift]
                out[:, :-shift] |= src[:, shift:]
    return out


def _components(grid: np.ndarray) -> list[np.ndarray]:
    """8-connected components of a boolean grid, each as an (n, 2) array of (row, col) cells."""
    seen = np.zeros_like(grid)
    found = []
    h, w = grid.shape
    for start in zip(*np.nonzero(grid), strict=True):
        if seen[start]:
            continue
        stack = [start]
        seen[start] = True
        cells = []
        while stack:
            r, c = stack.pop()
            cells.append((r, c))
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < h and 0 <= cc < w and grid[rr, cc] and not seen[rr, cc]:
                        seen[rr, cc] = True
                        stack.append((rr, cc))
        found.append(np.array(cells))
    return found


def context_px(bbox: tuple[int, int, int, int], context: float, min_px: int = 24) -> int:
    """Margin around a mask bounding box: ``context`` × its longer side, at least ``min_px``."""
    top, left, bottom, right = bbox
    return max(min_px, int(round(context * max(bottom - top, right - left))))


Box = tuple[int, int, int, int]


def crop_boxes(hole: np.ndarray, context: float) -> list[tuple[Box, Box]]:
    """(crop, core) boxes as (top, left, bottom, right), one pair per cluster of strokes.

    ``core`` is the bounding box of the cluster's hole pixels; ``crop`` adds the context margin,
    clipped to the image. Together the cores cover every hole pixel.
    """
    if mask_bbox(hole) is None:
        return []
    h, w = hole.shape
    grid = _coarse(hole, CELL)
    boxes = []
    for cells in _components(_dilate(grid, 1)):
        own = np.zeros_like(grid)
        own[cells[:, 0], cells[:, 1]] = True
        r0, c0 = cells.min(axis=0)
        r1, c1 = cells.max(axis=0) + 1
        top, left = r0 * CELL, c0 * CELL
        bottom, right = min(h, r1 * CELL), min(w, c1 * CELL)
        cell_mask = np.kron(own[r0:r1, c0:c1], np.ones((CELL, CELL), bool))[: bottom - top, : right - left]
        inner = mask_bbox(hole[top:bottom, left:right] & cell_mask)
        if inner is None:
            continue
        core = (top + inner[0], left + inner[1], top + inner[2], left + inner[3])
        margin = context_px(core, context)
        crop = (max(0, core[0] - margin), max(0, core[1] - margin), min(h, core[2] + margin),
                min(w, core[3] + margin))
        boxes.append((crop, core))
    return boxes
