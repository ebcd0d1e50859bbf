"""The training scaffold every ``models/<filter>/train.py`` uses.

One way to train
    A filter's run is a :class:`RunConfig` subclass (a dataclass: its fields are the command line, the
    saved ``config.json`` and what export reads back, :func:`load_trained`) and a :class:`TrainingTask`
    subclass: set-up in ``__init__``, one optimisation step in :meth:`TrainingTask.step`, optional
    validation values in :meth:`TrainingTask.evaluate` and a picture in :meth:`TrainingTask.preview`
    (:func:`save_grid`). :func:`train` does the rest, identically for every filter:

    - threads, seeds, device; the run folder with ``config.json``;
    - ``--resume``: one checkpoint layout (``checkpoint.pt``: step, seconds spent, every module and
      optimiser, the Python/NumPy/torch RNG states and the task's own NumPy generators), so a resumed
      run continues bit for bit as if it had never stopped;
    - ``--init``: the task's :meth:`TrainingTask.initialise` (weights from a checkpoint or shipped ONNX);
    - one budget (:class:`Budget`: steps and/or minutes) and one schedule (``models.schedules``) applied
      to every optimiser's base rate;
    - one loss log (``loss.csv`` + ``loss.png``), a line on stdout, checkpoints every ``save_every``.

    ``python -m models.<filter>.train --help`` lists the shared flags (``--quick --steps --minutes
    --seed --threads --device --out --resume --init``) and the filter's own.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, get_args, get_type_hints

import numpy as np
import torch

from models.schedules import SCHEDULES, lr_factor


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


def save_grid(rows: Sequence[torch.Tensor], path: str | Path) -> Path:
    """A preview sheet: each row a batch (N, C, H, W) of pictures in 0..1 (C = 1 or 3) side by side, the
    rows one under another, as an 8-bit PNG."""
    from PIL import Image

    strips = [torch.cat(list(r.detach().float().cpu().expand(-1, 3, -1, -1)), dim=2) for r in rows]
    grid = torch.cat(strips, dim=1).clamp(0, 1).permute(1, 2, 0).numpy()
    Image.fromarray((grid * 255 + 0.5).astype(np.uint8)).save(path)
    return Path(path)


# ------------------------------------------------------------------ run configuration and command line

def arg(default: Any, help: str) -> Any:  # noqa: A002 - argparse's word
    """A config field with command-line help."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclasses.dataclass
class RunConfig:
    """The fields every training run has. A filter subclasses it (``@dataclass``) with its own fields,
    declared with :func:`arg` to give them command-line help."""

    steps: int = arg(1000, "optimisation steps")
    minutes: float = arg(0.0, "wall-clock budget, 0 = none; the schedule ends with whichever runs out first")
    seed: int = 0
    threads: int = arg(1, "torch CPU threads (the CPU is shared)")
    device: str = arg("auto", "auto, cpu, cuda, cuda:1, mps")
    out: str = arg("runs/train", "run folder (checkpoint, config, logs, previews)")
    init: str = arg("", "start from these weights (a checkpoint.pt or a shipped .onnx), fresh optimisers")
    lr: float = arg(1e-3, "base learning rate")
    schedule: str = arg("cosine", "one of " + ", ".join(SCHEDULES))
    warmup: int = arg(0, "steps of linear learning-rate warm-up")
    lr_floor: float = arg(0.05, "the schedule's last factor of the base rate")
    log_every: int = 10
    save_every: int = 200
    keep_weights: bool = arg(False, "also keep the modules' weights of every save as keep/step<N>.pt (for "
                                    "python -m models.average)")
    quick: bool = arg(False, "a tiny end-to-end run (minutes on a CPU)")

    def quick_overrides(self) -> dict[str, Any]:
        """What ``--quick`` changes (subclasses add their own sizes)."""
        return {"steps": min(self.steps, 20), "minutes": 3.0, "log_every": 5, "save_every": 10}


C = TypeVar("C", bound=RunConfig)


