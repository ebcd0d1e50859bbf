"""Colorize quality on held-out photos: BSD100 (BSDS500 val), Set5 and Set14 (never trained on).

    python -m models.evaluate colorize [--run RUN] [--onnx NAME=FILE] [--limit N]
                                       [--sheet docs/colorize_contact_sheet.png] [--card]

Each true colour photo is reduced to its lightness and coloured again. Reported per set and pooled
over all of them ("held-out", 117 photos; Set14's two grayscale pictures, bridge and man, are left
out because they have no colour to recover): PSNR (RGB, 8-bit) against the true photo, its gain over
the grayscale input, and colourfulness (Hasler & Süsstrunk 2003) relative to the true photos' (mean
over images of ours ÷ mean of the truth). Baselines: the grayscale input itself, and a "sepia"
average — every pixel gets the mean ab of the training photos.

Without ``--run`` the shipped ONNX model runs through the app's own pipeline
(``plugins.pipeline.apply_filter``, the CLI's code path, via ``models.app_filter``); ``--onnx`` (another
ONNX file, e.g. the previous release's) runs the same way in a copy of the plugin. ``--run`` (a
training run folder's torch network) runs through the filter's NumPy code
(``plugins.filters.colorize.core``, which the pipeline calls), so candidates are compared on equal terms.
Issue #22's goal: gain ≥ +1.0 dB and colourfulness ratio ≥ 0.85 on the held-out photos.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from models import data
from models.app_filter import filter_entry, run_filter
from models.card import write_evaluation
from models.colorize.dataset import bsds_paths, load_rgb
from models.contact_sheet import save_sheet
from models.metrics import colourfulness, psnr
from plugins.contract import load_manifest
from plugins.filters.colorize import core
from plugins.lab import lab_to_rgb_in_gamut, lightness, rgb_to_lab

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "plugins" / "filters" / "colorize" / "MODEL_CARD.md"
NEEDS = load_manifest(CARD.with_name("manifest.toml")).model("network")  # the network's size needs
SHEET = ROOT / "docs" / "colorize_contact_sheet.png"
# BSD100 photos for the contact sheet: skies, foliage, skin, water, animals, clothes.
SHEET_IDS = ("3096", "147091", "253055", "291000", "189080", "157055", "143090", "219090", "300091",
             "42049", "85048", "210088")
GRAY, SEPIA = "grayscale input", "sepia (mean training ab)"
POOLED = "held-out"
MIN_TRUTH_COLOURFULNESS = 1.0  # below: a grayscale picture, nothing to recover
GOAL_GAIN_DB, GOAL_COLOUR_RATIO = 1.0, 0.85
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


def filter_colorizer(params: dict, onnx: Path | None = None) -> Colorizer:
    """The filter as the app runs it (``models.app_filter``): the shipped model, or ``onnx`` in its place."""
    entry = filter_entry("colorize", onnx)
    return lambda rgb: run_filter(entry, rgb, params=params)


def core_colorizer(predict: core.Predict, params: dict) -> Colorizer:
    """Any ``predict`` (L → ab) through the filter's own NumPy code."""
    def run(rgb: np.ndarray) -> np.ndarray:
        out = np.empty_like(rgb)
        core.colorize(rgb.astype(np.float32) / 255.0, predict, needs=NEEDS, intensity=params["intensity"],
                      working_size=params["working_size"], out=out)
        return out
    return run


