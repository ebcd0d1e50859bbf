"""Batch throughput of the command line: ``holst apply upscale DIR -o OUT/ --set scale=2 --jobs N``.

Twenty small photos (480×320 crops of the bundled sample, each from another place, some mirrored) are
written to a temporary folder; the real command runs as a subprocess with --jobs 1 and --jobs 2, and
the wall time from launch to exit (interpreter and worker start-up included, as a user sees it) gives
images per second. The median of the repeats is reported.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench.inputs import SAMPLE
from bench.report import Section

ROOT = Path(__file__).resolve().parents[1]
SIZE = (480, 320)
JOBS = (1, 2)


def write_photos(folder: Path, count: int) -> list[Path]:
    """``count`` different 480×320 JPEGs cut from the sample image (deterministic)."""
    sample = Image.open(SAMPLE).convert("RGB")
    rng = np.random.default_rng(0)
    paths = []
    for index in range(count):
        x = int(rng.integers(0, sample.width - SIZE[0]))
        y = int(rng.integers(0, sample.height - SIZE[1]))
        crop = sample.crop((x, y, x + SIZE[0], y + SIZE[1]))
        if index % 2:
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        path = folder / f"photo{index:02d}.jpg"
        crop.save(path, quality=92)
        paths.append(path)
    return paths


def time_batch(source: Path, out: Path, jobs: int) -> float:
    """Seconds for one run of the real command (which must succeed)."""
    command = [sys.executable, str(ROOT / "main.py"), "apply", "upscale", str(source), "-o", f"{out}/",
               "--set", "scale=2", "--jobs", str(jobs), "--overwrite"]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"batch failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def run(quick: bool) -> Section:
    count, repeats = (6, 1) if quick else (20, 3)
    section = Section("batch", f"Batch: upscale ×2 of {count} photos of {SIZE[0]}×{SIZE[1]} "
                               "(holst apply upscale DIR -o OUT/ --jobs N)")
    with tempfile.TemporaryDirectory(prefix="holst-bench-batch-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        write_photos(folder, count)
        base = None
        for jobs in JOBS:
            times = [time_batch(folder, Path(tmp) / f"out{jobs}", jobs) for _ in range(repeats)]
            median = statistics.median(times)
            base = base or median
            section.rows.append({"jobs": jobs, "runs": repeats, "median s": median,
                                 "images/s": count / median, "speed-up": base / median})
    section.notes.append(f"wall time from launch to exit, start-up included; {os.cpu_count()} CPU cores; "
                         "each worker loads the model once and uses its share of the cores")
    return section
