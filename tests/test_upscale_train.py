"""Upscale network, training pairs, a 20-step CPU smoke training on the photos, and ONNX export parity."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models import data, training  # noqa: E402
from models.nets.upscale import UpscaleNet, count_params, flops_per_input_pixel  # noqa: E402
from models.upscale import export as up_export  # noqa: E402
from models.upscale.dataset import PairSampler  # noqa: E402
from models.upscale.train import UpscaleRun, main  # noqa: E402

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
def test_smoke_training_20_steps_on_the_photos(tmp_path):
    out = tmp_path / "run"
    main(["--quick", "--scale", "2", "--steps", "20", "--patch", "16", "--batch", "4", "--out", str(out),
          "--log-every", "5", "--eval-every", "0", "--device", "cpu"])  # 0: validate at the end only
    state = torch.load(out / "checkpoint.pt", weights_only=False)
    assert state["step"] == 20 and (out / "loss.png").exists()
    rows = training.LossLog(out / "loss.csv").rows()
    assert [r["step"] for r in rows] == [1, 5, 10, 15, 20]
    assert rows[-1]["set5_psnr_y"] > 20.0 and "set5_psnr_y" not in rows[-2]  # a plausible Set5 PSNR-Y
    assert training.read_config(UpscaleRun, out).patch == 16


def test_export_parity_from_a_run_folder(tmp_path):
    cfg = UpscaleRun(scale=2, channels=8, body=2, out=str(tmp_path))
    task = training.TrainingTask(cfg, torch.device("cpu"))
    task.modules = {"net": UpscaleNet(2, 8, 2)}
    training.save_config(task.cfg, tmp_path)
    training.save_checkpoint(task, tmp_path / "checkpoint.pt", 1, 0.0)
    path, diff = up_export.export_net(up_export.load_net(tmp_path), tmp_path / "export")
    assert path.name == "upscale_x2.onnx" and diff <= 1e-4
