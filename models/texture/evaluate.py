"""Evaluate the texture filter on held-out samples against the random-network version it replaced.

    python -m models.evaluate texture [--size 256] [--quality normal] [--no-card]
    python -m models.texture.evaluate  (same)

For each held-out sample (``models.texture.samples.HELD_OUT``: BSD100 crops, never trained on and not
in the README's pictures) a seamless size×size tile is made twice through ``main.py apply texture`` in
a subprocess: by today's filter (ImageNet VGG16) and by the random-network filter of commit
``models.baseline.RANDOM_NETWORK``, interleaved so both see the same machine load. Per tile:

* **style distance** to the sample on the ImageNet VGG16 (max pooling, as trained): Johnson et al.'s
  style layers relu1_2, relu2_2, relu3_3, relu4_3; per layer ‖G(tile) − G(sample)‖² / ‖G(sample)‖²,
  averaged (``models.stylize.evaluate.gram_distance``, the measure of issue #19);
* **seam ratio** (``models.texture.seam``): wrap border vs interior neighbour differences;
* wall and CPU seconds of the whole command (start-up included).

Issue #20's bar: style distance ≤ ½ of the random network's tile, seam ratio ≤ 1.2. The table is printed,
saved to runs/texture_eval_<size>.json and written into plugins/filters/texture/MODEL_CARD.md. The same runs,
plus the three public-domain paintings of ``SAMPLES`` (not held out: sheet only), make
``docs/texture_contact_sheet.png`` (``models.texture.contact_sheet``), old beside new.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from models.baseline import RANDOM_NETWORK, ROOT, baseline_dir, conditions_text, old_and_new, run_conditions
from models.card import write_evaluation
from models.texture.config import PLUGIN_DIR
from models.texture.samples import HELD_OUT, SAMPLES
from models.texture.seam import seam_ratio

CARD = PLUGIN_DIR / "MODEL_CARD.md"
RUNS = ROOT / "runs"


def to_pixels(image: np.ndarray) -> np.ndarray:
    """Float RGB 0..1 → uint8 RGBA as the pipeline takes it."""
    out = np.full((*image.shape[:2], 4), 255, np.uint8)
    out[:, :, :3] = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)
    return out


class StyleDistance:
    """The VGG16 style distance of issue #19 (Johnson's layers, relative squared Gram error, averaged)."""

    def __init__(self) -> None:
        from models.stylize.train import STYLE_LAYERS
        from models.vgg16 import imagenet_vgg16

        self.layers = list(STYLE_LAYERS)
        self.net = imagenet_vgg16(last_layer=self.layers[-1])

    @torch.no_grad()
    def grams(self, image: np.ndarray) -> dict[str, torch.Tensor]:
        from models.features import gram

        x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32)).permute(2, 0, 1)[None]
        return {name: gram(feat) for name, feat in self.net(x, self.layers).items()}

    @torch.no_grad()
    def __call__(self, image: np.ndarray, reference: np.ndarray | dict[str, torch.Tensor]) -> float:
        from models.stylize.evaluate import gram_distance

        x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32)).permute(2, 0, 1)[None]
        targets = reference if isinstance(reference, dict) else self.grams(reference)
        return gram_distance(self.net(x, self.layers), targets)


def read_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), np.float32) / 255.0


