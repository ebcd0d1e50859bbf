"""The styles the shipped network was trained on, in the order of its style-weights vector.

This tuple is the single source of truth: the training script (models/stylize) imports it, the
manifest's choices must list the same names (a test checks), and the ONNX input ``style_weights`` has
one column per entry.
"""

from __future__ import annotations

import numpy as np

STYLES: tuple[str, ...] = ("starry_night", "the_scream", "wave", "composition_vii", "udnie")
NO_STYLE = "none"
# Length of the network's ``norm_stats`` input (2 × the channels of all its normalisation layers);
# the export script refuses to write a model whose graph disagrees.
STATS_LENGTH = 3264


def style_weights(style: str, style2: str = NO_STYLE, blend: float = 0.0) -> np.ndarray:
    """The (1, S) float32 weights: one-hot ``style``, or ``(1−blend)·style + blend·style2``."""
    weights = np.zeros((1, len(STYLES)), dtype=np.float32)
    weights[0, STYLES.index(style)] += 1.0 - (blend if style2 != NO_STYLE else 0.0)
    if style2 != NO_STYLE:
        weights[0, STYLES.index(style2)] += blend
    return weights
