"""Inpainting benchmark: ``python -m models.evaluate inpaint`` (or ``python -m models.inpaint.evaluate``).

On BSD100 (BSDS500 val, never trained on) each image gets one brush mask from a fixed seed
(:func:`mask_for`); the hole is filled by the shipped filter (ONNX through the app's own pipeline,
default parameters) and by OpenCV's Telea and Navier–Stokes inpainting (radius 3). PSNR and SSIM
are measured **inside the mask only** (SSIM: the 11×11 Gaussian-window SSIM map, averaged over the
three channels and then over the hole pixels). **Sharpness** is the mean gradient magnitude (Sobel on
luma) over the hole's interior — the hole eroded by one pixel, so the 3×3 window never reaches the
known pixels or the seam — divided by the same figure for the ground truth, per image, then averaged
over the images: 1.0 = as much fine detail as the photo had, below 1 = blurrier. It rewards noise as
well as real detail, so it is read together with PSNR/SSIM and the contact sheet, never alone.
**Perceptual distance** (issue #21) is LPIPS's uncalibrated VGG16 baseline between the whole result and
the photo (``models.perceptual.perceptual_distance`` on the ImageNet VGG16), averaged over the images;
outside the hole every method returns the photo, so it measures the fill in its context. **Unchanged**
counts the pixels outside the mask (mask value 0) whose value differs from the input: it must be 0.
Goals (issue #21): perceptual distance ≤ 0.65 × Telea's, masked PSNR ≥ Telea's + 0.3 dB, nothing
outside the mask changed.
The table is printed and written into the model card; a contact sheet shows a few images side by side.

``--onnx X.onnx`` benchmarks a candidate network instead of the shipped one (through the same filter
code), and ``--split train`` measures on BSDS500 training photos — what the loss-weight probes used,
so that BSD100 is not used for choosing them; neither writes the card or the sheet.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from models.app_filter import filter_entry, run_filter
from models.card import write_evaluation
from models.contact_sheet import save_sheet
from models.evaluate import ScoreCache
from models.inpaint.masks import brush_mask
from models.metrics import luma_gradient

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIR = REPO / "plugins" / "filters" / "inpaint"
CARD = PLUGIN_DIR / "MODEL_CARD.md"
SHEET = REPO / "docs" / "inpaint_contact_sheet.png"
MASK_SEED = 20260
SHEET_IMAGES = (3, 17, 29, 42, 66, 85)
METHODS = ("telea", "ns", "ours")
LABELS = {"telea": "OpenCV Telea", "ns": "OpenCV Navier–Stokes", "ours": "Holst inpaint (ours)"}
BINS = ((0.10, 0.25), (0.25, 0.375), (0.375, 0.50))
GOAL_DISTANCE, GOAL_PSNR = 0.65, 0.3  # × Telea's distance; dB over Telea's PSNR
BASELINE_CACHE = Path("runs/inpaint/eval_baselines.json")  # OpenCV's scores per image (deterministic)


def mask_for(index: int, height: int, width: int) -> np.ndarray:
    """The fixed evaluation mask of BSD100 image ``index`` (sorted file order)."""
    return brush_mask(height, width, np.random.default_rng(MASK_SEED + index))


def masked_psnr(result: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float:
    """PSNR (dB, peak 1) over the hole pixels of float images in 0..1."""
    mse = float(((result - truth) ** 2)[hole].mean())
    return 10.0 * np.log10(1.0 / max(mse, 1e-12))


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel SSIM (Wang et al. 2004: Gaussian σ = 1.5, 11×11, K1 = 0.01, K2 = 0.03), channel mean."""
    c1, c2 = 0.01 ** 2, 0.03 ** 2

    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    a, b = a.astype(np.float64), b.astype(np.float64)
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a ** 2
    var_b = blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    ssim = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return ssim.mean(axis=2)


