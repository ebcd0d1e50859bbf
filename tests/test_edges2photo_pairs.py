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


def test_hand_drawn_lines_stay_near_the_originals_and_paper_stays_white():
    from models.edges2photo.pairs import hand_drawn

    drawing = np.ones((120, 160), np.float32)
    drawing[60, 20:140] = 0.0
    drawing[20:100, 80] = 0.0
    rng = np.random.default_rng(3)
    for _ in range(10):
        sketch = hand_drawn(drawing, rng)
        assert sketch.shape == drawing.shape and sketch.dtype == np.float32
        assert sketch.min() >= 0.0 and sketch.max() <= 1.0
        ink = sketch < 0.7
        assert ink.sum() > 40                           # most of the stroke is still drawn
        far = np.ones_like(ink)
        far[50:71, :] = False
        far[:, 70:91] = False
        assert not (ink & far).any()                    # wobble is a few pixels, not a new line


def test_photos_without_boundaries_get_detector_drawings():
    from models.edges2photo.pairs import EdgeEntry, sample_pair

    rng = np.random.default_rng(0)
    photo = np.zeros((300, 400, 3), np.uint8)
    photo[:, 200:] = 255
    photo[100:200, 50:150] = (200, 30, 30)
    entry = EdgeEntry("synthetic", photo)
    for _ in range(12):
        drawing, crop = sample_pair(entry, rng, 96)
        assert drawing.shape == (96, 96) and crop.shape == (96, 96, 3)
        assert drawing.min() >= -1e-6 and drawing.max() <= 1.0 + 1e-6
