"""Seam metric for tiles (NumPy only).

``seam_ratio(tile)`` = mean |difference between neighbouring pixels across the wrap border| (last
column vs first column, last row vs first row) divided by the same mean over all neighbouring pixel
pairs inside the tile. A tile that wraps without a visible border scores about 1; a non-periodic
crop of a photo or texture typically scores several times more. The issue's bar: ≤ 1.2.
"""

from __future__ import annotations

import numpy as np


def seam_ratio(tile: np.ndarray) -> float:
    """Wrap-border / interior mean absolute neighbour difference of an H×W(×C) image."""
    x = np.asarray(tile, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    border = np.concatenate([np.abs(x[:, 0] - x[:, -1]).ravel(), np.abs(x[0] - x[-1]).ravel()])
    interior = np.concatenate([np.abs(np.diff(x, axis=1)).ravel(), np.abs(np.diff(x, axis=0)).ravel()])
    return float(border.mean() / max(interior.mean(), 1e-12))
