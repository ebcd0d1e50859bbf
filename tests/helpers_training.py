"""What the scaffold's resume tests share: synthetic photos, a task killed mid-run, and the check that a
killed-then-resumed run ends with the weights of a straight one, bit for bit.

Import it after ``pytest.importorskip("torch")``: it needs torch and the training scaffold.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from models import training


def photos(count: int, h: int, w: int, seed: int = 0) -> list[np.ndarray]:
    """``count`` noisy horizontal gradients, uint8 h×w×3 (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, w, dtype=np.float32)[None, :, None] * np.ones((h, 1, 3), np.float32)
    return [np.clip(base + rng.normal(0, 40, (h, w, 3)), 0, 255).astype(np.uint8) for _ in range(count)]


def killed_at(task_cls: type[training.TrainingTask], kill: int) -> type[training.TrainingTask]:
    """The task, but its process "dies" (KeyboardInterrupt) when it reaches step ``kill``."""
    class Killed(task_cls):  # type: ignore[valid-type, misc]
        def step(self, step: int, progress: float) -> dict[str, float]:
            if step == kill:
                raise KeyboardInterrupt  # the process dies between two checkpoints
            return super().step(step, progress)

    return Killed


def checkpoint_modules(path: Path) -> dict[str, dict[str, torch.Tensor]]:
    """The module state dicts of a run's ``checkpoint.pt``."""
    return torch.load(path, map_location="cpu", weights_only=False)["modules"]


def assert_resume_is_exact(task_cls: type[training.TrainingTask], cfg: training.RunConfig, folder: Path,
                           kill: int = 3) -> tuple[dict[str, dict[str, torch.Tensor]], training.RunConfig]:
    """Train ``cfg`` straight through (into ``cfg.out``), then again into ``folder``, killed at step ``kill``
    and resumed; assert both end with the same weights. Returns the straight run's modules and the resumed
    run's config."""
    straight = training.train(task_cls, cfg)
    resumed_cfg = replace(cfg, out=str(folder))
    try:
        training.train(killed_at(task_cls, kill), resumed_cfg)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError(f"the run was not killed at step {kill}")
    resumed = training.train(task_cls, resumed_cfg, resume=True)
    a, b = checkpoint_modules(straight), checkpoint_modules(resumed)
    assert a.keys() == b.keys()
    for module in a:
        for key, value in a[module].items():
            assert torch.equal(value, b[module][key]), f"{module}.{key} differs after the resume"
    return a, resumed_cfg
