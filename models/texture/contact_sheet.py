"""Contact sheet of the texture filter, old beside new: 8 samples → seamless tiles by the random-network
filter and by today's ImageNet VGG16 filter.

    python -m models.texture.contact_sheet [--size 512] [--out docs/texture_contact_sheet.png]

Per sample: the sample (public-domain paintings only — BSDS photos are research-only, so for them only
our outputs are shown), the random-network tile (commit ``models.baseline.RANDOM_NETWORK``), the VGG16
tile, and a 1:1 crop around the wrap corner of the VGG16 tile repeated 2×2 (a seam would show as a
cross). Both tiles come from ``main.py apply texture`` with the same settings and seed. Times and seam
ratios go to runs/texture_sheet.json.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from models.baseline import RANDOM_NETWORK, ROOT, apply_cli, baseline_dir
from models.texture.evaluate import RUNS, read_rgb
from models.texture.samples import SAMPLES
from models.texture.seam import seam_ratio

PANEL = 240
GAP = 6
LABEL = 30
COLUMNS = 2


def _panel(image: np.ndarray, size: int = PANEL) -> Image.Image:
    pil = Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    pil.thumbnail((size, size), Image.Resampling.LANCZOS)
    return pil


def _cell(
    name: str, sample: np.ndarray | None, old: np.ndarray, new: np.ndarray, facts: dict[str, float]
) -> Image.Image:
    width = 4 * PANEL + 3 * GAP
    cell = Image.new("RGB", (width, PANEL + LABEL), "white")
    draw = ImageDraw.Draw(cell)
    draw.text((2, 2), f"{name}: {new.shape[1]}x{new.shape[0]} tiles", fill="black")
    draw.text(
        (2, 15),
        f"random net: {facts['wall_random']:.0f} s, seam {facts['seam_random']:.2f}   |   "
        f"VGG16: {facts['wall_vgg16']:.0f} s, seam {facts['seam_vgg16']:.2f}",
        fill="black",
    )
    x = 0
    if sample is not None:
        cell.paste(_panel(sample), (x, LABEL))
    else:
        draw.rectangle([x, LABEL, x + PANEL - 1, LABEL + PANEL - 1], outline="grey")
        draw.multiline_text(
            (x + 8, LABEL + PANEL // 2 - 14), "BSDS500 photo:\nsource not shown\n(research-only)", fill="grey"
        )
    for image in (old, new):
        x += PANEL + GAP
        cell.paste(_panel(image), (x, LABEL))
    x += PANEL + GAP
    tiled = np.tile(new, (2, 2, 1))
    h, w = new.shape[:2]
    cell.paste(_panel(tiled[h - PANEL // 2 : h + PANEL // 2, w - PANEL // 2 : w + PANEL // 2]), (x, LABEL))
    return cell


def build(size: int, quality: str) -> tuple[Image.Image, list[dict]]:
    out_dir = RUNS / "texture_sheet"
    out_dir.mkdir(parents=True, exist_ok=True)
    old_root = baseline_dir(RANDOM_NETWORK)
    cells, rows = [], []
    sets = {"size": size, "quality": quality, "seamless": True, "seed": 0}
    for index, sample in enumerate(SAMPLES):
        image = sample.load()
        source = out_dir / f"sample_{index}.png"
        Image.fromarray((image * 255 + 0.5).astype(np.uint8)).save(source)
        row: dict = {"sample": sample.name, "size": size}
        tiles = {}
        for label, root in (("random", old_root), ("vgg16", ROOT)):
            path = out_dir / f"tile_{index}_{label}.png"
            row[f"wall_{label}"], row[f"cpu_{label}"] = apply_cli(root, "texture", source, path, sets)
            tiles[label] = read_rgb(path)
            row[f"seam_{label}"] = seam_ratio(tiles[label])
        rows.append(row)
        print(sample.name, {k: round(v, 3) for k, v in row.items() if isinstance(v, float)}, flush=True)
        cells.append(
            _cell(sample.name, image if sample.public_domain else None, tiles["random"], tiles["vgg16"], row)
        )
    cell_w, cell_h = cells[0].size
    n_rows = -(-len(cells) // COLUMNS)
    header = 24
    sheet = Image.new(
        "RGB", (COLUMNS * cell_w + (COLUMNS + 1) * 12, header + n_rows * (cell_h + 12)), "white"
    )
    title = (
        "Holst texture filter, old vs new: sample | random-weight VGG-19 tile (before) | ImageNet VGG16 tile "
        "(now) | 1:1 crop at the wrap corner of the VGG16 tile repeated 2x2"
    )
    ImageDraw.Draw(sheet).text((12, 6), title, fill="black")
    for index, cell in enumerate(cells):
        column, row_index = index % COLUMNS, index // COLUMNS
        sheet.paste(cell, (12 + column * (cell_w + 12), header + row_index * (cell_h + 12)))
    return sheet, rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--quality", default="normal", choices=["draft", "normal", "high"])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "texture_contact_sheet.png")
    args = parser.parse_args(argv)
    sheet, rows = build(args.size, args.quality)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    (RUNS / "texture_sheet.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
