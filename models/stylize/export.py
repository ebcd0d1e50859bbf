"""Export the trained style network to plugins/filters/stylize/stylize.onnx, check parity, write the hash.

``python -m models.stylize.export [--run runs/stylize]`` (the run folder's checkpoint.pt and config.json)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from models.export import export_onnx, manifest_model_file, onnx_state_dict, write_model_hash
from models.nets.stylize import StylizeConfig, StylizeExport, StylizeNet
from models.training import load_trained
from plugins.filters.stylize.styles import STATS_LENGTH, STYLES

PLUGIN_DIR = Path("plugins/filters/stylize")
NETWORK_KEY = "network"  # the manifest's [[models]] entry of the style network
INPUTS = ("image", "style_weights", "norm_stats", "norm_stats_mix")
OUTPUTS = ("output", "norm_stats_out")


def model_file() -> str:
    """The style network's file name: the manifest's ``[[models]]`` entry with key ``network``."""
    return manifest_model_file(PLUGIN_DIR, NETWORK_KEY)


def load_net(run: Path) -> StylizeNet:
    """The trained network of a run folder (its shape from config.json, weights from checkpoint.pt)."""
    from models.stylize.train import StylizeRun

    return load_trained(run, StylizeRun, lambda cfg: StylizeNet(cfg.net_config), "net")


def config_of_onnx(path: Path) -> StylizeConfig:
    """The network shape of an exported stylize.onnx, read from its initializers' shapes."""
    state = onnx_state_dict(path)
    downs = sorted({int(k.split(".")[2]) for k in state if k.startswith("net.down.")})
    widths = tuple(int(state[f"net.down.{i}.conv.weight"].shape[0]) for i in downs)
    n_res = len({k.split(".")[2] for k in state if k.startswith("net.res.")})
    return StylizeConfig(n_styles=int(state["net.down.0.norm.gamma"].shape[0]), widths=widths, n_res=n_res)


def feeds(height: int, width: int, seed: int = 0, stats_length: int = STATS_LENGTH) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(len(STYLES)))[None].astype(np.float32)
    return {"image": rng.random((1, 3, height, width), dtype=np.float32), "style_weights": weights,
            "norm_stats": np.zeros((1, stats_length), np.float32),
            "norm_stats_mix": np.zeros((1, 1), np.float32)}


def parity(module: StylizeExport, path: Path) -> float:
    """Worst max-abs difference between torch and onnxruntime over a few sizes and both stats modes."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for h, w in ((64, 64), (96, 160), (200, 136)):
        inputs = feeds(h, w, stats_length=module.net.stats_size)
        with torch.no_grad():
            ref = module(*(torch.from_numpy(v) for v in inputs.values()))
        got = sess.run(None, inputs)
        worst = max(worst, float(np.abs(got[0] - ref[0].numpy()).max()))
        inputs["norm_stats"], inputs["norm_stats_mix"][:] = got[1], 1.0  # tiled mode with own stats
        again = sess.run(None, inputs)[0]
        worst = max(worst, float(np.abs(again - got[0]).max()))
    return worst


def export(module: StylizeExport, example: tuple[torch.Tensor, ...], path: Path) -> Path:
    """The toolkit's export with dynamic H/W on the image tensors only (the 2-D style and statistics
    inputs have a batch axis alone)."""
    image_axes = {0: "batch", 2: "height", 3: "width"}
    axes = {"image": image_axes, "output": image_axes, "style_weights": {0: "batch"},
            "norm_stats": {0: "batch"}, "norm_stats_mix": {0: "batch"}, "norm_stats_out": {0: "batch"}}
    return export_onnx(module, example, path, input_names=INPUTS, output_names=OUTPUTS, dynamic_axes=axes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, default=Path("runs/stylize"), help="the training run folder")
    args = parser.parse_args()
    net = load_net(args.run)
    if net.stats_size != STATS_LENGTH:
        raise SystemExit(f"network has {net.stats_size} statistics, styles.STATS_LENGTH says {STATS_LENGTH}")
    module = StylizeExport(net).eval()
    example = tuple(torch.from_numpy(v) for v in feeds(64, 64, stats_length=net.stats_size).values())
    path = PLUGIN_DIR / model_file()
    export(module, example, path)
    worst = parity(module, path)
    if worst > 1e-4:
        raise SystemExit(f"onnxruntime differs from torch by {worst:.3g}")
    digest = write_model_hash(PLUGIN_DIR, path.name)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB), parity {worst:.2e}, sha256 {digest}")


if __name__ == "__main__":
    main()
