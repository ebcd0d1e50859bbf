"""The shipped Upscale filter on Set5, Set14 and BSD100, each ``model`` against bicubic.

Protocol (the standard one of the SR literature): HR cropped to a multiple of the scale; LR made
with PIL bicubic; PSNR/SSIM on the BT.601 Y channel (16..235) with ``scale`` border pixels shaved.
The filter runs through the app's own code path (``plugins.pipeline.apply_filter``: tiling, uint8
output, ``--set model=…``), so the tables describe what users get.

Perceptual table (issue #22): the VGG16 perceptual distance to the original
(``models.perceptual.perceptual_distance``: LPIPS's uncalibrated VGG baseline on the ImageNet VGG16,
same border shaved), the set's mean for each method divided by bicubic's mean (lower is closer),
and PSNR-Y minus bicubic's. "held-out" pools the images of all three sets (119). With it, the
sub-pixel lattice (``models.upscale.lattice.lattice_rms``: the period-s crosshatch a PixelShuffle net
can draw, in 8-bit levels) of each method's output and of the originals, held-out mean.

    python -m models.evaluate upscale [--limit N] [--scale 2|4] [--model faithful|photo] [--no-write]
    python -m models.evaluate upscale --sheet [PATH] [--scale 2]   # docs/upscale_contact_sheet.png (×4)
                                                                   # or docs/upscale_x2_contact_sheet.png
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from models import data, metrics
from models.app_filter import filter_entry, run_filter
from models.card import write_evaluation
from models.contact_sheet import save_sheet
from plugins.filters.upscale.filter import has_network

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "plugins" / "filters" / "upscale"
CARD = PLUGIN_DIR / "MODEL_CARD.md"
SHEETS = {4: ROOT / "docs" / "upscale_contact_sheet.png", 2: ROOT / "docs" / "upscale_x2_contact_sheet.png"}
#: (set, image stem, centre of the crop as fractions of the height and width): textures and edges.
SHEET_CROPS = (("Set5", "butterfly", (0.5, 0.5)), ("Set5", "baby", (0.35, 0.45)),
               ("Set14", "baboon", (0.75, 0.5)), ("Set14", "zebra", (0.5, 0.55)),
               ("Set14", "comic", (0.3, 0.5)), ("BSD100", "8023", (0.5, 0.5)),
               ("BSD100", "253027", (0.5, 0.5)), ("BSD100", "148026", (0.3, 0.5)))
SETS: dict[str, Callable[[], list[Path]]] = {"Set5": data.set5, "Set14": data.set14, "BSD100": data.bsd100}
POOLED = "held-out"
Upscaler = Callable[[np.ndarray, int], np.ndarray]
Distance = Callable[[np.ndarray, np.ndarray], float]  # (sr, hr) uint8 → perceptual distance


def bicubic(lr: np.ndarray, scale: int) -> np.ndarray:
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(lr).resize((w * scale, h * scale), Image.BICUBIC))


def filter_models() -> tuple[str, ...]:
    """The values of the filter's ``model`` parameter (``("faithful",)`` for a manifest without it)."""
    spec = filter_entry("upscale").spec
    return tuple(spec.param("model").choices) if "model" in {p.name for p in spec.params} else ("faithful",)


def shipped_filter(model: str = "faithful") -> Upscaler:
    """The Upscale filter as the app runs it (``models.app_filter``: CPU runtime, manifest tiling) with
    ``--set model=…``."""
    entry = filter_entry("upscale")
    extra = {"model": model} if "model" in {p.name for p in entry.spec.params} else {}

    def run(lr: np.ndarray, scale: int) -> np.ndarray:
        return run_filter(entry, lr, params={"scale": str(scale), **extra})

    return run


def vgg16_distance(threads: int = 1) -> Distance:
    """The perceptual distance on the ImageNet VGG16 (fetched and cached on first use)."""
    import torch

    from models.perceptual import image_distance
    from models.vgg16 import imagenet_vgg16

    torch.set_num_threads(threads)
    net = imagenet_vgg16(last_layer="relu5_3")
    return lambda sr, hr: image_distance(net, sr, hr)


@dataclass
class Scores:
    """Per-image figures of one method on one set."""

    psnr: list[float] = field(default_factory=list)
    ssim: list[float] = field(default_factory=list)
    distance: list[float] = field(default_factory=list)
    lattice: list[float] = field(default_factory=list)
    lattice_original: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def extend(self, other: Scores) -> None:
        self.psnr += other.psnr
        self.ssim += other.ssim
        self.distance += other.distance
        self.lattice += other.lattice
        self.lattice_original += other.lattice_original
        self.seconds += other.seconds


