"""Training pairs: BSDS500 boundaries, orientation repair, augmented crops in the network's convention."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.edges2photo.data import bsds_pairs
from models.edges2photo.pairs import align_to_boundaries, build_entry, render_human, sample_batch

ROTATED_TRAIN_PHOTO = "100080"  # stored rotated by 90° in this copy of BSDS500; its ground truth is upright


needs_bsds = pytest.mark.needs_data("bsds500", "bsds500_truth")


@pytest.fixture(scope="module")
def entry():
    pairs = {image.stem: (image, mat) for image, mat in bsds_pairs("train")}
    return build_entry(*pairs[ROTATED_TRAIN_PHOTO])


@needs_bsds
def test_splits_are_complete():
    assert [len(bsds_pairs(split)) for split in ("train", "test", "val")] == [200, 200, 100]
    assert all(Path(mat).exists() for _, mat in bsds_pairs("val"))


@needs_bsds
def test_rotated_photo_is_turned_upright(entry):
    assert entry.photo.shape[:2] == entry.human.shape == (481, 321)
    assert 5 <= entry.annotators <= 7
    # Human boundaries lie on strong image gradients only when photo and boundaries are aligned.
    gray = entry.photo.astype(np.float32).mean(axis=2)
    gradient = np.hypot(*np.gradient(gray))
    assert gradient[entry.human > 0].mean() > 1.5 * gradient.mean()


def test_align_rejects_unrelated_shapes():
    with pytest.raises(ValueError):
        align_to_boundaries(np.zeros((10, 20, 3), np.uint8), np.zeros((11, 20), np.uint8))


def test_render_human_polarity_and_thickness():
    count = np.zeros((20, 20), np.uint8)
    count[10, 3:17] = 2
    thin, thick = render_human(count, 1, 1), render_human(count, 1, 3)
    assert thin[0, 0] == 1.0 and thin[10, 10] == 0.0
    assert (thick == 0).sum() > 2 * (thin == 0).sum()
    assert np.all(render_human(count, 3, 1) == 1.0)  # fewer annotators than required: nothing drawn


@needs_bsds
def test_sample_batch_shapes_and_ranges(entry):
    sketches, photos = sample_batch([entry], np.random.default_rng(0), 6, 96)
    assert sketches.shape == (6, 1, 96, 96) and photos.shape == (6, 3, 96, 96)
    assert sketches.min() >= -1.0 - 1e-5 and sketches.max() <= 1.0 + 1e-5
    assert photos.min() >= -1.0 - 1e-5 and photos.max() <= 1.0 + 1e-5
    assert (sketches > 0).mean() > 0.6  # paper (1) dominates; ink is −1