def evaluate(size: int, quality: str, limit: int | None = None, paintings: int = 3) -> dict:
    """Both versions on the first ``limit`` held-out samples (all by default), then — for the contact sheet
    only, not the bars — on the first ``paintings`` public-domain paintings of ``SAMPLES``."""
    torch.set_num_threads(1)
    out_dir = RUNS / "texture_eval"
    out_dir.mkdir(parents=True, exist_ok=True)
    baseline_dir(RANDOM_NETWORK)  # exported before the first timed run
    distance = StyleDistance()
    rows = []
    load_before = os.getloadavg()[0]
    shown = [s for s in SAMPLES if s.public_domain][:paintings]
    for index, sample in enumerate([*HELD_OUT[:limit], *shown]):
        image = sample.load()
        source = out_dir / f"sample_{index}.png"
        Image.fromarray((image * 255 + 0.5).astype(np.uint8)).save(source)
        targets = distance.grams(image)
        row: dict = {"sample": sample.name, "held_out": sample in HELD_OUT,
                     "public_domain": sample.public_domain, "source": str(source)}
        sets = {"size": size, "quality": quality, "seamless": True, "seed": 0}
        def output(label: str, index: int = index) -> Path:
            return out_dir / f"tile_{index}_{label}_{size}.png"

        for label, tile_path in old_and_new("texture", source, sets, output, row):
            tile = read_rgb(tile_path)
            row[f"tile_{label}"] = str(tile_path)
            row[f"style_{label}"] = distance(tile, targets)
            row[f"seam_{label}"] = seam_ratio(tile)
        row["style_ratio"] = row["style_vgg16"] / row["style_random"]
        rows.append(row)
        print(sample.name, {k: round(v, 4) for k, v in row.items() if isinstance(v, float)}, flush=True)
    return {
        "size": size,
        "quality": quality,
        "rows": rows,
        **run_conditions(load_before),
    }


def markdown(result: dict) -> str:
    rows = result["rows"]
    lines = [
        f"Held-out samples (BSD100 crops), seamless {result['size']}² tiles, quality `{result['quality']}`, "
        f"each made by `main.py apply texture` (start-up included) with today's filter (ImageNet VGG16) "
        f"and with the random-network filter {conditions_text(result)}. "
        f"Style distance: VGG16 relu1_2/2_2/3_3/4_3, relative squared "
        f"Gram error to the sample, averaged. Reproduce: `python -m models.evaluate texture "
        f"--size {result['size']}`.",
        "",
        "| sample | style distance, VGG16 | random net | ratio | seam ratio, VGG16 | random net "
        "| wall s (CPU s), VGG16 | random net |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    shown = [r for r in rows if not r["held_out"]]
    rows = [r for r in rows if r["held_out"]]
    for r in rows + shown:
        lines.append(
            f"| {r['sample']}{'' if r['held_out'] else ' (sheet only)'} | {r['style_vgg16']:.4f} "
            f"| {r['style_random']:.4f} | {r['style_ratio']:.2f} "
            f"| {r['seam_vgg16']:.3f} | {r['seam_random']:.3f} | {r['wall_vgg16']:.1f} "
            f"({r['cpu_vgg16']:.1f}) | {r['wall_random']:.1f} ({r['cpu_random']:.1f}) |"
        )
    worst_ratio = max(r["style_ratio"] for r in rows)
    worst_seam = max(r["seam_vgg16"] for r in rows)
    lines += [
        "",
        f"Worst style-distance ratio {worst_ratio:.2f} (bar: ≤ 0.5), median "
        f"{float(np.median([r['style_ratio'] for r in rows])):.2f}; worst seam ratio {worst_seam:.3f} "
        "(bar: ≤ 1.2; 1.0 = the wrap border is indistinguishable from the interior), over the held-out "
        f"samples; the {len(shown)} paintings marked 'sheet only' are not held out (they are in the README's "
        "pictures) and are made for `docs/texture_contact_sheet.png`.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--quality", default="normal", choices=["draft", "normal", "high"])
    parser.add_argument("--limit", type=int, default=None, help="only the first N held-out samples")
    parser.add_argument("--no-card", action="store_true", help="do not rewrite MODEL_CARD.md")
    parser.add_argument("--paintings", type=int, default=3, help="public-domain paintings for the sheet")
    parser.add_argument("--no-sheet", action="store_true", help="do not rewrite the contact sheet")
    args = parser.parse_args(argv)
    result = evaluate(args.size, args.quality, args.limit, 0 if args.no_sheet else args.paintings)
    text = markdown(result)
    print(text)
    (RUNS / f"texture_eval_{args.size}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if not args.no_card:
        write_evaluation(CARD, text)
    if not args.no_sheet:
        from models.texture.contact_sheet import SHEET, sheet

        sheet(result["rows"]).save(SHEET, optimize=True)
        print(f"wrote {SHEET}")


if __name__ == "__main__":
    main()
