"""Learning-rate schedules, one place for every filter's training.

A schedule is a factor of the optimiser's base rate, a function of the step (for the warm-up) and of
the run's *progress* 0..1 (:class:`models.training.Budget`: by steps or by the wall-clock budget,
whichever is further), so a run slowed by a busy CPU still reaches the end of its schedule.
"""

from __future__ import annotations

import math

SCHEDULES = ("cosine", "constant", "linear_tail")


def lr_factor(kind: str, step: int, progress: float, *, warmup: int = 0, floor: float = 0.05) -> float:
    """Factor of the base learning rate at ``step`` / ``progress``.

    - ``cosine``: half a cosine from 1 down to ``floor``;
    - ``constant``: 1;
    - ``linear_tail``: 1 for the first half, then linear down to ``floor`` (pix2pix's schedule).
    A linear warm-up over the first ``warmup`` steps multiplies each of them.
    """
    progress = min(1.0, max(0.0, progress))
    if kind == "cosine":
        factor = floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
    elif kind == "constant":
        factor = 1.0
    elif kind == "linear_tail":
        factor = 1.0 if progress < 0.5 else floor + (1.0 - floor) * (1.0 - progress) / 0.5
    else:
        raise ValueError(f"unknown schedule {kind!r}: one of {', '.join(SCHEDULES)}")
    if warmup > 0:
        factor *= min(1.0, (step + 1) / warmup)
    return factor
