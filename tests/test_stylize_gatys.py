"""The stylize filter's "own painting" mode: Gatys et al. optimisation on the shipped ONNX graphs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from plugins.errors import Cancelled, ParamError
from plugins.filters.stylize import gatys
from plugins.luma import luma
from plugins.netcall import to_nchw
from plugins.pipeline import apply_filter
from plugins.vgg import WEIGHTS_FILE

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "filters" / "stylize"
TEXTURE = ROOT / "plugins" / "filters" / "texture"     # keeps the VGG16 weights both filters read


def shipped_graphs() -> gatys.GatysGraphs:
    def open_model(name: str):
        folder = TEXTURE if name == WEIGHTS_FILE else PLUGIN
        session = ort.InferenceSession(str(folder / name), providers=["CPUExecutionProvider"])
        return (lambda feeds: session.run(None, feeds), tuple(i.name for i in session.get_inputs()),
                tuple(o.name for o in session.get_outputs()))
    return gatys.make_graphs(open_model)


def photo(height: int = 64, width: int = 96) -> np.ndarray:
    """Float RGB: a dark blue sky over a light green field, with a soft horizon."""
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    sky, field = np.array([0.15, 0.2, 0.5], np.float32), np.array([0.5, 0.75, 0.3], np.float32)
    blend = 1 / (1 + np.exp(-(y - 0.5) * 20))
    return np.broadcast_to(sky + blend * (field - sky), (height, width, 3)).copy()


def painting(side: int = 96) -> np.ndarray:
    """Float RGB: orange and near-white diagonal stripes, 12 px wide."""
    y, x = np.mgrid[0:side, 0:side]
    stripe = ((x + y) // 12 % 2).astype(np.float32)[:, :, None]
    return np.array([0.9, 0.45, 0.1], np.float32) + stripe * np.array([0.05, 0.45, 0.8], np.float32)


def style_loss(graphs: gatys.GatysGraphs, image: np.ndarray, style: np.ndarray) -> float:
    """The step graph's Gram loss alone (content weight 0) of ``image`` against ``style``."""
    valid = np.ones((1, 1, *style.shape[:2]), np.float32)
    *targets, _ = graphs.targets({"image": to_nchw(style), "valid": valid})
    canvas, _ = gatys.padded_canvas(image)
    ones = np.ones((1, 1, *canvas.shape[:2]), np.float32)
    content = graphs.targets({"image": to_nchw(canvas), "valid": ones})[-1]
    feeds = {"x": to_nchw(canvas), "weights": gatys._relative(targets), "content": content,
             "content_weight": np.zeros(1, np.float32), **dict(zip(graphs.gram_inputs, targets))}
    return float(graphs.step(feeds)[0])


def test_result_takes_the_paintings_statistics_and_keeps_the_photos_layout():
    graphs, source, style = shipped_graphs(), photo(), painting()
    fractions: list[float] = []
    out = gatys.stylise_like(graphs, source, style, np.ones(style.shape[:2], np.float32),
                             content_weight=0.2, progress=fractions.append)
    assert out.shape == source.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    # issue #20's bar: at most half the photo's own distance (this tiny case gives 0.44)
    assert style_loss(graphs, out, style) < 0.5 * style_loss(graphs, source, style)
    # The painting's colours (orange/white, no blue-green), the photo's layout (sky above field).
    assert out[..., 0].mean() > source[..., 0].mean() + 0.2
    top, bottom = luma(out[:16]).mean(), luma(out[-16:]).mean()
    assert bottom > top + 0.05
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


def test_a_higher_photo_fidelity_stays_closer_to_the_photo():
    graphs, source, style = shipped_graphs(), photo(48, 64), painting(64)
    valid = np.ones(style.shape[:2], np.float32)
    loose, faithful = (gatys.stylise_like(graphs, source, style, valid, content_weight=weight)
                       for weight in (0.05, 2.0))
    assert np.abs(faithful - source).mean() < np.abs(loose - source).mean()


def test_palette_start_moves_colour_statistics_to_the_painting():
    start = gatys.palette_start(photo(), painting(), np.ones((96, 96), np.float32))
    want = painting().reshape(-1, 3).mean(axis=0)
    assert np.allclose(start.reshape(-1, 3).mean(axis=0), want, atol=0.06)


def test_total_variation_gradient_matches_finite_differences():
    image = np.random.default_rng(0).random((3, 5, 6))
    value, grad = gatys.total_variation(image)
    step = np.zeros_like(image)
    step[1, 2, 3] = 1e-6
    numeric = (gatys.total_variation(image + step)[0] - gatys.total_variation(image - step)[0]) / 2e-6
    assert numeric == pytest.approx(grad[1, 2, 3], rel=1e-5)
    assert gatys.total_variation(np.ones((3, 4, 4)))[0] == 0.0


def test_transparent_painting_pixels_are_not_measured():
    style = painting()
    valid = np.zeros(style.shape[:2], np.float32)
    valid[:, :48] = 1
    scaled, scaled_valid = gatys.scaled_painting(style, valid, 48)
    assert scaled.shape[:2] == (48, 48) and 0.4 < scaled_valid.mean() <= 0.5


def test_cancel_stops_the_optimisation():
    def cancel() -> None:
        raise Cancelled("cancelled")

    with pytest.raises(Cancelled):
        gatys.stylise_like(shipped_graphs(), photo(), painting(), np.ones((96, 96), np.float32),
                           content_weight=0.2, check_cancel=cancel)


def test_unusable_paintings_are_refused_with_a_message(tmp_path):
    with pytest.raises(ParamError, match="not a file"):
        gatys.load_painting(str(tmp_path / "missing.jpg"))
    clear = tmp_path / "clear.png"
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(clear)
    with pytest.raises(ParamError, match="opaque"):
        gatys.load_painting(str(clear))


def rgba(image: np.ndarray) -> np.ndarray:
    out = np.full((*image.shape[:2], 4), 255, np.uint8)
    out[..., :3] = (image * 255).round().astype(np.uint8)
    return out


def test_filter_runs_the_own_painting_mode_inside_the_mask_only(tmp_path):
    path = tmp_path / "stripes.png"
    Image.fromarray(rgba(painting())).save(path)
    source = rgba(photo(64, 96))
    mask = np.zeros((64, 96), np.float32)
    mask[:, 48:] = 1.0
    out = apply_filter("stylize", source, mask=mask,
                       params={"own_painting": str(path), "working_size": 256})
    assert np.array_equal(out[:, :48], source[:, :48])
    assert np.abs(out[:, 60:, :3].astype(int) - source[:, 60:, :3]).mean() > 20


def test_cli_own_painting(tmp_path):
    source, style, out = tmp_path / "photo.png", tmp_path / "painting.png", tmp_path / "out.png"
    Image.fromarray(rgba(photo(64, 96))).save(source)
    Image.fromarray(rgba(painting())).save(style)
    command = [sys.executable, str(ROOT / "main.py"), "apply", "stylize", str(source), "-o", str(out)]
    done = subprocess.run([*command, "--set", f"own_painting={style}"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (96, 64)
    missing = subprocess.run([*command, "--set", f"own_painting={tmp_path / 'nope.jpg'}"],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode != 0 and "not a file" in missing.stderr