def score_images(method: Upscaler, paths: list[Path], scale: int, distance: Distance | None = None) -> Scores:
    """PSNR-Y, SSIM-Y and (with ``distance``) the perceptual distance and the lattice of ``method`` on
    every image."""
    out = Scores()
    for path in paths:
        hr = data.crop_to_multiple(data.load_rgb(path), scale)
        lr = data.bicubic_downscale(hr, scale)
        start = time.perf_counter()
        sr = method(lr, scale)
        out.seconds += time.perf_counter() - start
        out.psnr.append(metrics.psnr_y(sr, hr, scale))
        out.ssim.append(metrics.ssim_y(sr, hr, scale))
        if distance is not None:
            from models.upscale.lattice import lattice_rms

            out.distance.append(distance(metrics.shave(sr, scale), metrics.shave(hr, scale)))
            out.lattice.append(lattice_rms(sr, scale))
            out.lattice_original.append(lattice_rms(hr, scale))
    return out


def score(method: Upscaler, paths: list[Path], scale: int) -> tuple[float, float, float]:
    """Mean PSNR-Y, mean SSIM-Y and total seconds of ``method`` over ``paths``."""
    s = score_images(method, paths, scale)
    return float(np.mean(s.psnr)), float(np.mean(s.ssim)), s.seconds


Results = dict[tuple[int, str, str], Scores]  # (scale, set or POOLED, method) → scores


def evaluate(methods: Callable[[int], dict[str, Upscaler]], scales: tuple[int, ...] = (2, 4),
             limit: int | None = None, distance: Distance | None = None) -> Results:
    """Every method (``methods(scale)``: those with a network at that scale) on every set at every scale;
    adds the pooled ``POOLED`` entries."""
    results: Results = {}
    for scale in scales:
        for set_name, paths_of in SETS.items():
            paths = paths_of()[:limit]
            for name, method in methods(scale).items():
                s = results[(scale, set_name, name)] = score_images(method, paths, scale, distance)
                results.setdefault((scale, POOLED, name), Scores()).extend(s)
                line = (f"×{scale} {set_name:7s} {name:8s} PSNR-Y {np.mean(s.psnr):6.2f}  "
                        f"SSIM-Y {np.mean(s.ssim):.4f}")
                if s.distance:
                    line += f"  VGG16 distance {np.mean(s.distance):.4f}"
                print(line, flush=True)
    return results


def quality_table(results: Results, limit: int | None) -> str:
    methods = list(dict.fromkeys(m for _, _, m in results))
    scales = sorted({s for s, _, _ in results})
    head = "| scale | method | " + " | ".join(f"{n} PSNR-Y / SSIM-Y" for n in SETS) + " |"
    lines = [head, "|---" * (2 + len(SETS)) + "|"]
    for scale in scales:
        for m in (m for m in methods if (scale, POOLED, m) in results):
            cells = [f"{np.mean(r.psnr):.2f} / {np.mean(r.ssim):.4f}"
                     for r in (results[(scale, n, m)] for n in SETS)]
            lines.append(f"| ×{scale} | {m} | " + " | ".join(cells) + " |")
    note = f" (first {limit} images of each set only)" if limit else ""
    lines.append("")
    lines.append(f"Y of BT.601 (16–235), {'/'.join(str(s) for s in scales)}-pixel border shaved per scale, "
                 "LR by PIL bicubic; each model = the shipped ONNX through plugins.pipeline.apply_filter "
                 f"with --set model=…{note}.")
    return "\n".join(lines)


def perceptual_table(results: Results) -> str:
    """Distance ratio to bicubic and PSNR-Y gain over bicubic per set and pooled, for every model."""
    methods = [m for m in dict.fromkeys(m for _, _, m in results) if m != "bicubic"]
    scales = sorted({s for s, _, _ in results})
    sets = [*SETS, POOLED]
    lines = ["| scale | model | " + " | ".join(sets) + " |", "|---" * (2 + len(sets)) + "|"]
    for scale in scales:
        for m in (m for m in methods if (scale, POOLED, m) in results):
            cells = []
            for n in sets:
                ours, base = results[(scale, n, m)], results[(scale, n, "bicubic")]
                ratio = np.mean(ours.distance) / np.mean(base.distance)
                cells.append(f"{ratio:.3f}× / {np.mean(ours.psnr) - np.mean(base.psnr):+.2f} dB")
            lines.append(f"| ×{scale} | {m} | " + " | ".join(cells) + " |")
    bic = " / ".join(f"{n} {np.mean(results[(scales[-1], n, 'bicubic')].distance):.4f}" for n in sets)
    pooled = len(results[(scales[-1], POOLED, "bicubic")].psnr)
    lines += ["", "Each cell: VGG16 perceptual distance to the original ÷ bicubic's / PSNR-Y − bicubic's. "
              "Distance: LPIPS's uncalibrated VGG baseline on the ImageNet VGG16 "
              "(models.perceptual.perceptual_distance), mean per set; "
              f"bicubic ×{scales[-1]}: {bic}. {POOLED} = all {pooled} images pooled."]
    return "\n".join(lines)


