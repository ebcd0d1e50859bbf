"""The sub-pixel lattice measure and loss of the photo upscaler (models.upscale.lattice)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models.upscale.lattice import lattice_loss, lattice_offsets, lattice_rms  # noqa: E402


def smooth_picture(size: int = 96, seed: int = 0) -> np.ndarray:
    """A smooth random RGB picture (a coarse noise field enlarged bilinearly), float 0..1."""
    coarse = torch.rand(1, 3, size // 16, size // 16, generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)


@pytest.mark.parametrize("scale", [2, 4])
def test_a_period_s_pattern_is_measured_at_its_amplitude(scale):
    base = smooth_picture()
    phase = torch.zeros(scale, scale)
    phase[0, 0], phase[-1, -1] = 1.0, -1.0                     # zero mean over the s×s phases
    pattern = (4 / 255) * phase.repeat(96 // scale, 96 // scale)
    with_lattice = (base + pattern).clamp(0, 1)
    to_u8 = lambda t: (t[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)  # noqa: E731
    clean, hatched = lattice_rms(to_u8(base), scale), lattice_rms(to_u8(with_lattice), scale)
    expected = 4 * float(phase.pow(2).mean().sqrt())             # RMS of the pattern in 8-bit levels
    assert clean < 0.3
    assert hatched == pytest.approx(expected, rel=0.15)


def test_loss_is_zero_for_the_original_and_grows_with_the_lattice():
    hr = smooth_picture(seed=1)
    assert float(lattice_loss(hr, hr, 4)) == 0.0
    pattern = torch.zeros(4, 4)
    pattern[1, 2] = 0.02
    pattern -= pattern.mean()
    weak, strong = (hr + k * pattern.repeat(24, 24) for k in (1.0, 2.0))
    assert 0 < float(lattice_loss(weak, hr, 4)) < float(lattice_loss(strong, hr, 4))
    assert float(lattice_loss(strong, hr, 4)) == pytest.approx(4 * float(lattice_loss(weak, hr, 4)), rel=1e-3)


def test_offsets_sum_to_zero_over_the_phases_and_tiny_inputs_are_refused():
    hr = smooth_picture(128, seed=2)
    offsets = lattice_offsets(hr, 4)
    assert offsets.shape == (1, 4, 4, 4, 4)
    assert torch.allclose(offsets.sum(dim=(2, 4)), torch.zeros(1, 4, 4), atol=1e-6)
    with pytest.raises(ValueError, match="at least 32×32"):
        lattice_offsets(hr[..., :20, :20], 4)
