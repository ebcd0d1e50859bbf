"""edges2photo on BSD100 human edges: SSIM and sharpness of the GAN generator vs the L1-only one.

    python -m models.evaluate edges2photo      (or: python -m models.edges2photo.evaluate)

Each BSD100 photo's human boundaries (all annotators, 2 px lines) are rendered as a drawing and run
through the app's own pre/post-processing (``plugins/filters/edges2photo/filter.generate``) at the
default working resolution (long side 256), seed 0, full variation. Both generators are compared
with the photo at that resolution:

- SSIM on luminance (structure; it rewards blur-free alignment, which neither net can achieve
  from edges alone, and it rewards the mean, which favours L1),
- sharpness = mean Sobel gradient magnitude of the output / that of the photo (1 = as crisp as the
  photo; a blurry average scores far below 1).

A third row is the GAN output given the photo itself as the filter's colour reference
(``palette.match_colours``, strength 1): an oracle palette, i.e. what a user's well-chosen reference
picture can add to the network's rendering. It is not a generator and not part of the GAN/L1-only
comparison.

Writes docs/edges2photo_contact_sheet.png (edges | L1-only | GAN | GAN + photo's colours | photo),
the results table into
plugins/filters/edges2photo/MODEL_CARD.md and runs/edges2photo/eval.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from models.card import write_evaluation
from models.edges2photo.data import bsd100_entries
from models.edges2photo.export import PLUGIN_DIR
from models.edges2photo.pairs import EdgeEntry, render_human
from models.edges2photo.train import load_generator
from models.metrics import luma_gradient, ssim
from plugins.contract import load_manifest
from plugins.filters.edges2photo.filter import generate
from plugins.filters.edges2photo.palette import match_colours
from plugins.luma import luma
from plugins.netcall import fit_long_side
from plugins.resample import resize

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "docs" / "edges2photo_contact_sheet.png"
CARD = PLUGIN_DIR / "MODEL_CARD.md"
NEEDS = load_manifest(PLUGIN_DIR / "manifest.toml").model("network")  # the generator's size needs
RESOLUTION = 256
SHEET_ROWS = (0, 7, 13, 21, 38, 52, 77, 90)


class TorchSession:
    """Stands in for the app's ModelSession so that evaluation uses filter.generate() unchanged."""

    def __init__(self, generator: torch.nn.Module) -> None:
        self.generator = generator

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        with torch.no_grad():
            out = self.generator(torch.from_numpy(feeds["sketch"]), torch.from_numpy(feeds["noise"]))
        return [out.numpy()]


