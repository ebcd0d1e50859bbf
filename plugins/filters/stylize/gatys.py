"""The "own painting" mode: Gatys, Ecker & Bethge (2016) style transfer by direct optimisation.

The trained network knows only its five paintings. For any other painting the image itself is
optimised: its Gram matrices (relu1_1…relu3_1) are pulled towards the painting's and its relu3_1
features towards the photo's. Loss and gradient come from one ONNX graph (``gatys_step.onnx``, made by
``models/stylize/gatys.py`` on the texture filter's random-weight network), and the shared NumPy
L-BFGS (``plugins/lbfgs.py``) runs on the pixels, coarse to fine: at ¼, ½ and full working size, each
level starting from the previous result, the first from the photo recoloured to the painting's
palette. Coarse levels settle the large strokes cheaply; fine levels only refine them.

The network pads circularly (it was written for seamless textures), so the photo is first extended by
a mirrored margin that absorbs the wrap-around and is cut off at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from plugins import lbfgs
from plugins.errors import ParamError
from plugins.imageio.load import load_image
from plugins.luma import luma
from plugins.netcall import fit_long_side, padded_length, to_nchw
from plugins.resample import low_pass, resize

if TYPE_CHECKING:
    from plugins.context import ModelHandle

GRAPH_KEYS = ("gram", "content", "step")  # their [[models]] keys in the manifest
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1")
LEVEL_FACTORS = (4, 2, 1)
#: L-BFGS evaluations per level (coarse → fine). Each one is a run of the step graph.
EVALS = (60, 40, 25)
MARGIN = 16               # mirrored border around the photo: relu3_1's receptive-field radius (~15 px)
#: Weight of a total-variation term (Mahendran & Vedaldi 2015; common in Gatys implementations). On BSD100
#: 21077 with Starry Night, 0.3 / 1 / 3 were compared with 0: 1 removes most of the random net's pixel
#: grain and keeps the strokes, 3 starts to smear the car's outline.
TV_WEIGHT = 1.0
PAINTING_MAX_SIDE = 1024  # the painting is measured at most this size (Gram targets, once per level)
PAINTING_MIN_SIDE = 64
CHROMA_FACTOR = 3         # colour detail finer than this many pixels is speckle (see smooth_chroma)

RunFn = Callable[[dict[str, np.ndarray]], list[np.ndarray]]


@dataclass
class GatysGraphs:
    """The three graphs as ``feeds -> outputs`` callables (``ModelSession.run`` or an ORT session's),
    and the multiple the step graph's input sides must be (its manifest ``multiple_of``)."""

    gram: RunFn
    content: RunFn
    step: RunFn
    multiple_of: int

    @property
    def align(self) -> int:
        """The working canvas's sides are multiples of this, so that every level's canvas fits the step
        graph."""
        return self.multiple_of * LEVEL_FACTORS[0]


def load_painting(path: str) -> tuple[np.ndarray, np.ndarray]:
    """The user's painting as float32 RGB 0..1 and its validity map (alpha ≥ 50 %)."""
    if not Path(path).is_file():
        raise ParamError(f"painting '{path}' is not a file")
    # reduced while decoded: the painting is only ever measured at PAINTING_MAX_SIDE or less, and a
    # huge one would otherwise cost its full size in float32 (4.3 GiB for 144 megapixels)
    rgba = load_image(path, max_side=2 * PAINTING_MAX_SIDE).pixels.astype(np.float32) / 255.0
    valid = (rgba[:, :, 3] >= 0.5).astype(np.float32)
    if valid.sum() < PAINTING_MIN_SIDE * PAINTING_MIN_SIDE / 4:
        raise ParamError(f"painting '{path}' has too few opaque pixels to take a style from")
    return rgba[:, :, :3], valid


def scaled_painting(painting: np.ndarray, valid: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """The painting (and its validity) with its long side at ``side`` px."""
    size = fit_long_side(*painting.shape[:2], side)
    return np.clip(resize(painting, size), 0, 1), (resize(valid, size) > 0.99).astype(np.float32)


def padded_canvas(photo: np.ndarray, align: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The photo mirrored out by MARGIN (plus what makes both sides multiples of ``align``); its offset."""
    height, width = photo.shape[:2]
    total_h = padded_length(height + 2 * MARGIN, align)
    total_w = padded_length(width + 2 * MARGIN, align)
    top, left = (total_h - height) // 2, (total_w - width) // 2
    pads = ((top, total_h - height - top), (left, total_w - width - left), (0, 0))
    mode = "reflect" if min(height, width) > max(max(p) for p in pads[:2]) else "symmetric"
    return np.pad(photo, pads, mode=mode), (top, left)


def stylise_like(graphs: GatysGraphs, photo: np.ndarray, painting: np.ndarray, painting_valid: np.ndarray, *,
                 content_weight: float, stroke_scale: float = 1.0,
                 progress: Callable[[float], None] | None = None,
                 check_cancel: Callable[[], None] | None = None) -> np.ndarray:
    """``photo`` (H×W×3 float 0..1, the working size) repainted with ``painting``'s texture.

    ``content_weight`` balances the photo's structure against the painting's statistics (relative
    losses, so 1 weighs both alike). ``stroke_scale`` enlarges the painting relative to the photo
    (its strokes become larger in the result).
    """
    canvas_photo, (top, left) = padded_canvas(photo, graphs.align)
    height, width = canvas_photo.shape[:2]
    side = int(np.clip(max(photo.shape[:2]) * stroke_scale, PAINTING_MIN_SIDE, PAINTING_MAX_SIDE))
    painting, painting_valid = scaled_painting(painting, painting_valid, side)
    costs = [evals * (height // f) * (width // f) for f, evals in zip(LEVEL_FACTORS, EVALS, strict=True)]
    done = 0.0
    x: np.ndarray | None = None
    for factor, evals, cost in zip(LEVEL_FACTORS, EVALS, costs, strict=True):
        level_h, level_w = height // factor, width // factor
        level_photo = resize(canvas_photo, (level_h, level_w), "box")
        level_painting = resize(painting, (max(1, painting.shape[0] // factor),
                                           max(1, painting.shape[1] // factor)), "box")
        level_valid = (resize(painting_valid, level_painting.shape[:2], "box") > 0.99).astype(np.float32)
        targets = [np.asarray(t, np.float32) for t in
                   graphs.gram({"sample": to_nchw(level_painting), "valid": level_valid[None, None]})]
        weights = np.array([1.0 / (len(targets) * max(float((t * t).mean()), 1e-12)) for t in targets],
                           np.float32)
        content = np.asarray(graphs.content({"photo": to_nchw(level_photo)})[0], np.float32)
        relative = np.array([content_weight / max(float((content * content).mean()), 1e-12)], np.float32)
        if x is None:
            x = palette_start(level_photo, level_painting, level_valid)
        else:
            x = np.clip(resize(x, (level_h, level_w), "bicubic"), 0, 1)

        def report(count: int, base: float = done, cost: float = cost, evals: int = evals) -> None:
            if check_cancel is not None:
                check_cancel()
            if progress is not None:
                progress((base + cost * count / evals) / sum(costs))

        feeds = {"weights": weights, "content": content, "content_weight": relative,
                 **{f"target_{name}": t for name, t in zip(STYLE_LAYERS, targets, strict=True)}}
        x = optimise(graphs.step, feeds, x, evals, report)
        done += cost
    assert x is not None
    return smooth_chroma(x[top:top + photo.shape[0], left:left + photo.shape[1]])


def palette_start(photo: np.ndarray, painting: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The photo with each RGB channel's mean and spread moved to the painting's: the starting image.

    Starting from the photo's own colours, the Gram terms must drag whole regions to the painting's
    palette against the content term and leave bright blotches where they win; starting in the
    painting's palette leaves the optimisation only the strokes to find.
    """
    pixels = painting[valid > 0.5]
    mean, std = photo.reshape(-1, 3).mean(axis=0), photo.reshape(-1, 3).std(axis=0)
    gain = np.minimum(pixels.std(axis=0) / np.maximum(std, 1e-3), 4.0)
    return np.clip((photo - mean) * gain + pixels.mean(axis=0), 0.0, 1.0).astype(np.float32)


def smooth_chroma(image: np.ndarray) -> np.ndarray:
    """Low-pass the colour (not the light) of the result by CHROMA_FACTOR.

    Direct optimisation on a random-weight network leaves single-pixel pink/green speckle, which the
    network's Gram statistics barely see; strokes live mostly in the luminance, so they survive.
    """
    light = luma(image)[:, :, None]
    return np.clip(light + low_pass(image - light, CHROMA_FACTOR), 0.0, 1.0).astype(np.float32)


def total_variation(image: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared neighbour difference of a C×H×W image, and its gradient."""
    dy, dx = np.diff(image, axis=1), np.diff(image, axis=2)
    count = image.size
    grad = np.zeros_like(image)
    grad[:, 1:] += dy
    grad[:, :-1] -= dy
    grad[:, :, 1:] += dx
    grad[:, :, :-1] -= dx
    return (float(np.multiply(dy, dy).sum()) + float(np.multiply(dx, dx).sum())) / count, 2.0 * grad / count


def optimise(step: RunFn, feeds: dict[str, np.ndarray], start: np.ndarray, evals: int,
             report: Callable[[int], None]) -> np.ndarray:
    """L-BFGS on every pixel of one level; returns the clipped H×W×3 image."""
    height, width = start.shape[:2]

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        x = flat.reshape(1, 3, height, width).astype(np.float32)
        loss, grad = step({"x": x, **feeds})
        outside, outside_grad = lbfgs.range_penalty(flat)
        smooth, smooth_grad = total_variation(flat.reshape(3, height, width))
        value = float(loss) + outside + TV_WEIGHT * smooth
        return value, np.asarray(grad, np.float64).ravel() + outside_grad + TV_WEIGHT * smooth_grad.ravel()

    best, _ = lbfgs.minimize(objective, start.transpose(2, 0, 1).ravel().astype(np.float64), evals,
                             callback=report)
    return np.clip(best.reshape(3, height, width).transpose(1, 2, 0), 0.0, 1.0).astype(np.float32)


def graphs_from(model: Callable[[str], ModelHandle]) -> GatysGraphs:
    """The graphs from ``FilterContext.model`` (handles by their manifest keys)."""
    gram, content, step = (model(key) for key in GRAPH_KEYS)
    return GatysGraphs(gram.run, content.run, step.run, step.ref.multiple_of)
