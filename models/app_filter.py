"""A filter as the app runs it, for evaluations: the shipped plugin or the same plugin with a candidate ONNX.

    entry = filter_entry("inpaint")                          # the shipped folder, as discovered
    entry = filter_entry("inpaint", Path("runs/x/new.onnx"))  # same manifest and code, candidate weights
    rgb = run_filter(entry, rgb_uint8, mask=mask, params={"texture": 0.4})

A candidate runs through the shipped filter module unchanged: a temporary folder holds a copy of the
manifest (with the candidate's SHA-256) and the candidate under the manifest's model file name, and the
module is imported from ``plugins.filters.<id>`` as for the shipped one. ``run_filter`` calls
``plugins.pipeline.apply_filter`` (what the CLI and the editor call) on the CPU provider.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from models.export import write_model_hash
from plugins.contract import load_manifest
from plugins.registry import BUILTIN_DIR, FilterEntry, load_entry
from plugins.runtime import Runtime

_RUNTIME: Runtime | None = None


def filter_entry(filter_id: str, onnx: Path | None = None, model_file: str | None = None) -> FilterEntry:
    """The built-in filter ``filter_id``, with ``onnx`` in place of its model file when given.

    ``model_file`` picks which ``[[models]]`` file the candidate replaces (default: the first).
    Raises RuntimeError when the entry cannot run (missing or mismatched model).
    """
    shipped = BUILTIN_DIR / filter_id
    folder = shipped
    if onnx is not None:
        name = model_file or load_manifest(shipped / "manifest.toml").models[0].file
        folder = Path(tempfile.mkdtemp(prefix=f"{filter_id}_candidate_"))
        for item in shipped.iterdir():  # manifest and side files (but not the shipped weights)
            if item.is_file() and item.suffix != ".onnx":
                shutil.copy(item, folder / item.name)
        for other in load_manifest(shipped / "manifest.toml").models:
            if other.file != name:
                shutil.copy(shipped / other.file, folder / other.file)
        shutil.copy(onnx, folder / name)
        write_model_hash(folder, name)
    entry = load_entry(folder, "builtin", f"plugins.filters.{filter_id}")
    if not entry.usable:
        raise RuntimeError(f"{filter_id} ({onnx or 'shipped'}) cannot run: {entry.reason}")
    return entry


def cpu_runtime() -> Runtime:
    """One CPU runtime per process (sessions are cached in it)."""
    global _RUNTIME
    if _RUNTIME is None:
        _RUNTIME = Runtime("cpu")
    return _RUNTIME


def run_filter(entry: FilterEntry, rgb: np.ndarray, mask: np.ndarray | None = None,
               params: dict[str, Any] | None = None) -> np.ndarray:
    """uint8 H×W×3 → uint8 RGB through ``plugins.pipeline.apply_filter`` (opaque alpha)."""
    from plugins.pipeline import apply_filter

    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    return apply_filter(entry, rgba, mask=mask, params=params, runtime=cpu_runtime())[:, :, :3]
