"""The inpainting feature losses (VGG16-shaped perceptual and Gram style on the hole and its border,
hole-border TV) and the sharpness metric. A small random VGG16-shaped net stands in for the ImageNet one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models.inpaint import losses  # noqa: E402


@pytest.fixture(scope="module")
def feature_net():
    return losses.make_feature_net("random")


def _batch(seed: int = 0, size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand(2, 3, size, size, generator=gen)
    mask = torch.zeros(2, 1, size, size)
    mask[:, :, 16:48, 20:44] = 1.0
    return image, mask


def feature_and_style(*args, **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    terms = losses.vgg_terms(*args, **kwargs)
    assert set(terms) == {"feature", "style"}
    return terms["feature"], terms["style"]


def test_the_unit_term_is_the_distance_of_the_whole_composite_from_the_same_pass() -> None:
    from models.perceptual import unit_feature_loss

    feature_net = losses.make_feature_net("random", "relu5_3")  # what --w-unit trains with

    image, mask = _batch(3)
    pred = torch.rand_like(image)
    terms = losses.vgg_terms(feature_net, pred, image, mask, unit=True)
    assert set(terms) == {"feature", "style", "unit"}
    expected = unit_feature_loss(feature_net, losses.composite(pred, image, mask), image)
    assert terms["unit"].item() == pytest.approx(expected.item(), rel=1e-5)
    alone = losses.vgg_terms(feature_net, pred, image, mask, feature_and_style=False, unit=True)
    assert set(alone) == {"unit"} and alone["unit"].item() == pytest.approx(expected.item(), rel=1e-5)


def test_feature_losses_vanish_at_the_truth_and_grow_with_blur(feature_net) -> None:
    image, mask = _batch()
    perc, style = feature_and_style(feature_net, image, image, mask)
    assert perc.item() == pytest.approx(0.0, abs=1e-6) and style.item() == pytest.approx(0.0, abs=1e-6)
    padded = torch.nn.functional.pad(image, (2, 2, 2, 2), mode="reflect")
    blurred = torch.nn.functional.avg_pool2d(padded, 5, 1)
    flat = image.mean(dim=(2, 3), keepdim=True).expand_as(image)
    p_blur, s_blur = feature_and_style(feature_net, blurred, image, mask)
    p_flat, s_flat = feature_and_style(feature_net, flat, image, mask)
    assert 0 < p_blur < p_flat and 0 < s_blur < s_flat  # the flatter the fill, the larger both losses


def test_feature_losses_train_the_prediction_only(feature_net) -> None:
    image, mask = _batch(1)
    pred = torch.rand_like(image, requires_grad=True)
    perc, style = feature_and_style(feature_net, pred, image, mask, border=4)
    (perc + style).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert all(p.grad is None for p in feature_net.parameters())


def test_feature_losses_see_the_hole_and_its_border_only(feature_net) -> None:
    image, mask = _batch(2)
    changed = image.clone()
    changed[:, :, :4, :] = torch.rand(2, 3, 4, 64)  # outside the hole: the composite keeps the truth there
    perc, style = feature_and_style(feature_net, changed, image, mask)
    assert perc.item() == pytest.approx(0.0, abs=1e-6) and style.item() == pytest.approx(0.0, abs=1e-6)
    region = losses.hole_region(mask, 8)
    assert region[0, 0, 8, 30] == 1 and region[0, 0, 7, 30] == 0 and region[0, 0, 30, 30] == 1


def test_border_tv_sees_only_the_fill_and_its_seam() -> None:
    image = torch.full((1, 3, 32, 32), 0.5)
    mask = torch.zeros(1, 1, 32, 32)
    mask[:, :, 10:20, 10:20] = 1.0
    pred = image.clone()
    assert losses.hole_border_tv(pred, image, mask).item() == 0.0
    pred[:, :, 0:5, 0:5] = 1.0  # far outside the hole: replaced by the truth in the composite
    assert losses.hole_border_tv(pred, image, mask).item() == 0.0
    pred[:, :, 14, 14] = 1.0  # a speck inside the hole
    assert losses.hole_border_tv(pred, image, mask).item() > 0.0


def test_sharpness_is_one_for_the_truth_and_drops_for_a_blur() -> None:
    import cv2

    from models.inpaint.evaluate import masked_sharpness

    rng = np.random.default_rng(0)
    truth = rng.random((64, 80, 3)).astype(np.float32)
    hole = np.zeros((64, 80), bool)
    hole[10:50, 20:60] = True
    assert masked_sharpness(truth, truth, hole) == pytest.approx(1.0)
    blurred = cv2.GaussianBlur(truth, (0, 0), 2.0)
    assert masked_sharpness(blurred, truth, hole) < 0.5
    flat = np.full_like(truth, 0.5)
    assert masked_sharpness(flat, truth, hole) == pytest.approx(0.0)


def test_training_logs_the_feature_losses(tmp_path: Path) -> None:
    from models import training
    from models.inpaint.train import InpaintRun, InpaintTask

    class Synthetic(InpaintTask):
        def training_images(self) -> list[np.ndarray]:
            rng = np.random.default_rng(0)
            return [rng.integers(0, 256, (90, 100, 3), dtype=np.uint8) for _ in range(2)]

    cfg = InpaintRun(steps=2, batch=2, size=64, width=8, blocks=1, w_perc=0.05, w_style=0.1, w_tv=0.1,
                     w_unit=0.5, features="random", log_every=1, out=str(tmp_path), device="cpu")
    training.train(Synthetic, cfg)
    rows = training.LossLog(tmp_path / "loss.csv").rows()
    assert len(rows) == 2
    assert all(r["perc"] > 0 and r["style"] > 0 and r["tv"] > 0 and r["unit"] > 0 for r in rows)
