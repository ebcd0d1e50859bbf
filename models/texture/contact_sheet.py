"""Contact sheet of the texture filter: 8 samples → 1024² seamless tiles, each also shown tiled 2×2.

    python -m models.texture.contact_sheet [--size 1024] [--out docs/texture_contact_sheet.png]

Per sample: the sample (public-domain paintings only — BSDS photos are research-only, so for them
only our output is shown), the synthesized tile, the tile repeated 2×2 (any seam would show as a
cross in the middle), and a 1:1 crop around the wrap corner of the 2×2 repetition. Times and seam
ratios go to runs/texture_sheet.json.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from models.texture.evaluate import RUNS, make_tile
from models.texture.samples import SAMPLES
from models.texture.seam import seam_ratio

ROOT = Path(__file__).resolve().parents[2]
PANEL = 200
GAP = 6
LABEL = 18
COLUMNS = 2


def _panel(image: np.ndarray, size: int = PANEL) -> Image.Image:
    pil = Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    pil.thumbnail((size, size), Image.Resampling.LANCZOS)
    return pil


def _cell(name: str, sample: np.ndarray | None, tile: np.ndarray, seam: float, seconds: float) -> Image.Image:
    width = 4 * PANEL + 3 * GAP
    cell = Image.new("RGB", (width, PANEL + LABEL), "white")
    draw = ImageDraw.Draw(cell)
    caption = f"{name}: {tile.shape[1]}x{tile.shape[0]} tile, {seconds:.0f} s, seam ratio {seam:.2f}"
    draw.text((2, 2), caption, fill="black")
    x = 0
    if sample is not None:
        cell.paste(_panel(sample), (x, LABEL))
    else:
        draw.rectangle([x, LABEL, x + PANEL - 1, LABEL + PANEL - 1], outline="grey")
        note = "BSDS500 photo:\nsource not shown\n(research-only)"
        draw.multiline_text((x + 8, LABEL + PANEL // 2 - 14), note, fill="grey")
    x += PANEL + GAP
    cell.paste(_panel(tile), (x, LABEL))
    x += PANEL + GAP
    tiled = np.tile(tile, (2, 2, 1))
    cell.paste(_panel(tiled), (x, LABEL))
    x += PANEL + GAP
    h, w = tile.shape[:2]
    corner = tiled[h - PANEL // 2:h + PANEL // 2, w - PANEL // 2:w + PANEL // 2]
    cell.paste(_panel(corner), (x, LABEL))
    return cell


def build(size: int, quality: str) -> tuple[Image.Image, list[dict]]:
    cells, rows = [], []
    for sample in SAMPLES:
        image = sample.load()
        tile, seconds = make_tile(image, size, quality)
        seam = seam_ratio(tile)
        rows.append({"sample": sample.name, "size": size, "seconds": round(seconds, 2),
                     "seam_tile": round(seam, 3)})
        print(f"{sample.name:38s} {seconds:6.1f} s  seam {seam:.3f}", flush=True)
        cells.append(_cell(sample.name, image if sample.public_domain else None, tile, seam, seconds))
    cell_w, cell_h = cells[0].size
    n_rows = -(-len(cells) // COLUMNS)
    header = 24
    sheet = Image.new("RGB", (COLUMNS * cell_w + (COLUMNS + 1) * 12, header + n_rows * (cell_h + 12)),
                      "white")
    title = ("Holst texture filter (random-weight VGG-19 Gram synthesis): sample | tile | "
             "tile repeated 2x2 | 1:1 crop at the wrap corner")
    ImageDraw.Draw(sheet).text((12, 6), title, fill="black")
    for index, cell in enumerate(cells):
        column, row = index % COLUMNS, index // COLUMNS
        sheet.paste(cell, (12 + column * (cell_w + 12), header + row * (cell_h + 12)))
    return sheet, rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--quality", default="normal", choices=["draft", "normal", "high"])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "texture_contact_sheet.png")
    args = parser.parse_args(argv)
    sheet, rows = build(args.size, args.quality)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    RUNS.mkdir(exist_ok=True)
    (RUNS / "texture_sheet.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
