"""``python -m bench stylize``: the stylize filter through the app's pipeline at 256², 512² and 1024², today's
against the filter of ``models.baseline.STYLIZE_BEFORE`` (the last one trained on random features; issue #19
asks that stylize stay within 1.3× of its time).

Each version runs in its own subprocess (its own code and ONNX file, from the tree at that commit), the two
taking turns round by round so that both see the same load; a round warms up once and then times each size
a few times. Reported: medians over all rounds, and today's ÷ before. Today's includes the reflected frame
(``EDGE_MARGIN``) that the network now runs in.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.inputs import SAMPLE
from bench.report import Section

SIDES = (256, 512, 1024)
GOAL_RATIO = 1.3
# Run inside each tree: time apply_filter("stylize") at each side, print {side: [seconds, ...]}.
TIMER = """
import json, sys, time
import numpy as np
from PIL import Image
from plugins.pipeline import apply_filter
source, repeats = sys.argv[1], int(sys.argv[2])
with Image.open(source) as img:
    photo = img.convert("RGB")
times = {}
for side in json.loads(sys.argv[3]):
    rgba = np.asarray(photo.resize((side, side), Image.Resampling.LANCZOS).convert("RGBA"))
    apply_filter("stylize", rgba, params={"style": "the_scream"})
    times[side] = []
    for _ in range(repeats):
        start = time.perf_counter()
        apply_filter("stylize", rgba, params={"style": "the_scream"})
        times[side].append(time.perf_counter() - start)
print(json.dumps(times))
"""


def time_tree(root: Path, sides: tuple[int, ...], repeats: int) -> dict[int, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", TIMER, str(SAMPLE), str(repeats), json.dumps(sides)],
                          cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"stylize timing in {root} failed: {done.stderr.strip()[-400:]}")
    return {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def run(quick: bool) -> Section:
    from models.baseline import ROOT, STYLIZE_BEFORE, baseline_dir

    section = Section("stylize", "Stylize through the pipeline, today's vs the random-feature filter "
                                 f"(goal ≤ {GOAL_RATIO:g}×)")
    sides = SIDES[:1] if quick else SIDES
    rounds, repeats = (1, 1) if quick else (3, 3)
    roots = {"before": baseline_dir(STYLIZE_BEFORE), "today": ROOT}
    times: dict[str, dict[int, list[float]]] = {name: {side: [] for side in sides} for name in roots}
    loads = [os.getloadavg()[0]]
    for _ in range(rounds):
        for name, root in roots.items():
            for side, kept in time_tree(root, sides, repeats).items():
                times[name][side].extend(kept)
            loads.append(os.getloadavg()[0])
    for side in sides:
        before, today = (1000 * statistics.median(times[name][side]) for name in roots)
        section.rows.append({"size": f"{side}²", "before ms": before, "today ms": today,
                             "today ÷ before": today / before,
                             "within goal": "yes" if today <= GOAL_RATIO * before else "NO"})
    section.notes.append(f"before = commit {STYLIZE_BEFORE[:7]}; style the_scream on resources/sample.png; "
                         f"{rounds} rounds × {repeats} runs per size and version; load average "
                         f"{min(loads):.1f}–{max(loads):.1f} ({os.cpu_count()} cores); CPU provider")
    return section
