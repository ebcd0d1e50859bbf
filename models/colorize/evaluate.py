"""Colorize quality on BSD100 (BSDS500 val, never trained on).

    python -m models.evaluate colorize [--run runs/colorize/gan] [--limit N]
                                       [--sheet docs/colorize_contact_sheet.png] [--card]

Each true colour photo is reduced to its lightness and coloured again. Reported: PSNR (RGB, 8-bit)
against the true photo, and colourfulness (Hasler & Süsstrunk 2003) relative to the true photo
(mean over images of ours ÷ mean of the truth). Baselines: the grayscale input itself, and a
"sepia" average — every pixel gets the mean ab of the training photos.

Without ``--run`` the shipped ONNX model runs through the app's own pipeline
(``plugins.pipeline.apply_filter``); with it, a training run's torch network runs through the same NumPy code
(``plugins.filters.colorize.core``), so the two variants are compared on equal terms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from models.card import write_evaluation
from models.colorize.dataset import bsds_paths, load_rgb
from models.metrics import colourfulness, psnr
from plugins.contract import load_manifest
from plugins.filters.colorize import core
from plugins.lab import lab_to_rgb_in_gamut, lightness, rgb_to_lab

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "plugins" / "filters" / "colorize" / "MODEL_CARD.md"
NEEDS = load_manifest(CARD.with_name("manifest.toml")).model("network")  # the network's size needs
SHEET = ROOT / "docs" / "colorize_contact_sheet.png"
# BSD100 photos for the contact sheet: skies, foliage, skin, water.
SHEET_IDS = ("3096", "147091", "253055", "291000", "189080", "157055", "143090", "219090", "300091")
SEPIA = "sepia (mean training ab)"
Colorizer = Callable[[np.ndarray], np.ndarray]  # uint8 RGB → uint8 RGB


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    return (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def gray_baseline(rgb: np.ndarray) -> np.ndarray:
    L = lightness(rgb.astype(np.float32) / 255.0)
    return to_uint8(lab_to_rgb_in_gamut(L, np.zeros((*L.shape, 2), np.float32)))


def mean_training_ab(limit: int = 400) -> np.ndarray:
    """Mean ab over the training photos (BSDS500 train+test, at ¼ size)."""
    total, count = np.zeros(2), 0
    for path in (bsds_paths("train") + bsds_paths("test"))[:limit]:
        ab = rgb_to_lab(load_rgb(path, 0.25).astype(np.float32) / 255.0)[..., 1:].reshape(-1, 2)
        total += ab.sum(0)
        count += len(ab)
    return (total / count).astype(np.float32)


def sepia_baseline(mean_ab: np.ndarray) -> Colorizer:
    def run(rgb: np.ndarray) -> np.ndarray:
        L = lightness(rgb.astype(np.float32) / 255.0)
        return to_uint8(lab_to_rgb_in_gamut(L, np.broadcast_to(mean_ab, (*L.shape, 2))))
    return run


def onnx_colorizer(params: dict) -> Colorizer:
    """The shipped filter through the app's pipeline."""
    from plugins.pipeline import apply_filter
    from plugins.runtime import Runtime

    runtime = Runtime("cpu")

    def run(rgb: np.ndarray) -> np.ndarray:
        rgba = np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 255, np.uint8)], axis=-1)
        return apply_filter("colorize", rgba, params=params, runtime=runtime)[:, :, :3]
    return run


