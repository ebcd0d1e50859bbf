"""Finding filters: built-in ones, the user's plugin folder(s), and the ``holst.filters`` entry points.

Discovery never raises because of a plugin, and runs no plugin code: it reads and validates each
manifest and checks the model files it names (inside the plugin's folder, regular files, hashes).
A filter's Python module is imported only when the filter is first used (:meth:`FilterEntry.module`)
or when a listing asks for it (:func:`load_modules`), in a separate thread with a time limit, so a
module that hangs, exits or raises ``KeyboardInterrupt`` at import marks that one filter broken and
nothing else. A folder whose manifest does not parse, an unreadable folder, a module that fails to
import, a missing or damaged model: each becomes that entry's status and reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

from plugins import plugin_files
from plugins.contract import CommandSpec, FilterSpec, ModelRef, load_manifest
from plugins.errors import HolstError, ModelMissingError, PluginError
from plugins.runtime import verify_model_file

BUILTIN_DIR = Path(__file__).resolve().parent / "filters"
ENTRY_POINT_GROUP = "holst.filters"
MANIFEST = "manifest.toml"
#: How long a filter's module may take to import (the first import of a heavy library included).
IMPORT_TIMEOUT_S = 10.0



class Status(StrEnum):
    """A discovered filter's state; equal to the text ``holst filters --json`` shows."""

    OK = "ok"
    UNTRAINED = "untrained"    # a model file is not there yet
    BROKEN = "broken"          # see the entry's reason




@dataclass
class FilterEntry:
    """One discovered filter (usable or not). Its module is imported on first use."""

    folder: Path
    source: str  # "builtin" | "user" | "entry-point"
    spec: FilterSpec | None = None
    status: Status = Status.OK
    reason: str = ""
    module_name: str | None = None   # the name the module is (or will be) imported under
    package: str | None = None       # an existing package to import it from (built-in, entry point)
    _module: ModuleType | None = field(default=None, repr=False)
    _commands: dict[str, Callable[..., Any]] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.spec.id if self.spec else self.folder.name

    @property
    def usable(self) -> bool:
        return self.status == Status.OK

    @property
    def imported(self) -> bool:
        return self._module is not None

    def status_text(self) -> str:
        if self.status == Status.OK:
            return "ok"
        if self.status == Status.UNTRAINED:
            return "model not trained yet"
        return f"broken: {self.reason}"

    def mark_broken(self, reason: str) -> None:
        self.status, self.reason = Status.BROKEN, reason

    @property
    def has_code(self) -> bool:
        """Whether the plugin's code may be used: a filter whose model is not trained yet still offers
        its model-free commands."""
        return self.spec is not None and self.status in (Status.OK, Status.UNTRAINED)

    def command(self, command: CommandSpec, timeout: float | None = None) -> Callable[..., Any]:
        """The function behind one of the manifest's ``[[commands]]``, its module imported now (in a
        time-limited thread, like a filter's: a failure marks the entry broken)."""
        if not self.has_code or command not in self.spec.commands:
            raise PluginError(f"filter '{self.id}' offers no command '{command.id}': {self.status_text()}")
        with self._lock:
            function = self._commands.get(command.id)
        if function is None:
            module = _import_limited(f"{self.id}/{command.module}", timeout, lambda: _import_plugin_module(
                self.folder, self.spec, self.package, command.module)[0])
            if isinstance(module, str):
                self.mark_broken(f"{command.module} {module}")
                raise PluginError(f"filter '{self.id}' is not usable: {self.status_text()}")
            function = getattr(module, command.function, None)
            if not callable(function):
                raise PluginError(f"filter '{self.id}': {command.module} defines no {command.function}()")
            with self._lock:
                self._commands[command.id] = function
        return function

    def module(self, timeout: float | None = None) -> ModuleType:
        """The filter's module, imported now if it was not yet (see :func:`load_modules`).

        A module that fails, exits or does not finish importing within ``timeout`` seconds marks the
        entry broken; PluginError says why.
        """
        if self._module is None and self.status == Status.OK:
            load_modules([self], timeout)
        if self._module is None:
            raise PluginError(f"filter '{self.id}' is not usable: {self.status_text()}")
        return self._module


def user_plugin_dirs() -> list[Path]:
    """``$HOLST_PLUGIN_PATH`` (os.pathsep-separated) if set, else the per-user data folder."""
    env = os.environ.get("HOLST_PLUGIN_PATH")
    if env is not None:
        return [Path(p) for p in env.split(os.pathsep) if p]
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Holst"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "Holst"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "holst"
    return [base / "plugins"]


