"""Seconds to colorize a 1-megapixel photo on the CPU: ``python -m models.colorize.speed [--onnx NAME=FILE]``.

Every model runs through the filter's own NumPy code (``plugins.filters.colorize.core``: lightness at
full resolution, the network at the working size, recombination in strips) with an onnxruntime CPU
session of ``--threads`` threads, on a 1024×1024 BSD100 photo. Models are timed in turns (one warm-up
each, then ``--repeats`` rounds), so a shared, busy CPU slows all of them alike; the medians and
their ratio to the first model are printed. Default: the shipped model alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

from models import data
from models.colorize.evaluate import NEEDS
from plugins.filters.colorize import core

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "colorize"


def test_photo(size: int = 1024) -> np.ndarray:
    """A BSD100 photo resized to size×size, float32 RGB 0..1."""
    rgb = Image.fromarray(data.load_rgb(data.bsd100()[0])).resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(rgb, dtype=np.float32) / 255.0


def session_predict(path: Path, threads: int) -> core.Predict:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    return lambda L: session.run(None, {"L": L})[0]


def time_models(models: dict[str, Path], repeats: int = 5, threads: int = 2, size: int = 1024,
                working_size: int = 256) -> dict[str, list[float]]:
    """Seconds per run of each model, interleaved round by round after one warm-up each."""
    image = test_photo(size)
    out = np.empty((size, size, 3), np.uint8)
    predicts = {name: session_predict(path, threads) for name, path in models.items()}
    times: dict[str, list[float]] = {name: [] for name in models}
    for predict in predicts.values():
        core.colorize(image, predict, needs=NEEDS, working_size=working_size, out=out)
    for _ in range(repeats):
        for name, predict in predicts.items():
            start = time.perf_counter()
            core.colorize(image, predict, needs=NEEDS, working_size=working_size, out=out)
            times[name].append(time.perf_counter() - start)
    return times


def _named(value: str) -> tuple[str, Path]:
    name, sep, file = value.partition("=")
    return (name, Path(file)) if sep else (Path(value).stem, Path(value))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx", type=_named, action="append", default=[], metavar="NAME=FILE",
                   help="model(s) to time; the first is the reference (default: the shipped model)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--working-size", type=int, default=256)
    args = p.parse_args(argv)
    models = dict(args.onnx) or {"shipped": PLUGIN_DIR / "colorize.onnx"}
    times = time_models(models, args.repeats, args.threads, args.size, args.working_size)
    first = statistics.median(next(iter(times.values())))
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name}: median {median:.3f} s ({median / first:.2f}× the first) for a {args.size}² photo at "
              f"working size {args.working_size}, {args.threads} onnxruntime threads; runs "
              + " ".join(f"{v:.3f}" for v in values))


if __name__ == "__main__":
    main()
