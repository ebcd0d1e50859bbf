"""Export the trained generator to ``plugins/filters/inpaint/inpaint.onnx``.

``python -m models.inpaint.export [--checkpoint runs/inpaint/gen_last.pt]``

The Fourier convolutions need ONNX's ``DFT`` operator, which only the dynamo-based exporter emits
(the TorchScript exporter stops at ``aten::fft_rfft2``), so this uses ``torch.onnx.export(...,
dynamo=True)`` with dynamic height and width, checks parity against PyTorch with onnxruntime at two
sizes, and writes the SHA-256 into the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import warnings
from pathlib import Path

import numpy as np
import torch

from models.inpaint.train import RUN_DIR, load_generator
from models.nets.inpaint import InpaintNet

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "inpaint"
ONNX_NAME = "inpaint.onnx"
OPSET = 18  # DFT exists from 17; the dynamo exporter implements 18 natively (17 needs a down-conversion)


def export(gen: InpaintNet, path: Path) -> Path:
    """Write ``gen`` as ONNX with input ``input`` (N, 4, H, W) and output ``rgb`` (N, 3, H, W)."""
    gen = gen.eval()
    example = torch.rand(1, 4, 64, 96)
    dims = {2: torch.export.Dim("height", min=16, max=8192), 3: torch.export.Dim("width", min=16, max=8192)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(gen, (example,), dynamo=True, opset_version=OPSET,
                                    input_names=["input"], output_names=["rgb"],
                                    dynamic_shapes=(dims,), verbose=False)
    program.save(str(path))
    return path


def parity(gen: InpaintNet, path: Path, sizes: tuple[tuple[int, int], ...] = ((96, 128), (200, 152)),
           atol: float = 1e-4) -> float:
    """Largest |onnxruntime − torch| over random inputs of the given sizes; raises above ``atol``."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    rng = np.random.default_rng(0)
    for h, w in sizes:
        image = rng.random((1, 3, h, w), dtype=np.float32)
        mask = (rng.random((1, 1, h, w)) < 0.3).astype(np.float32)
        x = np.concatenate([image * (1 - mask), mask], axis=1)
        with torch.no_grad():
            ref = gen(torch.from_numpy(x)).numpy()
        got = session.run(None, {"input": x})[0]
        worst = max(worst, float(np.abs(got - ref).max()))
    if worst > atol:
        raise RuntimeError(f"ONNX parity failed: max abs difference {worst:.2e} > {atol:.0e}")
    return worst


def write_hash(manifest: Path, onnx_path: Path) -> str:
    """Put the file's SHA-256 into the manifest's [[models]] entry for it."""
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    text = manifest.read_text(encoding="utf-8")
    pattern = re.compile(r'(file = "' + re.escape(onnx_path.name) + r'"\s*\nsha256 = ")[0-9a-f]{64}(")')
    if not pattern.search(text):
        raise RuntimeError(f"{manifest} has no [[models]] entry for {onnx_path.name}")
    manifest.write_text(pattern.sub(lambda m: m.group(1) + digest + m.group(2), text), encoding="utf-8")
    return digest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export the inpainting network to ONNX.")
    parser.add_argument("--checkpoint", type=Path, default=RUN_DIR / "gen_last.pt")
    parser.add_argument("--out", type=Path, default=PLUGIN_DIR / ONNX_NAME)
    args = parser.parse_args(argv)
    gen = load_generator(args.checkpoint)
    path = export(gen, args.out)
    worst = parity(gen, path)
    digest = write_hash(args.out.parent / "manifest.toml", path)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB), parity {worst:.1e}, sha256 {digest[:12]}…")


if __name__ == "__main__":
    main()