def _import_filter_module(folder: Path, spec: FilterSpec, package: str | None) -> tuple[ModuleType, str]:
    """Import the filter's module so that relative imports of its sibling modules work."""
    module, name = _import_plugin_module(folder, spec, package, spec.module)
    if not callable(getattr(module, "run", None)):
        raise ImportError(f"{spec.module} defines no run(ctx, image, mask, params)")
    return module, name


def _import_plugin_module(folder: Path, spec: FilterSpec, package: str | None,
                          file: str) -> tuple[ModuleType, str]:
    """Import ``file`` of a plugin's folder as a submodule of the plugin's package (made for a user
    plugin's folder, which is no importable package by itself)."""
    if package is None:
        package = _user_package(folder, spec)
        if package not in sys.modules:  # made once: a command's module joins the filter's package
            _make_package(package, folder)
    name = f"{package}.{Path(file).stem}"
    return importlib.import_module(name), name


def _make_package(package: str, folder: Path) -> None:
    """Register ``folder`` as the package ``package`` (running its ``__init__.py``, if any)."""
    init = folder / "__init__.py"
    if init.exists():
        pkg_spec = importlib.util.spec_from_file_location(package, init,
                                                          submodule_search_locations=[str(folder)])
    else:
        pkg_spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
        pkg_spec.submodule_search_locations = [str(folder)]
    if pkg_spec is None:
        raise ImportError(f"cannot make a package of {folder}")
    pkg = importlib.util.module_from_spec(pkg_spec)
    sys.modules[package] = pkg
    try:
        if pkg_spec.loader is not None:
            pkg_spec.loader.exec_module(pkg)
    except BaseException:
        sys.modules.pop(package, None)  # a later attempt starts again, not from a half-run package
        raise


def _user_package(folder: Path, spec: FilterSpec) -> str:
    digest = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:10]
    return f"holst_plugin_{spec.id}_{digest}"


def _import_failure(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}) while being imported"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt while being imported"
    return f"failed to import: {type(exc).__name__}: {exc}"


def load_modules(entries: list[FilterEntry], timeout: float | None = None) -> None:
    """Import the modules of the usable ``entries`` that are not imported yet, all at once.

    Each import runs in a daemon thread. Whatever it raises (``SystemExit`` and ``KeyboardInterrupt``
    included) marks its entry broken; one still running after ``timeout`` seconds is abandoned and its
    entry marked broken too. Anything a module prints while importing goes to stderr, so it cannot
    corrupt ``holst filters --json``.
    """
    pending = [e for e in entries if e.status == Status.OK and e._module is None and e.spec is not None]
    if not pending:
        return
    timeout = IMPORT_TIMEOUT_S if timeout is None else timeout
    outcomes: dict[int, tuple[ModuleType, str] | BaseException] = {}
    threads = []
    for entry in pending:
        def target(entry: FilterEntry = entry) -> None:
            try:
                outcomes[id(entry)] = _import_filter_module(entry.folder, entry.spec, entry.package)
            except BaseException as exc:  # noqa: BLE001 - third-party code: SystemExit, KeyboardInterrupt too
                outcomes[id(entry)] = exc
        thread = threading.Thread(target=target, name=f"holst-import-{entry.id}", daemon=True)
        threads.append((entry, thread))
    with _stdout_to_stderr():
        for _entry, thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for _entry, thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
    for entry, thread in threads:
        with entry._lock:
            if entry._module is not None or entry.status != Status.OK:
                continue
            outcome = outcomes.get(id(entry))
            if thread.is_alive() or outcome is None:
                entry.mark_broken(f"{entry.spec.module} did not finish importing within {timeout:g} s")
            elif isinstance(outcome, BaseException):
                entry.mark_broken(f"{entry.spec.module} {_import_failure(outcome)}")
            else:
                entry._module, entry.module_name = outcome


def _import_limited(label: str, timeout: float | None, load: Callable[[], ModuleType]) -> ModuleType | str:
    """``load()`` in a daemon thread with a time limit: the module, or why it is not there (what it
    raised, SystemExit and KeyboardInterrupt included, or that it did not finish)."""
    timeout = IMPORT_TIMEOUT_S if timeout is None else timeout
    outcome: list[ModuleType | BaseException] = []

    def target() -> None:
        try:
            outcome.append(load())
        except BaseException as exc:  # noqa: BLE001 - third-party code
            outcome.append(exc)

    thread = threading.Thread(target=target, name=f"holst-import-{label}", daemon=True)
    with _stdout_to_stderr():
        thread.start()
        thread.join(timeout)
    if not outcome:
        return f"did not finish importing within {timeout:g} s"
    if isinstance(outcome[0], BaseException):
        return _import_failure(outcome[0])
    return outcome[0]


