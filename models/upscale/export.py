"""Export trained Upscale checkpoints to the filter folder: ``python -m models.upscale.export``.

Writes ``plugins/filters/upscale/upscale_x{2,4}.onnx`` (fp32, dynamic H/W, opset 17), checks parity
with torch on random and real inputs (≤ 1e-4), and writes the files' SHA-256 into the manifest.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models import data, export
from models.nets.upscale import UpscaleNet

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "plugins" / "filters" / "upscale"


def load_net(checkpoint: Path) -> UpscaleNet:
    """The network of a training checkpoint (architecture taken from the run's saved arguments)."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    args = state["extra"]["args"]
    net = UpscaleNet(int(args["scale"]), int(args["channels"]), int(args["body"]))
    net.load_state_dict(state["modules"]["net"])
    return net.eval()


def parity_inputs(seed: int = 0) -> list[np.ndarray]:
    """Random tensors of odd sizes and two real photo crops (Set14), NCHW float32 in 0..1."""
    rng = np.random.default_rng(seed)
    inputs = [rng.random((1, 3, 37, 53), dtype=np.float32), rng.random((1, 3, 64, 64), dtype=np.float32)]
    for path in data.set14()[:2]:
        img = data.load_rgb(path)[:96, :120]
        inputs.append(np.ascontiguousarray(img.transpose(2, 0, 1)[None], dtype=np.float32) / 255.0)
    return inputs


def export_scale(checkpoint: Path, plugin_dir: Path = PLUGIN_DIR, fp16: bool = False) -> tuple[Path, float]:
    """Export one checkpoint; returns (onnx path, parity max-abs difference)."""
    net = load_net(checkpoint)
    name = f"upscale_x{net.scale}.onnx"
    path = export.export_onnx(net, torch.rand(1, 3, 32, 32), plugin_dir / name,
                              fp16_path=plugin_dir / f"upscale_x{net.scale}_fp16.onnx" if fp16 else None)
    diff = export.check_parity(net, path, parity_inputs())
    if (plugin_dir / "manifest.toml").exists():
        export.write_model_hash(plugin_dir, name)
    return path, diff


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=Path, default=ROOT / "runs", help="folder holding upscale_x2/, upscale_x4/")
    p.add_argument("--out", type=Path, default=PLUGIN_DIR)
    p.add_argument("--x2", type=Path, default=None, help="×2 checkpoint (default RUNS/upscale_x2/…)")
    p.add_argument("--x4", type=Path, default=None, help="×4 checkpoint (default RUNS/upscale_x4/…)")
    p.add_argument("--fp16", action="store_true", help="also write float16 copies for GPU providers")
    p.add_argument("--scale", type=int, choices=(2, 4), action="append",
                   help="export only this scale (repeatable; default: both)")
    args = p.parse_args(argv)
    for scale in sorted(args.scale or (2, 4)):
        checkpoint = getattr(args, f"x{scale}") or args.runs / f"upscale_x{scale}" / "checkpoint.pt"
        path, diff = export_scale(checkpoint, args.out, args.fp16)
        print(f"×{scale}: {path} ({path.stat().st_size / 1024:.0f} KiB), parity max |Δ| = {diff:.2e}")


if __name__ == "__main__":
    main()
