"""A frozen-norm generator loaded from an exported edges2photo graph (folded BatchNorms, as ``--init
edges2photo.onnx`` does) computes what the graph computes, in eval and in train mode."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from models.export import load_folded_onnx  # noqa: E402
from models.nets.edges2photo import UNetGenerator  # noqa: E402

WIDTHS = (4, 8, 8, 16, 16, 16)
SHIPPED = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "edges2photo" / "edges2photo.onnx"


def generator_from_onnx(path: Path, widths: tuple[int, ...] | None = None) -> UNetGenerator:
    net = UNetGenerator(widths=widths, frozen_norm=True) if widths else UNetGenerator(frozen_norm=True)
    return load_folded_onnx(net, path).train()


def export_tiny(path: Path) -> UNetGenerator:
    torch.manual_seed(0)
    net = UNetGenerator(widths=WIDTHS)
    with torch.no_grad():  # BatchNorm statistics far from (0, 1), so that folding matters
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
    net.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (torch.ones(1, 1, 64, 64), net.mean_noise(1)), str(path), dynamo=False,
                          input_names=["sketch", "noise"], output_names=["photo"], opset_version=17)
    return net


def outputs(net: UNetGenerator, onnx_path: Path, channels: int,
            size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    sketch = np.where(rng.random((1, 1, size, size)) < 0.1, -1.0, 1.0).astype(np.float32)
    noise = ((rng.random((1, channels)) < 0.5) * 2.0).astype(np.float32)
    with torch.no_grad():
        ours = net(torch.from_numpy(sketch), torch.from_numpy(noise)).numpy()
    graph = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    return ours, graph.run(None, {"sketch": sketch, "noise": noise})[0]


def test_folded_graph_is_rebuilt_exactly(tmp_path):
    original = export_tiny(tmp_path / "tiny.onnx")
    rebuilt = generator_from_onnx(tmp_path / "tiny.onnx", widths=WIDTHS)
    assert rebuilt.training and not any(m.training for m in rebuilt.modules()
                                        if isinstance(m, torch.nn.BatchNorm2d))
    ours, graph = outputs(rebuilt, tmp_path / "tiny.onnx", original.noise_channels)
    assert np.abs(ours - graph).max() < 1e-5
    rebuilt.eval()
    assert np.abs(outputs(rebuilt, tmp_path / "tiny.onnx", original.noise_channels)[0] - graph).max() < 1e-5


def test_a_graph_of_another_shape_is_refused(tmp_path):
    export_tiny(tmp_path / "tiny.onnx")
    with pytest.raises(ValueError):
        generator_from_onnx(tmp_path / "tiny.onnx", widths=(4, 8, 8, 16, 16, 32))


@pytest.mark.skipif(not SHIPPED.exists(), reason="no shipped edges2photo.onnx")
def test_shipped_graph_is_rebuilt_exactly():
    net = generator_from_onnx(SHIPPED)
    ours, graph = outputs(net, SHIPPED, net.noise_channels, size=128)
    assert np.abs(ours - graph).max() < 1e-4