def commands(role: str, entries: list[FilterEntry] | None = None) -> list[tuple[FilterEntry, CommandSpec]]:
    """The ``[[commands]]`` of this role (see ``contract.COMMAND_ROLES``) that the plugins of
    ``entries`` (default: all discovered) offer, each with its entry; no plugin code runs."""
    return [(entry, command) for entry in (all_filters() if entries is None else entries) if entry.has_code
            for command in entry.spec.commands if command.role == role]


@contextlib.contextmanager
def _stdout_to_stderr():
    if threading.current_thread() is not threading.main_thread():
        yield  # swapping sys.stdout is process-wide; only the main thread's own output needs it
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


def load_entry(folder: Path, source: str, package: str | None = None) -> FilterEntry:
    """Read one plugin folder into an entry, running none of its code; problems become its status."""
    entry = FilterEntry(folder=folder, source=source, package=package)
    try:
        entry.spec = load_manifest(folder / MANIFEST)
        entry.module_name = f"{package or _user_package(folder, entry.spec)}.{Path(entry.spec.module).stem}"
    except PluginError as exc:
        entry.mark_broken(str(exc))
        return entry
    except Exception as exc:  # noqa: BLE001 - never let one plugin stop discovery
        entry.mark_broken(f"{folder / MANIFEST}: {type(exc).__name__}: {exc}")
        return entry
    _verify_models(entry, {entry.spec.id: folder}, own_only=True)
    return entry


