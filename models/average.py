"""Average the weights a run kept along its way (``--keep-weights``) into a run folder of their own.

    python -m models.average --run runs/col_dec --from-step 1750 --out runs/col_dec_avg

Averaging the checkpoints of the last part of a run (Izmailov et al. 2018, "stochastic weight
averaging"; all fine-tuned from one start, so they lie in one basin) takes out the swing from one save to
the next, which for colorize is worth ±0.2 dB. The output folder holds the run's ``config.json`` and a
``checkpoint.pt`` with the averaged modules (no optimiser state: it is for export and evaluation, not for
``--resume``), so each filter's ``export`` and ``evaluate`` read it like any run.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch

from models.training import KEPT_WEIGHTS, save_atomically


def kept_weights(run: Path, from_step: int = 0) -> list[Path]:
    """The run's ``keep/step<N>.pt`` files (``training.kept_weights_path``) with N ≥ ``from_step``, in
    step order."""
    files = sorted((run / KEPT_WEIGHTS).glob("step*.pt"))
    return [f for f in files if int(f.stem[len("step"):]) >= from_step]


def average_states(states: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The mean of floating-point tensors; other entries (counters) from the last state. All states must
    hold the same keys and shapes."""
    if not states:
        raise ValueError("nothing to average")
    last = states[-1]
    for state in states:
        if state.keys() != last.keys() or any(state[k].shape != last[k].shape for k in last):
            raise ValueError("the weights to average come from different networks")
    return {k: (torch.stack([s[k] for s in states]).mean(0) if v.is_floating_point() else v.clone())
            for k, v in last.items()}


def average_run(files: Sequence[Path], config: Path, out: Path) -> Path:
    """Write ``out/checkpoint.pt`` (every module averaged over ``files``) and ``out/config.json``."""
    loaded = [torch.load(f, map_location="cpu", weights_only=False) for f in files]
    names = loaded[-1]["modules"].keys()
    modules = {name: average_states([entry["modules"][name] for entry in loaded]) for name in names}
    out.mkdir(parents=True, exist_ok=True)
    if config.resolve() != (out / config.name).resolve():
        shutil.copyfile(config, out / config.name)
    steps = [int(entry["step"]) for entry in loaded]
    return save_atomically({"step": steps[-1], "averaged_steps": steps, "modules": modules},
                           out / "checkpoint.pt")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="a run trained with --keep-weights")
    parser.add_argument("--from-step", type=int, default=0, help="average the saves from this step on")
    parser.add_argument("--out", type=Path, required=True, help="the folder of the averaged run")
    args = parser.parse_args(argv)
    files = kept_weights(args.run, args.from_step)
    if not files:
        parser.error(f"{args.run / KEPT_WEIGHTS} holds no weights from step {args.from_step} on "
                     "(train with --keep-weights)")
    path = average_run(files, args.run / "config.json", args.out)
    print(f"averaged {len(files)} saves ({files[0].stem}…{files[-1].stem}) -> {path}")


if __name__ == "__main__":
    main()
