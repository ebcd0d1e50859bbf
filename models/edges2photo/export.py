"""Export a trained edges2photo generator to ONNX for the app and write its manifest hash.

    python -m models.edges2photo.export [--checkpoint runs/edges2photo/gan_fm30/final.pt]

Inputs ``sketch`` (N×1×H×W, paper 1, ink −1; H, W multiples of 64) and ``noise`` (N×256 dropout
gains); output ``photo`` (N×3×H×W in −1..1). Parity with PyTorch is checked at two sizes.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch

from models.export import write_model_hash
from models.nets.edges2photo import UNetGenerator
from plugins.filters.edges2photo.noise import NOISE_CHANNELS

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "edges2photo"
MODEL_FILE = "edges2photo.onnx"
OPSET = 17
IR_VERSION = 8  # readable by every onnxruntime ≥ 1.10


def load_generator(checkpoint: Path) -> UNetGenerator:
    """The generator of a training checkpoint, in eval mode (BatchNorm running statistics)."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    generator = UNetGenerator(widths=tuple(state["widths"]), noise_layers=int(state["noise_layers"]),
                              upsample=state["upsample"])
    generator.load_state_dict(state["generator"])
    return generator.eval()


def export(generator: UNetGenerator, path: Path) -> None:
    """Write the generator as ONNX with dynamic batch, height and width.

    Not ``models.export.export_onnx``: that one gives every input dynamic axes 0, 2, 3, and the
    ``noise`` input is 2-D.
    """
    if generator.noise_channels != NOISE_CHANNELS:
        raise ValueError(f"generator has {generator.noise_channels} noise channels, the plugin expects "
                         f"{NOISE_CHANNELS}")
    sketch = torch.ones(1, 1, 128, 192)
    noise = generator.mean_noise(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated but exact and dependable
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(generator, (sketch, noise), str(path), input_names=["sketch", "noise"],
                          output_names=["photo"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"sketch": {0: "n", 2: "h", 3: "w"}, "noise": {0: "n"},
                                        "photo": {0: "n", 2: "h", 3: "w"}})
    model = onnx.load(str(path))
    model.ir_version = min(model.ir_version, IR_VERSION)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def check_parity(generator: UNetGenerator, path: Path, atol: float = 1e-4) -> float:
    """Largest |torch − onnxruntime| over two sizes and two noise draws; raises above ``atol``."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for height, width in ((64, 64), (192, 256)):
        sketch = np.where(rng.random((1, 1, height, width)) < 0.1, -1.0, 1.0).astype(np.float32)
        noise = (rng.random((1, NOISE_CHANNELS)) < 0.5).astype(np.float32) * 2.0
        with torch.no_grad():
            expected = generator(torch.from_numpy(sketch), torch.from_numpy(noise)).numpy()
        got = session.run(None, {"sketch": sketch, "noise": noise})[0]
        worst = max(worst, float(np.abs(expected - got).max()))
    if worst > atol:
        raise AssertionError(f"ONNX differs from PyTorch by {worst:.2e} (> {atol:.0e})")
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export the edges2photo generator to ONNX.")
    parser.add_argument("--checkpoint", type=Path, default=Path("runs/edges2photo/gan_fm30/final.pt"))
    parser.add_argument("--out-dir", type=Path, default=PLUGIN_DIR)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    generator = load_generator(args.checkpoint)
    path = args.out_dir / MODEL_FILE
    export(generator, path)
    worst = check_parity(generator, path)
    digest = write_model_hash(args.out_dir, MODEL_FILE)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]}…), "
          f"max |torch − onnx| = {worst:.1e}")


if __name__ == "__main__":
    main()