def _verify_models(entry: FilterEntry, folders: dict[str, Path], own_only: bool) -> None:
    """Check the entry's model files (hash and confinement); a problem becomes its status.

    ``folders`` maps filter ids to their folders. A model kept by another filter (``plugin = …``)
    is checked once every filter is known (``own_only=False``).
    """
    for ref in entry.spec.models:
        if own_only and ref.plugin and ref.plugin != entry.spec.id:
            continue
        try:
            path = resolve_model(ref, entry.spec.id, folders)
            verify_model_file(path, ref.sha256)
        except ModelMissingError as exc:
            entry.status, entry.reason = Status.UNTRAINED, str(exc)
            return
        except HolstError as exc:
            entry.mark_broken(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - an odd file system error is this entry's problem
            entry.mark_broken(f"model file '{ref.file}': {type(exc).__name__}: {exc}")
            return


def resolve_model(ref: ModelRef, filter_id: str, folders: dict[str, Path]) -> Path:
    """The path of a manifest's model file, confined to the folder of the filter that keeps it.

    A file borrowed from another filter (``plugin = …``) gets the same checks as an own one
    (:func:`plugin_files.resolve`: inside the lender's folder, a regular file, bounded size). A lender
    that is not installed counts as a missing model (ModelMissingError), like a file not trained yet.
    """
    owner = ref.plugin or filter_id
    if owner not in folders:
        raise ModelMissingError(f"filter '{filter_id}' needs {ref.file} from the filter '{owner}', which is "
                                "not installed")
    where = "model file" if owner == filter_id else f"model file of filter '{owner}'"
    return plugin_files.resolve(folders[owner], ref.file, plugin_files.MAX_MODEL_BYTES, where)


def _folders_for(entry: FilterEntry, ref: ModelRef) -> dict[str, Path]:
    folders = {entry.spec.id: entry.folder}
    if ref.plugin and ref.plugin != entry.spec.id:
        folders.update({e.id: e.folder for e in all_filters() if e.spec is not None and e.id == ref.plugin})
    return folders


def model_folder(entry: FilterEntry, ref: ModelRef) -> Path:
    """The folder that keeps ``entry``'s model ``ref``: its own, or the lending filter's (``plugin = …``)
    among the discovered ones; ModelMissingError when the lender is not installed."""
    owner = ref.plugin or entry.spec.id
    folders = _folders_for(entry, ref)
    if owner not in folders:
        raise ModelMissingError(f"filter '{entry.spec.id}' needs {ref.file} from the filter '{owner}', which "
                                "is not installed")
    return folders[owner]


def model_path(entry: FilterEntry, ref: ModelRef) -> Path:
    """Where ``entry``'s model ``ref`` is, confined to the folder of the filter that keeps it."""
    return resolve_model(ref, entry.spec.id, _folders_for(entry, ref))


def _builtin_folders() -> list[tuple[Path, str | None]]:
    if not BUILTIN_DIR.is_dir():
        return []
    return [(d, f"plugins.filters.{d.name}") for d in sorted(BUILTIN_DIR.iterdir())
            if (d / MANIFEST).is_file()]


def _user_entries(extra_dirs: tuple[Path, ...]) -> list[FilterEntry]:
    """Entries for every plugin folder under the user plugin folders.

    A folder without a manifest is not a plugin and is skipped; one that cannot be read, or whose
    manifest is not a regular file, is listed as broken (it may well be a plugin the user expects).
    """
    entries = []
    for base in [*extra_dirs, *user_plugin_dirs()]:
        try:
            if not base.is_dir():
                continue
            children = sorted(base.iterdir())
        except OSError as exc:
            entries.append(_unreadable(base, exc))
            continue
        for folder in children:
            try:
                if not folder.is_dir():
                    continue
                info = os.stat(folder / MANIFEST)
            except FileNotFoundError:
                continue
            except OSError as exc:
                entries.append(_unreadable(folder, exc))
                continue
            if not stat.S_ISREG(info.st_mode):
                entries.append(FilterEntry(folder=folder, source="user", status=Status.BROKEN,
                                           reason=f"{MANIFEST} is not a regular file"))
                continue
            entries.append(load_entry(folder, "user"))
    return entries


def _unreadable(folder: Path, exc: OSError) -> FilterEntry:
    why = exc.strerror.lower() if exc.strerror else str(exc)
    return FilterEntry(folder=folder, source="user", status=Status.BROKEN,
                       reason=f"cannot read the folder {folder}: {why}")


def _locate(value: str) -> tuple[Path, str | None]:
    """The folder of an entry point's module or package and, for a package, its name — found without
    importing anything (``importlib.util.find_spec`` would import a dotted name's parents)."""
    name = value.split(":", 1)[0].strip()
    path: list[str] | None = None
    found = None
    for part in name.split("."):
        found = importlib.machinery.PathFinder.find_spec(part, path)
        if found is None:
            raise ImportError(f"no module named '{name}'")
        path = list(found.submodule_search_locations or [])
    assert found is not None
    if found.submodule_search_locations:
        return Path(next(iter(found.submodule_search_locations))).resolve(), name
    if not found.origin:
        raise ImportError(f"'{name}' has no file")
    return Path(found.origin).resolve().parent, None


def _entry_point_entries() -> list[FilterEntry]:
    entries = []
    try:
        points = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # noqa: BLE001 - broken package metadata must not stop the built-ins
        return entries
    for point in points:
        try:
            folder, package = _locate(point.value)
        except Exception as exc:  # noqa: BLE001
            entries.append(FilterEntry(folder=Path(point.value), source="entry-point",
                                       status=Status.BROKEN, reason=f"entry point {point.name}: {exc}"))
            continue
        entries.append(load_entry(folder, "entry-point", package))
    return entries


def discover(extra_dirs: tuple[Path, ...] = ()) -> list[FilterEntry]:
    """All filters, built-in first; a later filter with an id already taken is marked broken."""
    entries = [load_entry(folder, "builtin", pkg) for folder, pkg in _builtin_folders()]
    entries += _user_entries(tuple(extra_dirs))
    entries += _entry_point_entries()
    seen: set[str] = set()
    for entry in entries:
        if entry.spec is None:
            continue
        if entry.id in seen:
            entry.status, entry.reason = Status.BROKEN, f"another filter already has the id '{entry.id}'"
        seen.add(entry.id)
    folders: dict[str, Path] = {}
    for entry in entries:
        if entry.spec is not None:
            folders.setdefault(entry.id, entry.folder)
    for entry in entries:
        if entry.spec is not None and entry.status == Status.OK \
                and any(ref.plugin not in ("", entry.id) for ref in entry.spec.models):
            _verify_models(entry, folders, own_only=False)
    return entries


_cache: list[FilterEntry] | None = None
_cache_lock = threading.Lock()


def all_filters(refresh: bool = False) -> list[FilterEntry]:
    """The discovered filters, cached for the process (``refresh=True`` scans again)."""
    global _cache
    with _cache_lock:
        if _cache is None or refresh:
            _cache = discover()
        return _cache


def builtin_filters(entries: list[FilterEntry] | None = None) -> list[FilterEntry]:
    """The built-in filters with a readable manifest (usable or not): what the hardening test, the
    benchmarks and the evaluations cover, so that a new folder under ``plugins/filters`` is covered
    with no edit elsewhere."""
    return [e for e in (all_filters() if entries is None else entries) if e.source == "builtin" and e.spec]


def get(filter_id: str, refresh: bool = False) -> FilterEntry:
    """The entry with this id, usable or not; PluginError when no such filter exists."""
    for entry in all_filters(refresh):
        if entry.id == filter_id and entry.spec is not None:
            return entry
    for entry in all_filters():
        if entry.spec is None and entry.folder.name == filter_id:  # its manifest could not be read
            raise PluginError(f"filter '{filter_id}' is broken: {entry.reason}")
    known = ", ".join(sorted(e.id for e in all_filters() if e.spec is not None))
    raise PluginError(f"unknown filter '{filter_id}' (available: {known or 'none'})")
