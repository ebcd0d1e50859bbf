"""Score a candidate run against the shipped ONNX before replacing it.

``python -m models.upscale.compare runs/upscale_x4_wide [--limit N]`` prints PSNR-Y /
SSIM-Y on Set5, Set14 and BSD100 for the shipped model (onnxruntime, one untiled pass) and for the
candidate (torch, one untiled pass), under the protocol of ``models.upscale.evaluate``. The filter's
exact tiles reproduce the untiled pass, so this ranks candidates as the app would; the published
table still comes from ``models.evaluate upscale`` after the export.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.upscale.evaluate import PLUGIN_DIR, SETS, Upscaler, score
from models.upscale.export import load_net


def to_uint8(y: np.ndarray) -> np.ndarray:
    """(1, 3, H, W) float 0..1 → (H, W, 3) uint8, rounded like the pipeline."""
    return np.clip(np.rint(y[0].transpose(1, 2, 0) * 255.0), 0, 255).astype(np.uint8)


def _chw(lr: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(lr.transpose(2, 0, 1)[None], dtype=np.float32) / 255.0


def onnx_upscaler(path: Path, threads: int = 1) -> Upscaler:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    return lambda lr, scale: to_uint8(session.run(None, {session.get_inputs()[0].name: _chw(lr)})[0])


def torch_upscaler(run: Path) -> tuple[int, Upscaler]:
    net = load_net(run)

    @torch.no_grad()
    def run(lr: np.ndarray, scale: int) -> np.ndarray:
        return to_uint8(net(torch.from_numpy(_chw(lr))).numpy())

    return net.scale, run


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path, help="the candidate's run folder (config.json, checkpoint.pt)")
    p.add_argument("--limit", type=int, default=None, help="first N images per set")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    scale, candidate = torch_upscaler(args.run)
    shipped = onnx_upscaler(PLUGIN_DIR / f"upscale_x{scale}.onnx", args.threads)
    methods = {"shipped": shipped, "candidate": candidate}
    for set_name, paths_of in SETS.items():
        paths = paths_of()[:args.limit]
        cells = []
        for name, method in methods.items():
            psnr, ssim, _ = score(method, paths, scale)
            cells.append(f"{name} {psnr:.2f} / {ssim:.4f}")
        print(f"×{scale} {set_name:7s} " + "   ".join(cells), flush=True)


if __name__ == "__main__":
    main()
