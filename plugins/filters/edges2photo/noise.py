"""The generator's ``noise`` input: seeded dropout gains (see models/nets/edges2photo.py)."""

from __future__ import annotations

import numpy as np

#: Width of the generator's ``noise`` input (its two innermost decoder blocks, 128 + 128 channels);
#: models/edges2photo/export.py checks the exported graph against it.
NOISE_CHANNELS = 256


def dropout_gains(channels: int, seed: int, variation: float) -> np.ndarray:
    """1×``channels`` float32 gains ``1 + v·(2b − 1)`` for a seeded Bernoulli(0.5) draw ``b``.

    ``v = 1`` is the training-time inverted dropout (gains 0 or 2), ``v = 0`` its expectation (all 1).
    """
    draw = np.random.default_rng(seed).random(channels) < 0.5
    gains = 1.0 + float(variation) * (2.0 * draw.astype(np.float32) - 1.0)
    return gains[None, :].astype(np.float32)
