"""Export a trained colorize network to ONNX for the app and write its manifest hash.

    python -m models.colorize.export [--checkpoint runs/colorize/class/model.pt]

Input ``L`` (N×1×H×W, L*/50 − 1; H, W multiples of 16), output ``ab`` (N×2×H×W, Lab units) — for the
classification variant the annealed mean is computed inside the graph. Parity with PyTorch is
checked at two sizes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
import torch

from models.colorize.train import load_checkpoint
from models.export import write_model_hash
from models.nets.colorize import ColorizeNet

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "colorize"
MODEL_FILE = "colorize.onnx"
OPSET = 17
IR_VERSION = 8  # readable by every onnxruntime ≥ 1.10


def export(net: ColorizeNet, path: Path) -> None:
    """Write the network as ONNX with dynamic batch, height and width."""
    example = torch.zeros(1, 1, 96, 128)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(net.eval(), (example,), str(path), input_names=["L"], output_names=["ab"],
                      opset_version=OPSET, dynamo=False,
                      dynamic_axes={"L": {0: "n", 2: "h", 3: "w"}, "ab": {0: "n", 2: "h", 3: "w"}})
    model = onnx.load(str(path))
    model.ir_version = min(model.ir_version, IR_VERSION)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def check_parity(net: ColorizeNet, path: Path, atol: float = 1e-3) -> float:
    """Largest |torch − onnxruntime| in ab (Lab units, range ±110) over two sizes; raises above ``atol``."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for height, width in ((64, 64), (176, 256)):
        L = rng.uniform(-1.0, 1.0, (1, 1, height, width)).astype(np.float32)
        with torch.no_grad():
            expected = net(torch.from_numpy(L)).numpy()
        got = session.run(None, {"L": L})[0]
        worst = max(worst, float(np.abs(expected - got).max()))
    if worst > atol:
        raise AssertionError(f"ONNX differs from PyTorch by {worst:.2e} (> {atol:.0e})")
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export the colorize network to ONNX.")
    parser.add_argument("--checkpoint", type=Path, default=Path("runs/colorize/class/model.pt"))
    parser.add_argument("--out-dir", type=Path, default=PLUGIN_DIR)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    net = load_checkpoint(args.checkpoint)
    path = args.out_dir / MODEL_FILE
    export(net, path)
    worst = check_parity(net, path)
    digest = write_model_hash(args.out_dir, MODEL_FILE)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]}…), "
          f"max |torch − onnx| = {worst:.1e} (ab units)")


if __name__ == "__main__":
    main()
