"""Autosave of the open session and recovery after a crash.

Every autosave writes the layers, mask and sketch of the document (raw .npy, fast to write and
read) plus a JSON description into a folder named after this process. A clean exit deletes the
folder; a folder left by a process that is no longer running is a crashed session, offered back at
the next start. Snapshots are copied on the GUI thread and written by a background job.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QStandardPaths

from editor.compositing import BLEND_MODES
from editor.document import Document, Layer
from plugins.imageio import MAX_PIXELS

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
    except (ProcessLookupError, OverflowError, ValueError):
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


class RecoveryError(Exception):
    """A session folder that cannot be restored; ``str()`` says what is wrong with it."""


#: Layers a recovered session may have (the undo budget keeps real sessions far below this).
MAX_LAYERS = 1000
_LAYER_FILE = re.compile(r"^layer[0-9]{1,4}\.npy$")
_MAX_INFO_BYTES = 1 << 20
_SESSION_DIR = re.compile(r"^session-([0-9]+)$")


@dataclass
class SessionInfo:
    """A validated ``session.json``: everything needed to rebuild the document, nothing unchecked."""

    path: str | None
    width: int
    height: int
    layers: list[dict]
    current: int
    pid: int
    time: float


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

    def sessions(self) -> list[tuple[Path, SessionInfo | RecoveryError]]:
        """Session folders left by processes that are gone, newest first, each with its validated
        description or the reason it cannot be used. Sessions of running processes are left alone."""
        try:
            folders = [f for f in self.root.iterdir() if _SESSION_DIR.match(f.name) and f.is_dir()]
        except OSError:
            return []
        found: list[tuple[float, Path, SessionInfo | RecoveryError]] = []
        for folder in folders:
            owner = int(_SESSION_DIR.match(folder.name).group(1))  # type: ignore[union-attr]
            if _alive(owner):
                continue
            try:
                info = self.describe(folder)
            except RecoveryError as exc:
                found.append((float("inf"), folder, exc))
                continue
            if info.pid != owner and _alive(info.pid):
                continue
            found.append((info.time, folder, info))
        return [(folder, info) for _, folder, info in sorted(found, key=lambda item: -item[0])]

    def orphans(self) -> list[Path]:
        """Folders of sessions that can be restored, newest first."""
        return [folder for folder, info in self.sessions() if isinstance(info, SessionInfo)]

    @staticmethod
    def describe(folder: Path) -> SessionInfo:
        """The folder's ``session.json``, every field checked; RecoveryError says what is wrong."""
        try:
            raw = _read_small(folder / SESSION)
            data = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise RecoveryError(f"{SESSION} cannot be read ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise RecoveryError(f"{SESSION} is not a description of a session")
        pid = _field(data, "pid", int)
        width, height = _field(data, "width", int), _field(data, "height", int)
        if pid <= 0:
            raise RecoveryError(f"the process number {pid} is not valid")
        if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
            raise RecoveryError(f"the image size {width}×{height} is not valid")
        layers = _field(data, "layers", list)
        if not 1 <= len(layers) <= MAX_LAYERS:
            raise RecoveryError(f"the session has {len(layers)} layers")
        for index, item in enumerate(layers):
            _check_layer(index, item)
        files = [item["file"] for item in layers]
        if len(set(files)) != len(files):
            raise RecoveryError("two layers name the same file")
        current = data.get("current", 0)
        if isinstance(current, bool) or not isinstance(current, int) or not 0 <= current < len(layers):
            raise RecoveryError(f"the current layer {current!r} is not one of the layers")
        path = data.get("path")
        if path is not None and not isinstance(path, str):
            raise RecoveryError("the image's file name is not text")
        stamp = data.get("time", 0.0)
        if isinstance(stamp, bool) or not isinstance(stamp, (int, float)) or not math.isfinite(stamp):
            stamp = 0.0
        return SessionInfo(path, width, height, layers, current, pid, float(stamp))

    @staticmethod
    def restore(folder: Path) -> Document:
        """The document saved in ``folder``, after checking every file's name, type, shape and size
        against the description; RecoveryError otherwise (nothing is built from unchecked data)."""
        info = RecoveryStore.describe(folder)
        size = (info.height, info.width)
        pixels = [_load_plane(folder, item["file"], np.uint8, (*size, 4)) for item in info.layers]
        mask = _load_plane(folder, "mask.npy", np.float32, size)
        sketch = (_load_plane(folder, "sketch.npy", np.float32, size)
                  if (folder / "sketch.npy").exists() else None)
        layers = [Layer(array, item["name"], item["visible"], float(item["opacity"]), item["blend"])
                  for array, item in zip(pixels, info.layers, strict=True)]
        doc = Document(layers[0].pixels, None, info.path)
        doc.layers = layers
        doc.current = info.current
        doc.mask = np.clip(np.nan_to_num(mask, nan=0.0), 0.0, 1.0)
        if sketch is not None:
            doc.sketch = np.clip(np.nan_to_num(sketch, nan=0.0), 0.0, 1.0)
        return doc

    def set_aside(self, folder: Path) -> Path | None:
        """Move a session that cannot be restored out of the way (kept for inspection, never offered
        again); removed instead when it cannot be moved. Returns where it went."""
        target = self.root / f"damaged-{folder.name}-{int(time.time())}"
        try:
            os.replace(folder, target)
            return target
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            return None

    @staticmethod
    def remove(folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)


def _field(data: dict, key: str, kind: type) -> Any:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise RecoveryError(f"'{key}' is missing or is not {'a whole number' if kind is int else 'a list'}")
    return value


def _check_layer(index: int, item: object) -> None:
    if not isinstance(item, dict):
        raise RecoveryError(f"layer {index} is not described")
    name, visible, opacity = item.get("name"), item.get("visible"), item.get("opacity")
    blend, file = item.get("blend"), item.get("file")
    if not isinstance(name, str) or not isinstance(visible, bool):
        raise RecoveryError(f"layer {index} has no valid name or visibility")
    if isinstance(opacity, bool) or not isinstance(opacity, (int, float)) or not 0.0 <= opacity <= 1.0:
        raise RecoveryError(f"layer {index} has an opacity of {opacity!r}")
    if blend not in BLEND_MODES:
        raise RecoveryError(f"layer {index} has an unknown blend mode {blend!r}")
    if not isinstance(file, str) or not _LAYER_FILE.match(file):
        raise RecoveryError(f"layer {index} names the file {file!r}, not a layer file of the session")


def _read_small(path: Path) -> bytes:
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_INFO_BYTES:
        raise OSError(f"{path.name} is not a small regular file")
    return path.read_bytes()


def _load_plane(folder: Path, name: str, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    """One .npy file of the session, checked from its header before any data is read: a regular file
    inside the folder, of this dtype and shape, exactly as long as that needs."""
    path = folder / name
    try:
        info = os.lstat(path)
    except OSError:
        raise RecoveryError(f"{name} is missing") from None
    if not stat.S_ISREG(info.st_mode):
        raise RecoveryError(f"{name} is not a regular file")
    try:
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(handle)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(handle)
            else:
                raise ValueError(f"version {version}")
            found_shape, fortran, found_dtype = header
            if found_dtype != np.dtype(dtype) or tuple(found_shape) != shape or fortran:
                raise RecoveryError(f"{name} holds {found_dtype} {tuple(found_shape)}, "
                                    f"not {np.dtype(dtype)} {shape}")
            expected = handle.tell() + int(np.prod(shape)) * np.dtype(dtype).itemsize
            if info.st_size != expected:
                raise RecoveryError(f"{name} is truncated or too long")
            array = np.fromfile(handle, dtype=dtype, count=int(np.prod(shape))).reshape(shape)
    except RecoveryError:
        raise
    except (OSError, ValueError, MemoryError) as exc:
        raise RecoveryError(f"{name} cannot be read ({type(exc).__name__}: {exc})") from None
    return np.ascontiguousarray(array)
