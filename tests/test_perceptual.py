"""models.perceptual: VGG16 feature and style losses, and the LPIPS-baseline perceptual distance."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from models import perceptual  # noqa: E402
from models.features import FeatureNet  # noqa: E402


@pytest.fixture(scope="module")
def net() -> FeatureNet:
    return FeatureNet(arch="vgg16", width=0.125, last_layer="relu5_3", preprocess="caffe", seed=1)


def test_losses_are_zero_on_the_target_and_grow_with_the_difference(net):
    torch.manual_seed(0)
    target = torch.rand(2, 3, 32, 32)
    near = (target + 0.05 * torch.randn_like(target)).clamp(0, 1)
    far = torch.rand(2, 3, 32, 32)
    for loss in (perceptual.feature_loss, perceptual.style_loss):
        assert float(loss(net, target, target)) < 1e-6
        assert 0 < float(loss(net, near, target)) < float(loss(net, far, target))


def test_masked_losses_ignore_what_lies_outside_the_mask(net):
    torch.manual_seed(1)
    target = torch.rand(1, 3, 64, 64)
    mask = torch.zeros(1, 1, 64, 64)
    mask[..., :32, :] = 1.0
    out = target.clone()
    out[..., 48:, :] = torch.rand(1, 3, 16, 64)        # changed only far outside the mask
    shallow = {"relu1_1": 1.0, "relu2_1": 1.0}             # receptive fields well inside the margin
    assert float(perceptual.feature_loss(net, out, target, mask, shallow)) < 0.01 * float(
        perceptual.feature_loss(net, out, target, None, shallow))
    out.requires_grad_(True)
    perceptual.style_loss(net, out, target, mask).backward()
    assert out.grad is not None


def test_distance_is_per_image_symmetric_and_zero_for_equal_images(net):
    torch.manual_seed(2)

    def smooth() -> torch.Tensor:  # photo-like: large smooth shapes
        coarse = torch.rand(3, 3, 6, 6)
        return torch.nn.functional.interpolate(coarse, size=(48, 48), mode="bicubic").clamp(0, 1)

    a, b = smooth(), smooth()
    d = perceptual.perceptual_distance(net, a, b)
    assert d.shape == (3,) and torch.all(d > 0)
    assert torch.allclose(d, perceptual.perceptual_distance(net, b, a))
    assert torch.all(perceptual.perceptual_distance(net, a, a) < 1e-6)
    slightly = (a + 0.02 * torch.randn_like(a)).clamp(0, 1)
    assert torch.all(perceptual.perceptual_distance(net, a, slightly) < d)


def test_image_distance_reads_uint8_pictures_as_rgb_0_to_1(net):
    import numpy as np

    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-30, 31, a.shape), 0, 255).astype(np.uint8)
    t = perceptual.image_tensor(a)
    assert t.shape == (1, 3, 40, 56) and t.dtype == torch.float32
    assert float(t[0, 1, 5, 7]) == pytest.approx(a[5, 7, 1] / 255.0)
    expected = float(perceptual.perceptual_distance(net, t, perceptual.image_tensor(b))[0])
    assert perceptual.image_distance(net, a, b) == pytest.approx(expected, rel=1e-6) and expected > 0
    assert perceptual.image_distance(net, a, a) < 1e-6


def test_unit_feature_loss_is_the_mean_distance_and_trains_the_output(net):
    torch.manual_seed(4)
    target = torch.rand(2, 3, 40, 40)
    out = torch.rand(2, 3, 40, 40, requires_grad=True)
    loss = perceptual.unit_feature_loss(net, out, target)
    expected = perceptual.perceptual_distance(net, out.detach(), target).mean()
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
    loss.backward()
    assert out.grad is not None and float(out.grad.abs().sum()) > 0
    with torch.no_grad():  # a small step against the gradient brings the output closer
        closer = out - 0.5 * out.grad / out.grad.abs().max()
    assert float(perceptual.unit_feature_loss(net, closer, target)) < float(loss)
