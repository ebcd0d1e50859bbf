"""ONNX export of the generator: dynamic H/W, the noise input, parity with PyTorch, and the filter glue
(any size in → same size out, the seed changes the picture) on a randomly initialised network."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
import torch

from models.edges2photo.export import export, parity_inputs
from models.export import check_parity
from models.nets.edges2photo import UNetGenerator
from plugins import registry
from plugins.cancel import CancelToken
from plugins.filters.edges2photo import filter as e2p_filter
from plugins.filters.edges2photo.noise import NOISE_CHANNELS, dropout_gains


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    generator = UNetGenerator().eval()
    # Non-trivial BatchNorm statistics, so that eval-mode export is really exercised.
    for module in generator.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 2.0)
    path = tmp_path_factory.mktemp("e2p") / "edges2photo.onnx"
    export(generator, path)
    return generator, path


class _Session:
    def __init__(self, path):
        self.inner = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def run(self, feeds):
        return self.inner.run(None, feeds)


class _Ctx:
    """The parts of plugins.context.FilterContext that filter.run uses."""

    spec = registry.get("edges2photo").spec

    def __init__(self, path):
        self.cancel = CancelToken()
        self.session = _Session(path)
        self.fractions: list[float] = []

    def progress(self, fraction: float) -> None:
        self.fractions.append(fraction)

    def model(self, key: str):
        assert key == "network"
        return self.session

    def run_once(self, fn):
        return fn()


def test_parity_with_torch(exported):
    generator, path = exported
    assert check_parity(generator, path, parity_inputs()) < 1e-4


def test_graph_inputs_and_dynamic_size(exported):
    _, path = exported
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = {i.name: i.shape for i in session.get_inputs()}
    assert set(inputs) == {"sketch", "noise"} and inputs["noise"][1] == NOISE_CHANNELS
    for height, width in ((64, 192), (128, 64)):
        out = session.run(None, {"sketch": np.ones((1, 1, height, width), np.float32),
                                 "noise": dropout_gains(NOISE_CHANNELS, 0, 1.0)})[0]
        assert out.shape == (1, 3, height, width) and np.all(np.abs(out) <= 1.0)


def test_export_refuses_a_generator_with_another_noise_width(tmp_path):
    with pytest.raises(ValueError):
        export(UNetGenerator(noise_layers=1), tmp_path / "x.onnx")


@pytest.mark.parametrize("shape", [(37, 53), (300, 17), (64, 64), (200, 130)])
def test_any_size_in_same_size_out(exported, shape):
    _, path = exported
    drawing = np.ones((*shape, 3), np.float32)
    drawing[shape[0] // 2, :] = 0.0
    ctx = _Ctx(path)
    out = e2p_filter.run(ctx, drawing, None, {"seed": 0, "variation": 1.0, "resolution": 128,
                                              "palette": "", "palette_strength": 1.0})
    assert out.shape == (*shape, 3) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert ctx.fractions == sorted(ctx.fractions)


def test_seed_changes_output_only_with_variation(exported):
    _, path = exported
    drawing = np.ones((90, 120, 3), np.float32)
    drawing[20:70, 40] = 0.0
    drawing[45, 10:110] = 0.0

    def render(seed: int, variation: float) -> np.ndarray:
        params = {"seed": seed, "variation": variation, "resolution": 128, "palette": "",
                  "palette_strength": 1.0}
        return e2p_filter.run(_Ctx(path), drawing, None, params)

    # A random network reacts only mildly to its innermost dropout; the trained one is tested in
    # test_edges2photo_cli.py.
    assert np.abs(render(1, 1.0) - render(2, 1.0)).mean() > 1e-4
    assert np.array_equal(render(1, 1.0), render(1, 1.0))
    assert np.allclose(render(1, 0.0), render(2, 0.0))


def test_dropout_gains_match_training_dropout():
    gains = dropout_gains(NOISE_CHANNELS, 3, 1.0)
    assert gains.shape == (1, NOISE_CHANNELS) and set(np.unique(gains)) <= {0.0, 2.0}
    assert 0.3 < (gains == 0).mean() < 0.7
    assert np.all(dropout_gains(NOISE_CHANNELS, 3, 0.0) == 1.0)


def test_the_exporter_reproduces_the_shipped_file_from_its_own_weights(tmp_path):
    """The shipped weights, read back from edges2photo.onnx (BatchNorm folded into the convolutions)
    and exported again with the toolkit, compute what the shipped file computes."""
    from pathlib import Path

    from models.export import load_folded_onnx

    shipped = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "edges2photo" / "edges2photo.onnx"
    generator = load_folded_onnx(UNetGenerator(), shipped)
    path = export(generator, tmp_path / "edges2photo.onnx")
    assert check_parity(generator, path, parity_inputs()) < 1e-4
    new, old = (onnxruntime.InferenceSession(str(p), providers=["CPUExecutionProvider"])
                for p in (path, shipped))
    for feeds in parity_inputs(seed=5):
        assert np.abs(new.run(None, feeds)[0] - old.run(None, feeds)[0]).max() < 1e-4