def lattice_table(results: Results) -> str:
    """Held-out mean sub-pixel lattice of every method's output against the originals', per scale."""
    methods = list(dict.fromkeys(m for _, _, m in results))
    scales = sorted({s for s, _, _ in results})
    lines = ["| scale | original | " + " | ".join(methods) + " |", "|---" * (2 + len(methods)) + "|"]
    for scale in scales:
        present = [results.get((scale, POOLED, m)) for m in methods]
        original = next(r for r in present if r is not None).lattice_original
        cells = [f"{np.mean(r.lattice):.2f}" if r is not None else "—" for r in present]
        lines.append(f"| ×{scale} | {np.mean(original):.2f} | " + " | ".join(cells) + " |")
    lines += ["", f"Sub-pixel lattice, {POOLED} mean, 8-bit levels (models.upscale.lattice.lattice_rms: the "
              "period-s pattern of the luma's fine band, per 8×8-block window); the originals' value is what "
              "real detail gives."]
    return "\n".join(lines)


def contact_sheet(methods: dict[str, Upscaler], path: Path, scale: int = 4, crop: int = 96,
                  zoom: int = 2) -> None:
    """Rows of HR crops (``SHEET_CROPS``), shown ``zoom``× (nearest); columns: the LR input (nearest),
    each method, the original."""
    columns = ["input (nearest)", *methods, "original"]
    size = crop * zoom
    rows = []
    for set_name, stem, (fy, fx) in SHEET_CROPS:
        hr = data.crop_to_multiple(data.load_rgb(next(p for p in SETS[set_name]() if p.stem == stem)), scale)
        lr = data.bicubic_downscale(hr, scale)
        outputs = [np.asarray(Image.fromarray(lr).resize((hr.shape[1], hr.shape[0]), Image.NEAREST)),
                   *(method(lr, scale) for method in methods.values()), hr]
        top = min(max(0, round(fy * hr.shape[0]) - crop // 2), hr.shape[0] - crop) // scale * scale
        left = min(max(0, round(fx * hr.shape[1]) - crop // 2), hr.shape[1] - crop) // scale * scale
        crops = [Image.fromarray(out[top:top + crop, left:left + crop]) for out in outputs]
        rows.append([cell.resize((size, size), Image.NEAREST) for cell in crops])
    save_sheet(rows, columns, path)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, default=None, help="first N images per set (not written)")
    p.add_argument("--scale", type=int, choices=(2, 4), action="append", help="default: both")
    p.add_argument("--model", action="append", help="filter model(s) to evaluate (default: every one)")
    p.add_argument("--no-perceptual", action="store_true", help="skip the VGG16 distance (no VGG16 needed)")
    p.add_argument("--threads", type=int, default=1, help="torch threads for the VGG16 distance")
    p.add_argument("--no-write", action="store_true", help="print only; leave the model card alone")
    p.add_argument("--sheet", type=Path, nargs="?", const=True, default=None,
                   help="only write the contact sheet of every model at one --scale (default 4) to this path "
                        f"(default {SHEETS[4].relative_to(ROOT)}, at ×2 {SHEETS[2].relative_to(ROOT)})")
    args = p.parse_args(argv)
    models = args.model or list(filter_models())
    spec = filter_entry("upscale").spec

    def methods(scale: int) -> dict[str, Upscaler]:
        return {"bicubic": bicubic, **{m: shipped_filter(m) for m in models if has_network(spec, m, scale)}}

    if args.sheet:
        if len(args.scale or ()) > 1:
            p.error("--sheet takes one --scale")
        scale = (args.scale or [4])[0]
        path = SHEETS[scale] if args.sheet is True else args.sheet
        contact_sheet(methods(scale), path, scale)
        print(f"wrote {path}")
        return
    distance = None if args.no_perceptual else vgg16_distance(args.threads)
    results = evaluate(methods, tuple(sorted(args.scale or (2, 4))), args.limit, distance)
    text = quality_table(results, args.limit)
    if distance is not None:
        text += "\n\n" + perceptual_table(results) + "\n\n" + lattice_table(results)
    print(text)
    if not args.no_write and args.limit is None and args.model is None and not args.no_perceptual:
        write_evaluation(CARD, text)
        print(f"written to {CARD}")


if __name__ == "__main__":
    main()
