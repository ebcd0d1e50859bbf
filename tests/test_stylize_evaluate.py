"""The stylize benchmark: Johnson comparison on chicago.jpg and BSD100 checks through the real pipeline."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from models.features import FeatureNet  # noqa: E402
from models.stylize.evaluate import markdown, on_bsd100, versus_johnson  # noqa: E402
from plugins.filters.stylize.styles import STYLES  # noqa: E402

pytestmark = pytest.mark.needs_data("johnson2016", "bsds500")


def test_ours_and_johnsons_outputs_are_measured_and_tabulated():
    # A small random VGG16-shaped net drives the same code as the ImageNet one (CI does not fetch it).
    feat = FeatureNet(arch="vgg16", width=0.125, last_layer="relu4_3", preprocess="caffe")
    johnson = versus_johnson(feat)
    bsd = on_bsd100(limit=1)
    assert set(johnson) == set(STYLES) and set(bsd) == {*STYLES, "photo"}
    for style in STYLES:
        row = johnson[style]
        for key in ("style", "coarse", "content"):
            assert 0.0 < row[key] < 1e3 and 0.0 < row[f"johnson_{key}"] < 1e3
        assert row["style"] != row["johnson_style"]
        assert 0.1 < bsd[style]["ssim"] < 0.95 and 0.0 < bsd[style]["painting_lines"] < 0.5
    table = markdown(johnson, bsd, 1)
    assert table.count("\n| ") == 2 * (1 + len(STYLES))
    assert "BSD100 (1 photos" in table and "chicago" in table
