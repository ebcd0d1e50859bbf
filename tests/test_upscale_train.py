"""Upscale network, training pairs, a 20-step CPU smoke training with resume, and ONNX export parity."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models import data  # noqa: E402
from models.nets.upscale import UpscaleNet, count_params, flops_per_input_pixel  # noqa: E402
from models.upscale import export as up_export  # noqa: E402
from models.upscale.dataset import PairSampler  # noqa: E402
from models.upscale.train import learning_rate, parse_args, train  # noqa: E402

MANIFEST = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "upscale" / "manifest.toml"
needs_data = pytest.mark.needs_data("bsds500", "set5")


@pytest.mark.parametrize("scale", [2, 4])
def test_net_scales_any_size(scale):
    net = UpscaleNet(scale)
    assert net(torch.rand(2, 3, 13, 22)).shape == (2, 3, 13 * scale, 22 * scale)


def test_untrained_net_starts_near_nearest_neighbour():
    torch.manual_seed(0)
    net = UpscaleNet(4)
    x = torch.rand(1, 3, 24, 24)
    nearest = torch.nn.functional.interpolate(x, scale_factor=4, mode="nearest")
    with torch.no_grad():
        assert (net(x) - nearest).abs().mean() < 0.1


def test_receptive_field_fits_the_manifest_overlap():
    """One output pixel must depend only on inputs within radius ≤ overlap / 4 (seamless tiling)."""
    net = UpscaleNet(4)
    x = torch.rand(1, 3, 41, 41, requires_grad=True)
    net(x)[0, :, 20 * 4 + 1, 20 * 4 + 2].sum().backward()
    ys, xs = np.nonzero(x.grad.abs().sum(dim=(0, 1)).numpy())
    radius = max(20 - ys.min(), ys.max() - 20, 20 - xs.min(), xs.max() - 20)
    assert radius == net.receptive_radius
    overlap = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["tiling"]["overlap"]
    assert radius <= overlap / 4


def test_cost_figures():
    net = UpscaleNet(4, 32, 6)
    assert count_params(net) == sum(p.numel() for p in net.parameters())
    # 3→32, 6 × 32→32, 32→48 (3×3) and the 3→48 5×5 linear branch
    expected = 2 * 9 * (3 * 32 + 6 * 32 * 32 + 32 * 48) + 2 * 25 * 3 * 48
    assert flops_per_input_pixel(net) == expected


def test_learning_rate_schedule():
    assert learning_rate(0, 1000, 1e-3) < learning_rate(49, 1000, 1e-3) == pytest.approx(1e-3)
    assert learning_rate(999, 1000, 1e-3) == pytest.approx(1e-5, rel=0.05)


def test_pairs_are_pil_bicubic_downscales():
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (60, 70, 3), dtype=np.uint8) for _ in range(2)]
    lr, hr = PairSampler(imgs, scale=4, lr_patch=8, seed=1).batch(5)
    assert lr.shape == (5, 3, 8, 8) and hr.shape == (5, 3, 32, 32)
    assert float(lr.min()) >= 0.0 and float(hr.max()) <= 1.0
    hr0 = (hr[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    lr0 = (lr[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    assert np.array_equal(lr0, data.bicubic_downscale(hr0, 4))
    real_lr, _ = PairSampler(imgs, 2, 8, seed=1, degrade="real").batch(2)
    assert real_lr.shape == (2, 3, 8, 8)


@needs_data
def test_smoke_training_20_steps_then_resume(tmp_path):
    out = tmp_path / "run"
    argv = ["--quick", "--scale", "2", "--steps", "20", "--patch", "16", "--batch", "4", "--out", str(out),
            "--log-every", "5", "--eval-every", "20"]
    ck = train(parse_args(argv))
    state = torch.load(ck, weights_only=False)
    assert state["step"] == 20 and (out / "loss.png").exists()
    rows = (out / "loss.csv").read_text().splitlines()
    assert rows[0] == "step,loss,set5_psnr_y" and len(rows) == 5
    assert float(rows[-1].split(",")[2]) > 20.0  # Set5 PSNR-Y of a nearly untrained net: plausible
    train(parse_args(argv[:4] + ["25"] + argv[5:] + ["--resume"]))
    assert torch.load(ck, weights_only=False)["step"] == 25
    steps = [int(r.split(",")[0]) for r in (out / "loss.csv").read_text().splitlines()[1:]]
    assert steps == [5, 10, 15, 20, 25]


@needs_data
def test_export_parity_from_a_checkpoint(tmp_path):
    from models import training

    net = UpscaleNet(2)
    training.Checkpointer(tmp_path / "ck.pt", {"net": net}).save(
        1, args={"scale": 2, "channels": 32, "body": 6})
    path, diff = up_export.export_scale(tmp_path / "ck.pt", tmp_path)
    assert path.name == "upscale_x2.onnx" and diff <= 1e-4
