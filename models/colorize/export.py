"""Export a trained colorize network to ONNX for the app and write its manifest hash.

    python -m models.colorize.export [--run runs/colorize/class] [--out-dir DIR] [--temperature T]
                                     [--prior-correction B]

The run folder's ``config.json`` gives the variant and width, ``checkpoint.pt`` the weights and the
colour prior. Input ``L`` (N×1×H×W, L*/50 − 1; H, W multiples of 16), output ``ab`` (N×2×H×W, Lab
units) — for the classification variant the annealed mean is computed inside the graph. The weights
are stored as float16 and computed in float32 (``models.export.store_weights_fp16``: the VGG16 trunk's
64 MB become 32 MB). Parity with PyTorch is checked at two sizes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.colorize.bins import PRIOR_CORRECTION
from models.colorize.train import load_net
from models.export import (
    export_onnx,
    load_folded_onnx,
    manifest_model_files,
    onnx_constants,
    publish,
    store_weights_fp16,
)
from models.nets.colorize import ColorizeNet

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "colorize"
#: Largest |torch − onnxruntime| accepted, in ab units (range ±110; a colour difference ΔE below 1 is
#: invisible): the float16 rounding of the stored weights.
ATOL = 0.5


def export(net: ColorizeNet, path: Path) -> Path:
    """Write the network as ONNX with dynamic batch, height and width, its weights stored as float16."""
    path = export_onnx(net, torch.zeros(1, 1, 96, 128), path, input_names=["L"], output_names=["ab"])
    return store_weights_fp16(path)


def network_of_file(path: Path) -> ColorizeNet:
    """The class-variant network that a colorize ONNX file computes, rebuilt with its weights (BatchNorm
    folded: ``models.export.load_folded_onnx``), to check the exporter against a shipped file.

    The graph tells the rest: its first convolution reads 1 channel (L: the U-Net) or 3 (the grey RGB the
    VGG16 trunk sees, conv1_1 with 64·vgg_width filters); the head's input width gives the U-Net's width
    (2·width) or the trunk's decoder width; the decoding's last Sub subtracts β·log w and its last Div
    divides by T (earlier Sub/Div nodes belong to the trunk's preprocessing).
    """
    import onnx

    values = {name: np.array(value) for name, value in onnx_constants(path).items()}  # writable
    graph = onnx.load(str(path)).graph
    convs = [n for n in graph.node if n.op_type == "Conv"]
    first, head = values[convs[0].input[1]], values[convs[-1].input[1]]
    last = {n.op_type: n for n in graph.node}
    tilt = values[last["Sub"].input[1]].reshape(-1)
    temperature = float(values[last["Div"].input[1]])
    vgg = first.shape[1] == 3
    net = ColorizeNet("class", torch.from_numpy(values["centres"]),
                      width=head.shape[1] if vgg else head.shape[1] // 2, temperature=temperature,
                      prior_correction=PRIOR_CORRECTION, trunk="vgg16" if vgg else "unet",
                      vgg_width=first.shape[0] / 64 if vgg else 1.0)
    # log w = tilt / β, set directly: exp of it overflows float32 when β is small (0.01 since stop 41)
    net.log_weights.copy_(torch.from_numpy(tilt.astype(np.float64) / PRIOR_CORRECTION))
    return load_folded_onnx(net, path)


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
