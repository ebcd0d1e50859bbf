"""One layout for the evaluations' contact sheets: rows of image cells under a header of column titles.

Every filter's evaluation (colorize, edges2photo, inpaint, upscale) shows its comparison the same way;
each decides what goes in a cell and how it is resized, this module only lays the cells out and saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

GAP = 4       # pixels between cells
HEADER = 20   # height of the title line


def titled_grid(rows: Sequence[Sequence[Image.Image | np.ndarray]], titles: Sequence[str]) -> Image.Image:
    """The cells on white, one column per title; a column is as wide as its widest cell, and narrower
    cells are centred in it. Every row is as high as its tallest cell."""
    rows = [[c if isinstance(c, Image.Image) else Image.fromarray(c) for c in row] for row in rows]
    cell_w = max(c.width for row in rows for c in row)
    heights = [max(c.height for c in row) for row in rows]
    size = (len(titles) * (cell_w + GAP) - GAP, HEADER + sum(h + GAP for h in heights))
    sheet = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(sheet)
    for col, title in enumerate(titles):
        draw.text((col * (cell_w + GAP) + 4, 4), title, fill="black")
    top = HEADER
    for row, height in zip(rows, heights):
        for col, cell in enumerate(row):
            sheet.paste(cell.convert("RGB"), (col * (cell_w + GAP) + (cell_w - cell.width) // 2, top))
        top += height + GAP
    return sheet


def save_sheet(rows: Sequence[Sequence[Image.Image | np.ndarray]], titles: Sequence[str], path: Path) -> None:
    """:func:`titled_grid` written to ``path`` (folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    titled_grid(rows, titles).save(path, optimize=True)
