"""Run the app as it was at an earlier commit, beside today's: "old vs new" in the same run.

The texture filter and stylize's own-painting mode replaced their random-weight VGG-19 graphs with the
ImageNet VGG16 (issue #20). Their evaluations and benchmarks compare against the random-network
version by running that commit's own ``main.py apply`` (its code and its ONNX files, exported from git
into ``runs/baseline-<commit>``) in a subprocess, interleaved with today's, so both see the same load.

    baseline_dir(RANDOM_NETWORK) -> Path            the old tree (exported once, then reused)
    apply_cli(root, filter, input, output, sets) -> (wall s, CPU s)   one ``main.py apply`` run
    old_and_new(filter, input, sets, output, row) -> (label, output) per version, today's first
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator, Mapping
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The last commit of the random-network texture filter and own-painting graphs.
RANDOM_NETWORK = "d0590c1e38d32acd2b4576f3d18f124dc72ef84f"
#: The last commit of the stylize filter trained on random features (issue #19's "today's" speed).
STYLIZE_BEFORE = "8cf5b845a8f49847bf1378e0cbc734c86cb2c1c5"


def baseline_dir(commit: str = RANDOM_NETWORK) -> Path:
    """``runs/baseline-<commit>``: the repository at ``commit`` (``git archive``), made on first use."""
    target = ROOT / "runs" / f"baseline-{commit[:12]}"
    if (target / "main.py").is_file():
        return target
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit],
                             capture_output=True, check=True).stdout
    part = target.with_name(target.name + ".part")
    part.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(part, filter="data")
    part.rename(target)
    return target


def apply_cli(root: Path, filter_id: str, source: Path, output: Path,
              sets: Mapping[str, object] | None = None, mask: Path | None = None) -> tuple[float, float]:
    """``python main.py apply`` of the tree at ``root``: (wall seconds, CPU seconds of the child)."""
    cmd = [sys.executable, str(root / "main.py"), "apply", filter_id, str(source), "-o", str(output)]
    if mask is not None:
        cmd += ["--mask", str(mask)]
    for name, value in (sets or {}).items():
        cmd += ["--set", f"{name}={str(value).lower() if isinstance(value, bool) else value}"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:4])} failed: {done.stderr.strip()[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def old_and_new(filter_id: str, source: Path, sets: Mapping[str, object], output: Callable[[str], Path],
                row: dict) -> Iterator[tuple[str, Path]]:
    """``main.py apply`` by today's tree ("vgg16"), then by the random-network one ("random"), on one input.

    The two runs follow each other so both see the same machine load. Each run's seconds go into ``row``
    (``wall_<label>``, ``cpu_<label>``); ``output(label)`` names its file; yields (label, that file).
    """
    for label, root in (("vgg16", ROOT), ("random", baseline_dir(RANDOM_NETWORK))):
        path = output(label)
        row[f"wall_{label}"], row[f"cpu_{label}"] = apply_cli(root, filter_id, source, path, sets)
        yield label, path


def run_conditions(load_before: float) -> dict:
    """What an old-vs-new comparison ran on, for its report: the old commit, the CPU and its load."""
    return {"baseline": RANDOM_NETWORK, "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count()}


def conditions_text(result: dict) -> str:
    """:func:`run_conditions`'s record (kept in ``result``) as the reports' sentence fragment."""
    return (f"of commit {result['baseline'][:7]}, interleaved, on {result['cpu_count']} shared CPU cores "
            f"(load average {result['load_before']} before, {result['load_after']} after)")
