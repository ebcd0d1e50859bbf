"""The edges2photo colour reference: the rendering takes a reference picture's Lab statistics."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from plugins.errors import ParamError
from plugins.filters.edges2photo.palette import LOW_PASS_FACTOR, match_colours, reference_rgb
from plugins.lab import rgb_to_lab
from plugins.resample import low_pass


def khaki_rendering(seed: int = 0) -> np.ndarray:
    """A muted, grainy 96×128 picture: a lighter top half, a darker bottom half, pixel noise."""
    rng = np.random.default_rng(seed)
    image = np.empty((96, 128, 3), np.float32)
    image[:48] = (0.55, 0.52, 0.42)
    image[48:] = (0.35, 0.33, 0.25)
    return np.clip(image + rng.normal(0, 0.03, image.shape), 0, 1).astype(np.float32)


def blue_orange_reference() -> np.ndarray:
    """Half saturated sky blue, half orange (N×3 pixels)."""
    return np.concatenate([np.tile([0.2, 0.45, 0.9], (500, 1)), np.tile([0.95, 0.55, 0.1], (500, 1))])


def test_full_strength_takes_the_reference_mean_colour():
    reference = blue_orange_reference()
    out = match_colours(khaki_rendering(), reference, 1.0)
    got = rgb_to_lab(out).reshape(-1, 3).mean(axis=0)
    want = rgb_to_lab(reference).mean(axis=0)
    before = rgb_to_lab(khaki_rendering()).reshape(-1, 3).mean(axis=0)
    assert np.abs(got - want).max() < 3.0  # within 3 Lab units of the reference (gamut limits aside)
    assert np.abs(before - want).max() > 10.0  # and it really moved


def test_layout_follows_the_rendering_and_spread_grows():
    out = match_colours(khaki_rendering(), blue_orange_reference(), 1.0)
    lab = rgb_to_lab(out)
    # The top stays lighter than the bottom: light is where the network put it.
    assert lab[:48, :, 0].mean() > lab[48:, :, 0].mean() + 5
    # The chroma spread between the halves is larger than in the muted rendering.
    chroma = lambda x: np.abs(x[:48, :, 1:].mean((0, 1)) - x[48:, :, 1:].mean((0, 1))).sum()  # noqa: E731
    assert chroma(lab) > chroma(rgb_to_lab(khaki_rendering()))


def test_grain_is_not_amplified():
    rendering = khaki_rendering()
    out = match_colours(rendering, blue_orange_reference(), 1.0)
    grain = lambda x: np.abs(x - low_pass(x, LOW_PASS_FACTOR)).mean()  # noqa: E731
    # The pixel-scale chroma texture keeps about its amplitude (gamut shrinkage can lower it).
    before, after = grain(rgb_to_lab(rendering)[..., 1:]), grain(rgb_to_lab(out)[..., 1:])
    assert after < 1.5 * before


def test_strength_zero_is_identity_and_half_is_between():
    rendering, reference = khaki_rendering(), blue_orange_reference()
    assert np.array_equal(match_colours(rendering, reference, 0.0), rendering)
    mean_b = lambda x: rgb_to_lab(x)[..., 2].mean()  # noqa: E731
    full = mean_b(match_colours(rendering, reference, 1.0))
    half = mean_b(match_colours(rendering, reference, 0.5))
    assert min(full, mean_b(rendering)) < half < max(full, mean_b(rendering))


def test_output_is_in_gamut_float32():
    out = match_colours(khaki_rendering(), blue_orange_reference(), 1.0)
    assert out.dtype == np.float32 and out.shape == (96, 128, 3)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_reference_drops_transparent_pixels(tmp_path):
    rgba = np.zeros((20, 40, 4), np.uint8)
    rgba[:, :20] = (255, 0, 0, 255)      # opaque red
    rgba[:, 20:] = (0, 0, 255, 0)        # invisible blue
    Image.fromarray(rgba, "RGBA").save(tmp_path / "ref.png")
    pixels = reference_rgb(str(tmp_path / "ref.png"))
    assert pixels.shape[1] == 3
    assert np.allclose(pixels, (1.0, 0.0, 0.0), atol=1e-6)


def test_reference_errors_are_one_clear_sentence(tmp_path):
    with pytest.raises(ParamError, match="is not a file"):
        reference_rgb(str(tmp_path / "missing.jpg"))
    Image.fromarray(np.zeros((8, 8, 4), np.uint8), "RGBA").save(tmp_path / "clear.png")
    with pytest.raises(ParamError, match="fully transparent"):
        reference_rgb(str(tmp_path / "clear.png"))
    (tmp_path / "junk.png").write_bytes(b"not an image")
    with pytest.raises(Exception, match="junk.png"):
        reference_rgb(str(tmp_path / "junk.png"))
