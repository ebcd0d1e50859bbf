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


def test_upscale_tables_leave_out_a_model_without_a_network_at_a_scale():
    from models.upscale.evaluate import quality_table

    results = {}
    for set_name in ("Set5", "Set14", "BSD100", "held-out"):
        for scale in (2, 4):
            results[(scale, set_name, "bicubic")] = Scores(psnr=[25.0], ssim=[0.7], distance=[2.0])
            results[(scale, set_name, "faithful")] = Scores(psnr=[26.0], ssim=[0.8], distance=[1.5])
        results[(4, set_name, "photo")] = Scores(psnr=[25.5], ssim=[0.75], distance=[1.0])  # ×4 only
    for text in (quality_table(results, None), perceptual_table(results)):
        rows = [line for line in text.splitlines() if line.startswith("| ×")]
        assert any(r.startswith("| ×4 | photo |") for r in rows)
        assert not any(r.startswith("| ×2 | photo |") for r in rows)
        assert any(r.startswith("| ×2 | faithful |") for r in rows)


def test_upscale_lattice_table_sets_each_model_beside_the_originals():
    from models.upscale.evaluate import lattice_table

    results = {}
    for scale in (2, 4):
        results[(scale, "held-out", "bicubic")] = Scores(lattice=[0.2, 0.4], lattice_original=[1.0, 2.0])
        results[(scale, "held-out", "faithful")] = Scores(lattice=[0.5], lattice_original=[1.0, 2.0])
    results[(4, "held-out", "photo")] = Scores(lattice=[3.0, 2.0], lattice_original=[1.0, 2.0])
    rows = [line for line in lattice_table(results).splitlines() if line.startswith("| ×")]
    assert rows == ["| ×2 | 1.50 | 0.30 | 0.50 | — |", "| ×4 | 1.50 | 0.30 | 0.50 | 2.50 |"]
