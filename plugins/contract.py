"""The filter contract: a plugin's manifest (``manifest.toml``) parsed into typed, validated specs.

The same parameter schema drives the editor's generated form and the CLI's ``--set name=value``,
so parsing and range checks live here, once.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from plugins.errors import ParamError, PluginError
from plugins.plugin_files import MAX_MANIFEST_BYTES, check_name, read_bounded


class InputKind(StrEnum):
    """What a filter works on (manifest ``input``); equal to the manifest's text."""

    IMAGE = "image"
    IMAGE_MASK = "image+mask"                      # the image and a mask of the pixels to change
    SKETCH = "sketch"                              # the sketch plane (dark lines on white)
    TEXTURE_REGION = "texture-sample+region"       # a sample of the image and a region to fill


class OutputKind(StrEnum):
    """What a filter returns (manifest ``output``); equal to the manifest's text."""

    SAME = "same"              # an image of the input's size
    SCALED = "scaled"          # an image ``output_scale`` times larger
    NEW_LAYER = "new-layer"    # a picture of its own size, put on a new layer


class TilingMode(StrEnum):
    """How a filter's network is tiled (manifest ``[tiling] mode``; see ``plugins.tiling``)."""

    BLEND = "blend"    # overlapping tiles, feathered together
    EXACT = "exact"    # tiles read overlap/4 pixels of context and are cropped: the untiled result
    NONE = "none"      # not tiled (no [tiling] table)


