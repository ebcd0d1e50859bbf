"""Tiling: tiled == untiled within 1/255 when the receptive field fits the overlap; no seams."""

import numpy as np
import pytest

from plugins.cancel import CancelToken
from plugins.errors import Cancelled
from plugins.tiling import run_tiled, tile_spans


def box_blur(image: np.ndarray, radius: int) -> np.ndarray:
    """Zero-padded box blur, the same maths as the ONNX fixture (radius 1)."""
    k = 2 * radius + 1
    padded = np.pad(image, ((radius, radius), (radius, radius), (0, 0)))
    out = np.zeros_like(image)
    for dy in range(k):
        for dx in range(k):
            out += padded[dy:dy + image.shape[0], dx:dx + image.shape[1]]
    return out / (k * k)


@pytest.mark.parametrize("length, tile, overlap", [(10, 64, 8), (64, 64, 8), (65, 64, 8), (300, 64, 16)])
@pytest.mark.parametrize("align", [1, 8])
def test_tile_spans_cover_everything(length, tile, overlap, align):
    spans = tile_spans(length, tile, overlap, align)
    assert spans[0][0] == 0 and sum(spans[-1]) == length
    for (a, size), (b, _) in zip(spans, spans[1:]):
        assert size == tile and a + tile - b >= overlap       # each seam keeps the overlap
    assert all(start % align == 0 for start, _ in spans)
    assert spans[-1][1] < tile + align


