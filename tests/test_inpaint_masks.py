"""The brush-mask generator: coverage range, binary values, determinism, variety."""

from __future__ import annotations

import numpy as np
import pytest

from models.inpaint.masks import COVERAGE, brush_mask, mask_batch


@pytest.mark.parametrize(("height", "width"), [(128, 128), (321, 481), (96, 200)])
def test_coverage_stays_in_range(height: int, width: int) -> None:
    masks = mask_batch(60, height, width, seed=3)
    cover = masks.mean(axis=(1, 2))
    assert cover.min() >= COVERAGE[0] and cover.max() <= COVERAGE[1]
    # The targets are drawn uniformly, so the masks really spread over the range.
    assert cover.max() - cover.min() > 0.25


def test_masks_are_binary_and_seeded() -> None:
    a = mask_batch(5, 128, 128, seed=11)
    b = mask_batch(5, 128, 128, seed=11)
    c = mask_batch(5, 128, 128, seed=12)
    assert set(np.unique(a)) <= {0.0, 1.0}
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_custom_coverage_range() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        m = brush_mask(100, 150, rng, coverage=(0.02, 0.08))
        assert 0.02 <= m.mean() <= 0.08


def test_strokes_have_thin_and_thick_parts() -> None:
    """Free-form strokes, not rectangles: hole widths vary within a mask set."""
    masks = mask_batch(20, 256, 256, seed=5).astype(bool)
    # Thin parts vanish under a 5×5 erosion; thick ones survive it.
    eroded = masks.copy()
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            eroded &= np.roll(np.roll(masks, dy, axis=1), dx, axis=2)
    thin_share = 1 - eroded.sum() / masks.sum()
    assert 0.1 < thin_share < 0.9
    assert eroded.any(axis=(1, 2)).all()


def test_artist_masks_cover_at_most_40_percent_and_take_object_shapes() -> None:
    from models.inpaint.masks import ARTIST_COVERAGE, artist_mask, segment_shapes

    segmentation = np.ones((60, 90), np.uint16)
    segmentation[10:40, 20:50] = 2                      # a square object (17 % of the image)
    yy, xx = np.mgrid[0:60, 0:90]
    segmentation[(yy - 45) ** 2 + (xx - 70) ** 2 < 100] = 3   # a round one
    shapes = segment_shapes(segmentation)
    assert sorted(s.shape for s in shapes) == [(19, 19), (30, 30)]  # the background (> 30 %) is left out
    rng = np.random.default_rng(1)
    masks = [artist_mask(128, 160, rng, shapes) for _ in range(80)]
    cover = np.array([m.mean() for m in masks])
    assert cover.min() >= ARTIST_COVERAGE[0] and cover.max() <= ARTIST_COVERAGE[1]
    assert cover.max() > 0.25 and cover.min() < 0.1     # small strokes and large areas both occur
    assert all(set(np.unique(m)) <= {0.0, 1.0} for m in masks)
