"""Texture for the inpainted hole: fine detail copied from the surroundings (contextual residuals).

A network trained with L1 fills a hole with the *average* of what could be there, which is smooth:
grass, bark or gravel come out as a soft wash. Yi et al. (2020, "Contextual residual aggregation
for ultra high-resolution image inpainting") add back detail taken from the known pixels: split the
picture into a smooth band and a residual (fine detail), find for every part of the hole the
context patches whose smooth band looks most like the network's fill there, and paste their
residuals into the hole. The network decides *what* goes where (colour, shading, structure); the
photo itself supplies the grain, so it has the photo's own look and amplitude.

Here the match is on small colour descriptors (2×2 block means of the smooth band) plus a penalty
on distance, so a patch of sky takes the grain of nearby sky, not of the far-away grass. One of the
few best matches is pasted, drawn at random (seeded): always taking the single best one would paste
the same source patch all over a smooth region, a repeating pattern; averaging several would
cancel their detail. Patches overlap by half and are blended with a raised-cosine window. Patches
from different places are uncorrelated, so a plain weighted average would be weaker where they
overlap than at patch centres — a visible grid. The blend is therefore variance-preserving
(Σ wᵢpᵢ / √Σ wᵢ², Heitz & Neyret 2018): equally strong everywhere.
"""

from __future__ import annotations

import numpy as np

from plugins.resample import low_pass

PATCH = 8  # patch side at the network's resolution; patches overlap by half
SMOOTH_FACTOR = 4  # the smooth band: shrunk by this factor (box) and enlarged back (bicubic)
#: Weight of the squared patch distance (in units of the crop's longer side) against the squared
#: colour difference (0..1 RGB per descriptor entry): 0.5 means a patch across the whole crop must
#: be a colour distance of about 0.7 better to win over an equally similar neighbour.
DISTANCE_WEIGHT = 0.5
CANDIDATES = 8  # each hole patch copies one of its this-many best matches, drawn at random
MAX_CONTEXT_PATCHES = 4096  # subsampled beyond this, to bound the distance matrix


def _window(size: int) -> np.ndarray:
    """A separable raised-cosine window; with stride size/2, shifted copies sum to a constant."""
    ramp = np.sin(np.pi * (np.arange(size) + 0.5) / size) ** 2
    return np.outer(ramp, ramp).astype(np.float32)


def _patch_corners(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-left corners of the half-overlapping patch grid, the last row/column flush with the edge."""
    def starts(length: int) -> np.ndarray:
        if length <= PATCH:
            return np.zeros(1, dtype=int)
        steps = list(range(0, length - PATCH + 1, PATCH // 2))
        if steps[-1] != length - PATCH:
            steps.append(length - PATCH)
        return np.array(steps)
    ys, xs = np.meshgrid(starts(height), starts(width), indexing="ij")
    return ys.ravel(), xs.ravel()


def _gather(image: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """N×PATCH×PATCH×C patches of ``image`` at the given corners."""
    offsets = np.arange(PATCH)
    rows = (ys[:, None] + offsets)[:, :, None]
    cols = (xs[:, None] + offsets)[:, None, :]
    return image[rows, cols]


def _descriptors(patches: np.ndarray) -> np.ndarray:
    """Means of the 2×2 quadrants of each smooth-band patch → N×(4·C)."""
    n, size, _, channels = patches.shape
    half = size // 2
    quads = patches.reshape(n, 2, half, 2, half, channels).mean(axis=(2, 4))
    return quads.reshape(n, -1)


def context_texture(image: np.ndarray, fill: np.ndarray, hole: np.ndarray, seed: int = 0) -> np.ndarray:
    """Detail for the hole of ``fill``, pasted from the known pixels of ``image``.

    ``image`` and ``fill`` are H×W×3 at the same (network) resolution: the photo (its hole pixels
    are ignored) and the network's colour-matched prediction. Returns the H×W×3 change to add to
    ``fill``: inside the hole, the pasted fine detail minus the network's own fine band (which it
    replaces); zero outside the hole, and zero everywhere when no patch is fully known.
    """
    height, width = hole.shape
    out = np.zeros_like(fill, dtype=np.float32)
    if height < PATCH or width < PATCH:
        return out
    composite = np.where(hole[:, :, None], fill, image).astype(np.float32)
    smooth = low_pass(composite, SMOOTH_FACTOR)
    residual = composite - smooth
    ys, xs = _patch_corners(height, width)
    touches = _gather(hole[:, :, None], ys, xs).reshape(len(ys), -1).any(axis=1)
    if touches.all() or not touches.any():
        return out
    source = np.flatnonzero(~touches)
    if len(source) > MAX_CONTEXT_PATCHES:
        source = source[np.linspace(0, len(source) - 1, MAX_CONTEXT_PATCHES).astype(int)]
    target = np.flatnonzero(touches)
    scale = 1.0 / max(height, width)
    features_src = _descriptors(_gather(smooth, ys[source], xs[source]))
    features_dst = _descriptors(_gather(smooth, ys[target], xs[target]))
    colour = ((features_dst[:, None, :] - features_src[None, :, :]) ** 2).sum(axis=2)
    distance = ((ys[target, None] - ys[None, source]) ** 2
                + (xs[target, None] - xs[None, source]) ** 2) * scale ** 2
    cost = colour + DISTANCE_WEIGHT * distance
    k = min(CANDIDATES, len(source))
    shortlist = np.argpartition(cost, k - 1, axis=1)[:, :k]
    pick = np.random.default_rng(seed).integers(0, k, len(target))
    best = source[shortlist[np.arange(len(target)), pick]]
    pasted = _gather(residual, ys[best], xs[best])
    window = _window(PATCH)[:, :, None]
    energy = np.zeros((height, width, 1), np.float32)
    for patch, y, x in zip(pasted, ys[target], xs[target]):
        out[y:y + PATCH, x:x + PATCH] += window * patch
        energy[y:y + PATCH, x:x + PATCH] += window ** 2
    covered = energy[:, :, 0] > 1e-6
    out[covered] = out[covered] / np.sqrt(energy[covered]) - residual[covered]
    out[~hole] = 0.0
    return out
