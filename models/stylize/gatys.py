"""The graphs of the stylize filter's "own painting" mode: Gatys, Ecker & Bethge (2016) optimisation.

The image is optimised directly (from NumPy, by L-BFGS, coarse to fine: ``plugins/filters/stylize/
gatys.py``) so that its Gram matrices match the user's painting and its deep features match the photo.
The loss and its gradient are one forward graph, as in the texture filter (``models/texture/step.py``,
whose explicit backward pass this reuses), on the same random-weight, blur-pooled, circularly padded
feature network. Three graphs, written next to the stylize network and checked against autograd:

* ``gatys_gram.onnx``     painting (1,3,H,W), valid → Gram matrices of relu1_1, relu2_1, relu3_1
* ``gatys_content.onnx``  photo (1,3,H,W) → its relu3_1 features (the content target)
* ``gatys_step.onnx``     (x, weights, content, content_weight, T1..T3) → (loss, dloss/dx), where
  loss = Σ_l w_l·mean((G_l − T_l)²) + content_weight·mean((F − content)²)

    python -m models.stylize.gatys        # exports, checks parity, records the SHA-256 in the manifest
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from models.features import FeatureNet
from models.texture.config import DEEP_LAYERS, OPSET
from models.texture.export import feature_net, update_manifest_hashes  # the texture filter's loss net
from models.texture.step import GramTargets, TextureStep, reference_loss

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "stylize"
CONTENT_LAYER = "relu3_1"
GRAM_FILE, CONTENT_FILE, STEP_FILE = "gatys_gram.onnx", "gatys_content.onnx", "gatys_step.onnx"


class StyleTransferStep(TextureStep):
    """(x, weights, content, content_weight, *targets) → (loss, dloss/dx): Gram loss + content loss."""

    def __init__(self, net: FeatureNet, style_layers: Sequence[str], content_layer: str) -> None:
        super().__init__(net, style_layers, circular=True)
        if content_layer not in style_layers:
            raise ValueError("the content layer must be one of the style layers (it shares their pass)")
        self.content_layer = content_layer

    def forward(self, x: torch.Tensor, weights: torch.Tensor, content: torch.Tensor,
                content_weight: torch.Tensor, *targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats, masks = self.features(x, torch.ones_like(x[:, :1]))
        loss, feat_grads = self.gram_terms(feats, weights, targets)
        feat = feats[self.content_layer][0]
        diff = feat - content
        loss = loss + content_weight[0] * (diff * diff).mean()
        count = torch.ones_like(diff).sum()  # a graph op, so the exported size stays dynamic
        content_grad = 2.0 * content_weight[0] * diff / count
        feat_grads[self.content_layer] = feat_grads[self.content_layer] + content_grad
        return loss, self.backward(feat_grads, masks)


class ContentFeatures(torch.nn.Module):
    """photo (1,3,H,W) → features at the content layer, through the same circular network as the step."""

    def __init__(self, step: StyleTransferStep) -> None:
        super().__init__()
        self.step = step

    def forward(self, photo: torch.Tensor) -> torch.Tensor:
        feats, _ = self.step.features(photo, torch.ones_like(photo[:, :1]))
        return feats[self.step.content_layer][0]


def reference(x: torch.Tensor, weights: torch.Tensor, content: torch.Tensor, content_weight: torch.Tensor,
              targets: Sequence[torch.Tensor]) -> torch.Tensor:
    """The same loss through autograd (ground truth for the explicit gradient)."""
    net = feature_net(circular=True)
    region = torch.ones_like(x[:, :1])
    style = reference_loss(net, x, region, weights, targets, DEEP_LAYERS)
    feat = net(x, [CONTENT_LAYER])[CONTENT_LAYER]
    return style + content_weight[0] * (feat - content).pow(2).mean()


def _export(module: torch.nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
            dynamic: dict[str, dict[int, str]]) -> None:
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs,
                      dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)


def export(out: Path) -> tuple[GramTargets, StyleTransferStep]:
    """Write the three graphs to ``out``."""
    gram = GramTargets(feature_net(circular=False), DEEP_LAYERS).eval()
    _export(gram, (torch.rand(1, 3, 64, 80), torch.ones(1, 1, 64, 80)), out / GRAM_FILE, ["sample", "valid"],
            [f"gram_{n}" for n in DEEP_LAYERS], {"sample": {2: "h", 3: "w"}, "valid": {2: "h", 3: "w"}})
    step = StyleTransferStep(feature_net(circular=True), DEEP_LAYERS, CONTENT_LAYER).eval()
    _export(ContentFeatures(step), (torch.rand(1, 3, 64, 96),), out / CONTENT_FILE, ["photo"], ["content"],
            {"photo": {2: "h", 3: "w"}, "content": {2: "ch", 3: "cw"}})
    targets = gram(torch.rand(1, 3, 64, 64), torch.ones(1, 1, 64, 64))
    content = ContentFeatures(step)(torch.rand(1, 3, 64, 96))
    args = (torch.rand(1, 3, 64, 96), torch.ones(len(DEEP_LAYERS)), content, torch.ones(1), *targets)
    _export(step, args, out / STEP_FILE, ["x", "weights", "content", "content_weight",
                                          *[f"target_{n}" for n in DEEP_LAYERS]], ["loss", "grad"],
            {"x": {2: "h", 3: "w"}, "content": {2: "ch", 3: "cw"}, "grad": {2: "h", 3: "w"}})
    return gram, step


def check(out: Path, size: tuple[int, int] = (48, 80)) -> float:
    """Largest relative error of the ONNX loss and gradient against autograd, at a size not traced."""
    import onnxruntime as ort

    torch.manual_seed(1)
    gram = GramTargets(feature_net(circular=False), DEEP_LAYERS)
    targets = gram(torch.rand(1, 3, 72, 72), torch.ones(1, 1, 72, 72))
    photo = torch.rand(1, 3, *size)
    options = ["CPUExecutionProvider"]
    content = ort.InferenceSession(str(out / CONTENT_FILE), providers=options).run(
        None, {"photo": photo.numpy()})[0]
    want_content = feature_net(circular=True)(photo, [CONTENT_LAYER])[CONTENT_LAYER]
    content_err = float(np.abs(content - want_content.numpy()).max() / want_content.abs().max())
    x = torch.rand(1, 3, *size, requires_grad=True)
    weights, content_weight = torch.tensor([1.0, 1.5, 2.0]), torch.tensor([0.7])
    ref = reference(x, weights, torch.from_numpy(content), content_weight, targets)
    ref.backward()
    feeds = {"x": x.detach().numpy(), "weights": weights.numpy(), "content": content,
             "content_weight": content_weight.numpy()}
    feeds.update({f"target_{n}": t.detach().numpy() for n, t in zip(DEEP_LAYERS, targets)})
    loss, grad = ort.InferenceSession(str(out / STEP_FILE), providers=options).run(None, feeds)
    grad_err = float(np.abs(grad - x.grad.numpy()).max() / x.grad.abs().max())
    loss_err = abs(float(loss) - ref.item()) / abs(ref.item())
    return max(content_err, grad_err, loss_err)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PLUGIN_DIR)
    parser.add_argument("--no-manifest", action="store_true", help="do not rewrite the manifest hashes")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    export(args.out)
    error = check(args.out)
    print(f"gatys graphs: parity vs autograd {error:.2e}")
    if error > 1e-3:
        raise SystemExit(f"parity {error:.2e} exceeds 1e-3")
    if not args.no_manifest:
        update_manifest_hashes(args.out, [GRAM_FILE, CONTENT_FILE, STEP_FILE])


if __name__ == "__main__":
    main()
