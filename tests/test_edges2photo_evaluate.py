"""The edges2photo benchmark code on synthetic pairs: metrics, the oracle-palette row, the sheet."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from models.edges2photo.evaluate import contact_sheet, evaluate, results_table
from models.edges2photo.pairs import EdgeEntry
from models.nets.edges2photo import UNetGenerator


def synthetic_entry(seed: int) -> EdgeEntry:
    """A 200×300 'photo' (red sky over green ground, noisy) whose boundary is the horizon."""
    rng = np.random.default_rng(seed)
    photo = np.zeros((200, 300, 3), np.float32)
    photo[:90] = (200, 60, 40)
    photo[90:] = (40, 150, 50)
    photo = np.clip(photo + rng.normal(0, 12, photo.shape), 0, 255).astype(np.uint8)
    human = np.zeros((200, 300), np.uint8)
    human[89:91] = 3
    return EdgeEntry(f"synthetic{seed}", photo, human, 3, [], [])


def test_evaluate_scores_generators_and_the_oracle_palette(tmp_path):
    torch.manual_seed(0)
    generators = {"l1": UNetGenerator().eval(), "gan": UNetGenerator().eval()}
    entries = [synthetic_entry(0), synthetic_entry(1)]
    means, outputs = evaluate(generators, entries)
    assert set(means) == {"l1", "gan", "gan_palette", "paired"}
    for name in ("l1", "gan", "gan_palette"):
        assert len(outputs[name]) == 2 and outputs[name][0].shape == (171, 256, 3)
        assert -1.0 <= means[name]["ssim"] <= 1.0 and means[name]["sharpness"] >= 0.0
    # An untrained generator's colours are far off; the photo's own palette brings them closer.
    assert means["gan_palette"]["l1"] < means["gan"]["l1"]
    table = results_table(means, 2)
    assert "oracle palette" in table and "of 2 images" in table
    sheet = tmp_path / "sheet.png"
    contact_sheet(entries, outputs, (0, 1, 5), sheet, height=40)
    with Image.open(sheet) as image:
        assert image.height == 2 * (40 + 4)  # row 5 does not exist and is skipped
        assert image.width > 5 * 40          # five tiles per row
