"""NumPy helpers for the inpaint filter: the feathered blend weight, grain, smooth interpolation."""

from __future__ import annotations

import numpy as np

from plugins.resample import resize


def _shift_min(a: np.ndarray) -> np.ndarray:
    """3×3 minimum filter (edge pixels see the replicated border)."""
    p = np.pad(a, 1, mode="edge")
    out = a.copy()
    h, w = a.shape
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            np.minimum(out, p[dy:dy + h, dx:dx + w], out=out)
    return out


def _max_filter(a: np.ndarray, radius: int) -> np.ndarray:
    """Square maximum filter of the given radius, separable."""
    out = a.copy()
    for axis in (0, 1):
        src = out.copy()
        for shift in range(1, radius + 1):
            lo = [slice(None), slice(None)]
            hi = [slice(None), slice(None)]
            lo[axis], hi[axis] = slice(shift, None), slice(None, -shift)
            np.maximum(out[tuple(lo)], src[tuple(hi)], out=out[tuple(lo)])
            np.maximum(out[tuple(hi)], src[tuple(lo)], out=out[tuple(hi)])
    return out


def feather_weight(hole: np.ndarray, feather: int) -> np.ndarray:
    """Blend weight inside the hole: ramps from the hole's edge inwards over ``feather`` pixels.

    Only hole pixels get a weight > 0, so nothing outside the mask changes. A stroke thinner than
    twice the feather would never reach full weight with a plain ramp (a painted-over wire would
    stay half visible), so the ramp length is capped by the local half-width of the hole: the
    centre line of any stroke is always fully replaced.
    """
    weight = hole.astype(np.float32)
    if feather <= 0 or not hole.any():
        return weight
    depth = np.zeros(hole.shape, np.float32)  # chessboard distance to the outside, capped at feather
    inside = hole.copy()
    for _ in range(feather):
        depth += inside
        inside = _shift_min(inside)
        if not inside.any():
            break
    local = _max_filter(depth, feather)
    return np.clip(depth / np.maximum(local, 1.0), 0.0, 1.0) * hole


def grain(image: np.ndarray, smooth: np.ndarray, known: np.ndarray, seed: int = 0) -> np.ndarray:
    """Gaussian noise with the per-channel strength of the image's fine detail around the hole.

    ``smooth`` is the image after the same down/up-sampling the fill went through, so
    ``image − smooth`` is exactly the detail that resampling removed; its spread over the known
    pixels says how much grain an upsampled fill lacks.
    """
    detail = (image - smooth)[known]
    if detail.size == 0:
        return np.zeros_like(image)
    std = detail.std(axis=0).astype(np.float32)
    rng = np.random.default_rng(seed)
    return rng.standard_normal(image.shape, dtype=np.float32) * std


def smooth_fill(values: np.ndarray, known: np.ndarray, cell: int) -> np.ndarray:
    """A smooth H×W×C field that follows ``values`` on the known pixels and interpolates the rest.

    ``values`` is averaged over ``cell``×``cell`` blocks of known pixels (so fine texture is left
    out), the blocks without any known pixel are filled from ever coarser averages (push-pull), and
    the grid is enlarged back to H×W. A cheap stand-in for a membrane (Laplace) interpolation.
    """
    height, width = known.shape
    grid_h, grid_w = max(1, -(-height // cell)), max(1, -(-width // cell))
    weight = known.astype(np.float32)
    cover = resize(weight, (grid_h, grid_w), "box")
    summed = resize(values * weight[:, :, None], (grid_h, grid_w), "box")
    mean = summed / np.maximum(cover, 1e-6)[:, :, None]
    return resize(_push_pull(mean, cover), (height, width), "bicubic")


def _push_pull(mean: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """Fill the cells of ``mean`` whose ``cover`` is 0 from a half-size version of the grid."""
    hole = cover <= 1e-6
    if not hole.any():
        return mean
    if not (~hole).any():
        return np.zeros_like(mean)
    height, width = cover.shape
    if height == 1 and width == 1:
        return mean
    half_h, half_w = -(-height // 2), -(-width // 2)
    coarse_cover = resize(cover, (half_h, half_w), "box")
    coarse_sum = resize(mean * cover[:, :, None], (half_h, half_w), "box")
    coarse = _push_pull(coarse_sum / np.maximum(coarse_cover, 1e-6)[:, :, None], coarse_cover)
    return np.where(hole[:, :, None], resize(coarse, (height, width), "bicubic"), mean)
