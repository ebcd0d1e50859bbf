"""Evaluate the texture filter through the app's own pipeline: speed and seam metric per sample.

    python -m models.evaluate texture [--size 512] [--quality normal] [--no-card]
    python -m models.texture.evaluate  (same)

For each of the 8 samples (models.texture.samples) a seamless size×size tile is made with
``plugins.pipeline.apply_filter`` (onnxruntime, the same path as the CLI and the editor) and
timed; the seam metric (models.texture.seam: wrap-border vs interior neighbour difference) is computed
for the tile and, as a reference for a tile that does not wrap, for the sample itself. The table is
printed, saved to runs/texture_eval.json and written into plugins/filters/texture/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.card import write_evaluation
from models.texture.config import PLUGIN_DIR
from models.texture.samples import SAMPLES
from models.texture.seam import seam_ratio, wrap_percentile

CARD = PLUGIN_DIR / "MODEL_CARD.md"
RUNS = Path(__file__).resolve().parents[2] / "runs"


def to_pixels(image: np.ndarray) -> np.ndarray:
    """Float RGB 0..1 → uint8 RGBA as the pipeline takes it."""
    out = np.full((*image.shape[:2], 4), 255, np.uint8)
    out[:, :, :3] = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)
    return out


def make_tile(sample: np.ndarray, size: int, quality: str, seed: int = 0) -> tuple[np.ndarray, float]:
    """(tile float RGB, wall seconds) for a seamless tile through the app pipeline."""
    from plugins.pipeline import apply_filter

    start = time.perf_counter()
    out = apply_filter("texture", to_pixels(sample),
                       params={"size": size, "quality": quality, "seamless": True, "seed": seed})
    return out[:, :, :3].astype(np.float32) / 255.0, time.perf_counter() - start


def evaluate(size: int, quality: str) -> dict:
    rows = []
    load_before = os.getloadavg()[0]
    for sample in SAMPLES:
        image = sample.load()
        tile, seconds = make_tile(image, size, quality)
        rows.append({"sample": sample.name, "seconds": round(seconds, 2),
                     "seam_tile": round(seam_ratio(tile), 3),
                     "wrap_percentile": round(wrap_percentile(tile), 1),
                     "seam_sample": round(seam_ratio(image), 3)})
        print(f"{sample.name:38s} {seconds:6.1f} s  seam {rows[-1]['seam_tile']:.3f} "
              f"(sample itself {rows[-1]['seam_sample']:.3f})", flush=True)
    times = [r["seconds"] for r in rows]
    return {"size": size, "quality": quality, "rows": rows, "median_seconds": float(np.median(times)),
            "max_seam": max(r["seam_tile"] for r in rows), "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count(),
            "machine": platform.processor() or platform.machine()}


def markdown(result: dict) -> str:
    lines = [f"Seamless {result['size']}² tiles, quality `{result['quality']}`, through "
             f"`plugins.pipeline.apply_filter` on {result['cpu_count']} CPU cores (shared: load average "
             f"{result['load_before']} before, {result['load_after']} after). "
             f"Reproduce: `python -m models.evaluate texture --size {result['size']}`.", "",
             "| sample | time (s) | seam ratio, tile | wrap-line percentile | seam ratio, sample as a tile |",
             "|---|---:|---:|---:|---:|"]
    for row in result["rows"]:
        lines.append(f"| {row['sample']} | {row['seconds']:.1f} | {row['seam_tile']:.3f} "
                     f"| {row['wrap_percentile']:.0f} % | {row['seam_sample']:.3f} |")
    lines += ["", f"Median time {result['median_seconds']:.1f} s; worst seam ratio {result['max_seam']:.3f} "
              "(bar: ≤ 1.2; 1.0 = the wrap border is indistinguishable from the interior). Wrap-line "
              "percentile: rank of the border among all line positions (≈ 50 % = an ordinary line, a seam "
              "ranks near 100 %)."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--quality", default="normal", choices=["draft", "normal", "high"])
    parser.add_argument("--no-card", action="store_true", help="do not rewrite MODEL_CARD.md")
    args = parser.parse_args(argv)
    result = evaluate(args.size, args.quality)
    text = markdown(result)
    print(text)
    RUNS.mkdir(exist_ok=True)
    (RUNS / f"texture_eval_{args.size}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if not args.no_card:
        write_evaluation(CARD, text)


if __name__ == "__main__":
    main()
