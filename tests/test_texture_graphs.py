"""The shipped texture ONNX graphs: explicit gradient vs torch autograd, Gram targets, manifest hashes."""

from __future__ import annotations

import hashlib
import tomllib

import numpy as np
import onnxruntime as ort
import pytest
import torch

from models.texture.config import DEEP_LAYERS, PLUGIN_DIR, SHALLOW_LAYERS
from models.texture.export import feature_net
from models.texture.step import GramTargets, TextureStep, reference_loss

STEP_FILES = {"texture_step_deep.onnx": DEEP_LAYERS, "texture_step_shallow.onnx": SHALLOW_LAYERS}


def _session(name: str) -> ort.InferenceSession:
    return ort.InferenceSession(str(PLUGIN_DIR / name), providers=["CPUExecutionProvider"])


def _targets(layers, seed: int = 0) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    sample = torch.rand(1, 3, 40, 56, generator=gen)
    return GramTargets(feature_net(circular=False), layers)(sample, torch.ones(1, 1, 40, 56))


@pytest.mark.parametrize("name", sorted(STEP_FILES))
def test_onnx_gradient_matches_autograd(name: str) -> None:
    layers = STEP_FILES[name]
    targets = _targets(layers)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(1, 3, 24, 40, generator=gen, requires_grad=True)   # not the traced size
    region = torch.ones(1, 1, 24, 40)
    region[:, :, :8] = 0.0
    weights = torch.linspace(1.0, 3.0, len(layers))
    ref = reference_loss(feature_net(circular=True), x, region, weights, targets, layers)
    ref.backward()
    feeds = {"x": x.detach().numpy(), "region": region.numpy(), "weights": weights.numpy()}
    feeds.update({f"target_{n}": t.detach().numpy() for n, t in zip(layers, targets)})
    loss, grad = _session(name).run(None, feeds)
    assert float(loss) == pytest.approx(float(ref.detach()), rel=1e-4)
    scale = float(x.grad.abs().max())
    assert scale > 0
    assert np.abs(grad - x.grad.numpy()).max() <= 1e-4 * scale


def test_explicit_backward_is_exact_in_float64() -> None:
    net = feature_net(circular=True).double()
    step = TextureStep(net, DEEP_LAYERS, circular=True).double()
    targets = [t.double() for t in _targets(DEEP_LAYERS)]
    x = torch.rand(1, 3, 16, 24, dtype=torch.float64, requires_grad=True)
    region = torch.ones(1, 1, 16, 24, dtype=torch.float64)
    weights = torch.ones(len(DEEP_LAYERS), dtype=torch.float64)
    _, grad = step(x, region, weights, *targets)
    reference_loss(net, x, region, weights, targets, DEEP_LAYERS).backward()
    assert torch.allclose(grad, x.grad, rtol=1e-9, atol=1e-18)


def test_gram_graph_matches_torch_and_ignores_invalid_pixels() -> None:
    sample = torch.rand(1, 3, 48, 64)
    valid = torch.ones(1, 1, 48, 64)
    valid[:, :, 10:30, 20:40] = 0.0
    module = GramTargets(feature_net(circular=False), DEEP_LAYERS)
    want = [t.detach().numpy() for t in module(sample, valid)]
    session = _session("texture_gram.onnx")
    got = session.run(None, {"sample": sample.numpy(), "valid": valid.numpy()})
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6 * np.abs(b).max())
    changed = sample.clone()
    changed[:, :, 10:30, 20:40] = torch.rand(1, 3, 20, 20)   # repaint the invalid pixels only
    again = session.run(None, {"sample": changed.numpy(), "valid": valid.numpy()})
    for a, b in zip(got, again):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_manifest_hashes_match_files() -> None:
    manifest = tomllib.loads((PLUGIN_DIR / "manifest.toml").read_text(encoding="utf-8"))
    assert len(manifest["models"]) == 3
    for ref in manifest["models"]:
        digest = hashlib.sha256((PLUGIN_DIR / ref["file"]).read_bytes()).hexdigest()
        assert digest == ref["sha256"], ref["file"]
