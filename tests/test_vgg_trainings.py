"""The two trainings of issue #22 on the scaffold, without the ImageNet VGG16 (CI has none): the upscale
photo task (L1 + VGG feature loss + relativistic PatchGAN) and colorize on the VGG16 trunk. A random
VGG16 stands in for the ImageNet one; a killed run resumes bit for bit, and the frozen encoder convs
do not move."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from helpers_training import assert_resume_is_exact, checkpoint_modules, photos  # noqa: E402

from models import training  # noqa: E402
from models.colorize.dataset import CropSampler  # noqa: E402
from models.colorize.train import ColorizeRun, ColorizeTask  # noqa: E402
from models.features import FeatureNet  # noqa: E402
from models.upscale.photo import PhotoRun, PhotoTask  # noqa: E402

TINY = 1 / 16


@pytest.fixture
def random_vgg16(monkeypatch):
    """models.vgg16's loaders answer with a random VGG16 of 1/16 of the channels."""
    import models.vgg16 as vgg16

    encoder = FeatureNet(arch="vgg16", last_layer="relu5_3", width=TINY, init="kaiming", seed=1)
    weights = {name: (conv.weight.clone(), conv.bias.clone()) for name, conv in encoder.convs()}
    monkeypatch.setattr(vgg16, "conv_weights", lambda: weights)
    monkeypatch.setattr(vgg16, "imagenet_vgg16", lambda last_layer="relu5_3", **kw: FeatureNet(
        arch="vgg16", last_layer=last_layer, width=TINY, init="kaiming", preprocess="caffe", seed=2))
    return weights


class TinyPhoto(PhotoTask):
    def training_images(self) -> list[np.ndarray]:
        return photos(3, 48, 56)

    def validation_images(self) -> list[np.ndarray]:
        return photos(2, 40, 44, seed=1)


class TinyColorizeVGG(ColorizeTask):
    def photos(self) -> list[tuple[np.ndarray, float]]:
        return [(p, 256.0) for p in photos(3, 40, 48)]

    def preview_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        return CropSampler([(p, 1.0) for p in photos(2, 32, 32, seed=2)], 32, seed=123).batch(2)


def _configs(folder: Path) -> dict[str, tuple[type[training.TrainingTask], training.RunConfig]]:
    common = {"out": str(folder), "steps": 4, "log_every": 2, "save_every": 2, "minutes": 0.0,
              "device": "cpu"}
    return {
        "photo": (TinyPhoto, PhotoRun(**common, scale=2, batch=2, patch=12, channels=8, body=1,
                                      eval_every=2)),
        "photo-unit": (TinyPhoto, PhotoRun(**common, scale=2, batch=2, patch=12, channels=8, body=1,
                                           eval_every=2, perceptual_kind="unit", adversarial_weight=0.0,
                                           lattice_weight=5000.0, style_weight=1.0)),
        "colorize-vgg16": (TinyColorizeVGG, ColorizeRun(**common, trunk="vgg16", batch=2, crop=32, width=8,
                                                        vgg_width=TINY, frozen_through="conv3_3", warmup=1)),
    }


@pytest.mark.parametrize("name", ["photo", "photo-unit", "colorize-vgg16"])
def test_a_killed_run_resumes_exactly(tmp_path: Path, name: str, random_vgg16) -> None:
    task_cls, cfg = _configs(tmp_path / "straight")[name]
    a, _ = assert_resume_is_exact(task_cls, cfg, tmp_path / "resumed", kill=3)
    rows = training.LossLog(tmp_path / "resumed" / "loss.csv").rows()
    assert all(np.isfinite(v) for r in rows for v in r.values())
    assert (tmp_path / "resumed" / "preview.png").exists()
    if name.startswith("photo"):
        assert "disc" in a and "set5_distance_ratio" in rows[-1]
    if name == "photo-unit":  # no adversarial weight: the discriminator is not trained at all
        assert all(r["d_loss"] == 0 and r["adversarial"] == 0 for r in rows)
        assert all(r["lattice"] > 0 for r in rows)  # the shipped recipe's lattice term is on
        assert all(r["style"] > 0 for r in rows)  # the texture term, on in this config only
    if name == "photo":
        assert all(r["lattice"] == 0 and r["style"] == 0 for r in rows)


@pytest.mark.parametrize("name", ["photo", "colorize-vgg16"])
def test_features_random_runs_without_the_vgg16(tmp_path: Path, name: str, monkeypatch) -> None:
    import models.vgg16 as vgg16

    def refuse(*args, **kwargs):
        raise AssertionError("--features random must not load the ImageNet VGG16")

    monkeypatch.setattr(vgg16, "conv_weights", refuse)
    monkeypatch.setattr(vgg16, "imagenet_vgg16", refuse)
    task_cls, cfg = _configs(tmp_path)[name]
    cfg = replace(cfg, features="random", steps=2)
    assert (training.train(task_cls, cfg)).exists()


