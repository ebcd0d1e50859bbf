"""edges2photo on held-out photos (BSD100), through the app's own pipeline, against a flat canvas.

    python -m models.evaluate edges2photo [--onnx CANDIDATE.onnx | --run RUN] [--before OLD.onnx] [--limit N]

Each BSD100 photo (BSDS500 val, never trained on) is shrunk to long side 256 px, the filter's default
working resolution, and drawn two ways:

- **canny**: OpenCV Canny on the 256-px photo (Gaussian σ 1.5, thresholds 40/100), 1-px black lines —
  the drawings of issue #21's figures;
- **human**: the BSDS500 boundaries of all annotators, 2-px lines at full size, area-resized to 256 px.

Each drawing goes through ``plugins.pipeline.apply_filter`` (default parameters: seed 0, variation 1,
working resolution 256) and is compared with the photo by:

- **perceptual distance**: LPIPS's uncalibrated VGG16 baseline (``models.perceptual.perceptual_distance``
  on the ImageNet VGG16: unit-normalised relu1_2 … relu5_3, squared difference, spatial mean, summed),
  as a ratio to the same distance for the **flat canvas**: the photo's mean colour with the same lines
  drawn on it (mean colour × drawing), i.e. doing nothing clever;
- **sharpness**: mean Sobel gradient magnitude of the luma, output ÷ photo, per image, averaged;
- **colourfulness**: Hasler & Süsstrunk's M (0..255 RGB), averaged, as a ratio to the photos' own.

Goals (issue #21): perceptual ratio ≤ 0.85 and sharpness ≥ 0.5 on each drawing kind; "not grey" is
read here as a colourfulness ratio ≥ 0.5. One more row, not part of the goals, gives the filter the
photo file itself as its colour reference (an oracle palette: what a well-chosen reference can add).

Writes (full runs of the shipped filter only) the table into the model card, runs/edges2photo/eval.json
and ``docs/edges2photo_contact_sheet.png`` (drawing | flat canvas | before | ours | photo; the
"before" column only with ``--before``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import torch

from models.app_filter import filter_entry, run_filter
from models.card import write_evaluation
from models.contact_sheet import save_sheet
from models.edges2photo import pairs
from models.edges2photo.pairs import EdgeEntry, render_human
from models.evaluate import ScoreCache
from models.features import FeatureNet
from models.metrics import colourfulness, luma_gradient
from models.perceptual import image_distance
from plugins.netcall import fit_long_side, pad
from plugins.resample import resize

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "plugins" / "filters" / "edges2photo"
SHEET = ROOT / "docs" / "edges2photo_contact_sheet.png"
CARD = PLUGIN_DIR / "MODEL_CARD.md"
RESOLUTION = 256
CANNY = (1.5, 40, 100)  # Gaussian σ, low and high threshold, on the 256-px photo
DRAWINGS = ("canny", "human")
SHEET_ROWS = (0, 7, 13, 21, 38, 52, 77, 90)
GOAL_DISTANCE, GOAL_SHARPNESS, GOAL_COLOUR = 0.85, 0.5, 0.5

Renderer = Callable[[np.ndarray, "Case"], np.ndarray]


@dataclass
class Case:
    """One held-out photo at the working resolution and its drawings (float32, paper 1, ink 0)."""

    name: str
    path: Path | None
    photo: np.ndarray                 # H×W×3 uint8
    drawings: dict[str, np.ndarray]   # kind → H×W float32


def canny_drawing(photo: np.ndarray) -> np.ndarray:
    """The evaluation's Canny drawing of a uint8 photo (float32, paper 1, 1-px ink 0)."""
    return pairs.canny_drawing(photo, *CANNY)


def make_case(entry: EdgeEntry, path: Path | None = None) -> Case:
    height, width = entry.photo.shape[:2]
    size = fit_long_side(height, width, RESOLUTION)
    photo = cv2.resize(entry.photo, size[::-1], interpolation=cv2.INTER_AREA)
    drawings = {"canny": canny_drawing(photo)}
    if entry.human is not None:
        drawings["human"] = resize(render_human(entry.human, 1, 2), size, clip=True)
    return Case(entry.name, path, photo, drawings)


def held_out_cases(limit: int | None = None) -> list[Case]:
    from models.edges2photo.data import bsd100_entries, bsds_pairs

    paths = [photo for photo, _ in bsds_pairs("val")]
    return [make_case(entry, paths[i]) for i, entry in enumerate(bsd100_entries(limit))]


def flat_canvas(drawing: np.ndarray, case: Case) -> np.ndarray:
    """The photo's mean colour with the drawing's lines on it (uint8)."""
    mean = case.photo.reshape(-1, 3).astype(np.float32).mean(axis=0)
    return np.clip(drawing[:, :, None] * mean + 0.5, 0, 255).astype(np.uint8)


