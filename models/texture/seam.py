"""Seam metric for tiles (NumPy only).

``seam_ratio(tile)`` = mean |difference between neighbouring pixels across the wrap border| (last
column vs first column, last row vs first row) divided by the same mean over all neighbouring pixel
pairs inside the tile. A tile that wraps without a visible border scores about 1; a non-periodic
crop of a photo or texture typically scores several times more. The issue's bar: ≤ 1.2.

The ratio of one line pair fluctuates with the texture (for a strongly structured 1024² tile,
ordinary interior lines scored 0.73–1.23 when treated as the border), so ``wrap_percentile`` adds
the rank of the wrap border among all line positions: about 50 % means the border is an ordinary
line; a real seam ranks near 100 %.
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


def wrap_percentile(tile: np.ndarray) -> float:
    """Percentage of line positions k whose neighbour difference is below the wrap border's.

    Line k pairs column k with column k+1 and row k with row k+1 (indices wrap, so the last k is the
    border); its score is the mean of the two mean absolute differences.
    """
    x = np.asarray(tile, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    cols = np.abs(np.roll(x, -1, axis=1) - x).mean(axis=(0, 2))
    rows = np.abs(np.roll(x, -1, axis=0) - x).mean(axis=(1, 2))
    n = min(len(cols), len(rows))
    scores = (cols[len(cols) - n:] + rows[len(rows) - n:]) / 2.0
    return float((scores[:-1] < scores[-1]).mean() * 100.0)
