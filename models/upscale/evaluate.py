"""PSNR-Y / SSIM-Y of the shipped Upscale filter on Set5, Set14 and BSD100, against bicubic.

Protocol (the standard one of the SR literature): HR cropped to a multiple of the scale; LR made
with PIL bicubic; scores on the BT.601 Y channel (16..235) with ``scale`` border pixels shaved. The
filter runs through the app's own code path (``plugins.pipeline.apply_filter``: tiling, uint8 output),
so the table describes what users get. ``python -m models.evaluate upscale [--limit N] [--no-write]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from models import data, metrics
from models.card import write_evaluation

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "plugins" / "filters" / "upscale"
CARD = PLUGIN_DIR / "MODEL_CARD.md"
SETS: dict[str, Callable[[], list[Path]]] = {"Set5": data.set5, "Set14": data.set14, "BSD100": data.bsd100}
Upscaler = Callable[[np.ndarray, int], np.ndarray]


def bicubic(lr: np.ndarray, scale: int) -> np.ndarray:
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(lr).resize((w * scale, h * scale), Image.BICUBIC))


def shipped_filter() -> Upscaler:
    """The Upscale filter as the app runs it (CPU runtime, manifest tiling)."""
    from plugins import registry
    from plugins.pipeline import apply_filter
    from plugins.runtime import Runtime

    entry = registry.get("upscale", refresh=True)
    if not entry.usable:
        raise SystemExit(f"upscale filter is not usable: {entry.status_text()}")
    runtime = Runtime("cpu")

    def run(lr: np.ndarray, scale: int) -> np.ndarray:
        rgba = np.dstack([lr, np.full(lr.shape[:2], 255, np.uint8)])
        return apply_filter(entry, rgba, raw_params={"scale": str(scale)}, runtime=runtime)[:, :, :3]

    return run


def score(method: Upscaler, paths: list[Path], scale: int) -> tuple[float, float, float]:
    """Mean PSNR-Y, mean SSIM-Y and total seconds of ``method`` over ``paths``."""
    psnrs, ssims, seconds = [], [], 0.0
    for path in paths:
        hr = data.crop_to_multiple(data.load_rgb(path), scale)
        lr = data.bicubic_downscale(hr, scale)
        start = time.perf_counter()
        sr = method(lr, scale)
        seconds += time.perf_counter() - start
        psnrs.append(metrics.psnr_y(sr, hr, scale))
        ssims.append(metrics.ssim_y(sr, hr, scale))
    return float(np.mean(psnrs)), float(np.mean(ssims)), seconds


def evaluate(methods: dict[str, Upscaler], scales: tuple[int, ...] = (2, 4),
             limit: int | None = None) -> dict[tuple[int, str, str], tuple[float, float, float]]:
    """{(scale, set, method): (psnr_y, ssim_y, seconds)}."""
    results = {}
    for scale in scales:
        for set_name, paths_of in SETS.items():
            paths = paths_of()[:limit]
            for name, method in methods.items():
                results[(scale, set_name, name)] = score(method, paths, scale)
                p, s, _ = results[(scale, set_name, name)]
                print(f"×{scale} {set_name:7s} {name:8s} PSNR-Y {p:6.2f}  SSIM-Y {s:.4f}", flush=True)
    return results


def table(results: dict[tuple[int, str, str], tuple[float, float, float]], limit: int | None) -> str:
    methods = list(dict.fromkeys(m for _, _, m in results))
    scales = sorted({s for s, _, _ in results})
    head = "| scale | method | " + " | ".join(f"{n} PSNR-Y / SSIM-Y" for n in SETS) + " |"
    lines = [head, "|---" * (2 + len(SETS)) + "|"]
    for scale in scales:
        for m in methods:
            cells = [f"{results[(scale, n, m)][0]:.2f} / {results[(scale, n, m)][1]:.4f}" for n in SETS]
            lines.append(f"| ×{scale} | {m} | " + " | ".join(cells) + " |")
    note = f" (first {limit} images of each set only)" if limit else ""
    lines.append("")
    lines.append(f"Y of BT.601 (16–235), {'/'.join(str(s) for s in scales)}-pixel border shaved per scale, "
                 f"LR by PIL bicubic; 'ours' = the shipped ONNX through plugins.pipeline.apply_filter{note}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Benchmark the Upscale filter on Set5, Set14, BSD100.")
    p.add_argument("--limit", type=int, default=None, help="first N images per set (not written)")
    p.add_argument("--scale", type=int, choices=(2, 4), action="append", help="default: both")
    p.add_argument("--no-write", action="store_true", help="print only; leave the model card alone")
    args = p.parse_args(argv)
    methods = {"bicubic": bicubic, "ours": shipped_filter()}
    results = evaluate(methods, tuple(sorted(args.scale or (2, 4))), args.limit)
    text = table(results, args.limit)
    print(text)
    if not args.no_write and args.limit is None:
        write_evaluation(CARD, text)
        print(f"written to {CARD}")


if __name__ == "__main__":
    main()
