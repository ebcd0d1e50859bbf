"""Collecting results and writing the Markdown + JSON report."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class ChildFailed(Exception):
    """A measuring child process gave no result (it timed out or failed); the message is one line."""


def child_row(module: str, *args: object, timeout: float) -> dict[str, Any]:
    """Run ``python -m module ARGS`` in a fresh process and return the JSON row it prints last.

    A fresh process per measurement keeps peaks (memory) and event loops (GUI stalls) apart; it runs
    from the repository root with offscreen Qt unless ``QT_QPA_PLATFORM`` says otherwise.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    try:
        proc = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"no result within {timeout / 60:g} minutes") from None
    if proc.returncode != 0:
        raise ChildFailed(f"failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_in_children(section: Section, module: str, filter_ids: Iterable[str], width: int, height: int, *,
                        timeout: float, within: Callable[[dict[str, Any]], bool]) -> None:
    """One fresh child (``child_row``) per filter; its row gets "within target" (yes / NO by ``within``) and
    goes into ``section``; a child without a result becomes a note."""
    for filter_id in filter_ids:
        try:
            row = child_row(module, filter_id, width, height, timeout=timeout)
        except ChildFailed as exc:
            section.notes.append(f"{filter_id}: {exc}")
            continue
        row["within target"] = "yes" if within(row) else "NO"
        section.rows.append(row)


def machine() -> dict[str, Any]:
    import onnxruntime

    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpu_count": os.cpu_count(), "onnxruntime": onnxruntime.__version__,
            "processor": platform.processor() or platform.machine()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


@dataclass
class Section:
    """One benchmark's results: a table (list of rows) plus notes."""

    name: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        if self.rows:
            columns = list(dict.fromkeys(key for row in self.rows for key in row))
            lines.append("| " + " | ".join(columns) + " |")
            lines.append("|" + "---|" * len(columns))
            for row in self.rows:
                lines.append("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |")
            lines.append("")
        lines += [f"- {note}" for note in self.notes]
        lines.append(f"- (section ran in {self.seconds:.1f} s)")
        return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def write(sections: list[Section], md_path: Path, json_path: Path, command: str) -> None:
    info = machine()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    head = [f"# Holst benchmark report ({stamp})", "",
            f"Command: `{command}`", "",
            "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), ""]
    md_path.write_text("\n".join(head) + "\n".join(s.markdown() for s in sections), encoding="utf-8")
    data = {"date": stamp, "command": command, "machine": info,
            "sections": [{"name": s.name, "title": s.title, "rows": s.rows, "notes": s.notes,
                          "seconds": s.seconds} for s in sections]}
    json_path.write_text(json.dumps(data, indent=2), encoding="utf-8")