INPUT_KINDS = tuple(kind.value for kind in InputKind)
TILING_MODES = tuple(mode.value for mode in TilingMode)
OUTPUT_KINDS = tuple(kind.value for kind in OutputKind)
#: Where the editor offers a plugin's ``[[commands]]`` (see CommandSpec).
COMMAND_ROLES = ("sketch-from-photo", "sketch-from-drawing")
MIN_TILE = 64  # the smallest tile edge a user may ask for, and the out-of-memory retry goes down to
PARAM_TYPES = ("float", "int", "choice", "bool", "colour", "image", "rect", "text")
_ID_RE = re.compile(r"^[a-z0-9_]+$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.py$")
_PARAM_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Largest tile edge, for a manifest, ``--tile`` and the tile preference: one 8192² float32 RGB tile is
#: already 768 MiB before the network's own activations.
MAX_TILE = 8192
MAX_SCALE = 16
_MAX_MAGNITUDE = 1e12  # parameter bounds: (max - min) stays finite, and a form can show them
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a filter, as declared in the manifest."""

    name: str
    type: str
    default: Any
    label: str
    help: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    thumbnails: tuple[str, ...] = ()
    #: "" (always used), "other" (used only while parameter ``other`` is set: a non-empty text, a ticked
    #: box) or "!other" (used only while it is not). The form greys out a parameter that is not used.
    enabled_when: str = ""

    def is_used(self, values: dict[str, Any]) -> bool:
        """Whether this parameter takes part in a run with ``values`` (see ``enabled_when``)."""
        if not self.enabled_when:
            return True
        other = self.enabled_when.removeprefix("!")
        return bool(values.get(other)) != self.enabled_when.startswith("!")

    def parse(self, raw: str) -> Any:
        """Convert a command-line string to this parameter's type and check it."""
        text = raw.strip()
        try:
            if self.type == "float":
                value: Any = float(text)
            elif self.type == "int":
                value = int(text)
            elif self.type == "bool":
                low = text.lower()
                if low not in _TRUE | _FALSE:
                    raise ValueError
                value = low in _TRUE
            elif self.type == "rect":
                value = _parse_rect(text)
            else:
                value = text
        except ValueError:
            raise ParamError(f"parameter '{self.name}' expects {self.describe_type()}, got '{raw}'") from None
        return self.coerce(value)

    def coerce(self, value: Any) -> Any:
        """Check an already-typed value (from the GUI form or the defaults) and normalise it."""
        kind = self.type
        if kind in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParamError(f"parameter '{self.name}' expects {self.describe_type()}, got {value!r}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ParamError(f"parameter '{self.name}' expects {self.describe_type()}, got {value}")
            if kind == "int":
                if float(value) != int(value):
                    raise ParamError(f"parameter '{self.name}' expects a whole number, got {value!r}")
                value = int(value)
            else:
                value = float(value)
            if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
                raise ParamError(f"parameter '{self.name}' must be between {_fmt(self.min)} and "
                                 f"{_fmt(self.max)}, got {_fmt(value)}")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise ParamError(f"parameter '{self.name}' expects true or false, got {value!r}")
            return value
        if kind == "choice":
            value = str(value)
            if value not in self.choices:
                raise ParamError(f"parameter '{self.name}' must be one of {', '.join(self.choices)}, "
                                 f"got '{value}'")
            return value
        if kind == "colour":
            value = str(value)
            if not _COLOUR_RE.match(value):
                raise ParamError(f"parameter '{self.name}' expects a colour like #ff8800, got '{value}'")
            return value.lower()
        if kind == "rect":
            if value in ("", None):
                return None
            if isinstance(value, str):
                return _parse_rect(value)
            rect = tuple(int(v) for v in value)
            if len(rect) != 4 or rect[2] <= 0 or rect[3] <= 0 or rect[0] < 0 or rect[1] < 0:
                raise ParamError(f"parameter '{self.name}' expects x,y,w,h with w,h > 0, got {value!r}")
            return rect
        return str(value)

    def describe_type(self) -> str:
        """A short human description of what values are accepted."""
        if self.type in ("float", "int"):
            word = "a number" if self.type == "float" else "a whole number"
            if self.min is None and self.max is None:
                return word
            if self.max is None:
                return f"{word} of at least {_fmt(self.min)}"
            if self.min is None:
                return f"{word} of at most {_fmt(self.max)}"
            return f"{word} from {_fmt(self.min)} to {_fmt(self.max)}"
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        return {"bool": "true or false", "colour": "a colour like #ff8800", "rect": "x,y,w,h",
                "image": "an image file path", "text": "text"}[self.type]

    def to_json(self) -> dict[str, Any]:
        """The schema as plain data, for ``main.py filters --json``."""
        data: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default,
                                "label": self.label}
        for key in ("min", "max", "step"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.choices:
            data["choices"] = list(self.choices)
        if self.help:
            data["help"] = self.help
        return data


@dataclass(frozen=True)
class ModelRef:
    """An ONNX file the filter needs, with the SHA-256 it must have and the input sizes it accepts.

    ``key`` is the name the filter asks for it by (``ctx.model(key)``; the file's stem unless the
    manifest says otherwise), so the file name is written once, in the manifest. ``multiple_of`` and
    ``min_side`` are the network's size needs: its input H and W must be multiples of ``multiple_of``
    and at least ``min_side`` (``plugins.netcall.pad`` pads to them).

    ``plugin`` names another filter whose folder holds the file (one copy on disk shared by several
    filters, e.g. stylize's own-painting mode reads the texture filter's VGG16 weights); empty means
    this filter's own folder. Either way the file must lie inside that folder.
    """

    file: str
    sha256: str
    key: str = ""
    multiple_of: int = 1
    min_side: int = 1
    plugin: str = ""


@dataclass(frozen=True)
class TilingSpec:
    """How the filter's network may be tiled (see ``plugins.tiling``).

    ``mode``: "blend" (overlapping tiles, feathered), "exact" (tiles read ``overlap / 4`` pixels of
    context and are cropped, no blending) or "none" (the filter is not tiled: no ``[tiling]`` table,
    or ``mode = "none"``). ``scale_param`` names the param giving the output scale.
    """

    mode: TilingMode = TilingMode.NONE
    tile: int = 0
    overlap: int = 0
    scale: int = 1
    scale_param: str | None = None

    @property
    def tiled(self) -> bool:
        return self.mode != TilingMode.NONE


@dataclass(frozen=True)
class SuiteSpec:
    """How the test suite and the benchmarks run this filter (the manifest's optional ``[test]`` table),
    so that a new filter needs no edit outside its folders to be covered.

    ``fast``: parameters (command-line text, as ``--set``) that keep a run quick on small inputs (the
    hardening test); ``bench``: the parameters the benchmarks measure (default: the manifest's
    defaults); ``mask``: give the filter a mask although it does not require one (a filter that fills a
    region when given one). A sketch filter gets a drawing, a filter that requires a mask gets one.
    """

    fast: dict[str, str] = field(default_factory=dict)
    bench: dict[str, str] = field(default_factory=dict)
    mask: bool = False


@dataclass(frozen=True)
class CommandSpec:
    """A command a plugin contributes to the editor besides its filter (``[[commands]]``).

    ``role`` says where the editor offers it, so the editor never names a filter:
    "sketch-from-photo" is a button of the Sketch panel that turns the current image into a drawing;
    "sketch-from-drawing" cleans a drawing file the user loads into the sketch plane. Both call
    ``function`` of ``module`` (a file in the plugin's folder) with float32 H×W×3 RGB in 0..1 and the
    command's ``params`` by name, and get float32 H×W paper back (1 = white paper, 0 = ink).
    """

    id: str
    role: str
    module: str
    function: str
    label: str
    help: str = ""
    params: tuple[ParamSpec, ...] = ()

    def coerce_params(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """Typed, checked values (defaults filled in) for the command's parameters."""
        values = {p.name: p.default for p in self.params}
        known = {p.name: p for p in self.params}
        for name, value in (given or {}).items():
            if name not in known:
                raise ParamError(f"command '{self.id}' has no parameter '{name}'")
            values[name] = known[name].coerce(value)
        return values


@dataclass(frozen=True)
class FilterSpec:
    """A parsed, validated manifest."""

    id: str
    name: str
    category: str
    version: str
    description: str
    input: InputKind
    output: OutputKind
    requires_mask: bool
    module: str
    tiling: TilingSpec
    models: tuple[ModelRef, ...]
    params: tuple[ParamSpec, ...] = field(default=())
    commands: tuple[CommandSpec, ...] = field(default=())
    test: SuiteSpec = field(default_factory=SuiteSpec, compare=False)
    # language code → {English text of the manifest → translated text}, from [translations.<lang>]
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    def text(self, english: str, language: str) -> str:
        """A user-facing string of this manifest (name, label, help…) in ``language`` when translated."""
        return self.translations.get(language, {}).get(english, english)

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise ParamError(f"filter '{self.id}' has no parameter '{name}' "
                         f"(it has: {', '.join(p.name for p in self.params) or 'none'})")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def parse_params(self, raw: dict[str, str]) -> dict[str, Any]:
        """Typed, checked values for CLI strings, defaults filled in."""
        values = self.defaults()
        for name, text in raw.items():
            values[name] = self.param(name).parse(text)
        return values

    def coerce_params(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """Typed, checked values for already-typed input (GUI form), defaults filled in.

        This (or ``parse_params``) is the one place parameters are typed: the pipeline passes its result
        to a filter's ``run``, so a float parameter is a float there, an int an int, a bool a bool, a
        colour "#rrggbb", a rect (x, y, w, h) or None, and choice/image/text are str; filters do not
        cast again."""
        values = self.defaults()
        for name, value in (given or {}).items():
            values[name] = self.param(name).coerce(value)
        return values

    def model(self, key: str) -> ModelRef:
        """The ``[[models]]`` entry with this key (a file name is accepted too)."""
        for ref in self.models:
            if key in (ref.key, ref.file):
                return ref
        raise PluginError(f"filter '{self.id}' declares no model '{key}' in its manifest "
                          f"(it has: {', '.join(ref.key for ref in self.models) or 'none'})")

    def output_scale(self, values: dict[str, Any]) -> int:
        """The integer scale of the output for these parameter values (1 unless ``scaled``)."""
        if self.tiling.scale_param:
            return int(values[self.tiling.scale_param])
        return self.tiling.scale


def _fmt(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}"


def _parse_rect(text: str) -> tuple[int, int, int, int] | None:
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError
    x, y, w, h = (int(p) for p in parts)
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise ValueError
    return (x, y, w, h)


def load_manifest(path: Path) -> FilterSpec:
    """Parse and validate a manifest; any problem is a PluginError naming the file and the field.

    Plugin manifests are untrusted: every field's type and range is checked here, and any other
    exception (a deeply nested table, a number TOML accepts but Python cannot convert) is still a
    PluginError, so one bad manifest never stops discovery.
    """
    try:
        text = read_bounded(path, MAX_MANIFEST_BYTES, "manifest").decode("utf-8")
    except PluginError as exc:
        raise PluginError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise PluginError(f"{path}: cannot read manifest ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PluginError(f"{path}: manifest is not valid TOML ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on absurd nesting
        raise PluginError(f"{path}: manifest cannot be parsed ({type(exc).__name__})") from None
    try:
        return _build_spec(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise PluginError(f"{path}: invalid manifest: {_message(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a check missed above must not escape as a crash
        raise PluginError(f"{path}: invalid manifest: {type(exc).__name__}: {exc}") from None


def _message(exc: Exception) -> str:
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


def _require(data: dict[str, Any], key: str, kind: type) -> Any:
    if key not in data:
        raise KeyError(f"missing '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise TypeError(f"'{key}' must be {kind.__name__}")
    return value


def _optional(data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        kinds = (kind,) if isinstance(kind, type) else kind
        names = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds if k is not type(None))
        raise TypeError(f"'{key}' must be {names}, got {value!r}")
    return value


_KIND_NAMES = {dict: "a table", list: "an array", int: "a whole number", float: "a number", str: "text",
               bool: "true or false"}


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    return _optional(data, key, dict, {})


def _tables(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = _optional(data, key, list, [])
    if not all(isinstance(item, dict) for item in items):
        raise TypeError(f"'{key}' must be an array of tables ([[{key}]])")
    return items


def _whole(data: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = _optional(data, key, int, default)
    if not low <= value <= high:
        raise ValueError(f"'{key}' must be a whole number from {low} to {high}, got {value}")
    return value


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"'{key}' must be a finite number, got {value!r}")
    if abs(value) > _MAX_MAGNITUDE:
        raise ValueError(f"'{key}' must be within ±{_MAX_MAGNITUDE:g}, got {value!r}")
    return value


def _identifier(data: dict[str, Any], key: str, pattern: re.Pattern[str], what: str) -> str:
    """A required text field that must match ``pattern`` (an id, a parameter name)."""
    value = _require(data, key, str)
    if not pattern.match(value):
        raise ValueError(f"{what} '{value}' must match {pattern.pattern.strip('^$')}")
    return value


def _one_of(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None = None, *,
            context: str = "", label: str = "") -> str:
    """A text field that must be one of ``allowed``; required when there is no ``default``.

    The message reads "<context><label or key> 'value' is not one of (...)".
    """
    value = _require(data, key, str) if default is None else _optional(data, key, str, default)
    if value not in allowed:
        raise ValueError(f"{context}{label or key} '{value}' is not one of {allowed}")
    return value


def _texts(data: dict[str, Any], key: str) -> tuple[str, ...]:
    items = _optional(data, key, list, [])
    if not all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in items):
        raise TypeError(f"'{key}' must be an array of text")
    return tuple(str(item) for item in items)


def _build_spec(data: dict[str, Any]) -> FilterSpec:
    filter_id = _identifier(data, "id", _ID_RE, "id")
    input_kind = _one_of(data, "input", INPUT_KINDS, InputKind.IMAGE.value)
    output_kind = _one_of(data, "output", OUTPUT_KINDS, OutputKind.SAME.value)
    module = _optional(data, "module", str, "filter.py")
    if not _MODULE_RE.match(module):
        raise ValueError(f"module '{module}' must be a Python file in the plugin's folder, like filter.py")
    tiling = _build_tiling(data.get("tiling"))
    models = tuple(_build_model(ref) for ref in _tables(data, "models"))
    keys = [ref.key for ref in models]
    if len(set(keys)) != len(keys):
        raise ValueError("two [[models]] entries have the same key")
    params = tuple(_build_param(p) for p in _tables(data, "params"))
    _check_param_names(params)
    commands = tuple(_build_command(c) for c in _tables(data, "commands"))
    if len({c.id for c in commands}) != len(commands):
        raise ValueError("two [[commands]] have the same id")
    names = [p.name for p in params]
    if tiling.scale_param and tiling.scale_param not in names:
        raise ValueError(f"tiling.scale_param '{tiling.scale_param}' is not a parameter")
    translations = _table(data, "translations")
    if not all(_is_text_table(t) for t in translations.values()):
        raise ValueError("translations must be tables of English text = translated text, one per language")
    version = _optional(data, "version", (str, int, float), "0")
    spec = FilterSpec(
        translations={str(lang): dict(table) for lang, table in translations.items()},
        id=filter_id, name=_require(data, "name", str), category=_optional(data, "category", str, "Other"),
        version=str(version), description=_optional(data, "description", str, ""),
        input=InputKind(input_kind), output=OutputKind(output_kind),
        requires_mask=_optional(data, "requires_mask", bool, input_kind == InputKind.IMAGE_MASK),
        module=module, tiling=tiling, models=models, params=params, commands=commands,
        test=_build_test(data.get("test")),
    )
    for what, raw in (("fast", spec.test.fast), ("bench", spec.test.bench)):
        try:
            spec.parse_params(raw)
        except ParamError as exc:
            raise ValueError(f"test.{what}: {exc}") from None
    return spec


def _build_test(raw: Any) -> SuiteSpec:
    """``[test]``: fast = {name = "value"}, bench = {name = "value"}, mask = true|false."""
    if raw is None:
        return SuiteSpec()
    if not isinstance(raw, dict):
        raise TypeError("'test' must be a table")
    unknown = set(raw) - {"fast", "bench", "mask"}
    if unknown:
        raise ValueError(f"test: unknown key(s) {sorted(unknown)}; expected fast, bench, mask")
    tables = {}
    for key in ("fast", "bench"):
        table = _table(raw, key)
        if not all(isinstance(v, (str, int, float, bool)) for v in table.values()):
            raise TypeError(f"test.{key} must map parameter names to values")
        tables[key] = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in table.items()}
    return SuiteSpec(fast=tables["fast"], bench=tables["bench"], mask=_optional(raw, "mask", bool, False))


def _check_param_names(params: tuple[ParamSpec, ...]) -> None:
    """Unique names, and every ``enabled_when`` names another parameter of the same list."""
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError("duplicate parameter names")
    for param in params:
        other = param.enabled_when.removeprefix("!")
        if param.enabled_when and (other not in names or other == param.name):
            raise ValueError(f"parameter '{param.name}': enabled_when names no other parameter ('{other}')")


def _build_command(raw: dict[str, Any]) -> CommandSpec:
    """One ``[[commands]]`` table: id, role, call = "module.py:function", label, help, [[commands.params]]."""
    command_id = _identifier(raw, "id", _ID_RE, "command id")
    role = _one_of(raw, "role", COMMAND_ROLES, context=f"command '{command_id}': ")
    module, _, function = _require(raw, "call", str).partition(":")
    if not _MODULE_RE.match(module) or not _PARAM_RE.match(function):
        raise ValueError(f"command '{command_id}': call must be like \"edges.py:extract_edges\"")
    params = tuple(_build_param(p) for p in _tables(raw, "params"))
    _check_param_names(params)
    return CommandSpec(id=command_id, role=role, module=module, function=function,
                       label=_optional(raw, "label", str, command_id), help=_optional(raw, "help", str, ""),
                       params=params)


def _build_tiling(raw: Any) -> TilingSpec:
    """``[tiling]``: absent means not tiled; without ``mode`` it means "blend" (the 1.0 contract)."""
    if raw is None:
        return TilingSpec()
    if not isinstance(raw, dict):
        raise TypeError("'tiling' must be a table")
    mode = TilingMode(_one_of(raw, "mode", TILING_MODES, TilingMode.BLEND.value, label="tiling.mode"))
    scale = _whole(raw, "scale", 1, 1, MAX_SCALE)
    scale_param = _optional(raw, "scale_param", (str, type(None)), None)
    if mode == TilingMode.NONE:
        if "tile" in raw or "overlap" in raw:
            raise ValueError("tiling.mode 'none' takes no tile or overlap")
        return TilingSpec(scale=scale, scale_param=scale_param)
    tiling = TilingSpec(mode=mode, tile=_whole(raw, "tile", 512, 16, MAX_TILE),
                        overlap=_whole(raw, "overlap", 32, 0, MAX_TILE), scale=scale, scale_param=scale_param)
    if 2 * tiling.overlap >= tiling.tile:
        raise ValueError("tiling needs 0 <= overlap < tile / 2")
    return tiling


def _build_model(raw: dict[str, Any]) -> ModelRef:
    file = check_name(_require(raw, "file", str), "model file")
    sha = _optional(raw, "sha256", str, "").lower()
    if sha and not _SHA_RE.match(sha):  # empty: not trained yet (the file must then be absent)
        raise ValueError(f"model '{file}' needs a 64-hex-digit sha256")
    key = _optional(raw, "key", str, Path(file).stem)
    multiple_of = _whole(raw, "multiple_of", 1, 1, MAX_TILE)
    min_side = _whole(raw, "min_side", 1, 1, MAX_TILE)
    owner = _optional(raw, "plugin", str, "")
    if owner and not _ID_RE.match(owner):
        raise ValueError(f"model '{file}': plugin '{owner}' is not a filter id")
    return ModelRef(file=file, sha256=sha, key=key, multiple_of=multiple_of, min_side=min_side, plugin=owner)


def _is_text_table(table: object) -> bool:
    """A [translations.<lang>] table: English text = translated text, strings only."""
    return isinstance(table, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in table.items())


def _build_param(raw: dict[str, Any]) -> ParamSpec:
    name = _identifier(raw, "name", _PARAM_RE, "parameter name")
    kind = _one_of(raw, "type", PARAM_TYPES, context=f"parameter '{name}': ")
    choices = _texts(raw, "choices")
    if kind == "choice" and not choices:
        raise ValueError(f"parameter '{name}': a choice needs 'choices'")
    thumbnails = _texts(raw, "thumbnails")
    for thumb in thumbnails:
        if thumb:
            check_name(thumb, f"parameter '{name}': thumbnail")
    try:
        low, high, step = _number(raw, "min"), _number(raw, "max"), _number(raw, "step")
    except ValueError as exc:
        raise ValueError(f"parameter '{name}': {exc}") from None
    if low is not None and high is not None and low > high:
        raise ValueError(f"parameter '{name}': min {low} is above max {high}")
    if step is not None and step <= 0:
        raise ValueError(f"parameter '{name}': step must be positive")
    spec = ParamSpec(
        name=name, type=kind, default=None, label=_optional(raw, "label", str, name),
        help=_optional(raw, "help", str, ""), min=low, max=high, step=step, choices=choices,
        labels=_texts(raw, "labels"), thumbnails=thumbnails,
        enabled_when=_optional(raw, "enabled_when", str, ""),
    )
    default = raw.get("default", _implicit_default(spec))
    try:
        default = spec.coerce(default)
    except ParamError as exc:
        raise ValueError(f"default: {exc}") from None
    return ParamSpec(**{**spec.__dict__, "default": default})


def _implicit_default(spec: ParamSpec) -> Any:
    return {"float": spec.min if spec.min is not None else 0.0, "int": int(spec.min or 0), "bool": False,
            "choice": spec.choices[0] if spec.choices else "", "colour": "#000000", "rect": None,
            "image": "", "text": ""}[spec.type]
