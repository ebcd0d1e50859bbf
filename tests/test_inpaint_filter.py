"""The inpaint filter: only masked pixels change, crops around the mask, feathering, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plugins.context import FilterContext
from plugins.pipeline import apply_filter
from plugins.registry import load_entry
from plugins.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "filters" / "inpaint"


@pytest.fixture(scope="module")
def entry():
    found = load_entry(PLUGIN, "builtin", "plugins.filters.inpaint")
    assert found.usable, found.reason
    return found


@pytest.fixture(scope="module")
def runtime() -> Runtime:
    return Runtime("cpu")


def _photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth, textured RGBA test picture (gradients plus noise)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack([xx / w, yy / h, 0.5 + 0.3 * np.sin(xx / 17) * np.cos(yy / 23)], axis=2)
    rgb = np.clip(rgb + rng.normal(0, 0.03, rgb.shape), 0, 1)
    return np.dstack([(rgb * 255).astype(np.uint8), np.full((h, w), 200, np.uint8)])


def test_only_masked_pixels_change(entry, runtime) -> None:
    pixels = _photo(150, 220)
    mask = np.zeros((150, 220), np.float32)
    mask[40:90, 60:140] = 1.0
    mask[100:104, 10:200] = 1.0  # a thin "wire"
    mask[20:30, 180:200] = 0.4  # a soft dab
    out = apply_filter(entry, pixels, mask=mask, runtime=runtime)
    assert out.shape == pixels.shape
    outside = mask == 0
    np.testing.assert_array_equal(out[outside], pixels[outside])
    np.testing.assert_array_equal(out[:, :, 3], pixels[:, :, 3])  # alpha kept
    assert (out[40:90, 60:140, :3] != pixels[40:90, 60:140, :3]).any()
    # The centre line of the thin stroke is fully replaced despite the feather.
    centre = out[102, 20:190, :3].astype(int)
    assert (centre != pixels[102, 20:190, :3]).mean() > 0.5


def test_fill_is_plausible_on_a_smooth_picture(entry, runtime) -> None:
    """On a gradient the fill continues the gradient far better than leaving a grey hole."""
    h, w = 128, 192
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack([xx / w, yy / h, np.full_like(xx, 0.4)], axis=2)
    pixels = np.dstack([(rgb * 255).astype(np.uint8), np.full((h, w), 255, np.uint8)])
    mask = np.zeros((h, w), np.float32)
    mask[40:80, 70:120] = 1
    out = apply_filter(entry, pixels, mask=mask, runtime=runtime, params={"feather": 0})
    err = np.abs(out[40:80, 70:120, :3].astype(float) - pixels[40:80, 70:120, :3]).mean()
    assert err < 20


def test_large_image_small_mask_runs_on_small_crops(entry, runtime, monkeypatch) -> None:
    h, w = 3000, 4000
    image = np.zeros((h, w, 3), np.float32)
    image[:] = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    mask = np.zeros((h, w), np.float32)
    mask[1500:1560, 2000:2100] = 1.0
    mask[50:70, 3800:3900] = 1.0  # a second, distant dab: its own crop
    seen: list[tuple[int, ...]] = []
    session = runtime.session(PLUGIN / "inpaint.onnx", entry.spec.models[0].sha256)
    original = session.run
    monkeypatch.setattr(session, "run", lambda feeds: seen.append(next(iter(feeds.values())).shape)
                        or original(feeds))
    ctx = FilterContext(entry, runtime)
    out = entry.module().run(ctx, image, mask, entry.spec.defaults())
    assert out.shape == image.shape
    assert len(seen) == 2
    assert all(s[2] * s[3] < 300 * 300 for s in seen)
    np.testing.assert_array_equal(out[mask == 0], image[mask == 0])


def test_big_mask_is_shrunk_to_the_working_size(entry, runtime, monkeypatch) -> None:
    image = np.random.default_rng(1).random((900, 1200, 3), dtype=np.float32)
    mask = np.zeros((900, 1200), np.float32)
    mask[200:700, 300:900] = 1.0
    seen = []
    session = runtime.session(PLUGIN / "inpaint.onnx", entry.spec.models[0].sha256)
    original = session.run
    monkeypatch.setattr(session, "run", lambda feeds: seen.append(next(iter(feeds.values())).shape)
                        or original(feeds))
    params = {**entry.spec.defaults(), "working_size": 256}
    out = entry.module().run(FilterContext(entry, runtime), image, mask, params)
    assert max(seen[0][2:]) <= 256 + 8
    np.testing.assert_array_equal(out[mask == 0], image[mask == 0])


def test_feather_weight_thin_strokes_and_zero_outside() -> None:
    from plugins.filters.inpaint.ops import feather_weight

    hole = np.zeros((40, 60), bool)
    hole[10:30, 5:35] = True  # thick
    hole[19:21, 40:58] = True  # 2 px wide
    wgt = feather_weight(hole, 4)
    assert (wgt[~hole] == 0).all()
    assert wgt[20, 20] == 1.0 and 0 < wgt[10, 20] < 0.5
    assert (wgt[19:21, 42:56] == 1.0).all()


def test_crop_boxes_split_distant_strokes_and_cover_the_hole() -> None:
    from plugins.filters.inpaint.regions import crop_boxes

    hole = np.zeros((600, 800), bool)
    hole[10:40, 10:60] = True
    hole[500:580, 700:790] = True
    hole[30:50, 70:90] = True  # close to the first: same crop
    boxes = crop_boxes(hole, 0.5)
    assert len(boxes) == 2
    covered = np.zeros_like(hole)
    for _crop, (t, left, b, r) in boxes:
        covered[t:b, left:r] = True
    assert covered[hole].all()


def test_cli_keeps_size(tmp_path: Path) -> None:
    src, mask_path, dst = tmp_path / "in.png", tmp_path / "mask.png", tmp_path / "out.png"
    pixels = _photo(90, 130, seed=3)
    Image.fromarray(pixels[:, :, :3]).save(src)
    mask = np.zeros((90, 130), np.uint8)
    mask[30:60, 40:90] = 255
    Image.fromarray(mask).save(mask_path)
    cmd = [sys.executable, str(ROOT / "main.py"), "apply", "inpaint", str(src), "-o", str(dst),
           "--mask", str(mask_path), "--provider", "cpu"]
    done = subprocess.run(cmd,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = np.asarray(Image.open(dst).convert("RGB"))
    assert out.shape == (90, 130, 3)
    np.testing.assert_array_equal(out[mask == 0], pixels[:, :, :3][mask == 0])


def test_texture_parameter_adds_the_photos_grain(entry, runtime) -> None:
    """With texture on, the fill of a grainy photo carries grain like its surroundings; 0 leaves it smooth."""
    pixels = _photo(160, 200, seed=3)
    mask = np.zeros((160, 200), np.float32)
    mask[50:110, 60:140] = 1.0
    inner = (slice(58, 102), slice(68, 132))

    def grain_of(rgb: np.ndarray) -> float:
        rgb = rgb.astype(np.float32)
        return float(np.abs(np.diff(rgb, axis=1)).mean())

    smooth = apply_filter(entry, pixels, mask=mask, runtime=runtime, params={"texture": 0.0})
    textured = apply_filter(entry, pixels, mask=mask, runtime=runtime, params={"texture": 1.0})
    photo_grain = grain_of(pixels[10:40, 10:190, :3])
    assert grain_of(textured[inner][:, :, :3]) > 1.5 * grain_of(smooth[inner][:, :, :3])
    assert grain_of(textured[inner][:, :, :3]) > 0.5 * photo_grain
    outside = mask == 0
    np.testing.assert_array_equal(textured[outside], pixels[outside])
