"""Stylize: fast neural style transfer with one network for five paintings (conditional instance norm).

Steps: style weights from (style, style2, blend) → resize to the internal resolution chosen by
``stroke_scale`` → normalisation statistics of the whole (downscaled) image → tiled run sharing those
statistics (no seams) → back to the image size → optional luminance-only transfer → mix with the
original by ``strength`` (and by the painted mask, when there is one).

With ``own_painting`` set, the network is not used: the image is repainted after that picture by
Gatys et al. optimisation at ``working_size`` (``gatys.py``), then resized back and mixed the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext
from plugins.runtime import ModelSession

from . import gatys
from .colour import fit_within, keep_chroma, resize
from .styles import STATS_LENGTH, style_weights

MODEL_FILE = "stylize.onnx"
# Side of the downscaled copy whose normalisation statistics every tile shares. Images whose internal
# size fits within it get their own exact statistics.
STATS_SIDE = 1024
MULTIPLE = 4  # the network downsamples twice by 2


MIN_SIDE = 32


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    strength = float(params["strength"])
    if strength <= 0.0:
        ctx.progress(1.0)
        return image.copy()
    height, width = image.shape[:2]
    if params["own_painting"]:
        stylised = resize(own_painting(ctx, image, params), (height, width))
    else:
        weights = style_weights(params["style"], params["style2"], float(params["blend"]))
        factor = 1.0 / float(params["stroke_scale"])
        internal_size = max(MULTIPLE, round(height * factor)), max(MULTIPLE, round(width * factor))
        stylised = stylise(ctx, ctx.model(MODEL_FILE), resize(image, internal_size), weights)
        stylised = resize(stylised, (height, width))
    if params["preserve_colours"]:
        stylised = keep_chroma(image, stylised)
    out = image + strength * (stylised - image)
    if mask is not None:
        out = image + mask[:, :, None] * (out - image)
    return np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)


def own_painting(ctx: FilterContext, image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Gatys et al. optimisation towards the user's painting, at the working size (gatys.py)."""
    painting, valid = gatys.load_painting(str(params["own_painting"]))
    photo = resize(image, fit_within(*image.shape[:2], int(params["working_size"])))
    return gatys.stylise_like(gatys.graphs_from(ctx.model), photo, painting, valid,
                              content_weight=float(params["photo_fidelity"]),
                              stroke_scale=float(params["stroke_scale"]), progress=ctx.progress,
                              check_cancel=ctx.cancel.raise_if_cancelled)


def stylise(ctx: FilterContext, session: ModelSession, image: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Run the network over ``image`` (any size) in tiles that share global normalisation statistics."""
    height, width = image.shape[:2]
    tile = ctx.tile or ctx.spec.tiling.tile
    stats_size = fit_within(height, width, STATS_SIDE)
    stats_image = resize(image, stats_size)
    whole, stats = run_network(session, stats_image, weights, None)
    if stats_size == (height, width) and max(height, width) <= tile:
        ctx.progress(1.0)
        return whole
    ctx.progress(0.05)
    overlap = min(ctx.spec.tiling.overlap, (tile - 1) // 2)  # a small user tile still works
    return ctx.run_tiled(image, lambda part: run_network(session, part, weights, stats)[0],
                         overlap=overlap, progress_range=(0.05, 1.0))


def run_network(session: ModelSession, image: np.ndarray, weights: np.ndarray,
                stats: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """One pass: H×W×3 → (H×W×3 stylised, measured statistics). ``stats=None`` uses the image's own."""
    height, width = image.shape[:2]
    # Reflect padding inside the network needs a few pixels at every scale: tiny inputs are padded
    # up to MIN_SIDE (and to a multiple of MULTIPLE) and cropped back afterwards.
    pad_h = max(-height % MULTIPLE, MIN_SIDE - height)
    pad_w = max(-width % MULTIPLE, MIN_SIDE - width)
    pad_h += -(height + pad_h) % MULTIPLE
    pad_w += -(width + pad_w) % MULTIPLE
    chw = np.transpose(image, (2, 0, 1))[None]
    if pad_h or pad_w:
        mode = "reflect" if min(height, width) > max(pad_h, pad_w) else "edge"
        chw = np.pad(chw, ((0, 0), (0, 0), (0, pad_h), (0, pad_w)), mode=mode)
    given = np.zeros((1, STATS_LENGTH), np.float32) if stats is None else stats
    mix = np.full((1, 1), 0.0 if stats is None else 1.0, dtype=np.float32)
    out, measured = session.run({"image": np.ascontiguousarray(chw, dtype=np.float32),
                                 "style_weights": weights, "norm_stats": given, "norm_stats_mix": mix})
    return np.transpose(out[0, :, :height, :width], (1, 2, 0)), measured

