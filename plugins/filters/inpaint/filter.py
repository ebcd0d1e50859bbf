"""Inpaint: fill the painted mask with a network trained by Holst (U-Net with Fourier convolutions).

For each cluster of strokes (see ``regions.py``): cut a crop around it with context → shrink the
crop so its longer side fits the working resolution → hide the hole and run the network →
colour-match the prediction to the known pixels around the hole (``match``) → paste fine detail
from similar-looking known patches into the hole (``texture``) → enlarge the fill back
to the crop's size → when the crop was shrunk, add grain matching the detail that resampling
removed → blend into the hole with a weight that is the painted mask times an inward feather.
Pixels where the mask is 0 are returned bit-for-bit unchanged.

Cost depends on the mask, not the photo: a small mask on a 24-megapixel photo runs on a small crop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext, ModelHandle
from plugins.errors import ParamError
from plugins.netcall import SizeNeeds, fit_long_side, from_nchw, long_side_factor, pad, to_nchw
from plugins.resample import resize

from .ops import feather_weight, grain, smooth_fill
from .regions import crop_boxes
from .texture import context_texture

HOLE_THRESHOLD = 1.0 / 512  # mask values above this are hidden from the network
GRAIN_BELOW_SCALE = 0.5  # add grain only when the crop was shrunk more than 2×
MATCH_CELL = 8  # block size (network pixels) of the colour-matching field; finer would copy texture


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    if mask is None:
        raise ParamError("inpaint needs a mask (white marks the pixels to fill)")
    hole = mask > HOLE_THRESHOLD
    boxes = crop_boxes(hole, params["context"])
    model = ctx.model("network")
    needs = ctx.spec.model("network")
    result = image.astype(np.float32, copy=True)
    pending = hole.copy()
    feather = params["feather"]
    for index, (crop, core) in enumerate(boxes):
        ctx.cancel.raise_if_cancelled()
        top, left, bottom, right = crop
        window = (slice(top, bottom), slice(left, right))
        crop_pixels, crop_hole = result[window], pending[window]
        fill = ctx.run_once(lambda: fill_crop(model, crop_pixels, crop_hole, params["working_size"],  # noqa: B023
                                              params["grain"], params["match"],
                                              params["texture"], needs=needs))
        weight = feather_weight(hole[window], feather) * mask[window]
        ctop, cleft, cbottom, cright = core
        own = np.zeros_like(pending[window])
        own[ctop - top:cbottom - top, cleft - left:cright - left] = True
        own &= pending[window]
        weight = np.where(own, weight, 0.0).astype(np.float32)[:, :, None]
        region = result[window]
        result[window] = np.where(weight > 0, region + weight * (fill - region), region)
        pending[window] &= ~own
        ctx.progress((index + 1) / len(boxes))
    return result


def fill_crop(model: ModelHandle, crop: np.ndarray, hole: np.ndarray, working_size: int, grain_amount: float,
              match: float = 1.0, texture: float = 0.0, *, needs: SizeNeeds) -> np.ndarray:
    """The network's fill for one crop, at the crop's size (only the hole pixels are meaningful).

    With ``match`` > 0 the fill is colour-matched to its surroundings: the network's error on the
    known pixels (photo − prediction, averaged over ``MATCH_CELL`` blocks) is carried smoothly into
    the hole and added to the prediction. This is the low-frequency half of a Poisson blend (as in
    Iizuka et al. 2017's post-processing): the fill keeps its own detail, but a colour cast that the
    network puts on the whole crop — visible on its known pixels too — is taken out, and the fill
    meets the hole's edge at the photo's colours. With ``texture`` > 0 the smooth fill then gets
    fine detail pasted from the known pixels (``texture.context_texture``).
    """
    height, width = crop.shape[:2]
    scale = long_side_factor(height, width, working_size, enlarge=False)
    small_size = fit_long_side(height, width, working_size, enlarge=False, minimum=needs.min_side)
    small = resize(crop, small_size, "box")
    small_hole = resize(hole.astype(np.float32), small_size, "box") > 0
    pred = run_network(model, small, small_hole, needs)
    if match > 0 and (~small_hole).any():
        pred += match * smooth_fill(small - pred, ~small_hole, MATCH_CELL)
    if texture > 0:
        pred += texture * context_texture(small, pred, small_hole)
    fill = resize(pred, (height, width), "bicubic")
    if scale < GRAIN_BELOW_SCALE and grain_amount > 0:
        smooth = resize(small, (height, width), "bicubic")
        fill += grain_amount * grain(crop, smooth, ~hole)
    return fill


def run_network(model: ModelHandle, image: np.ndarray, hole: np.ndarray, needs: SizeNeeds) -> np.ndarray:
    """One network pass on an H×W×3 image with a boolean hole; returns the H×W×3 prediction.

    The input (image with the hole hidden, and the hole) is padded by reflection to the network's
    size ``needs`` and the prediction cropped back."""
    mask = hole.astype(np.float32)[:, :, None]
    net_in = np.concatenate([image * (1.0 - mask), mask], axis=2)
    (out,) = model.run({model.input_names[0]: to_nchw(pad(net_in, needs, "reflect"))})
    return from_nchw(out, image.shape[:2])
