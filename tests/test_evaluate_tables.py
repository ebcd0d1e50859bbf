"""The figures of issue #22 as the evaluation scripts compute them: gain over the grey input and
colourfulness ratio (colorize), distance ratio and PSNR-Y gain against bicubic (upscale)."""

from __future__ import annotations

from models.colorize.evaluate import GRAY, POOLED, table
from models.upscale.evaluate import Scores, perceptual_table


def test_colorize_table_gives_the_gain_over_the_grey_input():
    results = {name: {GRAY: {"psnr": 22.0, "colour_ratio": 0.0, "seconds": 0.1, "count": n},
                      "ours": {"psnr": 23.5, "colour_ratio": 0.9, "seconds": 0.3, "count": n}}
               for name, n in (("BSD100", 100), (POOLED, 117))}
    text = table(results)
    assert "| ours | 23.50 (+1.50) / 0.90 | 23.50 (+1.50) / 0.90 | 0.30 |" in text
    assert f"{POOLED} (117)" in text


def test_upscale_perceptual_table_is_relative_to_bicubic():
    results = {}
    for set_name in ("Set5", "Set14", "BSD100", "held-out"):
        results[(4, set_name, "bicubic")] = Scores(psnr=[25.0, 27.0], distance=[2.0, 2.0])
        results[(4, set_name, "photo")] = Scores(psnr=[26.0, 27.5], distance=[1.0, 1.2])
    text = perceptual_table(results)
    assert "| ×4 | photo | 0.550× / +0.75 dB |" in text
    assert "bicubic" not in text.splitlines()[2]
