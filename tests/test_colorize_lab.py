"""Lab conversion (NumPy for the app, torch for training) and the NumPy resampling around the network."""

from __future__ import annotations

import numpy as np
import pytest

from plugins import registry
from plugins.filters.colorize import core
from plugins.lab import lab_to_rgb, lab_to_rgb_in_gamut, lightness, rgb_to_lab

torch = pytest.importorskip("torch")

from models.colorize import lab as torch_lab  # noqa: E402


def test_reference_colours() -> None:
    lab = rgb_to_lab(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=1e-3)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=1e-3)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.02)  # sRGB red, D65
    np.testing.assert_allclose(lab[3], [32.30, 79.19, -107.86], atol=0.02)  # sRGB blue


def test_numpy_round_trip_and_greys_have_no_chroma() -> None:
    rgb = np.random.default_rng(0).random((64, 3))
    np.testing.assert_allclose(lab_to_rgb(rgb_to_lab(rgb)), rgb, atol=1e-5)
    grey = np.repeat(np.linspace(0, 1, 11)[:, None], 3, axis=1)
    assert np.abs(rgb_to_lab(grey)[:, 1:]).max() < 1e-3


def test_torch_matches_numpy_both_ways() -> None:
    rgb = np.random.default_rng(1).random((2, 3, 9, 7)).astype(np.float32)
    lab_t = torch_lab.rgb_to_lab(torch.from_numpy(rgb)).numpy()
    lab_n = rgb_to_lab(rgb.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(lab_t, lab_n, atol=2e-4)
    back = torch_lab.lab_to_rgb(torch.from_numpy(lab_n)).numpy()
    np.testing.assert_allclose(back, rgb, atol=1e-5)


def test_gamut_mapping_keeps_lightness_exactly() -> None:
    rng = np.random.default_rng(2)
    L = rng.uniform(0, 100, (40, 40))
    ab = rng.normal(0, 70, (40, 40, 2))
    rgb = lab_to_rgb_in_gamut(L, ab)
    assert rgb.min() >= 0.0 and rgb.max() <= 1.0
    np.testing.assert_allclose(lightness(rgb), L, atol=1e-3)
    plain = lab_to_rgb(np.concatenate([L[..., None], ab], axis=-1))  # channel clipping would not
    assert np.abs(lightness(plain) - L).max() > 5.0


def test_strip_upsampling_matches_torch_bilinear() -> None:
    ab = np.random.default_rng(3).normal(0, 30, (13, 17, 2)).astype(np.float32)
    height, width = 50, 61
    chw = torch.from_numpy(ab.transpose(2, 0, 1))[None]
    expected = torch.nn.functional.interpolate(chw, size=(height, width), mode="bilinear",
                                               align_corners=False)
    expected = expected[0].numpy().transpose(1, 2, 0)
    strips = np.concatenate([core.upsample_rows(ab, height, width, top, min(height, top + 16))
                             for top in range(0, height, 16)])
    np.testing.assert_allclose(strips, expected, atol=1e-4)


def test_core_pads_to_the_network_multiple_and_crops_back() -> None:
    seen = []

    def predict(L: np.ndarray) -> np.ndarray:
        seen.append(L.shape)
        return np.stack([np.full(L.shape[2:], 20.0), np.full(L.shape[2:], -30.0)])[None].astype(np.float32)

    image = np.random.default_rng(4).random((37, 70, 3)).astype(np.float32)
    needs = registry.get("colorize").spec.model("network")
    out = core.colorize(image, predict, needs=needs, working_size=100)
    assert out.shape == image.shape
    assert needs.multiple_of == 16 and seen[0][2:] == (64, 112)  # 53×100 padded to multiples of 16
    ab = rgb_to_lab(out)[..., 1:]
    inner = ab[(lightness(image) > 30) & (lightness(image) < 70)]
    np.testing.assert_allclose(np.median(inner, axis=0), [20.0, -30.0], atol=1.0)