def test_case(entry: EdgeEntry) -> tuple[np.ndarray, np.ndarray]:
    """(drawing H×W, photo H×W×3) at the working resolution, both float32 in 0..1."""
    height, width = entry.photo.shape[:2]
    size = fit_long_side(height, width, RESOLUTION)
    drawing = resize(render_human(entry.human, 1, 2), size, clip=True)
    photo = cv2.resize(entry.photo, size[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return drawing, photo


def gradient_energy(rgb: np.ndarray) -> float:
    """Mean Sobel gradient magnitude of the luma."""
    return float(luma_gradient(rgb).mean())


def evaluate(generators: dict[str, torch.nn.Module], entries: list[EdgeEntry], seed: int = 0,
             variation: float = 1.0) -> tuple[dict[str, dict[str, float]], dict[str, list[np.ndarray]]]:
    """Mean SSIM / sharpness / L1 per generator (plus ``gan_palette``, the GAN output with the photo
    as colour reference, when there is a ``gan``), and every output (for the contact sheet)."""
    names = list(generators) + (["gan_palette"] if "gan" in generators else [])
    scores: dict[str, dict[str, list[float]]] = {name: {"ssim": [], "sharpness": [], "l1": []}
                                                 for name in names}
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for entry in entries:
        drawing, photo = test_case(entry)
        reference = gradient_energy(photo)
        rendered = {name: generate(TorchSession(generator), drawing, seed, variation, NEEDS)
                    for name, generator in generators.items()}
        if "gan" in rendered:
            rendered["gan_palette"] = match_colours(rendered["gan"], photo.reshape(-1, 3), 1.0)
        for name, out in rendered.items():
            outputs[name].append(out)
            scores[name]["ssim"].append(ssim(luma(out), luma(photo), data_range=1.0))
            scores[name]["sharpness"].append(gradient_energy(out) / max(reference, 1e-6))
            scores[name]["l1"].append(float(np.abs(out - photo).mean()))
    means = {name: {key: float(np.mean(values)) for key, values in metric.items()}
             for name, metric in scores.items()}
    if "gan" in scores and "l1" in scores:  # paired, per image: is the GAN output the sharper one?
        gan, l1 = np.array(scores["gan"]["sharpness"]), np.array(scores["l1"]["sharpness"])
        means["paired"] = {"gan_sharper": float((gan > l1).mean()),
                           "median_ratio": float(np.median(gan / l1))}
    return means, outputs


def contact_sheet(entries: list[EdgeEntry], outputs: dict[str, list[np.ndarray]], rows: tuple[int, ...],
                  path: Path, height: int = 160) -> None:
    """Rows of edges | L1-only | GAN | GAN + photo's colours | photo, each scaled to ``height`` px,
    with 4 px white gutters."""
    lines = []
    for index in rows:
        if index >= len(entries):
            continue
        drawing, photo = test_case(entries[index])
        sketch = np.repeat(drawing[:, :, None], 3, axis=2)
        tiles = [sketch, outputs["l1"][index], outputs["gan"][index], outputs["gan_palette"][index], photo]
        width = round(drawing.shape[1] * height / drawing.shape[0])
        resized = [cv2.resize(t, (width, height), interpolation=cv2.INTER_AREA) for t in tiles]
        gutter = np.ones((height, 4, 3), dtype=np.float32)
        lines.append(np.concatenate([x for tile in resized for x in (tile, gutter)][:-1], axis=1))
    widest = max(line.shape[1] for line in lines)
    padded = [np.pad(line, ((0, 4), (0, widest - line.shape[1]), (0, 0)), constant_values=1.0)
              for line in lines]
    sheet = (np.clip(np.concatenate(padded, axis=0), 0, 1) * 255 + 0.5).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(path, optimize=True)


def results_table(means: dict[str, dict[str, float]], count: int) -> str:
    lines = [f"BSD100 human edges ({count} images, long side {RESOLUTION} px, seed 0, variation 1):", "",
             "| generator | SSIM (Y) ↑ | sharpness (grad. ratio, photo = 1) | L1 (0..1) ↓ |",
             "|---|---|---|---|"]
    labels = {"l1": "L1-only", "gan": "pix2pix (GAN + 100·L1)",
              "gan_palette": "pix2pix + the photo as colour reference (oracle palette)"}
    for name in ("l1", "gan", "gan_palette"):
        m = means[name]
        lines.append(f"| {labels[name]} | {m['ssim']:.3f} | {m['sharpness']:.3f} | {m['l1']:.3f} |")
    if "paired" in means:
        paired = means["paired"]
        lines += ["", f"Per image, the GAN output is sharper than the L1-only one on "
                      f"{paired['gan_sharper'] * count:.0f} of {count} images (median ratio "
                      f"{paired['median_ratio']:.2f})."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate edges2photo GAN vs L1-only on BSD100.")
    parser.add_argument("--gan", type=Path, default=Path("runs/edges2photo/gan_fm30"), help="GAN run folder")
    parser.add_argument("--l1", type=Path, default=Path("runs/edges2photo/l1_17k"), help="L1-only run folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N images")
    parser.add_argument("--no-write", action="store_true", help="print only; leave sheet and card alone")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    entries = bsd100_entries(args.limit)
    generators = {"l1": load_generator(args.l1), "gan": load_generator(args.gan)}
    means, outputs = evaluate(generators, entries)
    table = results_table(means, len(entries))
    print(table)
    if not args.no_write:
        contact_sheet(entries, outputs, SHEET_ROWS, SHEET)
        write_evaluation(CARD, f"{table}\n\nReproduce: `python -m models.evaluate edges2photo`")
        Path("runs/edges2photo").mkdir(parents=True, exist_ok=True)
        Path("runs/edges2photo/eval.json").write_text(json.dumps(means, indent=2))
        print(f"wrote {SHEET} and the table in {CARD}")


if __name__ == "__main__":
    main()