def torch_colorizer(run: Path, params: dict, temperature: float | None = None,
                    prior_correction: float | None = None) -> Colorizer:
    """A training run's network through the filter's NumPy code."""
    import torch

    from models.colorize.train import load_net

    torch.set_num_threads(1)
    net = load_net(run, temperature, prior_correction)

    def predict(L: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return net(torch.from_numpy(L)).numpy()
    return core_colorizer(predict, params)


def photo_sets(split: str = "val", limit: int | None = None) -> dict[str, list[Path]]:
    """The held-out colour photos by set (``split="train"``: BSDS500 train photos, for tuning)."""
    if split == "train":
        return {"BSDS500 train": bsds_paths("train")[:limit]}
    sets = {"BSD100": bsds_paths("val"), "Set5": data.set5(), "Set14": data.set14()}
    return {name: [p for p in paths[:limit] if colourfulness(load_rgb(p, 0.25)) >= MIN_TRUTH_COLOURFULNESS]
            for name, paths in sets.items()}


Results = dict[str, dict[str, dict[str, float]]]  # set (or POOLED) → method → figures


def _figures(sums: np.ndarray, truth_colour: float, count: int) -> dict[str, float]:
    return {"psnr": sums[0] / count, "colour_ratio": sums[1] / truth_colour, "seconds": sums[2] / count,
            "count": count}


def evaluate(methods: dict[str, Colorizer], sets: dict[str, list[Path]]) -> Results:
    """Mean PSNR, colourfulness ratio and seconds per image of each method, per set and pooled."""
    results: Results = {}
    pooled = {name: np.zeros(3) for name in methods}
    pooled_truth, pooled_count = 0.0, 0
    for set_name, paths in sets.items():
        sums = {name: np.zeros(3) for name in methods}
        truth_colour = 0.0
        for path in paths:
            truth = load_rgb(path)
            truth_colour += colourfulness(truth)
            for name, method in methods.items():
                start = time.perf_counter()
                out = method(truth)
                sums[name] += [psnr(out, truth), colourfulness(out), time.perf_counter() - start]
        results[set_name] = {name: _figures(s, truth_colour, len(paths)) for name, s in sums.items()}
        for name in methods:
            pooled[name] += sums[name]
        pooled_truth += truth_colour
        pooled_count += len(paths)
        print(f"{set_name}: " + "; ".join(f"{n} {r['psnr']:.2f} dB / {r['colour_ratio']:.2f}"
                                           for n, r in results[set_name].items()), flush=True)
    if len(sets) > 1:
        results[POOLED] = {name: _figures(s, pooled_truth, pooled_count) for name, s in pooled.items()}
    return results


def table(results: Results) -> str:
    """One row per method; per set: PSNR (gain over the grayscale input) / colourfulness ratio."""
    sets = list(results)
    methods = list(results[sets[0]])
    lines = ["| method | " + " | ".join(f"{s} ({results[s][methods[0]]['count']})" for s in sets)
             + " | s / photo |", "|---" * (len(sets) + 2) + "|"]
    for m in methods:
        cells = []
        for s in sets:
            r, gray = results[s][m], results[s].get(GRAY)
            gain = f" ({r['psnr'] - gray['psnr']:+.2f})" if gray is not None and m != GRAY else ""
            cells.append(f"{r['psnr']:.2f}{gain} / {r['colour_ratio']:.2f}")
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {results[sets[-1]][m]['seconds']:.2f} |")
    lines += ["", "Each cell: PSNR in dB vs the true colour photo (RGB, 8-bit), in brackets its gain over "
              "the grayscale input / colourfulness (Hasler & Süsstrunk 2003) as a ratio to the true photos'. "
              f"{POOLED}: all sets pooled (Set14 without its two grayscale pictures). Goal (issue #22): "
              f"gain ≥ +{GOAL_GAIN_DB:.1f} dB and ratio ≥ {GOAL_COLOUR_RATIO:.2f} on {POOLED}."]
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
    save_sheet(rows, columns, path)


def _named(value: str) -> tuple[str, Path]:
    name, sep, file = value.partition("=")
    return (name, Path(file)) if sep else (Path(value).stem, Path(value))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, action="append", default=[],
                        help="evaluate training run folder(s) instead of the shipped ONNX model")
    parser.add_argument("--onnx", type=_named, action="append", default=[], metavar="NAME=FILE",
                        help="also evaluate this ONNX file in a copy of the filter (e.g. the old model)")
    parser.add_argument("--temperature", type=float, default=None, help="override T (class variant)")
    parser.add_argument("--prior-correction", type=float, default=None,
                        help="override β, the share of the rebalancing tilt undone when decoding")
    parser.add_argument("--intensity", type=float, default=1.0)
    parser.add_argument("--working-size", type=int, default=256)
    parser.add_argument("--limit", type=int, default=None, help="first N photos of each set only")
    parser.add_argument("--split", default="val", choices=("val", "train"),
                        help="train: BSDS500 train photos, to choose T and β without the held-out ones")
    parser.add_argument("--no-baselines", action="store_true", help="skip the sepia baseline")
    parser.add_argument("--sheet", type=Path, nargs="?", const=SHEET, default=None)
    parser.add_argument("--card", action="store_true", help="write the table into MODEL_CARD.md")
    args = parser.parse_args(argv)
    params = {"intensity": args.intensity, "working_size": args.working_size}
    methods: dict[str, Colorizer] = {GRAY: gray_baseline}
    if not args.no_baselines:
        methods[SEPIA] = sepia_baseline(mean_training_ab())
    for name, file in args.onnx:
        methods[name] = filter_colorizer(params, file)
    for run in args.run:
        methods[f"run {run}"] = torch_colorizer(run, params, args.temperature, args.prior_correction)
    if not args.run:
        methods["colorize (shipped, app pipeline)"] = filter_colorizer(params)
    results = evaluate(methods, photo_sets(args.split, args.limit))
    text = table(results) + f"\n\nParameters: intensity {args.intensity}, working size {args.working_size}."
    print(text)
    if args.card:
        write_evaluation(CARD, text)
    if args.sheet:
        sheet_methods = {k: v for k, v in methods.items() if k not in (GRAY, SEPIA)}
        contact_sheet(sheet_methods, SHEET_IDS, args.sheet)
        print(f"wrote {args.sheet}")


if __name__ == "__main__":
    main()
