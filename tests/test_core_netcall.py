"""Network-call helpers: NCHW in/out, padding to a model's size needs and cropping back, fitting the
long side. Sizes are (h, w)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from plugins.netcall import fit_long_side, from_nchw, pad, padded_length, to_nchw


@dataclass
class Needs:
    multiple_of: int = 1
    min_side: int = 1


def test_nchw_round_trip_and_crop():
    image = np.random.default_rng(0).random((5, 7, 3)).astype(np.float64)
    batch = to_nchw(image)
    assert batch.shape == (1, 3, 5, 7) and batch.dtype == np.float32 and batch.flags.c_contiguous
    assert np.array_equal(from_nchw(batch), image.astype(np.float32))
    assert np.array_equal(from_nchw(batch, (3, 4)), image[:3, :4].astype(np.float32))
    assert to_nchw(image[:, :, 0]).shape == (1, 1, 5, 7)


@pytest.mark.parametrize("length, multiple, least, expected",
                         [(30, 4, 32, 32), (33, 4, 32, 36), (64, 64, 1, 64), (65, 64, 1, 128), (5, 8, 8, 8)])
def test_padded_length(length, multiple, least, expected):
    assert padded_length(length, multiple, least) == expected


def test_pad_reflects_falls_back_to_edge_and_takes_a_constant():
    image = np.arange(6 * 10, dtype=np.float32).reshape(6, 10)
    padded = pad(image, Needs(multiple_of=4), "reflect")
    assert padded.shape == (8, 12) and np.array_equal(padded[:6, :10], image)
    assert np.array_equal(padded[6, :10], image[4]) and np.array_equal(padded[:6, 10], image[:, 8])
    tiny = pad(image[:2, :3], Needs(multiple_of=4, min_side=8), "reflect")   # too small to mirror: edge
    assert tiny.shape == (8, 8) and np.all(tiny[2:, 0] == image[1, 0])
    paper = pad(image[:, :, None], Needs(multiple_of=8), 1.0)
    assert paper.shape == (8, 16, 1) and np.all(paper[6:] == 1.0) and np.all(paper[:, 10:] == 1.0)
    assert pad(image, Needs(multiple_of=2)) is image


def test_fit_long_side_returns_h_w():
    assert fit_long_side(300, 600, 256) == (128, 256)
    assert fit_long_side(600, 300, 256) == (256, 128)
    assert fit_long_side(100, 50, 256) == (256, 128)
    assert fit_long_side(100, 50, 256, enlarge=False) == (100, 50)
    assert fit_long_side(10, 1000, 100, minimum=32) == (32, 100)
