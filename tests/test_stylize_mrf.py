"""The Li & Wand patch (MRF) style loss: nearest-patch matching and what it rewards."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from models.features import FeatureNet  # noqa: E402
from models.stylize.mrf import PatchBank, feature_patches, mrf_loss  # noqa: E402


def stripes(size: int, horizontal: bool) -> torch.Tensor:
    """An RGB image of 8-px-period stripes (rows vary when horizontal)."""
    ramp = (torch.arange(size) // 4 % 2).float()
    grid = ramp[:, None].expand(size, size) if horizontal else ramp[None, :].expand(size, size)
    return torch.stack([grid, 0.5 * grid, 1 - grid])[None]


def net_and_bank(size: int, layer: str) -> tuple[FeatureNet, PatchBank]:
    """A small fixed-seed feature net and the patch bank of a painting of vertical stripes at ``layer``."""
    torch.manual_seed(0)
    net = FeatureNet(pool="avg", width=0.25, last_layer=layer)
    with torch.no_grad():
        return net, PatchBank.from_features(net(stripes(size, horizontal=False), [layer])[layer])


def test_patches_are_the_unfolded_3x3_windows():
    feat = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(1, 2, 4, 5)
    patches = feature_patches(feat)
    assert patches.shape == (2 * 3, 2 * 9)
    assert patches[0].tolist() == feat[0, :, :3, :3].reshape(-1).tolist()
    assert feature_patches(feat, stride=2).shape == (1 * 2, 18)


def test_nearest_finds_the_matching_bank_row_by_direction_not_length():
    bank = PatchBank(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]))
    queries = torch.tensor([[5.0, 0.2], [0.1, 0.3], [-0.2, 0.0]])
    assert bank.nearest(queries).tolist() == [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]


def test_loss_is_zero_on_the_painting_and_tells_stripes_from_their_rotation():
    net, bank = net_and_bank(64, "relu3_1")
    with torch.no_grad():
        own = mrf_loss(net(stripes(64, horizontal=False), ["relu3_1"])["relu3_1"], [bank])
        rotated = mrf_loss(net(stripes(64, horizontal=True), ["relu3_1"])["relu3_1"], [bank])
    assert float(own) < 1e-10
    # Horizontal-stripe patches occur nowhere in a painting of vertical stripes, so each one is far from
    # its nearest bank patch (the stripes the shipped model draws cost the same way).
    assert float(rotated) > 0.1


def test_gradient_pulls_the_output_towards_the_painting_patches():
    net, bank = net_and_bank(32, "relu2_1")
    image = torch.full((1, 3, 32, 32), 0.5, requires_grad=True)
    optimiser = torch.optim.Adam([image], lr=0.05)
    losses = []
    for _ in range(30):
        loss = mrf_loss(net(image, ["relu2_1"])["relu2_1"], [bank])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_each_sample_uses_its_own_bank():
    a, b = PatchBank(torch.ones(4, 18)), PatchBank(-torch.ones(4, 18))
    feat = torch.ones(2, 2, 3, 3)
    per_sample = [float(mrf_loss(feat[i:i + 1], [bank])) for i, bank in enumerate((a, b))]
    assert per_sample[0] == 0.0
    assert float(mrf_loss(feat, [a, b])) == pytest.approx(sum(per_sample) / 2)


def test_offset_shifts_the_patch_grid():
    feat = torch.randn(1, 4, 7, 7, generator=torch.Generator().manual_seed(0))
    bank = PatchBank(feature_patches(feat[:, :, 1:, 1:], stride=2))  # exactly the patches of the (1, 1) grid
    assert float(mrf_loss(feat, [bank], stride=2, offset=(1, 1))) < 1e-10
    assert float(mrf_loss(feat, [bank], stride=2)) > 0.1
