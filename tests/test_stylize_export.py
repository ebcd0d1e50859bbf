"""Export of the style network: ONNX parity with torch, style weights, the two-pass statistics."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from models.nets.stylize import StylizeExport, StylizeNet
from models.stylize.export import export, feeds
from plugins.filters.stylize.styles import STATS_LENGTH, STYLES


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    net = StylizeNet().eval()
    with torch.no_grad():  # distinct per-style affine rows, so a wrong style index would show
        for module in net.modules():
            if hasattr(module, "gamma"):
                module.gamma.add_(0.5 * torch.randn_like(module.gamma))
                module.beta.add_(0.5 * torch.randn_like(module.beta))
    module = StylizeExport(net).eval()
    path = tmp_path_factory.mktemp("stylize") / "stylize.onnx"
    export(module, tuple(torch.from_numpy(v) for v in feeds(32, 32).values()), path)
    return net, ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_stats_length_matches_the_plugin():
    assert StylizeNet().stats_size == STATS_LENGTH


def test_parity_with_torch_at_two_sizes(exported):
    net, sess = exported
    for h, w in ((48, 80), (64, 36)):
        inputs = feeds(h, w, seed=h)
        with torch.no_grad():
            ref = net.run(*(torch.from_numpy(v) for v in inputs.values()))
        got = sess.run(None, inputs)
        assert np.abs(got[0] - ref[0].numpy()).max() < 1e-4
        assert np.abs(got[1] - ref[1].numpy()).max() < 1e-4


def test_one_hot_weights_select_that_style_and_blends_differ(exported):
    net, sess = exported
    inputs = feeds(40, 40)
    outs = []
    for k in range(len(STYLES)):
        inputs["style_weights"] = np.eye(len(STYLES), dtype=np.float32)[k:k + 1]
        outs.append(sess.run(None, inputs)[0])
        with torch.no_grad():
            ref = net(torch.from_numpy(inputs["image"]), torch.eye(len(STYLES))[k:k + 1])
        assert np.abs(outs[-1] - ref.numpy()).max() < 1e-4
    assert np.abs(outs[0] - outs[1]).max() > 1e-3
    inputs["style_weights"] = np.array([[0.5, 0.5, 0, 0, 0]], np.float32)
    half = sess.run(None, inputs)[0]
    assert np.abs(half - outs[0]).max() > 1e-4 and np.abs(half - outs[1]).max() > 1e-4


def test_given_own_statistics_reproduce_the_untiled_result(exported):
    _, sess = exported
    inputs = feeds(56, 56)
    out, stats = sess.run(None, inputs)
    inputs["norm_stats"], inputs["norm_stats_mix"] = stats, np.ones((1, 1), np.float32)
    assert np.abs(sess.run(None, inputs)[0] - out).max() < 1e-5
    inputs["norm_stats"] = stats * 1.5  # the given statistics really are used
    assert np.abs(sess.run(None, inputs)[0] - out).max() > 1e-3
