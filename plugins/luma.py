"""ITU-R BT.601 luma, the one weighting of R, G, B that every filter and metric here uses.

The same weights as JPEG's YCbCr and Pillow's "L" conversion: Y = 0.299 R + 0.587 G + 0.114 B.
"""

from __future__ import annotations

import numpy as np

LUMA_601 = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Y of an …×3 image (or the first three channels of …×4), float32, same range as the input."""
    return (np.asarray(rgb[..., :3], dtype=np.float32) @ LUMA_601).astype(np.float32, copy=False)