def masked_ssim(result: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float:
    return float(ssim_map(result, truth)[hole].mean())


def hole_interior(hole: np.ndarray) -> np.ndarray:
    """The hole eroded by one pixel (3×3), or the hole itself if nothing would be left."""
    inner = cv2.erode(hole.astype(np.uint8), np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT,
                      borderValue=0) > 0
    return inner if inner.any() else hole


def masked_sharpness(result: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float:
    """Mean gradient magnitude in the hole's interior, relative to the truth's (1 = as sharp).

    The interior keeps 1 px from the image border, so the 3×3 Sobel never reads outside the image.
    """
    inner = hole_interior(hole)
    ref = float(luma_gradient(truth)[inner].mean())
    return float(luma_gradient(result)[inner].mean()) / max(ref, 1e-6)


def opencv_fill(rgb: np.ndarray, hole: np.ndarray, method: str) -> np.ndarray:
    flag = cv2.INPAINT_TELEA if method == "telea" else cv2.INPAINT_NS
    return cv2.inpaint(rgb, hole.astype(np.uint8) * 255, 3, flag)


_ENTRY = None


def use_candidate(onnx_path: Path | None) -> None:
    """Make :func:`ours_fill` run ``onnx_path`` (None: the shipped weights) through the filter's code."""
    global _ENTRY
    _ENTRY = filter_entry("inpaint", onnx_path)


def ours_fill(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The filter through ``plugins.pipeline.apply_filter`` (defaults, CPU)."""
    if _ENTRY is None:
        use_candidate(None)
    return run_filter(_ENTRY, rgb, mask=mask)


def changed_outside(result: np.ndarray, truth: np.ndarray, mask: np.ndarray) -> int:
    """How many pixels with mask value 0 differ from the input in any channel."""
    return int(np.any(result != truth, axis=2)[mask <= 0].sum())


class Perceptual:
    """The LPIPS-baseline distance on the ImageNet VGG16 (loaded on first use; tests pass a random net)."""

    def __init__(self, net=None) -> None:
        self.net = net

    def __call__(self, a: np.ndarray, b: np.ndarray) -> float:
        import torch

        from models.perceptual import image_distance

        if self.net is None:
            from models.vgg16 import imagenet_vgg16

            torch.set_num_threads(1)
            self.net = imagenet_vgg16(last_layer="relu5_3")
        return image_distance(self.net, a, b)


def split_paths(split: str) -> list[Path]:
    """BSD100 (``val``, the benchmark) or BSDS500 ``train`` photos (for choosing loss weights)."""
    from models.data import bsds_images

    return sorted(bsds_images(split))


Panels = dict[int, dict[str, np.ndarray]]


def evaluate(limit: int | None = None, split: str = "val", methods: tuple[str, ...] = METHODS,
             distance: Perceptual | None = None) -> tuple[dict[str, dict[str, float]], Panels]:
    """Per-method mean PSNR/SSIM/sharpness in the hole (overall and per coverage bin), perceptual
    distance, pixels changed outside the mask, and sheet panels."""
    paths = split_paths(split)[:limit]
    cache = ScoreCache(BASELINE_CACHE, f"v1 mask seed {MASK_SEED}") if distance is None else None
    distance = distance or Perceptual()
    scores: dict[str, list[tuple[float, ...]]] = {m: [] for m in methods}
    seconds = {m: 0.0 for m in METHODS}
    panels: Panels = {}
    for index, path in enumerate(paths):
        truth_u8 = np.asarray(Image.open(path).convert("RGB"))
        h, w = truth_u8.shape[:2]
        mask = mask_for(index, h, w)
        hole = mask > 0.5
        truth = truth_u8.astype(np.float32) / 255
        outputs = {}
        for method in methods:
            start = time.perf_counter()
            out = ours_fill(truth_u8, mask) if method == "ours" else opencv_fill(truth_u8, hole, method)
            seconds[method] += time.perf_counter() - start
            outputs[method] = out
            key = f"{method} {split} {path.name}"
            known = cache.get(key) if cache is not None and method != "ours" else None
            if known is None:
                res = out.astype(np.float32) / 255
                known = [masked_psnr(res, truth, hole), masked_ssim(res, truth, hole), float(hole.mean()),
                         masked_sharpness(res, truth, hole), distance(out, truth_u8),
                         changed_outside(out, truth_u8, mask)]
                if cache is not None and method != "ours":
                    cache.put(key, known)
            scores[method].append(tuple(known))
        if index in SHEET_IMAGES and methods == METHODS:
            panels[index] = {"input": _show_hole(truth_u8, hole), **outputs, "truth": truth_u8}
    if cache is not None:
        cache.save()
    table: dict[str, dict[str, float]] = {}
    for method, rows in scores.items():
        arr = np.array(rows)
        entry = {"psnr": float(arr[:, 0].mean()), "ssim": float(arr[:, 1].mean()),
                 "sharpness": float(arr[:, 3].mean()), "distance": float(arr[:, 4].mean()),
                 "changed_outside": float(arr[:, 5].sum()), "seconds": seconds[method] / len(rows),
                 "n": float(len(rows))}
        for lo, hi in BINS:
            sel = (arr[:, 2] >= lo) & (arr[:, 2] < hi)
            entry[f"psnr_{lo:.3f}"] = float(arr[sel, 0].mean()) if sel.any() else float("nan")
        table[method] = entry
    return table, panels


def _show_hole(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    shown = rgb.copy()
    shown[hole] = (shown[hole] * 0.25 + np.array([255, 0, 255]) * 0.75).astype(np.uint8)
    return shown


def format_table(table: dict[str, dict[str, float]]) -> str:
    n = int(next(iter(table.values()))["n"])
    bins = " | ".join(f"PSNR, {lo:.0%}–{hi:.0%} masks" for lo, hi in BINS)
    lines = [f"BSD100 ({n} images), one fixed brush mask per image (seed {MASK_SEED}, 10–50 % of the area); "
             "metrics inside the mask only. Sharpness: mean luma gradient in the hole's interior ÷ the "
             "truth's (1.00 = as detailed as the photo). Perceptual distance: LPIPS's uncalibrated VGG16 "
             "baseline on the ImageNet VGG16, whole image (lower is better). Changed outside: pixels with "
             "mask 0 that differ from the input.", "",
             f"| method | perceptual distance | PSNR (dB) | SSIM | sharpness | {bins} | changed outside "
             "| s / image |",
             "|---|---|---|---|---|" + "---|" * len(BINS) + "---|---|"]
    for method in METHODS:
        if method not in table:
            continue
        row = table[method]
        by_bin = " | ".join(f"{row[f'psnr_{lo:.3f}']:.2f}" for lo, _ in BINS)
        lines.append(f"| {LABELS[method]} | {row['distance']:.4f} | {row['psnr']:.2f} | {row['ssim']:.4f} | "
                     f"{row['sharpness']:.3f} | {by_bin} | {row['changed_outside']:.0f} "
                     f"| {row['seconds']:.3f} |")
    if "ours" in table and "telea" in table:
        lines += ["", goals_line(table)]
    return "\n".join(lines)


def goals_line(table: dict[str, dict[str, float]]) -> str:
    """Issue #21's three goals against Telea, each with its figure."""
    ours, telea = table["ours"], table["telea"]
    ratio = ours["distance"] / telea["distance"]
    gain = ours["psnr"] - telea["psnr"]
    checks = [(f"perceptual distance {ratio:.3f} × Telea's (goal ≤ {GOAL_DISTANCE})", ratio <= GOAL_DISTANCE),
              (f"masked PSNR {gain:+.2f} dB over Telea (goal ≥ +{GOAL_PSNR})", gain >= GOAL_PSNR),
              (f"{ours['changed_outside']:.0f} pixels changed outside the mask (goal 0)",
               ours["changed_outside"] == 0)]
    return "Goals: " + "; ".join(f"{text}: {'met' if ok else 'NOT met'}" for text, ok in checks) + "."


def contact_sheet(panels: Panels, path: Path) -> None:
    """Rows of: masked input | Telea | Navier–Stokes | ours | truth, with a header line."""
    cols = ("input", "telea", "ns", "ours", "truth")
    names = ("masked input", "OpenCV Telea", "OpenCV NS", "ours", "truth")
    target_h = 214
    rows = []
    for index in sorted(panels):
        cells = []
        for key in cols:
            img = Image.fromarray(panels[index][key])
            size = (round(img.width * target_h / img.height), target_h)
            cells.append(img.resize(size, Image.Resampling.LANCZOS))
        rows.append(cells)
    save_sheet(rows, names, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark inpainting on BSD100 against cv2.inpaint.")
    parser.add_argument("--limit", type=int, help="only the first N images (quick look; not written)")
    parser.add_argument("--no-write", action="store_true", help="do not update the model card or sheet")
    parser.add_argument("--onnx", type=Path, help="benchmark this candidate network (not written)")
    parser.add_argument("--split", choices=("val", "train"), default="val",
                        help="val = BSD100 (the benchmark); train = BSDS500 train photos (probes)")
    parser.add_argument("--ours-only", action="store_true", help="skip the OpenCV baselines")
    args = parser.parse_args(argv)
    use_candidate(args.onnx)
    methods = ("ours",) if args.ours_only else METHODS
    table, panels = evaluate(args.limit, args.split, methods)
    table_md = format_table(table)
    print(table_md)
    if args.limit is None and not args.no_write and args.onnx is None and args.split == "val" \
            and methods == METHODS:
        write_evaluation(CARD, table_md)
        contact_sheet(panels, SHEET)
        print(f"wrote {CARD.relative_to(REPO)} and {SHEET.relative_to(REPO)}")


if __name__ == "__main__":
    main()