def torch_colorizer(run: Path, params: dict, temperature: float | None = None,
                    prior_correction: float | None = None) -> Colorizer:
    """A training run's network (torch) through the filter's own NumPy code."""
    import torch

    from models.colorize.train import load_net

    torch.set_num_threads(1)
    net = load_net(run, temperature, prior_correction)

    def predict(L: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return net(torch.from_numpy(L)).numpy()

    def run(rgb: np.ndarray) -> np.ndarray:
        out = np.empty_like(rgb)
        core.colorize(rgb.astype(np.float32) / 255.0, predict, needs=NEEDS, intensity=params["intensity"],
                      working_size=params["working_size"], out=out)
        return out
    return run


def evaluate(methods: dict[str, Colorizer], paths: list[Path]) -> dict[str, dict[str, float]]:
    """Mean PSNR, colourfulness ratio and seconds per image of each method over ``paths``."""
    sums = {name: np.zeros(3) for name in methods}
    truth_colour = 0.0
    for path in paths:
        truth = load_rgb(path)
        truth_colour += colourfulness(truth)
        for name, method in methods.items():
            start = time.perf_counter()
            out = method(truth)
            sums[name] += [psnr(out, truth), colourfulness(out), time.perf_counter() - start]
    count = len(paths)
    return {name: {"psnr": s[0] / count, "colour_ratio": s[1] / truth_colour, "seconds": s[2] / count}
            for name, s in sums.items()}


def table(results: dict[str, dict[str, float]], count: int, split: str = "val") -> str:
    name = "BSD100" if split == "val" else f"BSDS500 {split}"
    lines = [f"{name} ({count} photos), PSNR vs the true colour photo (RGB, 8-bit), colourfulness "
             "(Hasler & Süsstrunk 2003) as a ratio to the true photos'.", "",
             "| method | PSNR (dB) | colourfulness ratio | s / photo |", "|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['psnr']:.2f} | {r['colour_ratio']:.2f} | {r['seconds']:.2f} |")
    return "\n".join(lines)


def contact_sheet(methods: dict[str, Colorizer], ids: tuple[str, ...], path: Path,
                  height: int = 160) -> None:
    """Rows of photos; columns: grayscale input, each method, the true photo."""
    val = {p.stem: p for p in bsds_paths("val")}
    columns = ["gray input", *methods, "truth"]
    rows = []
    for photo_id in ids:
        truth = load_rgb(val[photo_id])
        cells = [gray_baseline(truth), *(m(truth) for m in methods.values()), truth]
        width = round(truth.shape[1] * height / truth.shape[0])
        rows.append([Image.fromarray(c).resize((width, height), Image.Resampling.LANCZOS) for c in cells])
    col_w = max(r[0].width for r in rows)
    size = ((col_w + 4) * len(columns), 20 + (height + 4) * len(rows))
    sheet = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(sheet)
    for j, name in enumerate(columns):
        draw.text((j * (col_w + 4) + 4, 4), name, fill="black")
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            sheet.paste(cell, (j * (col_w + 4) + (col_w - cell.width) // 2, 20 + i * (height + 4)))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, action="append", default=[],
                        help="evaluate the network of these run folders instead of the shipped ONNX model")
    parser.add_argument("--temperature", type=float, default=None, help="override T (class variant)")
    parser.add_argument("--prior-correction", type=float, default=None,
                        help="override β, the share of the rebalancing tilt undone when decoding")
    parser.add_argument("--intensity", type=float, default=1.0)
    parser.add_argument("--working-size", type=int, default=256)
    parser.add_argument("--limit", type=int, default=None, help="first N photos of BSD100 only")
    parser.add_argument("--split", default="val", choices=("val", "train"),
                        help="train: BSDS500 train photos, for choosing T without looking at BSD100")
    parser.add_argument("--sheet", type=Path, nargs="?", const=SHEET, default=None)
    parser.add_argument("--card", action="store_true", help="write the table into MODEL_CARD.md")
    args = parser.parse_args(argv)
    params = {"intensity": args.intensity, "working_size": args.working_size}
    methods: dict[str, Colorizer] = {"grayscale input": gray_baseline,
                                     SEPIA: sepia_baseline(mean_training_ab())}
    if args.run:
        for run in args.run:
            methods[f"{run.name} ({run})"] = torch_colorizer(run, params, args.temperature,
                                                             args.prior_correction)
    else:
        methods["colorize (shipped ONNX)"] = onnx_colorizer(params)
    paths = bsds_paths(args.split)[:args.limit]
    results = evaluate(methods, paths)
    text = table(results, len(paths), args.split)
    text += f"\n\nParameters: intensity {args.intensity}, working size {args.working_size}."
    print(text)
    if args.card:
        write_evaluation(CARD, text)
    if args.sheet:
        sheet_methods = {k: v for k, v in methods.items() if k not in ("grayscale input", SEPIA)}
        contact_sheet(sheet_methods, SHEET_IDS, args.sheet)
        print(f"wrote {args.sheet}")


if __name__ == "__main__":
    main()