def config_parser(cls: type[RunConfig], description: str) -> argparse.ArgumentParser:
    """An argument parser with one ``--flag`` per field of ``cls``, plus ``--resume``."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = cls()
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(defaults, f.name)
        help_text = f.metadata.get("help", "")
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif isinstance(default, (list, tuple)):
            kind = get_args(hints[f.name])[0]  # tuple[float, ...] → float, even for an empty default
            parser.add_argument(flag, type=kind, nargs="+", default=None,
                                help=f"{help_text} (default {' '.join(map(str, default))})".strip())
        else:
            parser.add_argument(flag, type=type(default), default=None,
                                help=f"{help_text} (default {default})".strip())
    parser.add_argument("--resume", action="store_true", help="continue OUT/checkpoint.pt exactly")
    return parser


def parse_config(cls: type[C], description: str, argv: Sequence[str] | None = None) -> tuple[C, bool]:
    """(config, resume) from the command line: defaults, ``--quick``'s overrides, then the flags given.

    A subclass may derive a default in ``__post_init__`` (e.g. the run folder from the scale); it sees
    every flag given.
    """
    args = vars(config_parser(cls, description).parse_args(argv))
    resume = bool(args.pop("resume"))
    given = {k: (tuple(v) if isinstance(v, list) else v) for k, v in args.items() if v is not None}
    cfg = cls(**given)  # built from the given flags at once, so a __post_init__ sees them all
    if cfg.quick:
        cfg = dataclasses.replace(cfg, **{k: v for k, v in cfg.quick_overrides().items() if k not in given})
    return cfg, resume


def save_config(cfg: RunConfig, folder: Path) -> Path:
    path = Path(folder) / "config.json"
    path.write_text(json.dumps(dataclasses.asdict(cfg), indent=2) + "\n", encoding="utf-8")
    return path


def read_config(cls: type[C], folder: str | Path) -> C:
    """The run's saved configuration (unknown keys from older runs are ignored)."""
    data = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names})


# ------------------------------------------------------------------ budget

class Budget:
    """Steps and an optional wall-clock budget; ``seconds`` counts time already spent before a resume."""

    def __init__(self, steps: int, minutes: float = 0.0, spent: float = 0.0) -> None:
        self.steps, self.limit = steps, minutes * 60.0
        self._origin = time.monotonic() - spent

    def seconds(self) -> float:
        return time.monotonic() - self._origin

    def progress(self, step: int) -> float:
        """0..1: by steps, or further on by the time spent, whichever is further."""
        by_steps = step / max(1, self.steps)
        return min(1.0, max(by_steps, self.seconds() / self.limit) if self.limit > 0 else by_steps)

    def done(self, step: int) -> bool:
        return step >= self.steps or (self.limit > 0 and self.seconds() >= self.limit)


# ------------------------------------------------------------------ the task and the loop

class TrainingTask:
    """One filter's training: build everything in ``__init__``, one step in :meth:`step`.

    Subclasses fill ``self.modules`` and ``self.optimizers`` (named, so checkpoints are readable) and
    draw their data from ``self.rng`` (or list further generators in :meth:`generators`), which the
    checkpoint saves for an exact resume.
    """

    #: Optimisers kept at their base rate (not scaled by the schedule), e.g. a discriminator's.
    unscheduled: tuple[str, ...] = ()
    #: Keep every preview as ``preview_<step>.png`` beside the latest ``preview.png``.
    keep_previews: bool = False

    def __init__(self, cfg: RunConfig, device: torch.device) -> None:
        self.cfg, self.device = cfg, device
        self.rng = np.random.default_rng(cfg.seed)
        self.modules: dict[str, torch.nn.Module] = {}
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.budget: Budget | None = None  # set by :func:`train`

    def step(self, step: int, progress: float) -> dict[str, float]:
        """One optimisation step; returns the values to log (floats)."""
        raise NotImplementedError

    def evaluate(self, step: int, final: bool) -> dict[str, float]:
        """Values measured at a log point (validation scores), logged beside the losses' means; ``{}``
        when none is due. ``final`` is the run's last log point."""
        return {}

    def snapshot(self, name: str, step: int) -> Path:
        """A checkpoint of the state after ``step`` steps under another name in the run folder (e.g.
        the generator before a GAN phase), in the one layout: export and ``--init`` read it."""
        spent = self.budget.seconds() if self.budget is not None else 0.0
        return save_checkpoint(self, Path(self.cfg.out) / name, step, spent)

    def initialise(self, path: Path) -> None:
        """``--init``: take weights from ``path``. By default the modules of another run's checkpoint."""
        state = torch.load(path, map_location=self.device, weights_only=False)
        for name, module in self.modules.items():
            if name in state.get("modules", {}):
                module.load_state_dict(state["modules"][name])

    def preview(self, path: Path) -> None:
        """Write a picture of the current results to ``path`` (optional)."""

    def generators(self) -> list[np.random.Generator]:
        return [self.rng]