def strided_pool(image: np.ndarray) -> np.ndarray:
    """A toy strided network: 4×4 mean pooling (stride 4), then nearest upsampling back (the input
    edge-padded to a multiple of 4 and the result cropped, as the filters do)."""
    height, width = image.shape[:2]
    padded = np.pad(image, ((0, -height % 4), (0, -width % 4), (0, 0)), mode="edge")
    h, w = padded.shape[:2]
    pooled = padded.reshape(h // 4, 4, w // 4, 4, -1).mean(axis=(1, 3))
    return pooled.repeat(4, axis=0).repeat(4, axis=1)[:height, :width]


def test_aligned_tiles_see_the_pixel_grid_of_the_whole_image():
    image = np.random.default_rng(3).random((156, 212, 3), dtype=np.float32)
    whole = strided_pool(image)
    aligned = run_tiled(image, strided_pool, tile=48, overlap=16, align=4)
    assert np.abs(aligned - whole).max() < 1e-5
    shifted = run_tiled(image, strided_pool, tile=50, overlap=16)    # starts at multiples of 34
    assert np.abs(shifted - whole).max() > 0.1


@pytest.mark.parametrize("radius, overlap", [(1, 8), (2, 8), (4, 16)])
def test_tiled_equals_untiled_when_receptive_field_fits(radius, overlap):
    image = np.random.default_rng(1).random((157, 211, 3), dtype=np.float32)
    whole = box_blur(image, radius)
    tiled = run_tiled(image, lambda t: box_blur(t, radius), tile=48, overlap=overlap)
    assert np.abs(tiled - whole).max() <= 1.0 / 255.0


def test_scaled_tiling_matches_whole():
    image = np.random.default_rng(2).random((90, 70, 3), dtype=np.float32)

    def up(tile):
        return np.repeat(np.repeat(box_blur(tile, 1), 2, axis=0), 2, axis=1)

    assert np.abs(run_tiled(image, up, tile=32, overlap=8, scale=2) - up(image)).max() <= 1.0 / 255.0


def test_feathering_hides_seams_of_a_context_blind_network():
    """A per-tile brightness offset (worst case) must change smoothly, not jump at tile borders."""
    image = np.full((200, 200, 3), 0.5, dtype=np.float32)
    counter = iter(range(100))
    result = run_tiled(image, lambda t: t + 0.1 * (next(counter) % 2), tile=96, overlap=32)
    steps = np.abs(np.diff(result[:, :, 0], axis=1)).max()
    assert steps < 0.1 / 4  # a hard seam would jump by the full 0.1


def test_progress_per_tile_and_cancel_between_tiles():
    image = np.zeros((100, 100, 3), dtype=np.float32)
    seen = []
    run_tiled(image, lambda t: t, tile=40, overlap=8, progress=seen.append)
    assert len(seen) == 9 and seen[-1] == 1.0 and seen == sorted(seen)
    token = CancelToken()
    calls = []

    def fn(tile):
        calls.append(1)
        token.cancel()
        return tile

    with pytest.raises(Cancelled):
        run_tiled(image, fn, tile=40, overlap=8, cancel=token)
    assert len(calls) == 1


def test_wrong_tile_output_is_an_error():
    with pytest.raises(ValueError, match="returned"):
        run_tiled(np.zeros((100, 100, 3), np.float32), lambda t: t[:-1], tile=40, overlap=8)


def test_uint8_output_buffer_matches_float_result():
    image = np.random.default_rng(4).random((130, 150, 3), dtype=np.float32)
    float_result = run_tiled(image, lambda t: box_blur(t, 1), tile=48, overlap=8)
    out = np.zeros((130, 150, 4), np.uint8)
    view = run_tiled(image, lambda t: box_blur(t, 1), tile=48, overlap=8, out=out[:, :, :3])
    assert np.shares_memory(view, out)
    assert np.abs(out[:, :, :3].astype(int) - np.round(float_result * 255)).max() <= 1


def test_identity_tiles_leave_the_input_untouched():
    image = np.random.default_rng(5).random((100, 100, 3), dtype=np.float32)
    before = image.copy()
    result = run_tiled(image, lambda t: t, tile=40, overlap=8)
    assert np.array_equal(image, before)
    assert np.abs(result - image).max() < 1e-6


def _local_then_double(tile: np.ndarray) -> np.ndarray:
    """A 5×5 box mean (radius 2, zero padded), then ×2 nearest: a stand-in for a ×2 network."""
    return np.repeat(np.repeat(box_blur(tile, 2), 2, axis=0), 2, axis=1)


@pytest.mark.parametrize("out_dtype", [np.float32, np.uint8])
def test_exact_tiles_read_overlap_over_4_of_context_and_equal_the_whole(out_dtype):
    image = np.random.default_rng(3).random((45, 70, 3), dtype=np.float32)

    def run(tile: int, overlap: int) -> np.ndarray:
        out = np.zeros((90, 140, 3), out_dtype)
        fractions: list[float] = []
        run_tiled(image, _local_then_double, tile=tile, overlap=overlap, mode="exact", scale=2,
                  progress=fractions.append, out=out)
        assert fractions[-1] == 1.0 and fractions == sorted(fractions)
        return out

    whole = run(1000, 8)
    assert np.array_equal(run(16, 8), whole)          # margin 2 = the radius: exactly the whole result
    assert not np.array_equal(run(16, 0), whole)      # no margin: the tile borders differ


def test_exact_uint8_output_rounds_like_the_pipeline_and_leaves_the_input_untouched():
    image = np.random.default_rng(6).uniform(-0.2, 1.2, (50, 60, 3)).astype(np.float32)
    before = image.copy()
    out = np.zeros((50, 60, 3), np.uint8)
    run_tiled(image, lambda t: t, tile=16, overlap=8, mode="exact", out=out)  # returns views of its input
    assert np.array_equal(image, before)
    assert np.array_equal(out, (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))


def test_exact_mode_cancels_between_tiles():
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_tiled(np.zeros((40, 40, 3), np.float32), lambda t: t, tile=16, overlap=0, mode="exact",
                  cancel=token)


def test_plan_resolves_the_tile_once_and_split_halves_it():
    from plugins.contract import TilingSpec
    from plugins.tiling import plan

    blend = TilingSpec(mode="blend", tile=1024, overlap=192)
    assert plan(TilingSpec()) is None                                  # not tiled
    assert plan(blend).tile == 1024 and plan(blend, 256).tile == 256
    assert plan(blend, 256).overlap == 127                             # a small user tile still works
    first = plan(blend)
    assert first.split(3000, 2000).tile == 512                         # the tile it really used, halved
    assert first.split(800, 300).tile == 400                           # an image smaller than the tile
    assert first.split(3000, 2000).split(3000, 2000) is None           # 256 < 2 × 192 + 1
    exact = plan(TilingSpec(mode="exact", tile=256, overlap=32))
    assert exact.split(1000, 1000).tile == 128 and exact.split(1000, 1000).split(1000, 1000).tile == 64
    assert plan(TilingSpec(mode="exact", tile=64, overlap=32)).split(1000, 1000) is None