def test_colorize_encoder_starts_from_the_vgg16_and_keeps_its_frozen_convs(tmp_path: Path, random_vgg16):
    task_cls, cfg = _configs(tmp_path)["colorize-vgg16"]
    training.train(task_cls, cfg)
    state = checkpoint_modules(tmp_path / "checkpoint.pt")["net"]
    names = FeatureNet(arch="vgg16", last_layer="relu5_3", width=TINY).layer_names
    frozen = {"conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3"}
    for name, (weight, _) in random_vgg16.items():
        trained = state[f"vgg.encoder.features.{names.index(name)}.weight"]
        assert torch.equal(trained, weight) == (name in frozen), name


def test_colorize_init_from_a_shipped_onnx_keeps_its_folded_norms_frozen(tmp_path: Path, random_vgg16):
    """--init colorize.onnx: the run starts by computing what the file computes, and training keeps the
    folded BatchNorms (identity + bias) in eval mode, so their running statistics never move."""
    from models.colorize.bins import gamut_bins
    from models.colorize.export import export, parity_inputs
    from models.export import check_parity
    from models.nets.colorize import ColorizeNet

    torch.manual_seed(0)
    centres = torch.from_numpy(gamut_bins())
    shipped = ColorizeNet("class", centres, width=8, trunk="vgg16", vgg_width=TINY).eval()
    for module in shipped.modules():  # non-trivial norms, to be folded by the exporter
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.normal_(0, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    file = export(shipped, tmp_path / "colorize.onnx")
    task_cls, cfg = _configs(tmp_path / "run")["colorize-vgg16"]
    task = task_cls(replace(cfg, init=str(file)), torch.device("cpu"))
    task.initialise(file)
    assert task.net.frozen_norm
    torch.testing.assert_close(task.net.log_weights, torch.log(task.weights))  # decodes with this run's prior
    task.net.eval()
    task.net.prior_correction = 0.0  # the file decodes without a tilt (no class weights were given)
    task.net.log_weights.zero_()
    assert check_parity(task.net, file, parity_inputs(), atol=1e-3) < 1e-3
    task.net.train()
    for step in range(2):
        task.step(step, 0.0)
    norms = [m for m in task.net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms and all(not m.training for m in norms)
    assert all(torch.equal(m.running_mean, torch.zeros_like(m.running_mean)) for m in norms)


def test_colorize_decode_weight_adds_the_error_of_the_decoded_colour(tmp_path: Path, random_vgg16):
    """--decode-weight λ: the loss is the cross entropy + λ × the squared error of the decoded ab
    (annealed mean with T and --decode-beta) against the half-size truth."""
    import copy

    import torch.nn.functional as F

    from models.colorize.bins import rebalanced_cross_entropy
    from models.nets.colorize import AB_SCALE

    task_cls, cfg = _configs(tmp_path)["colorize-vgg16"]
    task = task_cls(replace(cfg, decode_weight=4.0, decode_beta=0.3), torch.device("cpu"))
    net_before, sampler_before = copy.deepcopy(task.net), copy.deepcopy(task.sampler)
    values = task.step(0, 0.0)
    L, ab = sampler_before.batch(cfg.batch)
    target = F.avg_pool2d(ab, 2)
    with torch.no_grad():
        raw = net_before.raw(L)
        prob = torch.softmax((raw - 0.3 * torch.log(task.weights)[None, :, None, None])
                             / net_before.temperature, dim=1)
        decoded = torch.einsum("nqhw,qc->nchw", prob, task.centres)
        expected = float(((decoded - target) / AB_SCALE).pow(2).mean())
        ce = float(rebalanced_cross_entropy(raw, target, task.centres, task.weights))
    assert values["decoded"] == pytest.approx(expected, rel=1e-4) and expected > 0
    assert values["ce"] == pytest.approx(ce, rel=1e-4)
    assert values["loss"] == pytest.approx(ce + 4.0 * expected, rel=1e-4)
    plain = task_cls(cfg, torch.device("cpu")).step(0, 0.0)
    assert "decoded" not in plain and plain["loss"] == plain["ce"]


def test_photo_training_leaves_out_photos_smaller_than_one_hr_crop(monkeypatch, tmp_path: Path) -> None:
    """A 40-px LR patch at ×4 needs 160-px photos; smaller ones (some halved ImageNet photos) stopped runs."""
    import models.upscale.photo as photo

    sizes = [(150, 300), (160, 161), (200, 240)]
    monkeypatch.setattr(photo, "photo_training_images",
                        lambda varied, limit=None: [np.zeros((h, w, 3), np.uint8) for h, w in sizes])
    cfg = PhotoRun(out=str(tmp_path), scale=4, patch=40, varied=True, device="cpu")
    kept = PhotoTask.training_images(SimpleNamespace(cfg=cfg))
    assert [image.shape[:2] for image in kept] == sizes[1:]
