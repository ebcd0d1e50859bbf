"""Autosave of the open session and recovery after a crash.

Every autosave writes the layers, mask and sketch of the document (raw .npy, fast to write and
read) plus a JSON description into a folder named after this process. A clean exit deletes the
folder; a folder left by a process that is no longer running is a crashed session, offered back at
the next start. Snapshots are copied on the GUI thread and written by a background job.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QStandardPaths

from editor.document import Document, Layer

SESSION = "session.json"


def default_root() -> Path:
    env = os.environ.get("HOLST_RECOVERY_DIR")
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base or Path.home() / ".holst") / "recovery"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@dataclass
class Snapshot:
    info: dict
    arrays: dict[str, np.ndarray]


def snapshot(doc: Document) -> Snapshot:
    """Copies of everything needed to rebuild ``doc`` (taken on the GUI thread)."""
    arrays: dict[str, np.ndarray] = {"mask": doc.mask.copy()}
    layers = []
    for i, layer in enumerate(doc.layers):
        arrays[f"layer{i}"] = layer.pixels.copy()
        layers.append({"name": layer.name, "visible": layer.visible, "opacity": layer.opacity,
                       "blend": layer.blend, "file": f"layer{i}.npy"})
    if doc.sketch is not None:
        arrays["sketch"] = doc.sketch.copy()
    info = {"path": doc.path, "layers": layers, "current": doc.current, "time": time.time(),
            "pid": os.getpid(), "width": doc.width, "height": doc.height}
    return Snapshot(info, arrays)


class RecoveryStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_root()
        self.folder = self.root / f"session-{os.getpid()}"

    def write(self, snap: Snapshot) -> None:
        """Write atomically: into a temporary folder, then swap it in."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, array in snap.arrays.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        (tmp / SESSION).write_text(json.dumps(snap.info), encoding="utf-8")
        old = self.root / f".old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(tmp, self.folder)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def orphans(self) -> list[Path]:
        """Session folders left by processes that are gone, newest first."""
        if not self.root.is_dir():
            return []
        found = []
        for folder in self.root.glob("session-*"):
            try:
                info = json.loads((folder / SESSION).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not _alive(int(info.get("pid", -1))):
                found.append((info.get("time", 0), folder))
        return [folder for _, folder in sorted(found, reverse=True)]

    @staticmethod
    def describe(folder: Path) -> dict:
        return json.loads((folder / SESSION).read_text(encoding="utf-8"))

    @staticmethod
    def restore(folder: Path) -> Document:
        info = RecoveryStore.describe(folder)
        layers = [Layer(np.load(folder / item["file"], allow_pickle=False), item["name"],
                        bool(item["visible"]), float(item["opacity"]), item["blend"])
                  for item in info["layers"]]
        doc = Document(layers[0].pixels, None, info.get("path"))
        doc.layers = layers
        doc.current = min(int(info.get("current", 0)), len(layers) - 1)
        doc.mask = np.load(folder / "mask.npy", allow_pickle=False)
        if (folder / "sketch.npy").exists():
            doc.sketch = np.load(folder / "sketch.npy", allow_pickle=False)
        return doc

    @staticmethod
    def remove(folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
