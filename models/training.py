"""Training-loop helpers shared by every filter: seeds, device, checkpoints, loss logs, AMP."""

from __future__ import annotations

import contextlib
import csv
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) for repeatable runs."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def pick_device(requested: str = "auto") -> torch.device:
    """``"auto"`` → CUDA when available, else MPS, else CPU; otherwise the named device."""
    if requested != "auto":
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def autocast(device: torch.device, enabled: bool = True) -> contextlib.AbstractContextManager[Any]:
    """Mixed precision on CUDA only (CPU bfloat16 autocast is slower than fp32 for small convs)."""
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def grad_scaler(device: torch.device) -> torch.amp.GradScaler:
    """A GradScaler that is active only where :func:`autocast` is."""
    return torch.amp.GradScaler("cuda", enabled=device.type == "cuda")


class Checkpointer:
    """Saves and resumes ``{"step", "model", "optimizer", "extra"}`` atomically at one path.

    ``modules`` and ``optimizers`` are named so a GAN can keep generator and discriminator together.
    """

    def __init__(self, path: str | Path, modules: dict[str, torch.nn.Module],
                 optimizers: dict[str, torch.optim.Optimizer] | None = None) -> None:
        self.path = Path(path)
        self.modules = modules
        self.optimizers = optimizers or {}

    def save(self, step: int, **extra: Any) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "step": step,
            "modules": {k: m.state_dict() for k, m in self.modules.items()},
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
            "extra": extra,
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        torch.save(state, tmp)
        os.replace(tmp, self.path)
        return self.path

    def exists(self) -> bool:
        return self.path.exists()

    def resume(self, map_location: str | torch.device = "cpu") -> tuple[int, dict[str, Any]]:
        """Load weights and optimiser states in place; returns (step, extra). (0, {}) when none saved."""
        if not self.path.exists():
            return 0, {}
        state = torch.load(self.path, map_location=map_location, weights_only=False)
        for k, m in self.modules.items():
            m.load_state_dict(state["modules"][k])
        for k, o in self.optimizers.items():
            if k in state["optimizers"]:
                o.load_state_dict(state["optimizers"][k])
        return int(state["step"]), dict(state.get("extra", {}))


class LossLog:
    """Appends ``step, name=value, ...`` rows to a CSV and draws the curves into a PNG (matplotlib Agg).

    Appending means a resumed run continues the same file; rows with a step at or beyond the resume
    point are dropped on :meth:`truncate`.
    """

    def __init__(self, csv_path: str | Path, png_path: str | Path | None = None) -> None:
        self.csv_path = Path(csv_path)
        self.png_path = Path(png_path) if png_path else self.csv_path.with_suffix(".png")
        self.fields: list[str] | None = None
        if self.csv_path.exists():
            with self.csv_path.open(newline="") as f:
                header = next(csv.reader(f), None)
            self.fields = header[1:] if header else None

    def truncate(self, step: int) -> None:
        """Forget rows with ``step >= step`` (after resuming from an earlier checkpoint)."""
        rows = self.rows()
        if not rows or self.fields is None:
            return
        self._write_all([r for r in rows if r["step"] < step])

    def _write_all(self, rows: list[dict[str, float]]) -> None:
        assert self.fields is not None
        with self.csv_path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["step", *self.fields])
            for r in rows:
                w.writerow([int(r["step"]), *(r.get(k, "") for k in self.fields)])

    def log(self, step: int, **values: float) -> None:
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        if self.fields is None:
            self.fields = list(values)
            with self.csv_path.open("w", newline="") as f:
                csv.writer(f).writerow(["step", *self.fields])
        elif any(k not in self.fields for k in values):  # a new series: widen the header
            rows = self.rows()
            self.fields += [k for k in values if k not in self.fields]
            self._write_all(rows)
        with self.csv_path.open("a", newline="") as f:
            csv.writer(f).writerow([step, *(f"{float(values[k]):.6g}" if k in values else ""
                                            for k in self.fields)])

    def rows(self) -> list[dict[str, float]]:
        if not self.csv_path.exists():
            return []
        with self.csv_path.open(newline="") as f:
            return [{k: float(v) for k, v in row.items() if v not in ("", None)}
                    for row in csv.DictReader(f)]

    def plot(self, title: str = "training loss", smooth: int = 20) -> Path:
        """One panel per logged series against step: raw (faint) and a moving average of ``smooth``.

        Series whose name contains "loss" get a log axis; others (PSNR, accuracy…) a linear one.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = self.rows()
        names = [n for n in self.fields or [] if any(n in r for r in rows)] or ["loss"]
        fig, axes = plt.subplots(len(names), 1, figsize=(7, 2.6 * len(names)), dpi=100, sharex=True,
                                 squeeze=False)
        for ax, name in zip(axes[:, 0], names):
            pts = [(r["step"], r[name]) for r in rows if name in r]
            if pts:
                steps, vals = np.array(pts).T
                line, = ax.plot(steps, vals, alpha=0.35 if len(vals) >= smooth > 1 else 1.0,
                                linewidth=0.8, marker="" if len(vals) > 50 else ".")
                if len(vals) >= smooth > 1:
                    kernel = np.ones(smooth) / smooth
                    ax.plot(steps[smooth - 1:], np.convolve(vals, kernel, "valid"), color=line.get_color())
            if "loss" in name:
                ax.set_yscale("log")
            ax.set_ylabel(name)
            ax.grid(True, alpha=0.3)
        axes[0, 0].set_title(title)
        axes[-1, 0].set_xlabel("step")
        fig.tight_layout()
        self.png_path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(self.png_path)
        plt.close(fig)
        return self.png_path


def cycle(iterable_factory: Any) -> Iterator[Any]:
    """Endless iteration over ``iterable_factory()`` (called anew each pass)."""
    while True:
        yield from iterable_factory()
