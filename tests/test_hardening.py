"""Reliability promises (design.md §8): every built-in filter on awkward inputs, and a save that is
killed half-way never damages the file that was there before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plugins import registry
from plugins.chain import works_on_region
from plugins.errors import ParamError
from plugins.imageio import load_image
from plugins.pipeline import apply_filter

ROOT = Path(__file__).resolve().parents[1]
def covered_ids() -> list[str]:
    """Every built-in filter found by discovery: a new folder under plugins/filters is covered with no
    edit here (its ``[test] fast`` parameters keep it quick)."""
    return [entry.id for entry in registry.builtin_filters()]


def fast_params(entry) -> dict[str, str]:
    return entry.spec.test.fast


def builtin(filter_id: str):
    entry = next((e for e in registry.builtin_filters() if e.id == filter_id), None)
    if entry is None or not entry.usable:
        pytest.skip(f"{filter_id} is not usable here ({entry.status_text() if entry else 'absent'})")
    return entry


def odd_images(tmp_path: Path) -> dict[str, Path]:
    """Files in the modes and shapes that break naive code."""
    rng = np.random.default_rng(0)
    files = {}

    def save(name: str, image: Image.Image, **kw) -> None:
        files[name] = tmp_path / name
        image.save(files[name], **kw)

    save("1x1.png", Image.new("RGB", (1, 1), (200, 30, 30)))
    save("7x13.png", Image.fromarray(rng.integers(0, 256, (13, 7, 3), dtype=np.uint8)))
    save("4097x3.png", Image.fromarray(rng.integers(0, 256, (3, 4097, 3), dtype=np.uint8)))
    rgba = rng.integers(0, 256, (40, 56, 4), dtype=np.uint8)
    save("rgba.png", Image.fromarray(rgba, "RGBA"))
    save("la.png", Image.fromarray(rng.integers(0, 256, (33, 41, 2), dtype=np.uint8), "LA"))
    save("gray16.png", Image.fromarray(rng.integers(0, 65536, (30, 50)).astype(np.uint16)))
    save("cmyk.jpg", Image.fromarray(rng.integers(0, 256, (36, 48, 4), dtype=np.uint8), "CMYK"))
    save("palette.png", Image.fromarray(rng.integers(0, 256, (31, 45, 3), dtype=np.uint8)).convert("P"))
    return files


@pytest.mark.parametrize("filter_id", covered_ids())
def test_every_filter_handles_awkward_inputs(filter_id, tmp_path):
    check_awkward_inputs(builtin(filter_id), tmp_path)


def check_awkward_inputs(entry, tmp_path: Path) -> None:
    """One filter on every odd file: a uint8 RGBA result of the right size with alpha kept, or (for a
    tiny input only) one clear sentence. A filter working on a region is given a mask."""
    for name, path in odd_images(tmp_path).items():
        loaded = load_image(path)
        height, width = loaded.pixels.shape[:2]
        mask = None
        if works_on_region(entry.spec) or entry.spec.test.mask:
            mask = np.zeros((height, width), np.float32)
            top, left = height // 3, width // 3
            mask[top: top + max(1, height // 3), left: left + max(1, width // 3)] = 1
        if name == "1x1.png" and mask is not None:
            mask[:] = 1  # a one-pixel image has nothing outside its mask
        try:
            result = apply_filter(entry, loaded.pixels, mask=mask, raw_params=fast_params(entry))
        except ParamError as exc:
            # Only a tiny input (under 16 px on a side) may be refused, with one clear sentence.
            assert min(height, width) < 16 and str(exc) and "\n" not in str(exc), f"{name}: {exc}"
            continue
        assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 4, name
        if entry.spec.output == "same" or mask is not None:
            assert result.shape[:2] == (height, width), name
            assert np.array_equal(result[:, :, 3], loaded.pixels[:, :, 3]), f"{name}: alpha not kept"


def _big_png(path: Path) -> None:
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 256, (1500, 2000, 3), dtype=np.uint8)).save(path, compress_level=1)


def test_killing_the_cli_during_a_save_keeps_the_old_file(test_plugins, tmp_path):
    """SIGKILL at several moments of a long apply+save: the target is always the old or the new
    complete image, never a partial file; no temp files are left where the user looks."""
    source = tmp_path / "big.png"
    _big_png(source)
    target = tmp_path / "out.png"
    Image.new("RGB", (10, 10), (1, 2, 3)).save(target)
    old = target.read_bytes()
    env = {**os.environ, "HOLST_PLUGIN_PATH": str(test_plugins)}
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "apply", "test_blur", str(source),
                                 "-o", str(target)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        if data != old:
            with Image.open(target) as im:
                im.load()
                assert im.size == (2000, 1500)
            old = data
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("big.png", "out.png")]
    assert all(name.startswith(".") for name in leftovers), leftovers