def filter_renderer(entry, params: dict | None = None) -> Renderer:
    """The app's filter on a drawing (grey → RGB uint8 input), through apply_filter."""
    def render(drawing: np.ndarray, case: Case) -> np.ndarray:
        grey = np.clip(drawing * 255.0 + 0.5, 0, 255).astype(np.uint8)
        extra = dict(params or {})
        if extra.get("palette") == "<photo>":
            extra["palette"] = str(case.path)
        return run_filter(entry, np.repeat(grey[:, :, None], 3, axis=2), params=extra)

    return render


def generator_renderer(generator: torch.nn.Module) -> Renderer:
    """A training run's generator in torch (eval mode, its deterministic noise): for generators whose inputs
    differ from the plugin's, which therefore cannot run through the app. The drawing is padded with paper
    to the generator's ``multiple``."""
    generator = generator.eval()
    needs = SimpleNamespace(multiple_of=int(generator.multiple), min_side=1)  # plugins.netcall.SizeNeeds

    @torch.no_grad()
    def render(drawing: np.ndarray, case: Case) -> np.ndarray:
        height, width = drawing.shape
        padded = pad(drawing.astype(np.float32), needs, 1.0)  # white paper
        out = generator(torch.from_numpy(padded * 2.0 - 1.0)[None, None], generator.mean_noise(1))
        rgb = ((out[0, :, :height, :width] + 1.0) * 0.5).clamp(0, 1).permute(1, 2, 0).numpy()
        return (rgb * 255.0 + 0.5).astype(np.uint8)

    return render


def sharpness(rgb: np.ndarray, photo: np.ndarray) -> float:
    reference = float(luma_gradient(photo.astype(np.float32) / 255.0).mean())
    return float(luma_gradient(rgb.astype(np.float32) / 255.0).mean()) / max(reference, 1e-6)


def evaluate(cases: list[Case], renderers: dict[str, Renderer], net: FeatureNet,
             kinds: tuple[str, ...] = DRAWINGS, cache: ScoreCache | None = None,
             ) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, dict[str, list[np.ndarray]]]]:
    """Per drawing kind and renderer (plus ``flat``, always): mean perceptual distance, sharpness and
    colourfulness, and the ratios to the flat canvas (distance) and to the photos (colourfulness).
    The flat canvas's scores come from ``cache`` when it has them.
    Returns (scores[kind][renderer], outputs[kind][renderer] — one uint8 image per case)."""
    names = ["flat", *renderers]
    everyone: dict[str, Renderer] = {"flat": flat_canvas, **renderers}
    scores: dict[str, dict[str, dict[str, float]]] = {}
    outputs: dict[str, dict[str, list[np.ndarray]]] = {}
    photo_colour = float(np.mean([colourfulness(c.photo) for c in cases]))
    for kind in kinds:
        raw = {n: {"distance": [], "sharpness": [], "colourfulness": []} for n in names}
        outputs[kind] = {n: [] for n in names}
        for case in cases:
            for name in names:
                out = everyone[name](case.drawings[kind], case)
                outputs[kind][name].append(out)
                key = f"{kind} {case.name}"
                known = cache.get(key) if cache is not None and name == "flat" else None
                if known is None:
                    known = [image_distance(net, out, case.photo),
                             sharpness(out, case.photo), colourfulness(out)]
                    if cache is not None and name == "flat":
                        cache.put(key, known)
                for metric, value in zip(("distance", "sharpness", "colourfulness"), known, strict=True):
                    raw[name][metric].append(value)
        flat = float(np.mean(raw["flat"]["distance"]))
        scores[kind] = {}
        for name in names:
            means = {k: float(np.mean(v)) for k, v in raw[name].items()}
            means["distance_ratio"] = means["distance"] / flat
            means["colour_ratio"] = means["colourfulness"] / max(photo_colour, 1e-6)
            scores[kind][name] = means
    if cache is not None:
        cache.save()
    scores["photo"] = {"photo": {"colourfulness": photo_colour, "sharpness": 1.0}}
    return scores, outputs


def goals_met(score: dict[str, float]) -> bool:
    return (score["distance_ratio"] <= GOAL_DISTANCE and score["sharpness"] >= GOAL_SHARPNESS
            and score["colour_ratio"] >= GOAL_COLOUR)


LABELS = {"flat": "flat canvas (photo's mean colour + the lines)", "before": "before (previous weights)",
          "ours": "edges2photo (shipped)", "candidate": "edges2photo (candidate)",
          "oracle": "edges2photo + the photo as colour reference (oracle palette)"}


