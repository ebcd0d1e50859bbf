"""The compositor's shortcut for an opaque top layer gives exactly what full blending gives."""

from __future__ import annotations

import numpy as np
import pytest

from editor.compositing import LayerView, composite


def _layers(rng: np.random.Generator, top_alpha: np.ndarray, blend: str = "normal") -> list[LayerView]:
    bottom = rng.integers(0, 256, (32, 48, 4), dtype=np.uint8)
    middle = rng.integers(0, 256, (32, 48, 4), dtype=np.uint8)
    top = rng.integers(0, 256, (32, 48, 4), dtype=np.uint8)
    top[..., 3] = top_alpha
    return [LayerView(bottom), LayerView(middle, 0.7, "screen"), LayerView(top, 1.0, blend)]


def test_an_opaque_normal_top_layer_is_returned_as_it_is():
    rng = np.random.default_rng(0)
    layers = _layers(rng, np.full((32, 48), 255, np.uint8))
    assert np.array_equal(composite(layers, (32, 48)), layers[-1].pixels)


@pytest.mark.parametrize("blend", ["multiply", "overlay"])
def test_an_opaque_top_layer_in_another_mode_still_blends(blend):
    rng = np.random.default_rng(1)
    layers = _layers(rng, np.full((32, 48), 255, np.uint8), blend)
    assert not np.array_equal(composite(layers, (32, 48)), layers[-1].pixels)


def test_one_translucent_pixel_in_the_top_layer_shows_the_layers_below_there():
    rng = np.random.default_rng(2)
    alpha = np.full((32, 48), 255, np.uint8)
    alpha[5, 7] = 0
    layers = _layers(rng, alpha)
    out = composite(layers, (32, 48))
    below = composite(layers[:2], (32, 48))
    assert np.array_equal(out[5, 7], below[5, 7])
    mask = alpha == 255
    assert np.array_equal(out[mask], layers[-1].pixels[mask])