def _rng_state(task: TrainingTask) -> dict[str, Any]:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state(),
             "task": [g.bit_generator.state for g in task.generators()]}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(task: TrainingTask, state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    for gen, saved in zip(task.generators(), state["task"], strict=True):
        gen.bit_generator.state = saved


def save_atomically(state: dict[str, Any], path: Path) -> Path:
    """``torch.save`` through a temporary file, so a killed process never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    return path


def _weights_state(task: TrainingTask, step: int) -> dict[str, Any]:
    """The part of a checkpoint that :func:`module_state` and :func:`load_trained` read."""
    return {"step": step, "config": dataclasses.asdict(task.cfg),
            "modules": {k: m.state_dict() for k, m in task.modules.items()}}


def save_checkpoint(task: TrainingTask, path: Path, step: int, seconds: float) -> Path:
    """Everything an exact resume needs, written atomically."""
    return save_atomically({**_weights_state(task, step), "seconds": seconds,
                            "optimizers": {k: o.state_dict() for k, o in task.optimizers.items()},
                            "rng": _rng_state(task)}, path)


KEPT_WEIGHTS = "keep"  # the run's folder of --keep-weights files


def kept_weights_path(out: Path, step: int) -> Path:
    return out / KEPT_WEIGHTS / f"step{step:05d}.pt"


def save_weights(task: TrainingTask, path: Path, step: int) -> Path:
    """The modules' weights alone (no optimiser or RNG state), in the checkpoint's layout, so that
    :func:`module_state` and :func:`load_trained` read them like a checkpoint."""
    return save_atomically(_weights_state(task, step), path)


def load_checkpoint(task: TrainingTask, path: Path) -> tuple[int, float]:
    """Restore modules, optimisers and RNGs in place; returns (step, seconds spent)."""
    state = torch.load(path, map_location=task.device, weights_only=False)
    for k, m in task.modules.items():
        m.load_state_dict(state["modules"][k])
    for k, o in task.optimizers.items():
        o.load_state_dict(state["optimizers"][k])
    _set_rng_state(task, state["rng"])
    return int(state["step"]), float(state["seconds"])


def module_state(path: str | Path, name: str) -> dict[str, torch.Tensor]:
    """One module's weights from a run's ``checkpoint.pt`` (what export reads)."""
    return torch.load(Path(path), map_location="cpu", weights_only=False)["modules"][name]


M = TypeVar("M", bound=torch.nn.Module)


def load_trained(run: str | Path, cls: type[C], build: Callable[[C], M], name: str,
                 checkpoint: str | Path | None = None) -> M:
    """A run's trained module in eval mode: ``build(config)`` from the run folder's ``config.json``, then
    module ``name``'s weights from its ``checkpoint.pt`` (or ``checkpoint``, another file of the run)."""
    module = build(read_config(cls, run))
    module.load_state_dict(module_state(checkpoint or Path(run) / "checkpoint.pt", name))
    return module.eval()


def initial_state(path: str | Path, name: str, onnx_prefix: str = "") -> dict[str, torch.Tensor]:
    """``--init``'s weights for module ``name``: from a run's checkpoint, or from a shipped ``.onnx``
    whose initializers carry the torch parameter names (under ``onnx_prefix`` when the exporter
    wrapped the network); other initializers (shape constants) come along, for callers to ignore."""
    if Path(path).suffix == ".onnx":
        from models.export import onnx_state_dict

        state = onnx_state_dict(path)
        return {k.removeprefix(onnx_prefix): v for k, v in state.items() if k.startswith(onnx_prefix)}
    return module_state(path, name)


def _base_rates(task: TrainingTask) -> dict[str, list[float]]:
    """Each optimiser group's configured learning rate, as the task built it (before any resume)."""
    return {k: [g["lr"] for g in o.param_groups] for k, o in task.optimizers.items()}


def _apply_schedule(task: TrainingTask, base: dict[str, list[float]], step: int, progress: float) -> float:
    """The schedule's factor of the configured rates (the task's ``unscheduled`` optimisers keep theirs)."""
    cfg = task.cfg
    factor = lr_factor(cfg.schedule, step, progress, warmup=cfg.warmup, floor=cfg.lr_floor)
    for name, opt in task.optimizers.items():
        scale = 1.0 if name in task.unscheduled else factor
        for group, rate in zip(opt.param_groups, base[name], strict=True):
            group["lr"] = rate * scale
    return factor


def finite(task: TrainingTask) -> bool:
    """Whether every parameter of every module is finite (a diverged step must not be saved)."""
    return all(bool(torch.isfinite(p).all()) for m in task.modules.values() for p in m.parameters())


class Diverged(RuntimeError):
    """The weights became NaN or inf: the run stops and its last good checkpoint is kept."""


def train(task_cls: type[TrainingTask], cfg: RunConfig, resume: bool = False) -> Path:
    """Run (or resume) a training; returns the path of ``checkpoint.pt``."""
    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    device = pick_device(cfg.device)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    task = task_cls(cfg, device)
    base = _base_rates(task)  # the config's rates, not a checkpoint's: a resume may change them
    ckpt_path = out / "checkpoint.pt"
    step, spent = 0, 0.0
    if resume and ckpt_path.exists():
        step, spent = load_checkpoint(task, ckpt_path)
        print(f"resumed at step {step} after {spent / 60:.1f} min", flush=True)
    elif cfg.init:
        task.initialise(Path(cfg.init))
        print(f"initialised from {cfg.init}", flush=True)
    save_config(task.cfg, out)  # the task may have refined it (e.g. the network shape of an --init file)
    log = LossLog(out / "loss.csv", out / "loss.png")
    log.truncate(step + 1)
    budget = task.budget = Budget(cfg.steps, cfg.minutes, spent)
    sums: dict[str, float] = {}
    count = 0
    finished = budget.done(step)
    while not finished:
        factor = _apply_schedule(task, base, step, budget.progress(step))
        values = task.step(step, budget.progress(step))
        step += 1
        finished = budget.done(step)
        for key, value in values.items():
            sums[key] = sums.get(key, 0.0) + float(value)
        count += 1
        if step % cfg.log_every == 0 or step == 1 or finished:
            means = {k: v / count for k, v in sums.items()}
            means.update(task.evaluate(step, finished))
            log.log(step, seconds=budget.seconds(), lr_factor=factor, **means)
            print(f"step {step}/{cfg.steps} {budget.seconds():.0f}s lr×{factor:.3f} "
                  + " ".join(f"{k} {v:.4g}" for k, v in means.items()), flush=True)
            sums, count = {}, 0
        if step % cfg.save_every == 0 and not finished:
            _save(task, out, step, budget)
    _save(task, out, step, budget)
    if log.rows():
        log.plot(f"{out.name} training")
    print(f"done: {step} steps, {budget.seconds() / 60:.1f} min in all -> {ckpt_path}", flush=True)
    return ckpt_path


def _save(task: TrainingTask, out: Path, step: int, budget: Budget) -> None:
    """The checkpoint and the preview (also kept as ``preview_<step>.png`` with ``keep_previews``; the
    weights as ``keep/step<N>.pt`` with ``--keep-weights``); :class:`Diverged` instead when the weights
    are no longer finite."""
    if not finite(task):
        raise Diverged(f"weights not finite at step {step}; {out / 'checkpoint.pt'} keeps the last good "
                       "state")
    save_checkpoint(task, out / "checkpoint.pt", step, budget.seconds())
    if task.cfg.keep_weights:
        save_weights(task, kept_weights_path(out, step), step)
    task.preview(out / "preview.png")
    if task.keep_previews and (out / "preview.png").exists():
        shutil.copyfile(out / "preview.png", out / f"preview_{step:05d}.png")


def main_for(task_cls: type[TrainingTask], cls: type[RunConfig], description: str,
             argv: Sequence[str] | None = None) -> Path:
    """The body of every ``train.py``'s ``main``: parse, then :func:`train`."""
    cfg, resume = parse_config(cls, description, argv)
    return train(task_cls, cfg, resume)
