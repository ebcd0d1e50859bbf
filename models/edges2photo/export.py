"""Export a trained edges2photo generator to ONNX for the app and write its manifest hash.

    python -m models.edges2photo.export [--run runs/edges2photo/gan_fm30] [--out-dir DIR]

The run folder's ``config.json`` gives the generator's shape, ``checkpoint.pt`` its weights. Inputs
``sketch`` (N×1×H×W, paper 1, ink −1; H, W multiples of 64) and ``noise`` (N×256 dropout gains);
output ``photo`` (N×3×H×W in −1..1). Parity with PyTorch is checked at two sizes and two noise draws.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.edges2photo.train import load_generator
from models.export import IMAGE_AXES, export_onnx, manifest_model_files, publish
from models.nets.edges2photo import UNetGenerator
from plugins.filters.edges2photo.noise import NOISE_CHANNELS

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "edges2photo"


def export(generator: UNetGenerator, path: Path) -> Path:
    """Write the generator as ONNX with dynamic batch, height and width (the noise input: batch only)."""
    if generator.noise_channels != NOISE_CHANNELS:
        raise ValueError(f"generator has {generator.noise_channels} noise channels, the plugin expects "
                         f"{NOISE_CHANNELS}")
    return export_onnx(generator, (torch.ones(1, 1, 128, 192), generator.mean_noise(1)), path,
                       input_names=["sketch", "noise"], output_names=["photo"],
                       dynamic_axes={"sketch": IMAGE_AXES, "noise": {0: "batch"}, "photo": IMAGE_AXES})


def parity_inputs(seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Sparse random sketches at two sizes, each with its own random dropout gains."""
    rng = np.random.default_rng(seed)
    feeds = []
    for height, width in ((64, 64), (192, 256)):
        sketch = np.where(rng.random((1, 1, height, width)) < 0.1, -1.0, 1.0).astype(np.float32)
        noise = (rng.random((1, NOISE_CHANNELS)) < 0.5).astype(np.float32) * 2.0
        feeds.append({"sketch": sketch, "noise": noise})
    return feeds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export the edges2photo generator to ONNX.")
    parser.add_argument("--run", type=Path, default=Path("runs/edges2photo/gan_fm30"),
                        help="the training run folder")
    parser.add_argument("--out-dir", type=Path, default=PLUGIN_DIR)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    generator = load_generator(args.run)
    (name,) = manifest_model_files(PLUGIN_DIR)
    publish(generator, export, args.out_dir / name, parity_inputs())


if __name__ == "__main__":
    main()
