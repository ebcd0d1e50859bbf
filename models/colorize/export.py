"""Export a trained colorize network to ONNX for the app and write its manifest hash.

    python -m models.colorize.export [--run runs/colorize/class] [--out-dir DIR] [--temperature T]
                                     [--prior-correction B]

The run folder's ``config.json`` gives the variant and width, ``checkpoint.pt`` the weights and the
colour prior. Input ``L`` (N×1×H×W, L*/50 − 1; H, W multiples of 16), output ``ab`` (N×2×H×W, Lab
units) — for the classification variant the annealed mean is computed inside the graph. Parity with
PyTorch is checked at two sizes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.colorize.train import load_net
from models.export import export_onnx, manifest_model_files, publish
from models.nets.colorize import ColorizeNet

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "colorize"
#: Largest |torch − onnxruntime| accepted, in ab units (range ±110).
ATOL = 1e-3


def export(net: ColorizeNet, path: Path) -> Path:
    """Write the network as ONNX with dynamic batch, height and width."""
    return export_onnx(net, torch.zeros(1, 1, 96, 128), path, input_names=["L"], output_names=["ab"])


def parity_inputs(seed: int = 0) -> list[np.ndarray]:
    """Random L at two sizes other than the traced one."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, (1, 1, h, w)).astype(np.float32) for h, w in ((64, 64), (176, 256))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export the colorize network to ONNX.")
    parser.add_argument("--run", type=Path, default=Path("runs/colorize/class"), help="the run folder")
    parser.add_argument("--out-dir", type=Path, default=PLUGIN_DIR)
    parser.add_argument("--temperature", type=float, default=None,
                        help="the annealed mean's T in the graph (default models.colorize.bins.TEMPERATURE)")
    parser.add_argument("--prior-correction", type=float, default=None,
                        help="β built into the graph (default models.colorize.bins.PRIOR_CORRECTION)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    net = load_net(args.run, args.temperature, args.prior_correction)
    (name,) = manifest_model_files(PLUGIN_DIR)
    publish(net, export, args.out_dir / name, parity_inputs(), atol=ATOL)


if __name__ == "__main__":
    main()
