"""The shared training toolkit in models/: data, metrics, losses, training helpers, export, PatchGAN."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models import data, export, losses, metrics, schedules, training  # noqa: E402
from models.nets.patchgan import PatchGAN  # noqa: E402


@pytest.mark.needs_data("bsds500", "set5", "set14")
def test_splits_have_the_documented_sizes_and_never_mix():
    train, test, val = (data.bsds_images(s) for s in ("train", "test", "val"))
    assert (len(train), len(test), len(val)) == (200, 200, 100)
    assert set(data.training_images()).isdisjoint(val)
    assert data.bsd100() == val
    assert len(data.set5()) == 5 and len(data.set14()) == 14
    img = data.load_rgb(data.set14()[0])
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3


def test_unknown_split_is_refused():
    with pytest.raises(ValueError):
        data.bsds_images("validation")


def test_shared_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HOLST_SHARED_DATA", str(tmp_path))
    assert data.shared_data_dir() == tmp_path


def test_crops_flips_and_degradations_have_the_right_shapes():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (37, 50, 3), dtype=np.uint8)
    crop = data.random_crop(img, 16, rng)
    assert crop.shape == (16, 16, 3)
    flips = {data.random_flip(crop, rng).tobytes() for _ in range(64)}
    assert len(flips) == 8  # all dihedral transforms appear
    assert data.crop_to_multiple(img, 4).shape == (36, 48, 3)
    assert data.bicubic_downscale(img, 4).shape == (9, 12, 3)
    assert data.gaussian_blur(img, 1.0).shape == img.shape
    assert data.add_noise(img, 5.0, rng).dtype == np.uint8
    assert data.jpeg_compress(img, 50).shape == img.shape
    assert data.real_photo_degrade(img, 2, rng).shape == (18, 25, 3)
    with pytest.raises(ValueError):
        data.random_crop(img, 64, rng)


def test_scaled_crops_hold_more_of_the_scene_and_never_upscale():
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, :100] = 255                                   # left half white, right half black
    rng = np.random.default_rng(0)
    full = [data.random_scaled_crop(img, 40, rng) for _ in range(50)]          # min_scale 1: plain crops
    assert all(c.shape == (40, 40, 3) for c in full)
    scaled = [data.random_scaled_crop(img, 40, rng, min_scale=0.1) for _ in range(200)]
    assert all(c.shape == (40, 40, 3) for c in scaled)
    # at 1/2.5 (the smallest factor whose shorter side still holds the crop) a crop spans 100 source px:
    # far more crops see both halves than at full size, where a crop spans 40
    both = sum(int((c[:, :, 0] > 200).any() and (c[:, :, 0] < 50).any()) for c in scaled)
    both_full = sum(int((c[:, :, 0] > 200).any() and (c[:, :, 0] < 50).any()) for c in full)
    assert both / len(scaled) > 2 * both_full / len(full)
    small = np.zeros((40, 60, 3), np.uint8)
    assert data.random_scaled_crop(small, 40, rng, min_scale=0.1).shape == (40, 40, 3)   # no room: as is


def test_bicubic_downscale_matches_pil():
    from PIL import Image

    img = np.random.default_rng(1).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    ref = np.asarray(Image.fromarray(img).resize((10, 10), Image.BICUBIC))
    assert np.array_equal(data.bicubic_downscale(img, 4), ref)


def test_pack_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    imgs = [rng.integers(0, 256, (40, 60, 3), dtype=np.uint8) for _ in range(3)]
    path = data.build_pack(imgs, crop=24, count=7, out_path=tmp_path / "p.npz", seed=3)
    crops = data.load_pack(path)
    assert crops.shape == (7, 24, 24, 3) and crops.dtype == np.uint8
    again = data.load_pack(data.build_pack(imgs, 24, 7, tmp_path / "q.npz", seed=3))
    assert np.array_equal(crops, again)


def test_psnr_and_ssim_known_values():
    a = np.full((32, 32), 100.0)
    b = a + 10.0
    assert metrics.psnr(a, b) == pytest.approx(10 * np.log10(255**2 / 100))
    assert metrics.psnr(a, a) == float("inf")
    assert metrics.ssim(a, a) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (64, 64))
    noisy = np.clip(x + rng.normal(0, 40, x.shape), 0, 255)
    assert 0.0 < metrics.ssim(x, noisy) < 0.9


def test_ssim_matches_the_reference_formula_on_one_window():
    """On an 11×11 image the 'valid' SSIM is one Gaussian-weighted window; compute it by hand."""
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 255, (11, 11)), rng.uniform(0, 255, (11, 11))
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()
    mx, my = (w * x).sum(), (w * y).sum()
    vx, vy = (w * x * x).sum() - mx**2, (w * y * y).sum() - my**2
    cxy = (w * x * y).sum() - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    ref = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    assert metrics.ssim(x, y) == pytest.approx(ref, rel=1e-9)


def test_rgb_to_y_uses_the_studio_range():
    assert metrics.rgb_to_y(np.zeros((1, 1, 3)))[0, 0] == pytest.approx(16.0)
    assert metrics.rgb_to_y(np.full((1, 1, 3), 255.0))[0, 0] == pytest.approx(235.0, abs=1e-3)


def test_colourfulness_is_zero_for_grey_and_grows_with_colour():
    grey = np.full((8, 8, 3), 128, np.uint8)
    assert metrics.colourfulness(grey) == pytest.approx(0.0)
    vivid = np.zeros((8, 8, 3), np.uint8)
    vivid[::2, :, 0] = 255
    vivid[1::2, :, 2] = 255
    assert metrics.colourfulness(vivid) > 50


def test_losses():
    a, b = torch.zeros(2, 3, 8, 8), torch.ones(2, 3, 8, 8)
    assert losses.charbonnier(a, b).item() == pytest.approx(np.sqrt(1 + 1e-6), rel=1e-5)
    assert losses.l1(a, b).item() == pytest.approx(1.0)
    assert losses.tv(a).item() == 0.0
    ramp = torch.arange(8.0).view(1, 1, 1, 8).expand(1, 1, 8, 8)
    assert losses.tv(ramp).item() == pytest.approx(1.0)
    real, fake = torch.full((4,), 2.0), torch.full((4,), -2.0)
    assert losses.hinge_d(real, fake).item() == 0.0
    assert losses.hinge_g(fake).item() == pytest.approx(2.0)
    assert losses.lsgan_d(torch.ones(4), torch.zeros(4)).item() == 0.0
    assert losses.lsgan_g(torch.zeros(4)).item() == pytest.approx(0.5)


def test_patchgan_is_70x70():
    d = PatchGAN(in_channels=4)
    assert d(torch.rand(1, 4, 256, 256)).shape == (1, 1, 30, 30)
    # receptive field: one output logit depends on exactly a 70×70 input window (instance norm's
    # global statistics aside, so the norms are taken out for this measurement)
    for i, m in enumerate(d.net):
        if isinstance(m, torch.nn.InstanceNorm2d):
            d.net[i] = torch.nn.Identity()
    x = torch.rand(1, 4, 140, 140, requires_grad=True)
    d(x)[0, 0, 5, 5].backward()
    ys, xs = np.nonzero(x.grad.abs().sum(dim=(0, 1)).numpy())
    assert ys.max() - ys.min() + 1 == 70 and xs.max() - xs.min() + 1 == 70


@dataclasses.dataclass
class _ToyRun(training.RunConfig):
    out: str = "runs/toy"
    steps: int = 12
    width: int = training.arg(3, "hidden units")
    layers: tuple[str, ...] = ("a", "b")


class _ToyTask(training.TrainingTask):
    """Regression with dropout: uses the task's NumPy generator, torch's RNG and an optimiser state."""

    def __init__(self, cfg: _ToyRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        self.net = torch.nn.Sequential(torch.nn.Linear(2, cfg.width), torch.nn.Dropout(0.3),
                                       torch.nn.Linear(cfg.width, 1))
        self.modules = {"net": self.net}
        self.optimizers = {"opt": torch.optim.Adam(self.net.parameters(), lr=cfg.lr)}

    def step(self, step: int, progress: float) -> dict[str, float]:
        x = torch.from_numpy(self.rng.normal(size=(8, 2)).astype(np.float32))
        loss = (self.net(x) - x.sum(1, keepdim=True)).pow(2).mean()
        self.optimizers["opt"].zero_grad()
        loss.backward()
        self.optimizers["opt"].step()
        return {"loss": float(loss.detach())}


class _KilledAtSeven(_ToyTask):
    def step(self, step: int, progress: float) -> dict[str, float]:
        if step == 7:
            raise KeyboardInterrupt  # the process dies between two checkpoints
        return super().step(step, progress)


def test_scaffold_resumes_exactly(tmp_path):
    straight = training.train(_ToyTask, _ToyRun(out=str(tmp_path / "a"), warmup=3, save_every=5))
    cfg = _ToyRun(out=str(tmp_path / "b"), warmup=3, save_every=5)
    with pytest.raises(KeyboardInterrupt):
        training.train(_KilledAtSeven, cfg)
    resumed = training.train(_ToyTask, cfg, resume=True)                    # from step 5's checkpoint
    a, b = training.module_state(straight, "net"), training.module_state(resumed, "net")
    assert all(torch.equal(a[k], b[k]) for k in a)                            # bit for bit
    rows = training.LossLog(tmp_path / "b" / "loss.csv").rows()
    assert [r["step"] for r in rows] == [1, 10, 12]                          # the last step is logged too
    assert training.LossLog(tmp_path / "a" / "loss.csv").rows()[1]["lr_factor"] == rows[1]["lr_factor"]
    assert training.read_config(_ToyRun, tmp_path / "b") == cfg


class _DivergesAtEight(_ToyTask):
    def step(self, step: int, progress: float) -> dict[str, float]:
        values = super().step(step, progress)
        if step == 7:
            with torch.no_grad():
                self.net[0].weight.fill_(float("nan"))
        return values


def test_a_diverged_run_stops_and_keeps_its_last_good_checkpoint(tmp_path):
    cfg = _ToyRun(out=str(tmp_path), save_every=5)
    with pytest.raises(training.Diverged, match="step 10"):
        training.train(_DivergesAtEight, cfg)
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert state["step"] == 5 and torch.isfinite(state["modules"]["net"]["0.weight"]).all()
    resumed = training.train(_ToyTask, dataclasses.replace(cfg, lr=0.5), resume=True)  # a new rate applies
    assert 0.01 < torch.load(resumed, weights_only=False)["optimizers"]["opt"]["param_groups"][0]["lr"] < 0.5


class _TwoOptimisers(_ToyTask):
    """A second optimiser kept at its base rate, an evaluation at every second log point, previews kept."""

    unscheduled = ("opt_b",)
    keep_previews = True

    def __init__(self, cfg: _ToyRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        self.bias = torch.nn.Parameter(torch.zeros(1))
        self.optimizers["opt_b"] = torch.optim.SGD([self.bias], lr=0.5)
        self.modules["bias"] = torch.nn.ParameterList([self.bias])
        self.evaluated: list[tuple[int, bool]] = []

    def evaluate(self, step: int, final: bool) -> dict[str, float]:
        self.evaluated.append((step, final))
        return {"score": float(step)} if final or step % 10 == 0 else {}

    def preview(self, path):
        path.write_bytes(b"picture")


def test_unscheduled_optimisers_evaluation_and_kept_previews(tmp_path):
    cfg = _ToyRun(out=str(tmp_path), steps=12, warmup=4, log_every=5, save_every=6)
    task_of: list[_TwoOptimisers] = []

    class Recorded(_TwoOptimisers):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            task_of.append(self)

    training.train(Recorded, cfg)
    task = task_of[0]
    assert task.optimizers["opt_b"].param_groups[0]["lr"] == 0.5
    assert task.optimizers["opt"].param_groups[0]["lr"] < cfg.lr
    assert task.evaluated == [(1, False), (5, False), (10, False), (12, True)]
    rows = training.LossLog(tmp_path / "loss.csv").rows()
    assert [r.get("score") for r in rows] == [None, None, 10.0, 12.0]
    kept = sorted(p.name for p in tmp_path.glob("preview_*.png"))
    assert kept == ["preview_00006.png", "preview_00012.png"]


def test_config_command_line_quick_and_saved_config(tmp_path):
    cfg, resume = training.parse_config(_ToyRun, "toy", ["--quick", "--width", "5", "--layers", "c", "d", "e",
                                                         "--out", str(tmp_path), "--resume"])
    assert resume and cfg.quick and cfg.width == 5 and cfg.layers == ("c", "d", "e")
    assert cfg.steps == 12 and cfg.minutes == 3.0               # --quick caps steps at 20 and sets a budget
    cfg, _ = training.parse_config(_ToyRun, "toy", ["--quick", "--steps", "2", "--no-quick"])
    assert cfg.steps == 2 and not cfg.quick
    help_text = training.config_parser(_ToyRun, "toy").format_help()
    for flag in ("--steps", "--minutes", "--seed", "--threads", "--device", "--out", "--resume", "--init",
                 "--width", "hidden units"):
        assert flag in help_text
    training.save_config(cfg, tmp_path)
    assert training.read_config(_ToyRun, tmp_path) == cfg


def test_budget_and_schedules():
    budget = training.Budget(steps=100, minutes=0.0)
    assert budget.progress(25) == 0.25 and not budget.done(99) and budget.done(100)
    spent = training.Budget(steps=100, minutes=1.0, spent=30.0)
    assert 0.5 <= spent.progress(10) < 0.6 and not spent.done(10)
    assert training.Budget(steps=100, minutes=1.0, spent=61.0).done(0)
    assert schedules.lr_factor("cosine", 500, 0.0) == 1.0
    assert schedules.lr_factor("cosine", 500, 1.0) == pytest.approx(0.05)
    assert schedules.lr_factor("cosine", 0, 0.0, warmup=10) == pytest.approx(0.1)
    assert schedules.lr_factor("linear_tail", 5, 0.4) == 1.0
    assert schedules.lr_factor("linear_tail", 5, 0.75, floor=0.0) == pytest.approx(0.5)
    assert schedules.lr_factor("constant", 5, 0.9) == 1.0
    with pytest.raises(ValueError):
        schedules.lr_factor("step", 0, 0.0)


def test_loss_log_writes_csv_and_png(tmp_path):
    log = training.LossLog(tmp_path / "loss.csv")
    for step in range(30):
        if step % 10 == 9:
            log.log(step, loss=1.0 / (step + 1), psnr=20 + step)  # a series that appears later
        else:
            log.log(step, loss=1.0 / (step + 1))
    log.truncate(25)
    rows = log.rows()
    assert [r["step"] for r in rows][-1] == 24 and rows[9]["psnr"] == 29 and "psnr" not in rows[0]
    png = log.plot()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert training.LossLog(tmp_path / "loss.csv").fields == ["loss", "psnr"]


def test_pick_device_and_amp_off_on_cpu():
    assert training.pick_device("cpu").type == "cpu"
    assert training.pick_device().type in {"cpu", "cuda", "mps"}
    assert not training.grad_scaler(torch.device("cpu")).is_enabled()


class _Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 12, 3, padding=1)
        self.shuffle = torch.nn.PixelShuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.conv(x))


def test_export_parity_fp16_and_manifest_hash(tmp_path):
    torch.manual_seed(0)
    net = _Tiny()
    path = export.export_onnx(net, torch.rand(1, 3, 16, 16), tmp_path / "tiny.onnx",
                              fp16_path=tmp_path / "tiny_fp16.onnx")
    rng = np.random.default_rng(0)
    inputs = [rng.random((1, 3, 21, 13), dtype=np.float32), rng.random((2, 3, 8, 40), dtype=np.float32)]
    assert export.check_parity(net, path, inputs) <= 1e-4
    import onnxruntime as ort

    half = ort.InferenceSession(str(tmp_path / "tiny_fp16.onnx"), providers=["CPUExecutionProvider"])
    out = half.run(None, {"input": inputs[0]})[0]
    assert out.dtype == np.float32 and out.shape == (1, 3, 42, 26)
    with torch.no_grad():
        assert np.abs(out - net(torch.from_numpy(inputs[0])).numpy()).max() < 1e-2
    with pytest.raises(AssertionError):
        export.check_parity(_Tiny(), path, inputs)  # a different net must fail the check
    (tmp_path / "manifest.toml").write_text(
        'id = "t"\n# keep me\n[[models]]\nfile = "other.onnx"\nsha256 = "00"\n\n'
        '[[models]]\nfile = "tiny.onnx"\nsha256 = ""\n', encoding="utf-8")
    digest = export.write_model_hash(tmp_path, "tiny.onnx")
    text = (tmp_path / "manifest.toml").read_text(encoding="utf-8")
    assert f'sha256 = "{digest}"' in text and 'sha256 = "00"' in text and "# keep me" in text
    assert digest == export.sha256_file(path)
    with pytest.raises(KeyError):
        export.write_model_hash(tmp_path, "tiny_fp16.onnx")


class _TwoInputs(torch.nn.Module):
    """An image and a per-sample vector in; an image and a vector out (dynamic axes differ per input)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, image: torch.Tensor, gains: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.conv(image) * gains[:, :3, None, None]
        return out, out.mean(dim=(2, 3))


