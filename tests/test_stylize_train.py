"""Stylize training helpers: start from the shipped ONNX weights; the weighted, multi-scale style loss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from models.features import FeatureNet, gram  # noqa: E402
from models.nets.stylize import StylizeExport, StylizeNet  # noqa: E402
from models.stylize.export import feeds  # noqa: E402
from models.stylize.train import downsample, initial_weights, relative_style_loss  # noqa: E402

SHIPPED = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "stylize" / "stylize.onnx"


def test_shipped_onnx_weights_reproduce_the_onnx_output():
    net = StylizeNet()
    net.load_state_dict(initial_weights(SHIPPED), strict=True)
    inputs = feeds(48, 64, seed=3)
    with torch.no_grad():
        ours = StylizeExport(net.eval())(*(torch.from_numpy(v) for v in inputs.values()))[0].numpy()
    theirs = ort.InferenceSession(str(SHIPPED), providers=["CPUExecutionProvider"]).run(None, inputs)[0]
    assert np.abs(ours - theirs).max() < 1e-5


def test_style_loss_is_zero_on_target_and_layer_weights_select_layers():
    torch.manual_seed(0)
    feat = FeatureNet(pool="avg", width=0.25, last_layer="relu2_1")
    style, other = torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32)
    layers = ["relu1_1", "relu2_1"]
    with torch.no_grad():
        targets = {n: gram(f) for n, f in feat(style, layers).items()}
        f_other = feat(other, layers)
        assert float(relative_style_loss(feat(style, layers), targets)) < 1e-10
        only_first = relative_style_loss(f_other, targets, {"relu1_1": 1.0, "relu2_1": 0.0})
        alone = relative_style_loss({"relu1_1": f_other["relu1_1"]}, {"relu1_1": targets["relu1_1"]})
    assert float(only_first) == pytest.approx(float(alone), rel=1e-6)
    assert float(only_first) > 0


def test_downsample_is_a_box_filter():
    image = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert downsample(image, 2).flatten().tolist() == [2.5, 4.5, 10.5, 12.5]
