"""The shared pipeline: alpha, scaling, params, shape checks, plugin failures, cancellation."""

import threading
import time

import numpy as np
import pytest

from plugins.cancel import CancelToken
from plugins.errors import Cancelled, ParamError, PluginError
from plugins.pipeline import apply_filter, composite_by_mask


@pytest.fixture
def pixels():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (97, 131, 4), dtype=np.uint8)
    image[:, :, 3] = np.linspace(0, 255, 131, dtype=np.uint8)[None, :]
    return image


def test_same_size_filter_keeps_alpha_and_leaves_input_untouched(test_plugins, pixels):
    before = pixels.copy()
    out = apply_filter("test_blur", pixels)
    assert out.shape == pixels.shape and out.dtype == np.uint8
    assert np.array_equal(out[:, :, 3], pixels[:, :, 3])
    assert np.array_equal(pixels, before)
    assert not np.array_equal(out[:, :, :3], pixels[:, :, :3])


def test_scaled_filter_upscales_alpha_separately(test_plugins, pixels):
    out = apply_filter("test_double", pixels)
    assert out.shape == (194, 262, 4)
    assert abs(int(out[50, 0, 3]) - int(pixels[25, 0, 3])) <= 3
    assert abs(int(out[50, -1, 3]) - int(pixels[25, -1, 3])) <= 3


def test_tiled_run_equals_single_tile(test_plugins, pixels):
    small_tiles = apply_filter("test_blur", pixels, tile=64)
    one_tile = apply_filter("test_blur", pixels, tile=512)
    assert np.abs(small_tiles.astype(int) - one_tile).max() <= 1


def test_progress_reaches_one(test_plugins, pixels):
    seen = []
    apply_filter("test_blur", pixels, tile=64, progress=seen.append)
    assert seen[-1] == 1.0 and len(seen) > 2 and seen == sorted(seen)


def test_params_are_checked(test_plugins, pixels):
    with pytest.raises(ParamError, match="between 0 and 1"):
        apply_filter("test_blur", pixels, raw_params={"strength": "7"})
    with pytest.raises(ParamError, match="has no parameter"):
        apply_filter("test_blur", pixels, params={"bogus": 1})


def test_mask_size_must_match(test_plugins, pixels):
    with pytest.raises(ParamError, match="mask is"):
        apply_filter("test_blur", pixels, mask=np.ones((5, 5), np.float32))


def test_plugin_that_raises_is_a_clear_error(test_plugins, pixels):
    with pytest.raises(PluginError, match="test_raises.*RuntimeError: boom"):
        apply_filter("test_raises", pixels)


def test_plugin_with_wrong_shape_is_rejected(test_plugins, pixels):
    with pytest.raises(PluginError, match="wrong shape"):
        apply_filter("test_wrong_shape", pixels)


def test_hanging_plugin_stops_on_cancel(test_plugins, pixels):
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        apply_filter("test_hangs", pixels, cancel=token)
    assert time.monotonic() - started < 5


def test_cancel_mid_run_returns_nothing(test_plugins, pixels):
    token = CancelToken()
    calls = []

    def progress(fraction):
        calls.append(fraction)
        if len(calls) == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        apply_filter("test_blur", pixels, tile=64, progress=progress, cancel=token)


def test_composite_by_mask():
    before = np.zeros((2, 2, 4), np.uint8)
    after = np.full((2, 2, 4), 200, np.uint8)
    mask = np.array([[0, 1], [0.5, 0]], np.float32)
    out = composite_by_mask(before, after, mask)
    assert out[0, 0, 0] == 0 and out[0, 1, 0] == 200 and out[1, 0, 0] == 100


def test_filter_writing_into_the_output_buffer(test_plugins, pixels, tmp_path, monkeypatch):
    """The big-image path (uint8 buffer, no float copy of the output) gives the same pixels."""
    from plugins import registry

    entry = registry.get("test_double")
    expected = apply_filter(entry, pixels)
    module = entry.module()
    original = module.run

    def run_into_buffer(ctx, image, mask, params):
        def one_tile(tile):
            x = np.ascontiguousarray(tile.transpose(2, 0, 1)[None])
            return ctx.model("double").run({"image": x})[0][0].transpose(1, 2, 0)
        return ctx.run_tiled(image, one_tile, scale=2, to_uint8=True)

    monkeypatch.setattr(module, "run", run_into_buffer)
    result = apply_filter(entry, pixels)
    monkeypatch.setattr(module, "run", original)
    assert np.abs(result.astype(int) - expected).max() <= 1
    assert np.array_equal(result[:, :, 3], expected[:, :, 3])
