"""Compare Upscale candidates layer by layer: ``python -m models.upscale.probe NAME=SOURCE … [--blur 2 3]``.

SOURCE is an ``.onnx`` file, a run folder (its ``checkpoint.pt``) or ``RUN:STEP`` (a save kept with
``--keep-weights``). Each runs untiled on Set5, Set14 and the first ``--bsd100`` BSD100 images, beside
bicubic and, with ``--blur K``, the original itself reduced K× and enlarged again (bicubic both ways): what
a distance ratio means in pictures. ``--shifted-detail S`` adds to the first source's output the detail it
misses (the original minus that output), moved S pixels right and down: what invented detail with exactly
the original's statistics would be worth if it landed S pixels off. Printed per method: the VGG16
perceptual distance ÷ bicubic's (the figure of ``models.upscale.evaluate``), PSNR-Y − bicubic's, and each
layer's distance ÷ bicubic's.

This is for choosing between checkpoints and recipes quickly; the figures a model card reports come from
``models.upscale.evaluate``, which runs the shipped files through the app's tiled path on all 119 images.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from models import data, metrics, training
from models.perceptual import DISTANCE_LAYERS, image_tensor, layer_distances
from models.upscale.evaluate import bicubic
from models.upscale.export import load_net
from models.upscale.init_weights import net_of_file
from models.upscale.train import upscale_uint8

#: (LR, HR) → SR, all uint8 H×W×3; HR is there for the reference methods only.
Method = Callable[[np.ndarray, np.ndarray], np.ndarray]


def network_method(net: torch.nn.Module) -> Method:
    """A torch Upscale network as a :data:`Method` (output rounded to 8 bits, as the app writes it)."""
    net = net.eval()
    return lambda lr, hr: upscale_uint8(net, lr)


def load_source(source: str) -> Method:
    """``file.onnx``, ``RUN`` or ``RUN:STEP`` as a :data:`Method`."""
    if source.endswith(".onnx"):
        return network_method(net_of_file(source))
    run, _, step = source.partition(":")
    return network_method(load_net(run, training.kept_weights_path(Path(run), int(step)) if step else None))


def blurred_original(factor: float) -> Method:
    """The original reduced ``factor``× and enlarged back (bicubic): a reference, not an upscaler."""

    def run(lr: np.ndarray, hr: np.ndarray) -> np.ndarray:
        h, w = hr.shape[:2]
        return data.bicubic_resize(data.bicubic_resize(hr, (round(w / factor), round(h / factor))), (w, h))

    return run


def with_shifted_detail(base: Method, shift: int) -> Method:
    """``base``'s output plus the original's missing detail, rolled ``shift`` pixels on both axes
    (a reference: it reads the original)."""

    def run(lr: np.ndarray, hr: np.ndarray) -> np.ndarray:
        out = base(lr, hr).astype(np.float32)
        detail = np.roll(hr.astype(np.float32) - out, (shift, shift), axis=(0, 1))
        return np.clip(out + detail + 0.5, 0, 255).astype(np.uint8)

    return run


def compare(methods: dict[str, Method], pairs: list[tuple[np.ndarray, np.ndarray]], net: torch.nn.Module,
            scale: int) -> dict[str, dict[str, float]]:
    """Per method: mean PSNR-Y (``"psnr"``) and mean distance per layer and in all (``"total"``) over
    ``pairs`` of (LR, HR), borders of ``scale`` pixels shaved as in the evaluation."""
    sums: dict[str, dict[str, float]] = {m: {} for m in methods}
    for lr, hr in pairs:
        target = image_tensor(metrics.shave(hr, scale))
        for name, method in methods.items():
            sr = method(lr, hr)
            row = {n: float(d[0]) for n, d in
                   layer_distances(net, image_tensor(metrics.shave(sr, scale)), target).items()}
            row["total"] = sum(row.values())
            row["psnr"] = metrics.psnr_y(sr, hr, scale)
            for key, value in row.items():
                sums[name][key] = sums[name].get(key, 0.0) + value
    return {m: {k: v / len(pairs) for k, v in row.items()} for m, row in sums.items()}


def table(results: dict[str, dict[str, float]], baseline: str = "bicubic") -> str:
    """Markdown: distance ratio, PSNR-Y gain and per-layer ratios against ``baseline``."""
    base = results[baseline]
    lines = ["| method | distance ÷ bicubic's | PSNR-Y − bicubic's | " + " | ".join(DISTANCE_LAYERS) + " |",
             "|---" * (3 + len(DISTANCE_LAYERS)) + "|"]
    for name, row in results.items():
        layers = " | ".join(f"{row[n] / base[n]:.2f}" for n in DISTANCE_LAYERS)
        lines.append(f"| {name} | {row['total'] / base['total']:.3f}× | {row['psnr'] - base['psnr']:+.2f} dB "
                     f"| {layers} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="*", metavar="NAME=SOURCE", help="file.onnx, RUN or RUN:STEP")
    p.add_argument("--scale", type=int, default=4, choices=(2, 4))
    p.add_argument("--bsd100", type=int, default=30, help="first N BSD100 images (default 30; 100 = all)")
    p.add_argument("--blur", type=float, nargs="*", default=[], help="reference: the original reduced K×")
    p.add_argument("--shifted-detail", type=int, nargs="*", default=[], metavar="S",
                   help="reference: the first source plus the original's missing detail moved S px")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    from models.vgg16 import imagenet_vgg16

    methods: dict[str, Method] = {"bicubic": lambda lr, hr: bicubic(lr, args.scale)}
    for spec in args.sources:
        name, _, source = spec.partition("=")
        methods[name] = load_source(source)
    methods.update({f"original ÷{k:g}, enlarged": blurred_original(k) for k in args.blur})
    if args.shifted_detail and not args.sources:
        p.error("--shifted-detail needs a source")
    first = args.sources[0].partition("=")[0] if args.sources else ""
    methods.update({f"{first} + the missing detail {s} px off": with_shifted_detail(methods[first], s)
                    for s in args.shifted_detail})
    pairs = []
    for path in data.set5() + data.set14() + data.bsd100()[:args.bsd100]:
        hr = data.crop_to_multiple(data.load_rgb(path), args.scale)
        pairs.append((data.bicubic_downscale(hr, args.scale), hr))
    results = compare(methods, pairs, imagenet_vgg16(last_layer="relu5_3"), args.scale)
    print(f"×{args.scale}, {len(pairs)} images (Set5, Set14, BSD100 first {args.bsd100}), untiled\n")
    print(table(results))


if __name__ == "__main__":
    main()
