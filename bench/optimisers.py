"""Speed of the filters that optimise an image (texture tile, stylize's own painting), old vs new.

Both run as ``python main.py apply`` subprocesses (start-up included, as a user of the CLI waits):
today's filter (ImageNet VGG16) and the random-network filter of ``models.baseline.RANDOM_NETWORK``,
interleaved run by run so that both see the same load on a shared machine. Medians of wall time and
of the child's CPU time (user + system) are reported with the load average before and after; CPU time
is the steadier figure when other jobs share the cores.

    python -m bench texture         a 512² seamless tile (goal ≤ 30 s on this 2-core CPU)
    python -m bench painting        own painting at a working size of 512 px (goal ≤ 30 s)
"""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image

from bench.inputs import SAMPLE
from bench.report import Section

GOAL_S = 30.0
STARRY_NIGHT = Path(__file__).resolve().parents[2] / "shared" / "data" / "styles" / "starry_night.jpg"


def painting_or_sample(side: int) -> Image.Image:
    """The Starry Night (public domain; shared data) at ``side`` px long side, else the bundled sample."""
    path = STARRY_NIGHT if STARRY_NIGHT.is_file() else SAMPLE
    with Image.open(path) as img:
        image = img.convert("RGB")
    scale = side / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


def compare(section: Section, label: str, filter_id: str, source: Path, sets: Mapping[str, object],
            repeats: int) -> None:
    """Run old and new ``repeats`` times each, interleaved; add one row per version to ``section``."""
    from models.baseline import RANDOM_NETWORK, ROOT, apply_cli, baseline_dir

    roots = {"random-weight VGG-19 (before)": baseline_dir(RANDOM_NETWORK), "ImageNet VGG16 (now)": ROOT}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in roots}
    loads = [os.getloadavg()[0]]
    outputs = ROOT / "runs" / "bench_outputs"        # the last result of each version, to look at
    outputs.mkdir(parents=True, exist_ok=True)
    for _ in range(repeats):
        for index, (name, root) in enumerate(roots.items()):
            out = outputs / f"{filter_id}_{'random' if index == 0 else 'vgg16'}.png"
            times[name].append(apply_cli(root, filter_id, source, out, sets))
            loads.append(os.getloadavg()[0])
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        section.rows.append({"task": label, "version": name, "runs": len(runs), "median wall s": wall,
                             "median CPU s": statistics.median(c for _, c in runs),
                             "walls": " / ".join(f"{w:.1f}" for w, _ in runs),
                             "within goal": "yes" if wall <= GOAL_S else "NO"})
    section.notes.append(f"{label}: load average {min(loads):.1f}–{max(loads):.1f} during the runs "
                         f"({os.cpu_count()} cores); no GPU on this machine")


def run_texture(quick: bool) -> Section:
    section = Section("texture", f"Texture: 512² seamless tile, CLI, old vs new (goal ≤ {GOAL_S:g} s)")
    from models.baseline import ROOT

    source = ROOT / "runs" / "bench_outputs" / "texture_sample.png"
    source.parent.mkdir(parents=True, exist_ok=True)
    painting_or_sample(512).save(source)
    compare(section, "512² tile", "texture", source, {"size": 512, "seamless": True}, 1 if quick else 3)
    return section


def run_painting(quick: bool) -> Section:
    section = Section("painting", f"Stylize, own painting at 512 px, CLI, old vs new (goal ≤ {GOAL_S:g} s)")
    with tempfile.TemporaryDirectory() as tmp:
        photo, painting = Path(tmp) / "photo.png", Path(tmp) / "painting.png"
        with Image.open(SAMPLE) as img:
            np_photo = np.asarray(img.convert("RGB").resize((1024, 683), Image.Resampling.LANCZOS))
        Image.fromarray(np_photo).save(photo)
        painting_or_sample(1024).save(painting)
        compare(section, "own painting, working size 512", "stylize", photo,
                {"own_painting": str(painting), "working_size": 512}, 1 if quick else 3)
    return section
