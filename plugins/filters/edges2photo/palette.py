"""Colour hint for edges2photo: give the rendering the colours of a reference picture.

The generator alone cannot know whether a drawn hillside is green, ochre or snow-white, so it
hedges towards the average colour of its training photos (a muted khaki). The hint resolves that
ambiguity after the network has drawn: the rendering's CIE L*a*b* statistics (mean and standard
deviation of each channel) are matched to those of a reference picture the user picks (Reinhard et
al. 2001, "Color transfer between images", in CIELAB instead of lαβ). Light stays where the network
put it (L is matched in mean and spread, not remapped), so shading and structure are the network's;
the palette is the reference's. The spread gain acts on a low-pass copy only: the rendering's
pixel-scale texture keeps its own amplitude, so its grain does not turn into coloured speckles.
This is a post-process, not a network input: the model was not trained with hints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from plugins.errors import ParamError
from plugins.imageio.load import load_image
from plugins.lab import lab_to_rgb_in_gamut, rgb_to_lab
from plugins.resample import low_pass

#: Each Lab channel's spread is multiplied by at most this much: a flat or near-grey rendering would
#: otherwise have its faint noise blown up into speckles.
MAX_SPREAD_GAIN = 4.0
#: The low-pass copy is the rendering shrunk by this factor (box) and blown up again (bicubic).
LOW_PASS_FACTOR = 16
#: The reference is measured at most this many pixels on its long side (statistics, not detail).
REFERENCE_SIDE = 256


def reference_rgb(path: str) -> np.ndarray:
    """The reference picture as float32 RGB 0..1, shrunk for measuring, transparent pixels dropped.

    Returns an N×3 array of the pixels that count (alpha ≥ 50 %)."""
    if not Path(path).is_file():
        raise ParamError(f"colour reference '{path}' is not a file")
    rgba = load_image(path).pixels
    small = Image.fromarray(rgba, "RGBA")
    small.thumbnail((REFERENCE_SIDE, REFERENCE_SIDE), Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.float32).reshape(-1, 4) / 255.0
    opaque = pixels[pixels[:, 3] >= 0.5, :3]
    if len(opaque) == 0:
        raise ParamError(f"colour reference '{path}' is fully transparent")
    return opaque


def lab_statistics(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of …×3 Lab values."""
    flat = lab.reshape(-1, 3).astype(np.float64)
    return flat.mean(axis=0), flat.std(axis=0)


def match_colours(rendering: np.ndarray, reference: np.ndarray, strength: float) -> np.ndarray:
    """``rendering`` (H×W×3, 0..1) with its Lab mean/spread moved ``strength`` (0..1) of the way to
    those of ``reference`` (any …×3 RGB 0..1). Returns float32 H×W×3 in sRGB gamut."""
    if strength <= 0.0:
        return rendering
    lab = rgb_to_lab(rendering).astype(np.float64)
    source_mean, source_std = lab_statistics(lab)
    target_mean, target_std = lab_statistics(rgb_to_lab(reference))
    gain = target_std / np.maximum(source_std, 1e-6)
    gain = np.minimum(gain, MAX_SPREAD_GAIN)
    smooth = low_pass(lab, LOW_PASS_FACTOR)
    matched = (smooth - source_mean) * gain + target_mean + (lab - smooth)
    mixed = lab + strength * (matched - lab)
    mixed[..., 0] = np.clip(mixed[..., 0], 0.0, 100.0)
    return lab_to_rgb_in_gamut(mixed[..., 0], mixed[..., 1:])
