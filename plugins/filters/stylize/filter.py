"""Stylize: fast neural style transfer with one network for five paintings (conditional instance norm).

Steps: style weights from (style, style2, blend) → resize to the internal resolution chosen by
``stroke_scale`` → a frame of reflected picture around it → normalisation statistics of the whole
(downscaled) image → tiled run sharing those statistics (no seams) → frame cut off → back to the image
size → optional luminance-only transfer → mix with the original by ``strength`` (and by the painted mask,
when there is one).

With ``own_painting`` set, the network is not used: the image is repainted after that picture by
Gatys et al. optimisation at ``working_size`` (``gatys.py``), then resized back and mixed the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext, ModelHandle
from plugins.netcall import fit_long_side, from_nchw, pad, to_nchw
from plugins.resample import resize

from . import gatys
from .colour import keep_chroma
from .styles import STATS_LENGTH, style_weights

# Side of the downscaled copy whose normalisation statistics every tile shares. Images whose internal
# size fits within it get their own exact statistics.
STATS_SIDE = 1024
# Reflected margin (px at the internal resolution) put around the image before the network and cut
# off after. Networks trained without an edge term painted coloured stripes along their input's borders,
# about 30 px deep; the shipped one was fine-tuned against them (``--edge-weight``), and 8 px of frame
# take care of what is left: on 256² photos the outer 8 rows and columns then change from pixel to pixel
# 0.86× as much as the interior (no frame: 1.11×; the earlier model needed 32 px for 1.0×).
EDGE_MARGIN = 8


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    strength = params["strength"]
    if strength <= 0.0:
        ctx.progress(1.0)
        return image.copy()
    height, width = image.shape[:2]
    if params["own_painting"]:
        stylised = resize(own_painting(ctx, image, params), (height, width))
    else:
        weights = style_weights(params["style"], params["style2"], params["blend"])
        model = ctx.model("network")
        factor, least = 1.0 / params["stroke_scale"], model.ref.multiple_of
        internal_size = max(least, round(height * factor)), max(least, round(width * factor))
        stylised = stylise(ctx, model, resize(image, internal_size), weights)
        stylised = resize(stylised, (height, width))
    if params["preserve_colours"]:
        stylised = keep_chroma(image, stylised)
    out = image + strength * (stylised - image)
    if mask is not None:
        out = image + mask[:, :, None] * (out - image)
    return np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)


def own_painting(ctx: FilterContext, image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Gatys et al. optimisation towards the user's painting, at the working size (gatys.py)."""
    painting, valid = gatys.load_painting(params["own_painting"])
    size = fit_long_side(*image.shape[:2], params["working_size"], enlarge=False)
    photo = resize(image, size)
    graphs = gatys.graphs_from(ctx.model)
    return ctx.run_once(lambda: gatys.stylise_like(
        graphs, photo, painting, valid, content_weight=params["photo_fidelity"],
        stroke_scale=params["stroke_scale"], progress=ctx.progress,
        check_cancel=ctx.cancel.raise_if_cancelled))


def stylise(ctx: FilterContext, model: ModelHandle, image: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Run the network over ``image`` (any size) framed by ``EDGE_MARGIN`` px of reflected picture, in
    tiles that share global normalisation statistics; the frame is cut off after. The frame does not
    count against the sizes that decide on tiling (a 1024² image still runs in one pass)."""
    margin = EDGE_MARGIN
    framed = frame(image)
    height, width = framed.shape[:2]
    stats_size = fit_long_side(height, width, STATS_SIDE + 2 * margin, enlarge=False)
    stats_image = resize(framed, stats_size)
    whole, stats = ctx.run_once(lambda: run_network(model, stats_image, weights, None))
    assert ctx.tiler is not None  # the manifest declares [tiling]
    if stats_size == (height, width) and max(height, width) <= ctx.tiler.tile + 2 * margin:
        ctx.progress(1.0)
        out = whole
    else:
        ctx.progress(0.05)
        out = ctx.run_tiled(framed, lambda part: run_network(model, part, weights, stats)[0],
                            align=model.ref.multiple_of, progress_range=(0.05, 1.0))
    return out[margin:height - margin, margin:width - margin]


def frame(image: np.ndarray) -> np.ndarray:
    """``image`` (H×W×C) with ``EDGE_MARGIN`` px of reflected picture on every side."""
    margin = EDGE_MARGIN
    return np.pad(image, ((margin, margin), (margin, margin), (0, 0)), mode="reflect")


def run_network(model: ModelHandle, image: np.ndarray, weights: np.ndarray,
                stats: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """One pass: H×W×3 → (H×W×3 stylised, measured statistics). ``stats=None`` uses the image's own.

    Reflect padding inside the network needs a few pixels at every scale: the input is padded to the
    manifest's ``min_side`` and ``multiple_of`` and the result cropped back."""
    given = np.zeros((1, STATS_LENGTH), np.float32) if stats is None else stats
    mix = np.full((1, 1), 0.0 if stats is None else 1.0, dtype=np.float32)
    out, measured = model.run({"image": to_nchw(pad(image, model.ref, "reflect")), "style_weights": weights,
                               "norm_stats": given, "norm_stats_mix": mix})
    return from_nchw(out, image.shape[:2]), measured
