"""The evaluations' one contact-sheet layout (models/contact_sheet.py)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from models.contact_sheet import GAP, HEADER, titled_grid


def test_cells_land_in_their_columns_and_rows_centred_when_narrower():
    red = np.zeros((10, 20, 3), np.uint8)
    red[..., 0] = 255
    blue = Image.new("RGB", (12, 14), (0, 0, 255))
    sheet = np.asarray(titled_grid([[red, blue], [blue, red]], ["a", "b"]))
    assert sheet.shape == (HEADER + (14 + GAP) * 2, 2 * 20 + GAP, 3)
    # row 1 (14 px high): the red cell at column 0, the blue one centred in column 1 (4 px in)
    assert tuple(sheet[HEADER + 5, 10]) == (255, 0, 0)
    assert tuple(sheet[HEADER + 5, 20 + GAP + 4 + 6]) == (0, 0, 255)
    assert tuple(sheet[HEADER + 5, 20 + GAP + 1]) == (255, 255, 255)
    # row 2 starts after the taller cell of row 1 and the gap
    top = HEADER + 14 + GAP
    assert tuple(sheet[top + 2, 4 + 6]) == (0, 0, 255)
    assert tuple(sheet[top + 2, 20 + GAP + 10]) == (255, 0, 0)
    # the title line is drawn in black in the header
    assert (sheet[:HEADER, :20].min(axis=2) < 128).any()
