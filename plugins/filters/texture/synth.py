"""Coarse-to-fine Gram-matrix texture synthesis (Gatys et al. 2015) on ImageNet VGG16, driven from NumPy.

The feature network and the gradient of the texture loss live in ONNX graphs (see MODEL_CARD.md);
this module only plans levels, runs L-BFGS on the pixels, and moves between levels:

1. levels: the canvas and the sample are both reduced by 2^k (k = K…0). At level k the target Gram
   matrices come from the sample reduced by 2^k, so every level sees the texture at the same
   relative scale; coarse levels fix the large-scale arrangement cheaply.
2. small levels use the *deep* graphs (Gram loss on relu1_1…relu5_1), middle ones the *mid* graphs
   (relu1_1…relu3_1), large ones the *shallow* graphs (relu1_1…relu2_1), which only refine detail at
   a fraction of the cost per pixel; how many evaluations each level gets is the quality's ``Schedule``.
   Each level after the first starts from the coarser result upsampled plus spot noise of the sample's
   finest octave at that level (``detail_noise``); the fast schedules only upsample above 256².
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
from plugins.netcall import to_nchw

from .resample import block_max, block_min, downscale, match_histograms, upsample2_periodic

GramFn = Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
# (x (1,3,H,W), region (1,1,H,W), layer weights (L,), target Grams) → (loss, dloss/dx)
StepFn = Callable[[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]], tuple[float, np.ndarray]]

DEEP, MID, SHALLOW = "deep", "mid", "shallow"
DEPTHS = (DEEP, MID, SHALLOW)
COST = {DEEP: 3.2, MID: 1.4, SHALLOW: 1.0}   # relative cost per pixel (measured), for progress reporting
MAX_FACTOR = 8
ALIGN = 16 * MAX_FACTOR               # canvas sides: multiples of this (4 poolings at the coarsest level)
MIN_LEVEL_SIDE = 64                   # smallest canvas side at the coarsest level
MIN_SAMPLE_SIDE = 32                  # smallest sample side at the coarsest level
JITTER_CHUNKS = 3                     # rounds per level, each on a shifted pixel grid (see _optimise) …
MIN_ROUND_EVALS = 4                   # … of at least this many evaluations
REFERENCE_PIXELS = 512 * 512          # smaller canvases get more evaluations (up to ×2): they are cheap,
MAX_SMALL_BOOST = 2.0                 # and small fill regions were measured to need them to converge


@dataclass(frozen=True)
class Schedule:
    """How much work each level of one quality setting gets.

    ``coarsest_evals``: L-BFGS evaluations at the coarsest level (always the deep graphs);
    ``evals_by_side`` and ``depth_by_side``: for the finer levels, the first entry whose side bound
    is ≥ the level's longest side gives its evaluations and its graphs. A level with 0 evaluations is
    only upsampled from the coarser one.
    """

    coarsest_evals: int
    evals_by_side: tuple[tuple[int, int], ...]
    depth_by_side: tuple[tuple[int, str], ...]
    small_boost: bool = True    # canvases under REFERENCE_PIXELS get up to MAX_SMALL_BOOST× the evaluations


# Per evaluation (CPU seconds on this project's 2-core machine, see the card's Speed section) the deep graphs
# (relu1_1…relu5_1) cost 0.2 s at 64², the mid ones 0.3 s at 128², the shallow ones (relu1_1…relu2_1) 0.5 s at
# 256² and 2 s at 512². "normal": the large-scale arrangement from the deep layers at the coarsest level, a
# few mid evaluations at 128², then the deep graphs again at 256², where relu3_x…relu5_1 see the sample's
# mid-sized structures (stones, strokes) at full resolution — shallow graphs there left them soft and took the
# held-out tiles' style distance only to 0.70× the random network's (median), the deep ones to 0.39×, for
# about 8 CPU-s more on a 256² tile; larger levels are only upsampled with the sample's finest octave added
# (``detail_noise``: 2 evaluations at 512² cost 4 s and were measured to change the style distance by < 1 %).
# "high": more evaluations everywhere, deep graphs up to 256² and 5 shallow ones at 512²: several times the
# time.
SCHEDULES = {
    "draft": Schedule(12, ((128, 4), (256, 4), (1 << 30, 0)), ((128, MID), (1 << 30, SHALLOW)),
                      small_boost=False),
    "normal": Schedule(20, ((128, 6), (256, 8), (1 << 30, 0)), ((128, MID), (256, DEEP), (1 << 30, SHALLOW))),
    "high": Schedule(100, ((128, 30), (256, 16), (512, 5), (1024, 3), (1 << 30, 2)),
                     ((256, DEEP), (1 << 30, SHALLOW))),
}
QUALITY = tuple(SCHEDULES)


@dataclass
class Graphs:
    """Per depth, the targets and step graphs as callables (``graphs.make_graphs``)."""

    gram: dict[str, GramFn]
    step: dict[str, StepFn]


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


def align(n: int) -> int:
    """The smallest multiple of ALIGN that is ≥ n."""
    return max(ALIGN, -(-n // ALIGN) * ALIGN)


def plan_levels(height: int, width: int, sample_side: int, quality: str = "normal") -> list[Level]:
    """Levels from coarsest to finest for a height×width canvas (multiples of ALIGN)."""
    if height % ALIGN or width % ALIGN:
        raise ValueError(f"canvas {height}×{width} is not a multiple of {ALIGN}")
    factors = [1]
    while (factors[0] < MAX_FACTOR and min(height, width) // (2 * factors[0]) >= MIN_LEVEL_SIDE
           and sample_side // (2 * factors[0]) >= MIN_SAMPLE_SIDE):
        factors.insert(0, factors[0] * 2)
    schedule = SCHEDULES[quality]
    boost = 1.0
    if schedule.small_boost:
        boost = min(MAX_SMALL_BOOST, max(1.0, REFERENCE_PIXELS / (height * width)))
    levels = []
    for index, factor in enumerate(factors):
        h, w = height // factor, width // factor
        if index == 0:
            graph, base = DEEP, schedule.coarsest_evals
        else:
            graph = next(d for side, d in schedule.depth_by_side if max(h, w) <= side)
            base = next(n for side, n in schedule.evals_by_side if max(h, w) <= side)
        evals = 0 if base == 0 else max(2, int(round(base * boost)))
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
    levels = plan_levels(height, width, sample_side, quality)
    total_cost = sum(level.cost for level in levels)
    done_cost = 0.0
    reference = sample[valid > 0.5]
    if len(reference) == 0:
        raise ValueError("the texture sample has no usable pixels")
    canvas: np.ndarray | None = None
    for level in levels:
        level_sample = downscale(sample, level.factor)
        level_valid = block_min(valid, level.factor)[: level_sample.shape[0], : level_sample.shape[1]]
        level_free = np.ones((level.height, level.width), np.float32) if free is None \
            else block_max(free.astype(np.float32), level.factor)
        level_known = None if known is None else downscale(known, level.factor)[: level.height, : level.width]
        if canvas is None:
            canvas = random_phase_noise(level_sample, level_valid, level.height, level.width, rng)
        else:
            detail = detail_noise(level_sample, level_valid, level.height, level.width, rng)
            canvas = upsample2_periodic(canvas) + detail
        if level_known is not None:
            canvas = np.where(level_free[:, :, None] > 0, canvas, level_known)
        if level.evals == 0:        # upsampled only (the fast schedules' levels above 256²)
            canvas = np.clip(canvas, 0.0, 1.0).astype(np.float32)
            continue
        targets = graphs.gram[level.graph](to_nchw(level_sample), level_valid[None, None].astype(np.float32))
        weights = np.array([1.0 / (len(targets) * max(float((t * t).mean()), 1e-12)) for t in targets],
                           np.float32)

        base_cost = done_cost

        def report(evals: int, level: Level = level, base: float = base_cost) -> None:
            if check_cancel is not None:
                check_cancel()
            if progress is not None:
                progress((base + level.cost * evals / level.evals) / total_cost)

        step = graphs.step[level.graph]
        canvas = _optimise(step, canvas, weights, targets, level_free, level.evals, report, rng)
        if level_known is not None:
            canvas = np.where(level_free[:, :, None] > 0, canvas, level_known)
        done_cost += level.cost
    assert canvas is not None
    return _match_colours(canvas, reference, free)


def random_phase_noise(sample: np.ndarray, valid: np.ndarray, height: int, width: int,
                       rng: np.random.Generator) -> np.ndarray:
    """A periodic height×width start with the sample's colours and autocorrelation ("spot noise").

    Asymptotic discrete spot noise (Galerne, Gousseau & Morel 2011): white noise circularly convolved with
    the mean-centred sample, one noise field for the three channels so that colours stay correlated as in
    the sample. White-noise pixels, the usual start, left speckle and a fine checker that the short
    optimisation at each level did not remove; this start already has the sample's second-order
    statistics, so the optimisation only has to add structure. Invalid sample pixels (a hole) count as
    the mean colour; a sample larger than the canvas is cropped to it.
    """
    usable = valid > 0.5
    mean = sample[usable].mean(axis=0) if usable.any() else sample.reshape(-1, 3).mean(axis=0)
    return np.clip(_spot_noise(sample - mean, usable, height, width, rng) + mean, 0.0, 1.0).astype(np.float32)


def detail_noise(sample: np.ndarray, valid: np.ndarray, height: int, width: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Spot noise of the sample's finest octave (the sample minus its ×2 reduced and re-enlarged self), added
    to a canvas just upsampled from the coarser level.

    Fourier upsampling leaves the new octave empty, and the few evaluations of the fine levels were measured
    not to fill it: tiles came out soft, with the poolings' grid showing. This puts the octave's power
    spectrum (the sample's, at random phases) in at once; the optimisation then only arranges it.
    """
    h2, w2 = (sample.shape[0] // 2) * 2, (sample.shape[1] // 2) * 2
    if min(h2, w2) < 4:
        return np.zeros((height, width, 3), np.float32)
    crop = sample[:h2, :w2]
    band = crop - upsample2_periodic(downscale(crop, 2))
    usable = valid[:h2, :w2] > 0.5
    return _spot_noise(band, usable, height, width, rng).astype(np.float32)


def _spot_noise(patch: np.ndarray, usable: np.ndarray, height: int, width: int,
                rng: np.random.Generator) -> np.ndarray:
    """White noise circularly convolved with ``patch`` (zero where not usable), normalised by the number of
    usable pixels so that the result has the patch's autocorrelation per pixel."""
    patch = np.where(usable[:, :, None], patch, 0.0)[:height, :width]
    spot = np.zeros((height, width, 3))
    spot[: patch.shape[0], : patch.shape[1]] = patch
    white = np.fft.rfft2(rng.standard_normal((height, width)))
    noise = np.fft.irfft2(np.fft.rfft2(spot, axes=(0, 1)) * white[:, :, None], s=(height, width), axes=(0, 1))
    return noise / np.sqrt(max(1, int(usable[:height, :width].sum())))


def _optimise(step: StepFn, canvas: np.ndarray, weights: np.ndarray, targets: list[np.ndarray],
              free: np.ndarray, evals: int, report: Callable[[int], None],
              rng: np.random.Generator | None = None) -> np.ndarray:
    """L-BFGS on the free pixels of one level; returns the clipped H×W×3 canvas.

    The evaluations run in up to JITTER_CHUNKS rounds, each on the canvas rolled by a random offset of
    up to 3 pixels (exact: the step graphs are circular) and with a fresh L-BFGS history. The poolings
    see the image on a 2-, 4-, 8- and 16-pixel grid; with one fixed grid a short optimisation put
    blocky, grid-aligned detail into the finer levels, which moving the grid between rounds removes.
    The first round is shifted too: a level of few evaluations runs in one round, and unshifted its
    grid would line up with the tile's wrap border (a seam of grid-aligned detail).
    """
    height, width = canvas.shape[:2]
    rounds = max(1, min(JITTER_CHUNKS, evals // MIN_ROUND_EVALS)) if rng is not None else 1
    done = 0
    for index in range(rounds):
        count = evals // rounds + (1 if index < evals % rounds else 0)
        shift = (0, 0) if rng is None else tuple(int(v) for v in rng.integers(0, 4, 2))
        rolled = np.roll(canvas, shift, (0, 1))
        rolled_free = np.roll(free, shift, (0, 1))
        free_chw = np.broadcast_to(rolled_free[None], (3, height, width)).ravel().astype(np.float64)
        region = np.ascontiguousarray(rolled_free[None, None], dtype=np.float32)

        def objective(flat: np.ndarray, region: np.ndarray = region,
                      free_chw: np.ndarray = free_chw) -> tuple[float, np.ndarray]:
            x = flat.reshape(1, 3, height, width).astype(np.float32)
            loss, grad = step(x, region, weights, targets)
            outside, outside_grad = lbfgs.range_penalty(flat)
            return float(loss) + outside, (np.asarray(grad, np.float64).ravel() + outside_grad) * free_chw

        start = rolled.transpose(2, 0, 1).ravel()
        best, _ = lbfgs.minimize(objective, start, count, callback=lambda n, base=done: report(base + n))
        done += count
        canvas = np.roll(best.reshape(3, height, width).transpose(1, 2, 0), (-shift[0], -shift[1]), (0, 1))
    return np.clip(canvas, 0.0, 1.0).astype(np.float32)


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

