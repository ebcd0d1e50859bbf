"""Export the texture filter's three ONNX graphs and record their SHA-256 in the plugin manifest.

    python -m models.texture.export [--out DIR]

* ``texture_gram.onnx``         sample (1,3,H,W) → Gram matrices of DEEP_LAYERS (zero padding: the
                                sample is not periodic)
* ``texture_step_deep.onnx``    (x, region, w, T1..T3) → (loss, grad), circular padding, DEEP_LAYERS
* ``texture_step_shallow.onnx`` (x, region, w, T1, T2) → (loss, grad), circular padding, SHALLOW_LAYERS

H and W are dynamic. Every graph is checked against torch (the step graphs against autograd) on a
size different from the one used for tracing.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from models.export import check_parity, export_onnx, write_model_hash
from models.features import FeatureNet
from models.texture.config import (
    DEEP_LAYERS,
    GRAM_FILE,
    PLUGIN_DIR,
    POOL,
    SEED,
    SHALLOW_LAYERS,
    STEP_DEEP_FILE,
    STEP_SHALLOW_FILE,
    WIDTH,
)
from models.texture.step import GramTargets, TextureStep, reference_loss


def feature_net(circular: bool) -> FeatureNet:
    return FeatureNet(width=WIDTH, seed=SEED, pool=POOL, padding="circular" if circular else "zeros",
                      last_layer=DEEP_LAYERS[-1])


def _export(module: torch.nn.Module, args: tuple[torch.Tensor, ...], path: Path, input_names: list[str],
            output_names: list[str], dynamic_image_inputs: Sequence[str]) -> None:
    """The toolkit's export with dynamic H and W on the image inputs (and the gradient), no batch axis."""
    dynamic_axes = {name: {2: f"{name}_h", 3: f"{name}_w"} for name in dynamic_image_inputs}
    if "grad" in output_names:
        dynamic_axes["grad"] = {2: "x_h", 3: "x_w"}
    export_onnx(module, args, path, input_names=input_names, output_names=output_names,
                dynamic_axes=dynamic_axes)


def export_gram(path: Path) -> GramTargets:
    module = GramTargets(feature_net(circular=False), DEEP_LAYERS).eval()
    example = (torch.rand(1, 3, 64, 80), torch.ones(1, 1, 64, 80))
    _export(module, example, path, ["sample", "valid"],
            [f"gram_{n}" for n in DEEP_LAYERS], ["sample", "valid"])
    return module


def sample_targets(layers: Sequence[str], size: int) -> tuple[torch.Tensor, ...]:
    """Gram targets of a random ``size``² sample, for tracing and parity checks."""
    module = GramTargets(feature_net(circular=False), layers)
    return module(torch.rand(1, 3, size, size), torch.ones(1, 1, size, size))


def export_step(path: Path, layers: Sequence[str]) -> TextureStep:
    module = TextureStep(feature_net(circular=True), layers, circular=True).eval()
    grams = sample_targets(layers, 64)
    args = (torch.rand(1, 3, 64, 96), torch.ones(1, 1, 64, 96), torch.ones(len(layers)), *grams)
    _export(module, args, path, ["x", "region", "weights", *[f"target_{n}" for n in layers]],
            ["loss", "grad"], ["x", "region"])
    return module


def check_step(path: Path, layers: Sequence[str], size: tuple[int, int] = (48, 80)) -> float:
    """Max |grad_onnx − grad_autograd| relative to max |grad_autograd| (float32), at a new size."""
    import onnxruntime as ort

    net = feature_net(circular=True)
    torch.manual_seed(1)
    targets = sample_targets(layers, 72)
    x = torch.rand(1, 3, *size, requires_grad=True)
    region = torch.zeros(1, 1, *size)
    region[:, :, size[0] // 4:, size[1] // 3:] = 1.0
    weights = torch.linspace(1.0, 2.0, len(layers))
    ref = reference_loss(net, x, region, weights, targets, layers)
    ref.backward()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {"x": x.detach().numpy(), "region": region.numpy(), "weights": weights.numpy()}
    feeds.update({f"target_{n}": t.detach().numpy() for n, t in zip(layers, targets)})
    loss, grad = session.run(None, feeds)
    scale = float(x.grad.abs().max())
    loss_err = abs(float(loss) - float(ref)) / max(abs(float(ref)), 1e-12)
    return max(float(np.abs(grad - x.grad.numpy()).max()) / scale, loss_err)


def check_gram(path: Path, module: GramTargets) -> float:
    """Largest |onnx − torch| of the Gram matrices relative to their largest value, at a new size with
    an invalid region."""
    sample = torch.rand(1, 3, 90, 70)
    valid = torch.ones(1, 1, 90, 70)
    valid[:, :, 20:50, 10:40] = 0
    return check_parity(module, path, [{"sample": sample.numpy(), "valid": valid.numpy()}], relative=True)


def update_manifest_hashes(plugin_dir: Path, files: Sequence[str]) -> None:
    """The toolkit's :func:`models.export.write_model_hash` for each file (gatys.py's graphs too)."""
    for name in files:
        write_model_hash(plugin_dir, name)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PLUGIN_DIR)
    parser.add_argument("--no-manifest", action="store_true", help="do not rewrite the manifest hashes")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    gram_module = export_gram(args.out / GRAM_FILE)
    print(f"{GRAM_FILE}: parity {check_gram(args.out / GRAM_FILE, gram_module):.2e}")
    for name, layers in ((STEP_DEEP_FILE, DEEP_LAYERS), (STEP_SHALLOW_FILE, SHALLOW_LAYERS)):
        export_step(args.out / name, layers)
        error = check_step(args.out / name, layers)
        print(f"{name}: gradient parity vs autograd {error:.2e}")
        if error > 1e-3:
            raise SystemExit(f"{name}: gradient parity {error:.2e} exceeds 1e-3")
    if not args.no_manifest:
        update_manifest_hashes(args.out, [GRAM_FILE, STEP_DEEP_FILE, STEP_SHALLOW_FILE])


if __name__ == "__main__":
    main()
