"""The "own painting" mode: Gatys, Ecker & Bethge (2016) style transfer by direct optimisation.

The trained network knows only its five paintings. For any other painting the image itself is
optimised on the ImageNet VGG16: its Gram matrices at relu1_1…relu5_1 are pulled towards the
painting's and its relu4_2 features towards the photo's. Loss and gradient come from ONNX graphs
(``models/stylize/gatys.py``; the VGG16 weights are the texture filter's ``vgg16_conv.onnx``, one file
for both) and the shared NumPy L-BFGS (``plugins/lbfgs.py``) runs on the pixels, coarse to fine:

* every level (¼, ½ and the whole working size) runs the full Gatys loss; the first level starts from
  the photo recoloured to the painting's palette, and each finer one from the coarser result enlarged.
  Coarse levels settle the large strokes cheaply; the last level's few evaluations at full size keep the
  deep statistics (relu3_1…relu5_1) of the image the user gets, which a texture-only finish at full size
  (the layout until 2026-12-04: relu1_1 and relu2_1 alone) let drift back towards the enlarged, blurred
  coarse result.

The graphs pad with zeros, as VGG16 was trained; the canvas is the photo mirrored out to a multiple of
ALIGN (four poolings at the ¼ level), cut back at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plugins import lbfgs
from plugins.errors import ParamError
from plugins.imageio.load import load_image
from plugins.netcall import to_nchw
from plugins.resample import resize
from plugins.vgg import WEIGHTS_FILE, RunFn, Weighted, conv_params

TARGETS_FILE, STEP_FILE = "gatys_targets.onnx", "gatys_step.onnx"
#: (reduction factor, L-BFGS evaluations) per level, coarse → fine; each evaluation is one run of the
#: step graph. The six at full size cost about 1.5× the sixteen at ½ size.
LEVELS = ((4, 60), (2, 16), (1, 6))
ALIGN = 16 * LEVELS[0][0]
#: Weight of a total-variation term (mean squared neighbour difference; Mahendran & Vedaldi 2015).
TV_WEIGHT = 0.3
PAINTING_MAX_SIDE = 1024  # the painting is measured at most this size (Gram targets, once per level)
PAINTING_MIN_SIDE = 64


@dataclass
class GatysGraphs:
    """The targets graph (image, valid → Grams, content features), the step graph, and the step graph's
    Gram input names (``target_<layer>``, in the targets graph's output order)."""

    targets: RunFn
    step: RunFn
    gram_inputs: tuple[str, ...]


def make_graphs(open_model: Callable[[str], tuple[RunFn, tuple[str, ...], tuple[str, ...]]]) -> GatysGraphs:
    """``open_model(file)`` → (run(feeds), input names, output names) of one model file."""
    run_weights, _, weight_names = open_model(WEIGHTS_FILE)
    params = conv_params(run_weights, weight_names)

    def bound(name: str) -> Weighted:
        run, inputs, _ = open_model(name)
        return Weighted(run, inputs, params)

    step = bound(STEP_FILE)
    return GatysGraphs(targets=bound(TARGETS_FILE).run, step=step.run,
                       gram_inputs=tuple(n for n in step.input_names if n.startswith("target_")))


def graphs_from(model: Callable[[str], object]) -> GatysGraphs:
    """The graphs from a ``FilterContext.model``-like loader (sessions with run, input/output names)."""
    def open_model(name: str):
        session = model(name)
        return session.run, tuple(session.input_names), tuple(session.output_names)
    return make_graphs(open_model)


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
    height, width = painting.shape[:2]
    scale = side / max(height, width)
    size = max(1, round(height * scale)), max(1, round(width * scale))
    method = "box" if scale < 1 else "bicubic"
    return (np.clip(resize(painting, size, method), 0, 1),
            (resize(valid, size, method) > 0.99).astype(np.float32))


def padded_canvas(photo: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The photo mirrored out to multiples of ALIGN on both sides; its offset inside."""
    height, width = photo.shape[:2]
    total_h, total_w = -(-height // ALIGN) * ALIGN, -(-width // ALIGN) * ALIGN
    top, left = (total_h - height) // 2, (total_w - width) // 2
    pads = ((top, total_h - height - top), (left, total_w - width - left), (0, 0))
    mode = "reflect" if min(height, width) > max(max(p) for p in pads[:2]) else "symmetric"
    return np.pad(photo, pads, mode=mode), (top, left)


def _relative(values: list[np.ndarray]) -> np.ndarray:
    """Layer weights 1 / (L · mean(T²)): every layer's relative error counts alike."""
    return np.array([1.0 / (len(values) * max(float((t * t).mean()), 1e-12)) for t in values], np.float32)


def stylise_like(graphs: GatysGraphs, photo: np.ndarray, painting: np.ndarray, painting_valid: np.ndarray, *,
                 content_weight: float, stroke_scale: float = 1.0,
                 progress: Callable[[float], None] | None = None,
                 check_cancel: Callable[[], None] | None = None) -> np.ndarray:
    """``photo`` (H×W×3 float 0..1, the working size) repainted with ``painting``'s statistics.

    ``content_weight`` balances the photo's structure against the painting's statistics (relative
    losses, so 1 weighs both alike). ``stroke_scale`` enlarges the painting relative to the photo
    (its strokes become larger in the result).
    """
    canvas_photo, (top, left) = padded_canvas(photo)
    height, width = canvas_photo.shape[:2]
    side = int(np.clip(max(photo.shape[:2]) * stroke_scale, PAINTING_MIN_SIDE, PAINTING_MAX_SIDE))
    painting, painting_valid = scaled_painting(painting, painting_valid, side)
    costs = [evals * (height // f) * (width // f) for f, evals in LEVELS]
    done = 0.0
    x: np.ndarray | None = None
    for (factor, evals), cost in zip(LEVELS, costs, strict=True):
        level_h, level_w = height // factor, width // factor
        level_size = max(1, painting.shape[0] // factor), max(1, painting.shape[1] // factor)
        level_painting = resize(painting, level_size, "box") if factor > 1 else painting
        level_valid = (resize(painting_valid, level_painting.shape[:2], "box") > 0.99).astype(np.float32)
        *grams, _ = graphs.targets({"image": to_nchw(level_painting), "valid": level_valid[None, None]})
        level_photo = resize(canvas_photo, (level_h, level_w), "box")
        if x is None:
            x = palette_start(level_photo, level_painting, level_valid)
        else:
            x = np.clip(resize(x, (level_h, level_w), "bicubic"), 0, 1)
        # Gatys et al.: relu4_2 of the photo at this level's size
        ones = np.ones((1, 1, level_h, level_w), np.float32)
        content = np.asarray(graphs.targets({"image": to_nchw(level_photo), "valid": ones})[-1], np.float32)
        relative = np.array([content_weight / max(float((content * content).mean()), 1e-12)], np.float32)

        def report(count: int, base: float = done, cost: float = cost, evals: int = evals) -> None:
            if check_cancel is not None:
                check_cancel()
            if progress is not None:
                progress((base + cost * count / evals) / sum(costs))

        feeds = {"weights": _relative(grams), "content": content, "content_weight": relative,
                 **dict(zip(graphs.gram_inputs, grams, strict=True))}
        x = optimise(graphs.step, feeds, x, evals, report)
        done += cost
    assert x is not None
    return x[top:top + photo.shape[0], left:left + photo.shape[1]]


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
    """L-BFGS on every pixel of one level (``feeds``: the step graph's inputs other than ``x``); returns
    the clipped H×W×3 image."""
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
