"""What a filter may hand back: real, finite numbers of a pixel type, checked before they become pixels.

Converting NaN or infinity to uint8 silently gives a black or white image, and strings or complex
numbers fail somewhere deep in NumPy; a plugin returning them is broken, and the user is told so.
"""

from __future__ import annotations

import numpy as np

from plugins.errors import PluginError

#: Element types a filter may return: floats in 0..1, or uint8 in 0..255.
PIXEL_TYPES = (np.float32, np.float64, np.float16, np.uint8)
_ROWS_PER_CHECK = 256  # bounded temporary memory when checking a huge float result


def check_values(values: object, filter_id: str) -> np.ndarray:
    """``values`` as an ndarray when it holds finite numbers of an allowed type; PluginError otherwise."""
    if not isinstance(values, np.ndarray):
        raise PluginError(f"filter '{filter_id}' returned {type(values).__name__}, not an image array")
    if not any(values.dtype == kind for kind in PIXEL_TYPES):
        raise PluginError(f"filter '{filter_id}' returned values of type {values.dtype}; expected float32 "
                          f"in 0..1 (or uint8)")
    if values.dtype != np.uint8 and not all_finite(values):
        raise PluginError(f"filter '{filter_id}' returned NaN or infinite values")
    return values


def all_finite(values: np.ndarray) -> bool:
    """Whether every element is finite, checked a band of rows at a time (no full-size boolean copy)."""
    if values.ndim == 0 or values.shape[0] <= _ROWS_PER_CHECK:
        return bool(np.isfinite(values).all())
    return all(bool(np.isfinite(values[top:top + _ROWS_PER_CHECK]).all())
               for top in range(0, values.shape[0], _ROWS_PER_CHECK))
