"""Export the trained generator to ``plugins/filters/inpaint/inpaint.onnx``.

``python -m models.inpaint.export [--run runs/inpaint] [--checkpoint FILE] [--out-dir DIR]``

The run folder's ``config.json`` gives the network's shape, ``checkpoint.pt`` (or ``--checkpoint``,
e.g. the run's ``checkpoint_l1.pt``) its weights. The Fourier convolutions need ONNX's ``DFT``
operator, which only the dynamo-based exporter emits (the TorchScript exporter stops at
``aten::fft_rfft2``), so the toolkit's ``export_onnx(..., dynamo=True)`` writes input ``input``
(N, 4, H, W) → ``rgb`` (N, 3, H, W) with dynamic size; parity against PyTorch is checked with
onnxruntime at two sizes, and the SHA-256 goes into the manifest.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.export import export_onnx, manifest_model_files, publish
from models.inpaint.train import load_generator
from models.nets.inpaint import InpaintNet

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "inpaint"


def export(gen: InpaintNet, path: Path) -> Path:
    """Write ``gen`` as ONNX with input ``input`` (N, 4, H, W) and output ``rgb`` (N, 3, H, W)."""
    return export_onnx(gen, torch.rand(1, 4, 64, 96), path, input_names=["input"], output_names=["rgb"],
                       dynamo=True)


def parity_inputs(sizes: tuple[tuple[int, int], ...] = ((96, 128), (200, 152)),
                  seed: int = 0) -> list[np.ndarray]:
    """Random pictures with random masks, as the filter feeds them (masked image + mask channel)."""
    rng = np.random.default_rng(seed)
    inputs = []
    for h, w in sizes:
        image = rng.random((1, 3, h, w), dtype=np.float32)
        mask = (rng.random((1, 1, h, w)) < 0.3).astype(np.float32)
        inputs.append(np.concatenate([image * (1 - mask), mask], axis=1))
    return inputs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export the inpainting network to ONNX.")
    parser.add_argument("--run", type=Path, default=Path("runs/inpaint"), help="the training run folder")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="another checkpoint of that run (default RUN/checkpoint.pt)")
    parser.add_argument("--out-dir", type=Path, default=PLUGIN_DIR)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    gen = load_generator(args.run, args.checkpoint)
    (name,) = manifest_model_files(PLUGIN_DIR)
    publish(gen, export, args.out_dir / name, parity_inputs())


if __name__ == "__main__":
    main()