def results_table(scores: dict[str, dict[str, dict[str, float]]], count: int) -> str:
    photo = scores["photo"]["photo"]["colourfulness"]
    lines = [f"BSD100 ({count} held-out photos at long side {RESOLUTION} px), through the app's pipeline "
             "with default parameters (seed 0, variation 1). Perceptual distance: LPIPS's uncalibrated VGG16 "
             "baseline (ImageNet VGG16), lower is better; ratio = ÷ the flat canvas's. Sharpness: mean "
             f"luma gradient ÷ the photo's. Colourfulness: Hasler–Süsstrunk M (photos: {photo:.1f}). "
             f"Goals: ratio ≤ {GOAL_DISTANCE}, sharpness ≥ {GOAL_SHARPNESS}, colourfulness ≥ "
             f"{GOAL_COLOUR} × the photos'.", "",
             "| drawing | method | perceptual distance ↓ | ratio to flat canvas ↓ | sharpness (photo = 1) "
             "| colourfulness (÷ photos') | goals |",
             "|---|---|---|---|---|---|---|"]
    for kind, rows in scores.items():
        if kind == "photo":
            continue
        for name, s in rows.items():
            verdict = "" if name in ("flat", "oracle") else ("met" if goals_met(s) else "not met")
            lines.append(f"| {kind} | {LABELS.get(name, name)} | {s['distance']:.3f} "
                         f"| {s['distance_ratio']:.3f} | {s['sharpness']:.3f} "
                         f"| {s['colourfulness']:.1f} ({s['colour_ratio']:.2f}) | {verdict} |")
    return "\n".join(lines)


def contact_sheet(cases: list[Case], outputs: dict[str, list[np.ndarray]], rows: tuple[int, ...],
                  path: Path, kind: str = "human", height: int = 160) -> None:
    """Rows of drawing | flat canvas | before (if any) | ours | photo, each ``height`` px high."""
    columns = [c for c in ("flat", "before", "ours", "candidate") if c in outputs]
    short = {"flat": "flat canvas", "before": "before", "ours": "edges2photo", "candidate": "candidate"}
    if "before" in outputs:
        short.update(ours="after", candidate="after")
    titles = ["drawing", *(short[c] for c in columns), "photo"]
    lines = []
    for index in rows:
        if index >= len(cases):
            continue
        case = cases[index]
        grey = (np.clip(case.drawings[kind], 0, 1) * 255 + 0.5).astype(np.uint8)
        sketch = np.repeat(grey[:, :, None], 3, axis=2)
        tiles = [sketch, *(outputs[c][index] for c in columns), case.photo]
        width = round(case.photo.shape[1] * height / case.photo.shape[0])
        lines.append([cv2.resize(t, (width, height), interpolation=cv2.INTER_AREA) for t in tiles])
    save_sheet(lines, titles, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="edges2photo on BSD100 against a flat canvas (issue #21).")
    parser.add_argument("--onnx", type=Path, help="evaluate this candidate network (nothing is written)")
    parser.add_argument("--run", type=Path, help="evaluate this training run's generator in torch, beside "
                        "the shipped filter (for generators the plugin cannot run; nothing is written)")
    parser.add_argument("--before", type=Path, help="previous weights, for the sheet's 'before' column")
    parser.add_argument("--limit", type=int, default=None, help="only the first N images (nothing written)")
    parser.add_argument("--no-oracle", action="store_true", help="skip the oracle-palette row")
    parser.add_argument("--no-write", action="store_true", help="print only; leave sheet and card alone")
    args = parser.parse_args(argv)
    if args.run and args.onnx:
        parser.error("--run and --onnx are two candidates: give one")
    torch.set_num_threads(1)
    from models.vgg16 import imagenet_vgg16

    net = imagenet_vgg16(last_layer="relu5_3")
    cases = held_out_cases(args.limit)
    name = "candidate" if args.onnx else "ours"
    entry = filter_entry("edges2photo", args.onnx)
    renderers: dict[str, Renderer] = {}
    if args.before:
        renderers["before"] = filter_renderer(filter_entry("edges2photo", args.before))
    renderers[name] = filter_renderer(entry)
    if args.run:
        from models.edges2photo.train import load_generator

        renderers["candidate"] = generator_renderer(load_generator(args.run))
    if not args.no_oracle:
        renderers["oracle"] = filter_renderer(entry, {"palette": "<photo>"})
    cache = ScoreCache("runs/edges2photo/eval_flat.json", f"v1 {RESOLUTION} px, canny {CANNY}, human 2 px")
    scores, outputs = evaluate(cases, renderers, net, cache=cache)
    table = results_table(scores, len(cases))
    print(table)
    if args.limit is None and args.onnx is None and args.run is None and not args.no_write:
        contact_sheet(cases, outputs["human"], SHEET_ROWS, SHEET)
        write_evaluation(CARD, f"{table}\n\nReproduce: `python -m models.evaluate edges2photo`")
        Path("runs/edges2photo").mkdir(parents=True, exist_ok=True)
        Path("runs/edges2photo/eval.json").write_text(json.dumps(scores, indent=2))
        print(f"wrote {SHEET.relative_to(ROOT)} and the table in {CARD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
