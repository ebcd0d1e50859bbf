"""models.upscale.probe: per-layer distances sum to the evaluation distance; references and sources load."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models import data  # noqa: E402
from models.nets.upscale import UpscaleNet  # noqa: E402
from models.perceptual import image_tensor, layer_distances, perceptual_distance, vgg16_features  # noqa: E402
from models.upscale import probe  # noqa: E402
from models.upscale.export import write  # noqa: E402


def _pairs(count: int = 2) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    hrs = [(rng.random((48, 40, 3)) * 255).astype(np.uint8) for _ in range(count)]
    return [(data.bicubic_downscale(hr, 4), hr) for hr in hrs]


def test_layer_distances_sum_to_the_distance():
    net = vgg16_features("random")
    a, b = (image_tensor(hr) for _, hr in _pairs())
    parts = layer_distances(net, a, b)
    assert set(parts) == {"relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3"}
    assert torch.allclose(sum(parts.values()), perceptual_distance(net, a, b))


def test_compare_ranks_the_original_first_and_bicubic_at_one():
    methods = {"bicubic": lambda lr, hr: probe.bicubic(lr, 4), "original": probe.blurred_original(1),
               "coarse": probe.blurred_original(8)}
    results = probe.compare(methods, _pairs(), vgg16_features("random"), 4)
    assert results["original"]["total"] == 0.0
    assert results["bicubic"]["total"] > 0 and results["coarse"]["total"] > 0
    assert results["coarse"]["psnr"] < results["bicubic"]["psnr"]  # 8× loses more than bicubic's 4×
    lines = probe.table(results).splitlines()
    assert lines[2].startswith("| bicubic | 1.000× | +0.00 dB | 1.00 | 1.00")
    assert lines[3].startswith("| original | 0.000× |")


def test_an_onnx_source_runs_what_its_network_computes(tmp_path):
    torch.manual_seed(0)
    net = UpscaleNet(4, 8, 3).eval()
    path = write(net, tmp_path / "tiny_x4.onnx")
    lr, hr = _pairs(1)[0]
    expected = probe.network_method(net)(lr, hr)
    assert np.abs(probe.load_source(str(path))(lr, hr).astype(int) - expected).max() <= 1


def test_shifted_detail_is_the_original_in_place_and_moved_when_shifted():
    lr, hr = _pairs(1)[0]
    base = probe.blurred_original(8)
    assert np.array_equal(probe.with_shifted_detail(base, 0)(lr, hr), hr)
    moved = probe.with_shifted_detail(base, 3)(lr, hr).astype(np.float32)
    blurred = base(lr, hr).astype(np.float32)
    expected = blurred + np.roll(hr.astype(np.float32) - blurred, (3, 3), axis=(0, 1))
    assert np.abs(moved - np.clip(expected, 0, 255)).max() <= 0.5
    assert not np.array_equal(moved, hr)
