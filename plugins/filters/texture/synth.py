"""Coarse-to-fine Gram-matrix texture synthesis (Gatys et al. 2015) driven from NumPy.

The feature network and the gradient of the texture loss live in ONNX graphs (see MODEL_CARD.md);
this module only plans levels, runs L-BFGS on the pixels, and moves between levels:

1. levels: the canvas and the sample are both reduced by 2^k (k = K…0). At level k the target Gram
   matrices come from the sample reduced by 2^k, so every level sees the texture at the same
   relative scale; coarse levels fix the large-scale arrangement cheaply.
2. small levels use the *deep* step graph (Gram loss on relu1_1…relu4_1), large ones the *shallow*
   graph (relu1_1, relu2_1), which is 4× cheaper per pixel and only refines detail.
3. the canvas is periodic in the step graphs (circular padding), so the result wraps seamlessly.
4. in fill mode the pixels outside ``free`` are held at ``known`` values (the surrounding image),
   so the synthesized texture continues the surroundings across the border, and the Gram
   statistics are measured over the free region only (the step graph's ``region`` input).
5. finally the free pixels' per-channel histograms are matched to the sample's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from plugins import lbfgs
from plugins.netcall import padded_length, to_nchw

from .resample import block_max, block_min, downscale, match_histograms, upsample2_periodic

GramFn = Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
# (x (1,3,H,W), region (1,1,H,W), layer weights (L,), target Grams) → (loss, dloss/dx)
StepFn = Callable[[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]], tuple[float, np.ndarray]]

DEEP = "deep"
SHALLOW = "shallow"
COST = {DEEP: 4.0, SHALLOW: 1.0}      # relative cost per pixel (measured), for progress reporting
MAX_FACTOR = 8                        # coarsest level: the canvas reduced 8× (canvas sides: Graphs.align)
MIN_LEVEL_SIDE = 64                   # smallest canvas side at the coarsest level
MIN_SAMPLE_SIDE = 24                  # smallest sample side at the coarsest level (speed: keeps it ≤ 128²)
DEEP_MAX_PIXELS = 128 * 128           # levels up to this size (and the coarsest) use the deep graph
COARSEST_EVALS = 50                   # L-BFGS evaluations at the coarsest level ("normal" quality) …
EVALS_BY_SIDE = ((128, 16), (256, 12), (512, 8), (1024, 5), (1 << 30, 4))   # … and at finer levels
QUALITY = {"draft": 0.5, "normal": 1.0, "high": 2.0}
REFERENCE_PIXELS = 512 * 512          # smaller canvases get more evaluations (up to ×4): they are cheap,
MAX_SMALL_BOOST = 4.0                 # and small fill regions were measured to need them to converge


@dataclass
class Graphs:
    """The three ONNX graphs as callables (wrapping ``ModelSession.run`` or a bare onnxruntime session)."""

    gram: GramFn
    step: dict[str, StepFn]
    layers: dict[str, int]   # loss layers per step graph; the gram graph returns the deep graph's
    multiple_of: int         # the step graphs' input sides must be multiples of this (their manifest entry)

    @property
    def align(self) -> int:
        """Canvas sides are multiples of this, so that every level's canvas fits the step graphs."""
        return self.multiple_of * MAX_FACTOR


@dataclass(frozen=True)
class Level:
    factor: int
    graph: str
    evals: int
    height: int
    width: int

    @property
    def cost(self) -> float:
        return self.evals * self.height * self.width * COST[self.graph]


def align(n: int, graphs: Graphs) -> int:
    """The smallest canvas side ≥ n that the graphs accept at every level (at least one ``align``)."""
    return padded_length(n, graphs.align, graphs.align)


