"""Contextual residuals: the smooth inpainted hole gets fine detail copied from matching surroundings."""

from __future__ import annotations

import numpy as np

from plugins.filters.inpaint.texture import PATCH, SMOOTH_FACTOR, context_texture
from plugins.resample import low_pass


def grass_and_sky(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """128×160: a grainy green left half, a flat blue right half; a hole across the middle band.

    Returns (photo, smooth fill of the hole as an L1 network would give, hole)."""
    rng = np.random.default_rng(seed)
    photo = np.empty((128, 160, 3), np.float32)
    photo[:, :80] = (0.25, 0.55, 0.2)
    photo[:, 80:] = (0.45, 0.6, 0.9)
    photo[:, :80] += rng.normal(0, 0.08, (128, 80, 3)).astype(np.float32)
    photo = np.clip(photo, 0, 1)
    hole = np.zeros((128, 160), bool)
    hole[48:80, 16:144] = True
    fill = photo.copy()
    fill[:, :80] = (0.25, 0.55, 0.2)  # the right colours, but no grain
    return photo, fill, hole


def fine_energy(image: np.ndarray, where: np.ndarray) -> float:
    return float(np.abs(image - low_pass(image, SMOOTH_FACTOR))[where].mean())


def test_grain_comes_back_where_the_surroundings_are_grainy():
    photo, fill, hole = grass_and_sky()
    out = fill + context_texture(photo, fill, hole)
    left, right = hole.copy(), hole.copy()
    left[:, 72:] = False     # the grass part of the hole, away from the boundary
    right[:, :88] = False    # the sky part
    known_grass = ~hole
    known_grass[:, 72:] = False
    assert fine_energy(fill, left) < 0.2 * fine_energy(photo, known_grass)  # the fill was smooth
    assert fine_energy(out, left) > 0.6 * fine_energy(photo, known_grass)   # now it has the grain
    assert fine_energy(out, right) < 0.01                                   # and the sky stays flat


def test_nothing_changes_outside_the_hole_and_colours_stay():
    photo, fill, hole = grass_and_sky()
    delta = context_texture(photo, fill, hole)
    assert delta.shape == fill.shape and delta.dtype == np.float32
    assert not delta[~hole].any()
    # Fine detail only: the mean colour of the grass part of the hole barely moves.
    assert np.abs(delta[48:80, 16:72].mean(axis=(0, 1))).max() < 0.01


def test_no_repeating_pattern_in_the_pasted_detail():
    photo, fill, hole = grass_and_sky()
    delta = context_texture(photo, fill, hole)[52:76, 20:68]
    for lag in (PATCH // 2, PATCH):  # the patch stride and size: copies of one patch would repeat at these
        same = np.abs(delta[:, lag:] - delta[:, :-lag]).mean(axis=2) < 1e-4
        assert same.mean() < 0.05


def test_deterministic_and_seeded():
    photo, fill, hole = grass_and_sky()
    assert np.array_equal(context_texture(photo, fill, hole), context_texture(photo, fill, hole))
    first, second = (context_texture(photo, fill, hole, seed=s) for s in (0, 1))
    assert not np.array_equal(first, second)


def test_no_known_patch_or_tiny_crop_gives_zeros():
    photo, fill, _ = grass_and_sky()
    assert not context_texture(photo, fill, np.ones((128, 160), bool)).any()
    small = photo[:5, :5]
    assert not context_texture(small, small, np.ones((5, 5), bool)).any()
