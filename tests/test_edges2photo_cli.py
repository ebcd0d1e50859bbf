"""The shipped edges2photo filter end to end: ``main.py apply edges2photo DRAWING -o OUT``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from plugins import registry

ROOT = Path(__file__).resolve().parents[1]


def apply(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "apply", "edges2photo", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


@pytest.fixture(scope="module")
def drawing(tmp_path_factory) -> Path:
    """A 301×197 pen drawing: a house, the horizon and a sun, dark lines on white."""
    image = Image.new("RGB", (301, 197), "white")
    pen = ImageDraw.Draw(image)
    pen.line([(0, 130), (300, 120)], fill="black", width=3)
    pen.rectangle([60, 80, 150, 150], outline="black", width=3)
    pen.polygon([(55, 80), (105, 40), (155, 80)], outline="black", width=3)
    pen.ellipse([220, 20, 260, 60], outline="black", width=2)
    path = tmp_path_factory.mktemp("e2p") / "drawing.png"
    image.save(path)
    return path


def test_shipped_model_is_usable():
    entry = registry.get("edges2photo", refresh=True)
    assert entry.status == "ok", entry.reason
    assert entry.spec.input == "sketch" and entry.spec.output == "same"


def test_cli_output_has_the_drawing_size(drawing, tmp_path):
    out = tmp_path / "photo.png"
    result = apply(str(drawing), "-o", str(out))
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.size == (301, 197)
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    assert pixels.std() > 5.0  # a picture, not a flat fill


def test_cli_seed_changes_the_picture(drawing, tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.png"
        assert apply(str(drawing), "-o", str(out), "--set", f"seed={seed}").returncode == 0
        outs.append(np.asarray(Image.open(out).convert("RGB"), dtype=np.float32))
    assert np.abs(outs[0] - outs[1]).mean() > 1.0  # mean difference over 1/255 per channel


def test_cli_rejects_out_of_range_resolution(drawing, tmp_path):
    result = apply(str(drawing), "-o", str(tmp_path / "x.png"), "--set", "resolution=5000")
    assert result.returncode == 2 and "resolution" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_cli_colour_reference_moves_the_colours(drawing, tmp_path):
    reference = tmp_path / "sunset.png"
    sky = np.zeros((64, 64, 3), np.uint8)
    sky[:32] = (250, 120, 40)
    sky[32:] = (120, 30, 60)
    Image.fromarray(sky).save(reference)
    plain, tinted = tmp_path / "plain.png", tmp_path / "tinted.png"
    assert apply(str(drawing), "-o", str(plain)).returncode == 0
    result = apply(str(drawing), "-o", str(tinted), "--set", f"palette={reference}")
    assert result.returncode == 0, result.stderr
    red_minus_blue = [np.asarray(Image.open(p).convert("RGB"), np.float32) @ np.array([1.0, 0.0, -1.0])
                      for p in (plain, tinted)]
    assert red_minus_blue[1].mean() > red_minus_blue[0].mean() + 20  # clearly warmer


def test_cli_missing_colour_reference_is_a_clear_error(drawing, tmp_path):
    out = tmp_path / "x.png"
    result = apply(str(drawing), "-o", str(out), "--set", f"palette={tmp_path / 'nope.jpg'}")
    assert result.returncode == 2 and "colour reference" in result.stderr and "not a file" in result.stderr
    assert not out.exists()