def plan_levels(height: int, width: int, sample_side: int, quality: str = "normal", *,
                align: int) -> list[Level]:
    """Levels from coarsest to finest for a height×width canvas (multiples of ``align``)."""
    if height % align or width % align:
        raise ValueError(f"canvas {height}×{width} is not a multiple of {align}")
    factors = [1]
    while (factors[0] < MAX_FACTOR and min(height, width) // (2 * factors[0]) >= MIN_LEVEL_SIDE
           and sample_side // (2 * factors[0]) >= MIN_SAMPLE_SIDE):
        factors.insert(0, factors[0] * 2)
    boost = min(MAX_SMALL_BOOST, max(1.0, REFERENCE_PIXELS / (height * width)))
    scale = QUALITY[quality] * boost
    levels = []
    for index, factor in enumerate(factors):
        h, w = height // factor, width // factor
        graph = DEEP if index == 0 or h * w <= DEEP_MAX_PIXELS else SHALLOW
        base = COARSEST_EVALS if index == 0 else next(n for side, n in EVALS_BY_SIDE if max(h, w) <= side)
        evals = max(3, int(round(base * scale)))
        levels.append(Level(factor, graph, evals, h, w))
    return levels


def synthesize(graphs: Graphs, sample: np.ndarray, height: int, width: int, *,
               sample_valid: np.ndarray | None = None, known: np.ndarray | None = None,
               free: np.ndarray | None = None, quality: str = "normal", seed: int = 0,
               progress: Callable[[float], None] | None = None,
               check_cancel: Callable[[], None] | None = None) -> np.ndarray:
    """A height×width×3 texture with the Gram statistics of ``sample`` (H×W×3 float 0..1).

    ``sample_valid`` (H×W, 1 = usable) excludes sample pixels (e.g. the hole being filled).
    ``known``/``free`` (canvas-sized) hold pixels fixed where ``free`` is 0 (fill mode); without them
    the whole canvas is synthesized and the result is periodic.
    """
    rng = np.random.default_rng(seed)
    valid = np.ones(sample.shape[:2], np.float32) if sample_valid is None else sample_valid.astype(np.float32)
    sample_side = int(min(sample.shape[:2]))
    levels = plan_levels(height, width, sample_side, quality, align=graphs.align)
    total_cost = sum(level.cost for level in levels)
    done_cost = 0.0
    reference = sample[valid > 0.5]
    if len(reference) == 0:
        raise ValueError("the texture sample has no usable pixels")
    canvas: np.ndarray | None = None
    for level in levels:
        level_sample = downscale(sample, level.factor)
        level_valid = block_min(valid, level.factor)[: level_sample.shape[0], : level_sample.shape[1]]
        targets = graphs.gram(to_nchw(level_sample), level_valid[None, None].astype(np.float32))
        targets = [np.asarray(t, np.float32) for t in targets[: graphs.layers[level.graph]]]
        weights = np.array([1.0 / (len(targets) * max(float((t * t).mean()), 1e-12)) for t in targets],
                           np.float32)
        level_free = np.ones((level.height, level.width), np.float32) if free is None \
            else block_max(free.astype(np.float32), level.factor)
        level_known = None if known is None else downscale(known, level.factor)[: level.height, : level.width]
        if canvas is None:
            picks = rng.integers(0, len(reference), size=level.height * level.width)
            canvas = reference[picks].reshape(level.height, level.width, 3).astype(np.float32)
        else:
            canvas = upsample2_periodic(canvas)
        if level_known is not None:
            canvas = np.where(level_free[:, :, None] > 0, canvas, level_known)

        base_cost = done_cost

        def report(evals: int, level: Level = level, base: float = base_cost) -> None:
            if check_cancel is not None:
                check_cancel()
            if progress is not None:
                progress((base + level.cost * evals / level.evals) / total_cost)

        step = graphs.step[level.graph]
        canvas = _optimise(step, canvas, weights, targets, level_free, level.evals, report)
        if level_known is not None:
            canvas = np.where(level_free[:, :, None] > 0, canvas, level_known)
        done_cost += level.cost
    assert canvas is not None
    return _match_colours(canvas, reference, free)


def _optimise(step: StepFn, canvas: np.ndarray, weights: np.ndarray, targets: list[np.ndarray],
              free: np.ndarray, evals: int, report: Callable[[int], None]) -> np.ndarray:
    """L-BFGS on the free pixels of one level; returns the clipped H×W×3 canvas."""
    height, width = canvas.shape[:2]
    free_chw = np.broadcast_to(free[None], (3, height, width)).ravel().astype(np.float64)
    region = np.ascontiguousarray(free[None, None], dtype=np.float32)

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        x = flat.reshape(1, 3, height, width).astype(np.float32)
        loss, grad = step(x, region, weights, targets)
        outside, outside_grad = lbfgs.range_penalty(flat)
        return float(loss) + outside, (np.asarray(grad, np.float64).ravel() + outside_grad) * free_chw

    start = canvas.transpose(2, 0, 1).ravel()
    best, _ = lbfgs.minimize(objective, start, evals, callback=report)
    return np.clip(best.reshape(3, height, width).transpose(1, 2, 0), 0.0, 1.0).astype(np.float32)


def _match_colours(canvas: np.ndarray, reference: np.ndarray, free: np.ndarray | None) -> np.ndarray:
    """Histogram-match the synthesized pixels to the sample's colours (pointwise: keeps periodicity)."""
    if free is None:
        flat = canvas.reshape(-1, 3)
        return match_histograms(flat, reference).reshape(canvas.shape).astype(np.float32)
    out = canvas.copy()
    chosen = free > 0
    if chosen.any():
        out[chosen] = match_histograms(canvas[chosen], reference)
    return out
