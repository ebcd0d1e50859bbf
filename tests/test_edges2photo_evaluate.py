"""The edges2photo benchmark code on synthetic cases: the flat-canvas baseline, ratios, goals, the sheet."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from PIL import Image  # noqa: E402

from models.contact_sheet import GAP, HEADER  # noqa: E402
from models.edges2photo.evaluate import (  # noqa: E402
    Case,
    canny_drawing,
    contact_sheet,
    evaluate,
    flat_canvas,
    goals_met,
    results_table,
)
from models.features import FeatureNet  # noqa: E402


def synthetic_case(seed: int) -> Case:
    """A 96×128 'photo' (red sky over noisy green ground) and its drawings."""
    rng = np.random.default_rng(seed)
    photo = np.zeros((96, 128, 3), np.float32)
    photo[:40] = (200, 60, 40)
    photo[40:] = (40, 150, 50)
    photo = np.clip(photo + rng.normal(0, 25, photo.shape), 0, 255).astype(np.uint8)
    horizon = np.ones((96, 128), np.float32)
    horizon[39:41] = 0.0
    return Case(f"synthetic{seed}", None, photo, {"canny": canny_drawing(photo), "human": horizon})


@pytest.fixture(scope="module")
def net() -> FeatureNet:
    return FeatureNet(arch="vgg16", width=0.125, last_layer="relu5_3", preprocess="caffe", seed=1)


def test_flat_canvas_is_the_mean_colour_with_black_lines():
    case = synthetic_case(0)
    canvas = flat_canvas(case.drawings["human"], case)
    mean = case.photo.reshape(-1, 3).mean(axis=0)
    assert np.abs(canvas[0, 0].astype(float) - mean).max() <= 0.5
    assert canvas[40].max() == 0


def test_ratios_against_the_flat_canvas_and_the_photos(net, tmp_path):
    cases = [synthetic_case(0), synthetic_case(1)]
    renderers = {"ours": lambda drawing, case: case.photo.copy(),                     # a perfect rendering
                 "candidate": lambda drawing, case: np.full_like(case.photo, 128)}    # a grey one
    scores, outputs = evaluate(cases, renderers, net)
    for kind in ("canny", "human"):
        assert scores[kind]["flat"]["distance_ratio"] == pytest.approx(1.0)
        perfect, grey = scores[kind]["ours"], scores[kind]["candidate"]
        assert perfect["distance"] < 1e-6 and perfect["sharpness"] == pytest.approx(1.0)
        assert perfect["colour_ratio"] == pytest.approx(1.0) and goals_met(perfect)
        assert grey["colourfulness"] == 0.0 and not goals_met(grey)
        assert len(outputs[kind]["ours"]) == 2
    table = results_table(scores, 2)
    assert "flat canvas" in table and "| canny |" in table and "not met" in table
    sheet = tmp_path / "sheet.png"
    contact_sheet(cases, outputs["human"], (0, 1, 5), sheet, height=40)
    with Image.open(sheet) as image:
        assert image.height == HEADER + 2 * (40 + GAP)  # header, two rows; row 5 does not exist


def test_a_runs_generator_renders_the_drawings_size_in_eight_bits():
    from models.edges2photo.evaluate import generator_renderer
    from models.nets.edges2photo_vgg import VGGEdgesGenerator

    torch.manual_seed(0)
    case = synthetic_case(0)
    drawing = case.drawings["human"][:90, :100]  # not a multiple of 16: padded with paper, then cropped
    out = generator_renderer(VGGEdgesGenerator(decoder=16, width=0.125))(drawing, case)
    assert out.shape == (90, 100, 3) and out.dtype == np.uint8
    assert out.std() > 0  # the horizon line shows
