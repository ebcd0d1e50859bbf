"""Atomic file replacement: the old file survives any failure, a crash or a kill mid-write.

The temporary file is ``.<name>.holst-<pid>-<random>.part`` beside the target, its name cut to fit
the 255-byte limit of common file systems. A run killed outright (``kill -9``, a power cut) cannot
remove it; the next write to the same target removes such leftovers, and only those: our pattern,
that target's prefix, a process that no longer runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from typing import BinaryIO

NAME_MAX = 255          # bytes in one path component (ext4, APFS, NTFS in UTF-16 units: fewer bytes)
_MARK = ".holst-"
_SUFFIX = ".part"
_RANDOM = 8             # tempfile's random part
_PID_DIGITS = 10
#: On Windows a process cannot be asked whether it runs without side effects; leftovers this old go.
_WINDOWS_STALE_S = 24 * 3600


def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import, before any worker thread runs.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


class UnsafeTarget(OSError):
    """The target exists but must not be replaced (not a regular file, or read-only)."""


def target_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` must not be written, or None. Links are followed: a link to a device is a device.

    Holst writes regular files only: replacing a FIFO, a device node or a socket would break whatever
    uses it, and a read-only file says its owner does not want it changed.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror.lower() if exc.strerror else str(exc)
    if stat.S_ISDIR(info.st_mode):
        return "it is a folder"
    if not stat.S_ISREG(info.st_mode):
        return f"it is not a regular file (it is a {_kind(info.st_mode)}), so it is not replaced"
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(name, os.W_OK):
        return "the file is read-only"  # by its mode bits too: the super-user may write anything
    return None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def temp_prefix(basename: str) -> str:
    """``.<basename>.holst-``, the basename cut (on a UTF-8 boundary) so the whole temporary name,
    pid and random part included, fits in NAME_MAX bytes."""
    room = NAME_MAX - 1 - len(_MARK) - _PID_DIGITS - 1 - _RANDOM - len(_SUFFIX)
    raw = os.fsencode(basename)
    if len(raw) > room:
        raw = raw[:room]
        while raw and (raw[-1] & 0xC0) == 0x80:  # drop a cut multi-byte character's continuation bytes
            raw = raw[:-1]
        if raw and raw[-1] >= 0xC0:
            raw = raw[:-1]
    return "." + os.fsdecode(raw) + _MARK


def remove_leftovers(path: str | os.PathLike[str]) -> list[str]:
    """Delete temporary files an earlier, killed write to ``path`` left beside it; returns their names.

    Only names of our pattern for this target, only regular files, only of processes that are gone.
    """
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target) or "."
    prefix = temp_prefix(os.path.basename(target))
    pattern = re.compile(re.escape(prefix) + rf"(\d{{1,{_PID_DIGITS}}})-[a-z0-9_]{{{_RANDOM}}}"
                         + re.escape(_SUFFIX) + r"\Z")
    removed = []
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(prefix)]
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        full = os.path.join(folder, name)
        try:
            info = os.lstat(full)
            if not stat.S_ISREG(info.st_mode) or _writer_alive(int(match.group(1)), info.st_mtime):
                continue
            os.unlink(full)
            removed.append(name)
        except OSError:
            continue
    return removed


def _writer_alive(pid: int, mtime: float) -> bool:
    if pid == os.getpid():
        return True   # another thread of this process may be writing it right now
    if sys.platform == "win32":
        return time.time() - mtime < _WINDOWS_STALE_S
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True   # exists, owned by someone else
    return True


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, fsync it, then ``os.replace`` it.

    The temporary file lives in the target's folder (``os.replace`` is only atomic within one file
    system) and is removed on any exception, KeyboardInterrupt included, which is re-raised. A symbolic
    link is followed, so the file it points to is replaced, not the link. A file that exists keeps its
    permission bits; a new one gets the usual ``0o666 & ~umask``. A target that is not a regular file
    or is read-only raises :class:`UnsafeTarget` before anything is written, and again should it have
    become one by the time the new file is complete.
    """
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target) or "."
    _refuse_unsafe(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    remove_leftovers(target)
    prefix = temp_prefix(os.path.basename(target)) + f"{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _refuse_unsafe(target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _refuse_unsafe(target: str) -> None:
    why = target_problem(target)
    if why is not None:
        raise UnsafeTarget(errno.EPERM, why, target)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