def test_export_with_per_input_axes_and_multi_input_parity(tmp_path):
    torch.manual_seed(0)
    net = _TwoInputs()
    axes = {"image": export.IMAGE_AXES, "gains": {0: "batch"}, "out": export.IMAGE_AXES,
            "means": {0: "batch"}}
    path = export.export_onnx(net, (torch.rand(1, 3, 16, 16), torch.rand(1, 4)), tmp_path / "two.onnx",
                              input_names=["image", "gains"], output_names=["out", "means"],
                              dynamic_axes=axes)
    import onnx

    model = onnx.load(str(path))
    assert model.opset_import[0].version == export.OPSET
    shapes = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
              for i in model.graph.input}
    assert shapes == {"image": ["batch", 3, "height", "width"], "gains": ["batch", 4]}
    rng = np.random.default_rng(1)
    feeds = [{"image": rng.random((2, 3, 9, 21), dtype=np.float32),
              "gains": rng.random((2, 4), dtype=np.float32)}]
    assert export.check_parity(net, path, feeds) <= 1e-5
    assert export.check_parity(net, path, feeds, relative=True) <= 1e-5
    with pytest.raises(AssertionError):
        export.check_parity(_TwoInputs(), path, feeds)


def test_manifest_model_files_and_a_hash_without_manifest(tmp_path):
    (tmp_path / "a.onnx").write_bytes(b"abc")
    digest = export.write_model_hash(tmp_path, "a.onnx", missing_ok=True)
    assert digest == export.sha256_file(tmp_path / "a.onnx")
    with pytest.raises(FileNotFoundError):
        export.write_model_hash(tmp_path, "a.onnx")
    (tmp_path / "manifest.toml").write_text('id = "t"\n[[models]]\nfile = "a.onnx"\nsha256 = ""\n\n'
                                            '[[models]]\nfile = "b.onnx"\nsha256 = ""\n', encoding="utf-8")
    assert export.manifest_model_files(tmp_path) == ("a.onnx", "b.onnx")


def test_evaluate_dispatch(capsys):
    from models import evaluate
    from plugins import registry

    seen: list[list[str]] = []
    evaluate.register("probe", lambda argv: seen.append(list(argv)))
    try:
        assert evaluate.main(["probe", "--limit", "3"]) == 0 and seen == [["--limit", "3"]]
        assert evaluate.main(["nonexistent"]) == 2
        assert "unknown filter" in capsys.readouterr().err
        # every built-in filter found by discovery has its evaluation registered, with no list kept here
        assert {e.id for e in registry.builtin_filters()} <= set(evaluate.EVALUATORS)
    finally:
        evaluate.EVALUATORS.pop("probe", None)
