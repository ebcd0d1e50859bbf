"""Finding filters: built-in ones, the user's plugin folder(s), and the ``holst.filters`` entry points.

Discovery never raises because of a plugin: a folder whose manifest does not parse, whose module
does not import, or whose model is missing or damaged is listed with a status and a reason.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from plugins.contract import FilterSpec, load_manifest
from plugins.errors import HolstError, PluginError
from plugins.runtime import verify_model_file

BUILTIN_DIR = Path(__file__).resolve().parent / "filters"
ENTRY_POINT_GROUP = "holst.filters"
MANIFEST = "manifest.toml"

STATUS_OK = "ok"
STATUS_UNTRAINED = "untrained"
STATUS_BROKEN = "broken"


@dataclass
class FilterEntry:
    """One discovered filter (usable or not)."""

    folder: Path
    source: str  # "builtin" | "user" | "entry-point"
    spec: FilterSpec | None = None
    status: str = STATUS_OK
    reason: str = ""
    module_name: str | None = None
    _module: ModuleType | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.spec.id if self.spec else self.folder.name

    @property
    def usable(self) -> bool:
        return self.status == STATUS_OK

    def status_text(self) -> str:
        if self.status == STATUS_OK:
            return "ok"
        if self.status == STATUS_UNTRAINED:
            return "model not trained yet"
        return f"broken: {self.reason}"

    def module(self) -> ModuleType:
        """The imported filter module (imported during discovery)."""
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
    stem = Path(spec.module).stem
    if package is None:
        digest = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:10]
        package = f"holst_plugin_{spec.id}_{digest}"
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
        if pkg_spec.loader is not None:
            pkg_spec.loader.exec_module(pkg)
    name = f"{package}.{stem}"
    module = importlib.import_module(name)
    if not callable(getattr(module, "run", None)):
        raise ImportError(f"{spec.module} defines no run(ctx, image, mask, params)")
    return module, name


def load_entry(folder: Path, source: str, package: str | None = None) -> FilterEntry:
    """Load one plugin folder into an entry; problems become its status, never exceptions."""
    entry = FilterEntry(folder=folder, source=source)
    try:
        entry.spec = load_manifest(folder / MANIFEST)
    except PluginError as exc:
        entry.status, entry.reason = STATUS_BROKEN, str(exc)
        return entry
    try:
        entry._module, entry.module_name = _import_filter_module(folder, entry.spec, package)
    except Exception as exc:  # any import-time failure of third-party code
        entry.status, entry.reason = STATUS_BROKEN, f"{entry.spec.module} failed to import: {exc!r}"
        return entry
    for ref in entry.spec.models:
        try:
            verify_model_file(folder / ref.file, ref.sha256)
        except HolstError as exc:
            missing = not (folder / ref.file).exists()
            entry.status = STATUS_UNTRAINED if missing else STATUS_BROKEN
            entry.reason = str(exc)
            break
    return entry


def _builtin_folders() -> list[tuple[Path, str | None]]:
    if not BUILTIN_DIR.is_dir():
        return []
    return [(d, f"plugins.filters.{d.name}") for d in sorted(BUILTIN_DIR.iterdir())
            if (d / MANIFEST).is_file()]


def _user_folders(extra_dirs: tuple[Path, ...]) -> list[Path]:
    found = []
    for base in [*extra_dirs, *user_plugin_dirs()]:
        if base.is_dir():
            found.extend(d for d in sorted(base.iterdir()) if (d / MANIFEST).is_file())
    return found


def _entry_point_entries() -> list[FilterEntry]:
    entries = []
    for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            module = point.load()
            folder = Path(module.__file__).resolve().parent
        except Exception as exc:
            entries.append(FilterEntry(folder=Path(point.value), source="entry-point",
                                       status=STATUS_BROKEN, reason=f"entry point {point.name}: {exc!r}"))
            continue
        package = module.__name__ if hasattr(module, "__path__") else None
        entries.append(load_entry(folder, "entry-point", package))
    return entries


def discover(extra_dirs: tuple[Path, ...] = ()) -> list[FilterEntry]:
    """All filters, built-in first; a later filter with an id already taken is marked broken."""
    entries = [load_entry(folder, "builtin", pkg) for folder, pkg in _builtin_folders()]
    entries += [load_entry(folder, "user") for folder in _user_folders(tuple(extra_dirs))]
    entries += _entry_point_entries()
    seen: set[str] = set()
    for entry in entries:
        if entry.spec is None:
            continue
        if entry.id in seen:
            entry.status, entry.reason = STATUS_BROKEN, f"another filter already has the id '{entry.id}'"
        seen.add(entry.id)
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


def get(filter_id: str, refresh: bool = False) -> FilterEntry:
    """The entry with this id, usable or not; PluginError when no such filter exists."""
    for entry in all_filters(refresh):
        if entry.id == filter_id and entry.spec is not None:
            return entry
    known = ", ".join(sorted(e.id for e in all_filters() if e.spec is not None))
    raise PluginError(f"unknown filter '{filter_id}' (available: {known or 'none'})")
