"""Contact sheet of the texture filter, old beside new, from the evaluation's runs.

    python -m models.evaluate texture        (writes docs/texture_contact_sheet.png as well)

Per sample: the sample (public-domain paintings only — BSDS photos are research-only, so for them only
our outputs are shown), the random-network tile (commit ``models.baseline.RANDOM_NETWORK``), the ImageNet
VGG16 tile, and a 1:1 crop around the wrap corner of the VGG16 tile repeated 2×2 (a seam would show as a
cross). Both tiles come from ``main.py apply texture`` with the same settings and seed
(``models/texture/evaluate.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from models.baseline import ROOT
from models.texture.evaluate import read_rgb

SHEET = ROOT / "docs" / "texture_contact_sheet.png"
PANEL = 256
GAP = 6
LABEL = 30
COLUMNS = 2


def _panel(image: np.ndarray, size: int = PANEL) -> Image.Image:
    pil = Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    pil.thumbnail((size, size), Image.Resampling.LANCZOS)
    return pil


def _cell(row: dict) -> Image.Image:
    old, new = read_rgb(row["tile_random"]), read_rgb(row["tile_vgg16"])
    cell = Image.new("RGB", (4 * PANEL + 3 * GAP, PANEL + LABEL), "white")
    draw = ImageDraw.Draw(cell)
    draw.text((2, 2), f"{row['sample']}: {new.shape[1]}x{new.shape[0]} tiles", fill="black")
    draw.text((2, 15), f"random net: style {row['style_random']:.3f}, seam {row['seam_random']:.2f}   |   "
                       f"VGG16: style {row['style_vgg16']:.3f}, seam {row['seam_vgg16']:.2f}", fill="black")
    if row["public_domain"]:
        cell.paste(_panel(read_rgb(row["source"])), (0, LABEL))
    else:
        draw.rectangle([0, LABEL, PANEL - 1, LABEL + PANEL - 1], outline="grey")
        draw.multiline_text((8, LABEL + PANEL // 2 - 14), "BSDS500 photo:\nsource not shown\n(research-only)",
                            fill="grey")
    for column, image in enumerate((old, new), start=1):
        cell.paste(_panel(image), (column * (PANEL + GAP), LABEL))
    tiled = np.tile(new, (2, 2, 1))
    h, w = new.shape[:2]
    corner = tiled[h - PANEL // 2:h + PANEL // 2, w - PANEL // 2:w + PANEL // 2]
    cell.paste(_panel(corner), (3 * (PANEL + GAP), LABEL))
    return cell


def sheet(rows: Sequence[dict]) -> Image.Image:
    cells = [_cell(row) for row in rows]
    cell_w, cell_h = cells[0].size
    n_rows = -(-len(cells) // COLUMNS)
    header = 24
    out = Image.new("RGB", (COLUMNS * cell_w + (COLUMNS + 1) * 12, header + n_rows * (cell_h + 12)), "white")
    title = ("Holst texture filter, old vs new: sample | random-weight VGG-19 tile (before) | ImageNet VGG16 "
             "tile (now) | 1:1 crop at the wrap corner of the VGG16 tile repeated 2x2. Style = VGG16 style "
             "distance to the sample (lower is closer)")
    ImageDraw.Draw(out).text((12, 6), title, fill="black")
    for index, cell in enumerate(cells):
        column, row_index = index % COLUMNS, index // COLUMNS
        out.paste(cell, (12 + column * (cell_w + 12), header + row_index * (cell_h + 12)))
    return out
