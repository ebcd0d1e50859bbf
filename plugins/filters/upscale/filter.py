"""Upscale: super-resolution ×2 or ×4 by a small residual CNN trained by Holst on BSDS500.

Two models (parameter ``model``): ``faithful``, trained for the smallest pixel error (sharper than
bicubic, invents nothing), and ``photo``, the same network fine-tuned with a VGG16 perceptual and an
adversarial loss (crisper edges and textures, some of them invented). Which file runs is the
manifest's business: each model's network at each scale is the ``[[models]]`` entry keyed by
:func:`model_key`, and a manifest without a ``model`` parameter runs the faithful one.

The network works at the input resolution and ends in a sub-pixel (PixelShuffle) upsampling. Its
receptive-field radius is 8 input pixels = a quarter of the manifest's overlap, so the manifest's
``exact`` tiling (tiles read that margin of context and are cropped, no blending) gives the untiled
result, written straight into the uint8 output. Alpha is upscaled separately by the pipeline.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext
from plugins.contract import FilterSpec
from plugins.errors import ParamError
from plugins.netcall import from_nchw, to_nchw

FAITHFUL = "faithful"


def model_key(model: str, scale: int) -> str:
    """The ``[[models]]`` key of ``model``'s network at ``scale``: ``x2``/``x4`` for the faithful model,
    ``<model>_x<scale>`` for another (``photo_x4``)."""
    return f"x{scale}" if model == FAITHFUL else f"{model}_x{scale}"


def has_network(spec: FilterSpec, model: str, scale: int) -> bool:
    """Whether the manifest declares ``model``'s network at ``scale`` (the photo model is ×4 only)."""
    return model_key(model, scale) in {ref.key for ref in spec.models}


def checked_key(spec: FilterSpec, model: str, scale: int) -> str:
    """:func:`model_key` when the manifest declares that network; otherwise a ParamError that names
    the scales the manifest has for ``model``."""
    if not has_network(spec, model, scale):
        scales = " or ".join(f"×{s}" for s in spec.param("scale").choices if has_network(spec, model, int(s)))
        raise ParamError(f"the {model} model upscales {scales} only" if scales
                         else f"there is no upscale model {model!r}")
    return model_key(model, scale)


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    scale = int(params["scale"])
    model = ctx.model(checked_key(ctx.spec, params.get("model", FAITHFUL), scale))
    name = model.input_names[0]
    return ctx.run_tiled(image, lambda tile: from_nchw(model.run({name: to_nchw(tile)})[0]), scale=scale,
                         to_uint8=True)
