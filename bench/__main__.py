"""``python -m bench [NAME...] [--quick] [--json FILE] [--md FILE]``: run benchmarks, write a report."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from bench.report import Section, write

BENCHMARKS = {
    "filters": "bench.filter_speed",
    "torch": "bench.torch_vs_ort",
    "memory": "bench.memory",
    "startup": "bench.startup",
    "stall": "bench.gui_stall",
    "batch": "bench.batch",
    "cancel": "bench.cancel_cycles",
    "texture": "bench.texture_speed",
    "painting": "bench.painting_speed",
    "stylize": "bench.stylize_speed",
}
#: Minutes each (old vs new, interleaved): run only when named.
ON_REQUEST = ("texture", "painting", "stylize")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all but {', '.join(ON_REQUEST)})")
    parser.add_argument("--quick", action="store_true", help="small inputs, one repeat (a smoke run)")
    parser.add_argument("--json", type=Path, default=Path("bench-report.json"), help="JSON report path")
    parser.add_argument("--md", type=Path, default=Path("bench-report.md"), help="Markdown report path")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    sections: list[Section] = []
    for name in args.names or [n for n in BENCHMARKS if n not in ON_REQUEST]:
        started = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        section = importlib.import_module(BENCHMARKS[name]).run(args.quick)
        section.seconds = time.perf_counter() - started
        sections.append(section)
        print(section.markdown(), file=sys.stderr, flush=True)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    write(sections, args.md, args.json, command.strip())
    print(f"[bench] wrote {args.md} and {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
