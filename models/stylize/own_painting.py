"""Evaluate stylize's "own painting" mode against the random-network version it replaced; its sheet.

    python -m models.evaluate own_painting [--working-size 512] [--no-card] [--no-sheet]
    python -m models.stylize.own_painting  (same)

Each public-domain painting (shared/data/styles) is given as "your own painting" for three BSD100 photos
(never trained on), through ``main.py apply stylize`` in a subprocess: by today's filter (Gatys et al.
on the ImageNet VGG16) and by the random-network filter of commit ``models.baseline.RANDOM_NETWORK``,
interleaved so both see the same load. Per result, on the ImageNet VGG16:

* **style distance** to the painting (at 512 px long side): Johnson et al.'s layers relu1_2, relu2_2,
  relu3_3, relu4_3, relative squared Gram error, averaged (``models.texture.evaluate.StyleDistance``);
  the photo's own distance to the painting is the reference. Issue #20's bar: result ≤ ½ × photo's.
* **content distance** to the photo: relative squared relu3_3 feature error (how much of the photo's
  structure is left; 0 = the photo itself).
* wall and CPU seconds of the command (start-up included).

The table goes into plugins/filters/stylize/MODEL_CARD.md (its own-painting block) and
runs/own_painting_eval.json; ``docs/stylize_own_painting.png`` shows every result, old beside new.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from models.baseline import RANDOM_NETWORK, ROOT, baseline_dir, conditions_text, old_and_new, run_conditions
from models.card import write_evaluation
from models.data import bsd100, shared_data_dir
from models.texture.evaluate import StyleDistance, read_rgb
from plugins.filters.stylize.styles import STYLES

CARD = ROOT / "plugins" / "filters" / "stylize" / "MODEL_CARD.md"
SHEET = ROOT / "docs" / "stylize_own_painting.png"
RUNS = ROOT / "runs"
#: Three photos: thirty optimisations, about eight minutes on an idle 2-core CPU.
PHOTOS = ("21077.jpg", "145086.jpg", "271035.jpg")
PAINTING_SIDE = 512
CONTENT_LAYER = "relu3_3"
#: The card's block for this evaluation (the stylize card's ``evaluate`` block belongs to the network).
BLOCK = "own-painting"


def content_distance(distance: StyleDistance, image: np.ndarray, photo: np.ndarray) -> float:
    with torch.no_grad():
        feats = [
            distance.net(
                torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).permute(2, 0, 1)[None],
                [CONTENT_LAYER],
            )[CONTENT_LAYER]
            for a in (image, photo)
        ]
    return float((feats[0] - feats[1]).pow(2).mean() / feats[1].pow(2).mean())


def painting_image(style: str) -> np.ndarray:
    with Image.open(shared_data_dir() / "styles" / f"{style}.jpg") as img:
        image = img.convert("RGB")
    scale = PAINTING_SIDE / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    return np.asarray(image, np.float32) / 255.0


def evaluate(working_size: int, styles: Sequence[str] = STYLES) -> dict:
    torch.set_num_threads(1)
    out_dir = RUNS / "own_painting_eval"
    out_dir.mkdir(parents=True, exist_ok=True)
    baseline_dir(RANDOM_NETWORK)  # exported before the first timed run
    distance = StyleDistance()
    photos = {p.name: p for p in bsd100()}
    rows = []
    load_before = os.getloadavg()[0]
    for style in styles:
        targets = distance.grams(painting_image(style))
        for name in PHOTOS:
            photo = read_rgb(photos[name])
            row: dict = {"photo": Path(name).stem, "painting": style, "style_photo": distance(photo, targets)}
            sets = {
                "own_painting": shared_data_dir() / "styles" / f"{style}.jpg",
                "working_size": working_size,
            }
            def output(label: str, name: str = name, style: str = style) -> Path:
                return out_dir / f"{Path(name).stem}_{style}_{label}.png"

            for label, path in old_and_new("stylize", photos[name], sets, output, row):
                result = read_rgb(path)
                row[f"style_{label}"] = distance(result, targets)
                row[f"content_{label}"] = content_distance(distance, result, photo)
                row[f"ratio_{label}"] = row[f"style_{label}"] / row["style_photo"]
            rows.append(row)
            print(style, name, {k: round(v, 4) for k, v in row.items() if isinstance(v, float)}, flush=True)
    return {
        "working_size": working_size,
        "rows": rows,
        **run_conditions(load_before),
    }


def markdown(result: dict) -> str:
    rows = result["rows"]
    lines = [
        f"Own painting at a working size of {result['working_size']} px: public-domain paintings for "
        f"{len({r['photo'] for r in result['rows']})} BSD100 photo(s), by `main.py apply stylize --set "
        "own_painting=…` (start-up included) with today's "
        f"mode (ImageNet VGG16) and the random-network mode {conditions_text(result)}. "
        "Style distance to the painting: VGG16 relu1_2/2_2/3_3/4_3, "
        "relative squared Gram error, averaged; ratio = result's / photo's own (bar: ≤ 0.5). Content: "
        "relative relu3_3 error to the photo. Reproduce: `python -m models.evaluate own_painting`.",
        "",
        "| photo | painting | photo's style distance | VGG16: style (ratio) | random net: style (ratio) "
        "| content, VGG16 / random | wall s (CPU s), VGG16 | random net |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['photo']} | {r['painting']} | {r['style_photo']:.3f} | {r['style_vgg16']:.3f} "
            f"({r['ratio_vgg16']:.2f}) | {r['style_random']:.3f} ({r['ratio_random']:.2f}) "
            f"| {r['content_vgg16']:.2f} / {r['content_random']:.2f} | {r['wall_vgg16']:.1f} "
            f"({r['cpu_vgg16']:.1f}) | {r['wall_random']:.1f} ({r['cpu_random']:.1f}) |"
        )
    ratios = [r["ratio_vgg16"] for r in rows]
    old = [r["ratio_random"] for r in rows]
    lines += [
        "",
        f"Style-distance ratio, VGG16: median {float(np.median(ratios)):.2f}, worst {max(ratios):.2f} "
        f"(bar ≤ 0.5); random net: median {float(np.median(old)):.2f}, worst {max(old):.2f}. Median wall "
        f"time {float(np.median([r['wall_vgg16'] for r in rows])):.1f} s (VGG16) vs "
        f"{float(np.median([r['wall_random'] for r in rows])):.1f} s (random net).",
    ]
    return "\n".join(lines)


def sheet(rows: Sequence[dict], out: Path = SHEET, panel: int = 240) -> None:
    """Every result, old beside new: per photo one row pair (random net above, VGG16 below)."""
    out_dir = RUNS / "own_painting_eval"
    label_h, gap = 16, 6
    photos = sorted({r["photo"] for r in rows}, key=[Path(p).stem for p in PHOTOS].index)
    cells: list[list[Image.Image]] = []
    for photo in photos:
        for label, title in (("random", "random-weight VGG-19 (before)"), ("vgg16", "ImageNet VGG16 (now)")):
            row_cells = []
            for r in (r for r in rows if r["photo"] == photo):
                with Image.open(out_dir / f"{photo}_{r['painting']}_{label}.png") as img:
                    image = img.convert("RGB")
                image.thumbnail((panel, panel), Image.Resampling.LANCZOS)
                cell = Image.new("RGB", (panel, image.height + label_h), "white")
                cell.paste(image, (0, label_h))
                ImageDraw.Draw(cell).text((2, 2), f"{photo}: {r['painting']}, {title}", fill="black")
                row_cells.append(cell)
            cells.append(row_cells)
    width = max(len(r) for r in cells) * (panel + gap) + gap
    heights = [max(c.height for c in r) for r in cells]
    header = 20
    canvas = Image.new("RGB", (width, header + sum(h + gap for h in heights) + gap), "white")
    ImageDraw.Draw(canvas).text(
        (gap, 4),
        "Stylize, your own painting (Gatys et al.): each public-domain painting "
        f"on {len(photos)} BSD100 photos; per photo the random-network mode above, the "
        "ImageNet VGG16 mode below (photos not shown)",
        fill="black",
    )
    y = header
    for row_cells, height in zip(cells, heights, strict=True):
        for index, cell in enumerate(row_cells):
            canvas.paste(cell, (gap + index * (panel + gap), y))
        y += height + gap
    canvas.save(out, optimize=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--working-size", type=int, default=512)
    parser.add_argument("--styles", nargs="+", default=list(STYLES), choices=list(STYLES),
                        help="the paintings to use (default: all five)")
    parser.add_argument("--no-card", action="store_true", help="do not rewrite MODEL_CARD.md")
    parser.add_argument("--no-sheet", action="store_true", help=f"do not rewrite {SHEET.name}")
    args = parser.parse_args(argv)
    result = evaluate(args.working_size, args.styles)
    text = markdown(result)
    print(text)
    (RUNS / "own_painting_eval.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if not args.no_card:
        write_evaluation(CARD, text, block=BLOCK)
    if not args.no_sheet:
        sheet(result["rows"])


if __name__ == "__main__":
    main()
