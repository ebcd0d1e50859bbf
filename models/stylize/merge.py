"""Put together one network from a base run and per-style ``--only-style`` runs started from it.

    python -m models.stylize.merge --base RUN --style NAME=RUN [--style NAME=RUN …] --out RUN

An ``--only-style`` run changes nothing but its style's rows of the norm scale and shift tables, so styles
fine-tuned in separate runs (in parallel, each against its own figures) combine exactly: the result is the
base with each named style's rows taken from its run. Each style run is checked to hold the base's shared
weights bit for bit. The output folder gets the base's config.json and a checkpoint.pt that
``models.stylize.export --run`` and ``models.stylize.evaluate --run`` read like any run's.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch

from models.nets.stylize import PER_STYLE
from models.training import module_state
from plugins.filters.stylize.styles import STYLES

State = dict[str, torch.Tensor]


def merge(base: State, styles: dict[str, State]) -> State:
    """``base`` with, for each style name, that style's rows of every norm table from its state."""
    out = {name: tensor.clone() for name, tensor in base.items()}
    for style, state in styles.items():
        row = STYLES.index(style)
        for name, tensor in state.items():
            if name.endswith(PER_STYLE):
                out[name][row] = tensor[row]
            elif not torch.equal(tensor, base[name]):
                raise ValueError(f"the {style} run changed the shared weight {name}: not an --only-style run "
                                 "from this base")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--style", action="append", required=True, metavar="NAME=RUN")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    runs = dict(item.split("=", 1) for item in args.style)
    unknown = sorted(set(runs) - set(STYLES))
    if unknown:
        parser.error(f"unknown style {', '.join(unknown)} (choose from {', '.join(STYLES)})")
    base = module_state(args.base / "checkpoint.pt", "net")
    merged = merge(base, {style: module_state(Path(run) / "checkpoint.pt", "net")
                          for style, run in runs.items()})
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.base / "config.json", args.out / "config.json")
    torch.save({"modules": {"net": merged}}, args.out / "checkpoint.pt")
    (args.out / "merged.json").write_text(json.dumps({"base": str(args.base), "styles": runs}, indent=2))
    print(f"wrote {args.out / 'checkpoint.pt'}: {args.base} with {', '.join(runs)} from their runs")


if __name__ == "__main__":
    main()
