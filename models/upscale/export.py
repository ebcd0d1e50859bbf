"""Export trained Upscale runs to the filter: ``python -m models.upscale.export [--x2 RUN] [--x4 RUN]``.

Each run folder's ``config.json`` gives the network's shape and ``checkpoint.pt`` its weights. Writes
``upscale_x{2,4}.onnx`` (fp32, dynamic batch/H/W, the toolkit's opset), checks parity with torch on
random and real inputs (≤ 1e-4), and writes the files' SHA-256 into the manifest. ``--photo RUN``
exports a ``models.upscale.photo`` run as the photo model instead. File names come from the shipped
manifest's ``[[models]]`` entries, by the filter's key (:func:`model_file`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models import data, export, training
from models.nets.upscale import UpscaleNet
from plugins.errors import PluginError
from plugins.filters.upscale.filter import model_key

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "plugins" / "filters" / "upscale"


def load_net(run: str | Path, checkpoint: str | Path | None = None) -> UpscaleNet:
    """The trained network of a run folder (shape from config.json, weights from checkpoint.pt or
    ``checkpoint``, another file of the run), eval mode."""
    from models.upscale.train import UpscaleRun

    return training.load_trained(run, UpscaleRun, lambda c: UpscaleNet(c.scale, c.channels, c.body), "net",
                                 checkpoint)


def model_file(model: str, scale: int) -> str:
    """The file of ``model``'s network at ``scale``: the shipped manifest's ``[[models]]`` entry with the
    filter's key (``plugins.filters.upscale.filter.model_key``). A network the manifest does not declare
    yet (the photo model before it first ships) is written as ``upscale_<key>.onnx``; the manifest then
    needs that entry (file, ``key``, sha256) for the filter to offer it."""
    key = model_key(model, scale)
    try:
        return export.manifest_model_file(PLUGIN_DIR, key)
    except PluginError:
        return f"upscale_{key}.onnx"


def parity_inputs(seed: int = 0) -> list[np.ndarray]:
    """Random tensors of odd sizes and two real photo crops (Set14, when present), NCHW float32 in 0..1."""
    rng = np.random.default_rng(seed)
    inputs = [rng.random((1, 3, 37, 53), dtype=np.float32), rng.random((1, 3, 64, 64), dtype=np.float32)]
    try:
        photos = data.set14()[:2]
    except FileNotFoundError:  # no shared data: random inputs only
        photos = []
    for path in photos:
        img = data.load_rgb(path)[:96, :120]
        inputs.append(np.ascontiguousarray(img.transpose(2, 0, 1)[None], dtype=np.float32) / 255.0)
    return inputs


def write(net: UpscaleNet, path: Path, fp16: bool = False) -> Path:
    """Write the network as ONNX (dynamic batch, height and width), with a float16 copy when asked."""
    return export.export_onnx(net, torch.rand(1, 3, 32, 32), path,
                              fp16_path=path.with_name(path.stem + "_fp16.onnx") if fp16 else None)


def export_net(net: UpscaleNet, plugin_dir: Path = PLUGIN_DIR, fp16: bool = False,
               model: str = "faithful") -> tuple[Path, float]:
    """Export one network as the filter's file of ``model`` at its scale (:func:`model_file`), check
    parity, record the manifest hash (when
    ``plugin_dir`` has a manifest); returns (onnx path, parity max-abs difference)."""
    path, worst, _ = export.publish(net, lambda n, p: write(n, p, fp16),
                                    plugin_dir / model_file(model, net.scale), parity_inputs())
    return path, worst


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--x2", type=Path, default=ROOT / "runs" / "upscale_x2", help="the ×2 run folder")
    p.add_argument("--x4", type=Path, default=ROOT / "runs" / "upscale_x4", help="the ×4 run folder")
    p.add_argument("--out", type=Path, default=PLUGIN_DIR)
    p.add_argument("--fp16", action="store_true", help="also write float16 copies for GPU providers")
    p.add_argument("--scale", type=int, choices=(2, 4), action="append",
                   help="export only this scale (repeatable; default: both)")
    p.add_argument("--photo", type=Path, default=None,
                   help="export this run folder (models.upscale.photo) as the photo model, and nothing else")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    if args.photo is not None:
        export_net(load_net(args.photo), args.out, args.fp16, model="photo")
        return
    for scale in sorted(args.scale or (2, 4)):
        net = load_net(getattr(args, f"x{scale}"))
        if net.scale != scale:
            raise SystemExit(f"the --x{scale} run trained a ×{net.scale} network")
        export_net(net, args.out, args.fp16)


if __name__ == "__main__":
    main()
