"""The stylize filter: parameters, strength, blend, colour preservation, tiling, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plugins import registry
from plugins.filters.stylize.colour import keep_chroma, luma
from plugins.filters.stylize.styles import STYLES, style_weights
from plugins.pipeline import apply_filter

ROOT = Path(__file__).resolve().parents[1]
RGB_TO_CBCR = np.array([[-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], np.float32)


def _photo(height: int = 72, width: int = 96) -> np.ndarray:
    """A smooth mid-tone colour image (RGBA uint8) with an edge, away from clipping."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([0.3 + 0.4 * x / width, 0.35 + 0.3 * y / height, 0.5 + 0.2 * (x > width / 2)], axis=2)
    out = np.full((height, width, 4), 255, np.uint8)
    out[:, :, :3] = (rgb * 255).astype(np.uint8)
    return out


@pytest.fixture(scope="module")
def entry():
    found = registry.get("stylize", refresh=True)
    if found.status != "ok":
        pytest.skip(f"stylize model not available: {found.reason}")
    return found


def test_manifest_choices_match_the_network_order():
    spec = registry.get("stylize", refresh=True).spec
    assert spec.param("style").choices == STYLES
    assert spec.param("style2").choices == ("none", *STYLES)
    assert len(spec.param("style").thumbnails) == len(STYLES)


def test_style_weights():
    assert np.array_equal(style_weights("wave"), np.eye(5, dtype=np.float32)[2:3])
    assert np.allclose(style_weights("wave", "udnie", 0.25), [[0, 0, 0.75, 0, 0.25]])
    assert np.array_equal(style_weights("udnie", "none", 0.7), np.eye(5, dtype=np.float32)[4:5])


def test_keep_chroma_keeps_cb_cr_and_takes_luma():
    rng = np.random.default_rng(0)
    original = rng.uniform(0.3, 0.7, (8, 8, 3)).astype(np.float32)
    stylised = rng.uniform(0.3, 0.7, (8, 8, 3)).astype(np.float32)
    mixed = keep_chroma(original, stylised)
    assert np.allclose(mixed @ RGB_TO_CBCR.T, original @ RGB_TO_CBCR.T, atol=1e-5)
    assert np.allclose(luma(mixed), luma(stylised), atol=1e-5)


def test_strength_zero_returns_the_input(entry):
    px = _photo()
    assert np.array_equal(apply_filter(entry, px, params={"strength": 0.0}), px)


def test_blend_zero_equals_the_first_style_alone(entry):
    px = _photo()
    alone = apply_filter(entry, px, params={"style": "wave"})
    blended = apply_filter(entry, px, params={"style": "wave", "style2": "udnie", "blend": 0.0})
    other = apply_filter(entry, px, params={"style": "udnie"})
    assert np.array_equal(alone, blended)
    assert np.abs(alone.astype(int) - other).mean() > 2


def test_preserve_colours_keeps_chroma(entry):
    px = _photo()
    out = apply_filter(entry, px, params={"style": "the_scream", "preserve_colours": True})
    rgb_in, rgb_out = px[:, :, :3] / 255.0, out[:, :, :3] / 255.0
    unclipped = (out[:, :, :3].min(axis=2) > 2) & (out[:, :, :3].max(axis=2) < 253)
    cbcr_in, cbcr_out = rgb_in @ RGB_TO_CBCR.T, rgb_out @ RGB_TO_CBCR.T
    assert unclipped.mean() > 0.5
    assert np.abs(cbcr_in - cbcr_out)[unclipped].max() < 3 / 255
    assert np.abs(luma(rgb_in) - luma(rgb_out)).mean() > 0.02  # it did stylise the light


def test_tiled_run_has_no_seams(entry):
    px = np.asarray(Image.open(ROOT / "resources" / "sample.png").convert("RGBA").resize((480, 320)))
    whole = apply_filter(entry, px, params={"style": "starry_night"}).astype(int)
    tiled = apply_filter(entry, px, params={"style": "starry_night"}, tile=256).astype(int)
    assert np.abs(whole - tiled).mean() < 6


def test_cli_apply(entry, tmp_path):
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(_photo()).save(src)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "apply", "stylize", str(src), "-o",
                           str(dst), "--set", "style=the_scream", "--set", "strength=0.8"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = np.asarray(Image.open(dst))
    assert out.shape[:2] == (72, 96)
    assert np.abs(out[:, :, :3].astype(int) - _photo()[:, :, :3]).mean() > 2


def test_the_network_size_needs_come_from_the_manifest():
    """A network that needs multiples of 16 instead of 8 is a manifest edit: the filter pads to what
    the manifest entry says."""
    import dataclasses

    from plugins.filters.stylize.filter import run_network
    from plugins.filters.stylize.styles import STATS_LENGTH

    declared = registry.get("stylize").spec.model("network")
    assert (declared.multiple_of, declared.min_side) == (8, 32)
    seen: list[tuple[int, ...]] = []

    class SixteenNetwork:
        ref = dataclasses.replace(declared, multiple_of=16)

        def run(self, feeds):
            seen.append(feeds["image"].shape)
            return [feeds["image"], np.zeros((1, STATS_LENGTH), np.float32)]

    image = np.random.default_rng(0).random((37, 50, 3)).astype(np.float32)
    out, _ = run_network(SixteenNetwork(), image, style_weights("wave"), None)
    assert seen == [(1, 3, 48, 64)] and np.array_equal(out, image)
    run_network(SixteenNetwork(), image[:20, :9], style_weights("wave"), None)
    assert seen[-1] == (1, 3, 32, 32)                                   # min_side, then the multiple


@pytest.mark.parametrize("style", STYLES)
def test_borders_are_painted_like_the_interior(entry, style):
    """No stripes along the picture's borders (the network was fine-tuned against them and runs in a
    reflected frame): the outer rows change from row to row hardly more than the interior does. Without
    the frame The Scream's outer rows change 1.46× as much as its interior; with it every style ≤ 1.21×."""
    out = apply_filter("stylize", _photo(160, 192), params={"style": style})[:, :, :3].astype(np.float32)
    row_steps = np.abs(np.diff(out, axis=0)).mean(axis=(1, 2))
    outer = np.concatenate([row_steps[:8], row_steps[-8:]]).mean()
    assert outer <= 1.3 * row_steps[16:-16].mean()
