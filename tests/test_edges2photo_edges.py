"""Edge extraction (the app's NumPy/Pillow XDoG) and drawing normalisation: shapes, ranges, polarity."""

from __future__ import annotations

import numpy as np
import pytest

from plugins.filters.edges2photo.edges import (
    extract_edges,
    gaussian_blur,
    normalise_drawing,
    xdog,
)
from plugins.resample import resize


def square_photo(height: int = 120, width: int = 160) -> np.ndarray:
    """A dark square on a light background, RGB float32."""
    image = np.full((height, width, 3), 0.85, dtype=np.float32)
    image[30:90, 50:110] = 0.1
    return image


def test_gaussian_blur_keeps_constants_and_mass():
    flat = np.full((20, 30), 0.4, dtype=np.float32)
    assert np.allclose(gaussian_blur(flat, 2.0), 0.4, atol=1e-6)
    impulse = np.zeros((41, 41), dtype=np.float32)
    impulse[20, 20] = 1.0
    blurred = gaussian_blur(impulse, 1.5)
    assert blurred.sum() == pytest.approx(1.0, abs=1e-4)
    assert blurred[20, 20] == blurred.max() and blurred[20, 25] == pytest.approx(blurred[25, 20])


@pytest.mark.parametrize("shape", [(120, 160, 3), (37, 53, 3), (600, 90, 3), (64, 64)])
def test_extract_edges_shape_dtype_range(shape):
    image = np.random.default_rng(0).random(shape).astype(np.float32)
    edges = extract_edges(image)
    assert edges.shape == shape[:2] and edges.dtype == np.float32
    assert edges.min() >= 0.0 and edges.max() <= 1.0


def test_extract_edges_polarity_dark_lines_on_white():
    edges = extract_edges(square_photo())
    assert edges[5:20, 5:40].min() == pytest.approx(1.0)        # flat paper far from any edge stays white
    assert edges[28:33, 60:100].min() < 0.2                     # the square's top edge is inked
    assert edges[50:70, 70:90].min() == pytest.approx(1.0)      # inside the flat square: no ink
    assert (edges < 0.5).mean() < 0.15                          # mostly paper


def test_extract_edges_same_look_at_any_resolution():
    """Lines are drawn at a fixed working size, so a 4× larger photo gives the same drawing, scaled."""
    small = extract_edges(square_photo(120, 160))
    large = extract_edges(np.kron(square_photo(120, 160), np.ones((4, 4, 1), dtype=np.float32)))
    assert large.shape == (480, 640)
    assert np.abs(resize(large, (120, 160), clip=True) - small).mean() < 0.05


def test_xdog_blank_image_has_no_lines():
    assert np.all(xdog(np.full((50, 70), 0.3, dtype=np.float32)) == 1.0)


def test_line_weight_thickens_lines():
    thin = extract_edges(square_photo(), line_weight=0.7)
    bold = extract_edges(square_photo(), line_weight=2.0)
    assert (1 - bold).sum() > 1.5 * (1 - thin).sum()


def test_normalise_drawing_pencil_on_grey_paper():
    drawing = np.full((50, 80, 3), 0.75, dtype=np.float32)
    drawing[20:23, 10:70] = 0.35
    out = normalise_drawing(drawing)
    assert out.shape == (50, 80) and out.dtype == np.float32
    assert out[0, 0] == pytest.approx(1.0) and out[21, 40] == pytest.approx(0.0)


def test_normalise_drawing_blank_page_is_all_paper():
    assert np.all(normalise_drawing(np.full((10, 12, 3), 0.6, dtype=np.float32)) == 1.0)
