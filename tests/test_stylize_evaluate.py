"""The stylize benchmark on one BSD100 photo through the real pipeline, and the table it writes."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from models.stylize.evaluate import evaluate, markdown  # noqa: E402
from plugins.filters.stylize.styles import STYLES  # noqa: E402


def test_every_style_is_scored_against_its_painting_and_the_photo():
    rows = evaluate(limit=1)
    assert set(rows) == {*STYLES, "photo"}
    for style in STYLES:
        row = rows[style]
        assert 0.0 < row["style_error"] < 1.0          # relative Gram error; an unrelated image is ~1
        assert 0.1 < row["ssim"] < 0.95                # shapes kept, pixels repainted
        assert 0.0 <= row["lines"] <= 1.0 and 0.0 < row["painting_lines"] < 0.5
        assert row["peaks"] > 1.0 and 1.0 < row["painting_peaks"] < 3.0
    table = markdown(rows, 1)
    assert table.count("\n| ") == 1 + len(STYLES)  # separator row + one per style
    assert "BSD100 (1 photos" in table
