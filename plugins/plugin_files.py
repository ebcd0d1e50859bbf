"""Files a plugin's manifest names (ONNX models, thumbnails), confined to the plugin's own folder.

A manifest is third-party text: a model file of ``/dev/zero``, a FIFO, ``../../etc/passwd`` or a
symbolic link out of the folder must never be opened, hashed or read. Names are checked twice:
syntactically when the manifest is parsed (:func:`check_name`), and on disk before any use
(:func:`resolve`): the resolved path lies inside the folder, is a regular file and is not too large.
:func:`open_regular` opens without blocking and checks the opened file itself, so a file swapped for a
FIFO between the check and the open is refused too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from plugins.errors import ModelMissingError, PluginError

#: ONNX files are protobufs, which cannot exceed 2 GiB (larger models use external data, not supported).
MAX_MODEL_BYTES = 2 << 30
#: Thumbnails and other small assets shown in the editor's form.
MAX_ASSET_BYTES = 16 << 20
#: A manifest is a few kilobytes of TOML.
MAX_MANIFEST_BYTES = 1 << 20


def check_name(name: object, what: str) -> str:
    """``name`` when it is a plain relative path inside the plugin folder; ValueError otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{what} must be a file name, got {name!r}")
    if "\0" in name or "\\" in name or PurePosixPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise ValueError(f"{what} '{name}' must be a relative name inside the plugin's folder")
    parts = PurePosixPath(name).parts
    if any(part in ("..", "") for part in parts):
        raise ValueError(f"{what} '{name}' must not leave the plugin's folder")
    return name


def resolve(folder: Path, name: str, max_bytes: int, what: str = "file") -> Path:
    """The real path of ``name`` inside ``folder``, checked: inside, a regular file, at most ``max_bytes``.

    Raises ModelMissingError when the file is absent (a model not trained yet) and PluginError for
    anything else.
    """
    try:
        check_name(name, what)
    except ValueError as exc:
        raise PluginError(str(exc)) from None
    base = Path(os.path.realpath(folder))
    path = Path(os.path.realpath(base / name))
    if path != base and base not in path.parents:
        raise PluginError(f"{what} '{name}' points outside the plugin's folder")
    try:
        info = path.stat()
    except FileNotFoundError:
        prefix = "model not trained yet: " if max_bytes == MAX_MODEL_BYTES else ""
        raise ModelMissingError(f"{prefix}{name} is missing") from None
    except OSError as exc:
        raise PluginError(f"cannot read {what} '{name}': {exc.strerror or exc}") from None
    _check_stat(info, name, max_bytes, what)
    return path


def _check_stat(info: os.stat_result, name: str, max_bytes: int, what: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise PluginError(f"{what} '{name}' is not a regular file")
    if info.st_size > max_bytes:
        raise PluginError(f"{what} '{name}' is {info.st_size / 2**20:.0f} MiB, more than the "
                          f"{max_bytes / 2**20:.0f} MiB allowed")


def open_regular(path: Path, max_bytes: int, what: str = "file") -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file of at most ``max_bytes``.

    ``O_NONBLOCK`` keeps a FIFO from blocking the open, and the check is made on the opened
    descriptor, so nothing else can be read through a file replaced after :func:`resolve`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ModelMissingError(f"{path.name} is missing") from None
    except OSError as exc:
        raise PluginError(f"cannot read {what} '{path.name}': {exc.strerror or exc}") from None
    try:
        _check_stat(os.fstat(fd), path.name, max_bytes, what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, max_bytes: int, what: str = "file") -> bytes:
    """The whole content of a regular file of at most ``max_bytes``."""
    with open_regular(path, max_bytes, what) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PluginError(f"{what} '{path.name}' is larger than {max_bytes / 2**20:.0f} MiB")
    return data
