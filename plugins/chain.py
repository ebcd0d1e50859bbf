"""Several filters in a row, in memory: ``inpaint+colorize+upscale``, or a named preset.

One :class:`Chain` is what the CLI (``holst apply A+B+C IN -o OUT``), the batch runner and the
editor's "Run chain…" dialog all run; a chain of one filter is exactly ``pipeline.apply_filter``.

Parameters: ``--set NAME=VALUE`` goes to the one filter of the chain that has a parameter NAME; when
several do (``feather``, ``seed``, ``working_size``) it must be prefixed with the filter's id
(``--set upscale.scale=2``), and a prefixed name always goes to that filter only.

The mask: a single filter gets it as ``holst apply FILTER --mask`` always gave it (it limits where any
filter acts). In a chain of several filters it goes, as in the editor, only to the filters that work on
a painted region (``requires_mask``, or input ``image+mask`` / ``texture-sample+region``: inpaint,
texture) — the restoration chain fills the scratches, then colorizes and upscales the whole photo. When a
step changed the image size (upscale), the mask is resized with it for the steps after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plugins import pipeline, registry
from plugins.cancel import CancelToken
from plugins.contract import FilterSpec, InputKind
from plugins.errors import ParamError
from plugins.registry import FilterEntry
from plugins.resample import resize
from plugins.runtime import Runtime

SEPARATOR = "+"
REGION_INPUTS = (InputKind.IMAGE_MASK, InputKind.TEXTURE_REGION)


@dataclass(frozen=True)
class Preset:
    """A named chain with its own parameter defaults (``"id.name": "value"``; ``--set`` overrides)."""

    name: str                    # the CLI name; contains a hyphen, so it can never be a filter id
    label: str                   # English; translated by the editor
    steps: tuple[str, ...]
    params: dict[str, str] = field(default_factory=dict)
    help: str = ""


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("restore-old-photo", "Restore an old photo", ("inpaint", "colorize", "upscale"),
           {"upscale.scale": "2"},
           "Fills the scratches painted in the mask, colorizes, then doubles the size."),
)}


@dataclass
class Step:
    entry: FilterEntry
    params: dict[str, Any]        # typed, checked values

    @property
    def spec(self) -> FilterSpec:
        assert self.entry.spec is not None
        return self.entry.spec


@dataclass
class Chain:
    steps: list[Step]
    name: str                     # "inpaint+colorize+upscale" or the preset's name

    @property
    def ids(self) -> list[str]:
        return [step.entry.id for step in self.steps]

    def takes_mask(self, step: Step) -> bool:
        """Whether ``step`` is given the mask (see the module docstring)."""
        return len(self.steps) == 1 or works_on_region(step.spec)

    @property
    def needs_mask(self) -> bool:
        return any(step.spec.requires_mask for step in self.steps)

    @property
    def changes_size(self) -> bool:
        return any(step.spec.output != "same" for step in self.steps)


def works_on_region(spec: FilterSpec) -> bool:
    """Filters that fill a painted region (the editor hands them its mask; chains do the same)."""
    return spec.requires_mask or spec.input in REGION_INPUTS


def is_chain(text: str) -> bool:
    """True for ``a+b`` or a preset name: what ``holst apply`` runs through :func:`build`."""
    return SEPARATOR in text or text in PRESETS


def chain_ids(text: str) -> list[str]:
    """The filter ids of ``a+b+c`` or of a preset; a clear ParamError for an empty part."""
    preset = PRESETS.get(text)
    if preset is not None:
        return list(preset.steps)
    ids = [part.strip() for part in text.split(SEPARATOR)]
    if not ids or any(not part for part in ids):
        raise ParamError(f"'{text}' is not a chain: write filter ids joined by '+', e.g. inpaint+colorize")
    return ids


def split_params(specs: Sequence[FilterSpec], raw: dict[str, str]) -> list[dict[str, str]]:
    """Distribute ``--set`` strings over the steps: ``id.name`` to that filter, a bare name to the one
    filter that has it. Unknown, ambiguous and misdirected names are ParamErrors."""
    ids = [spec.id for spec in specs]
    per_step: list[dict[str, str]] = [{} for _ in specs]
    for key, value in raw.items():
        fid, dot, name = key.partition(".")
        if dot:
            targets = [i for i, spec in enumerate(specs) if spec.id == fid]
            if not targets:
                raise ParamError(f"--set {key}: '{fid}' is not in the chain ({SEPARATOR.join(ids)})")
        else:
            name = key
            targets = [i for i, spec in enumerate(specs) if any(p.name == name for p in spec.params)]
            owners = sorted({specs[i].id for i in targets})
            if not targets:
                raise ParamError(f"no filter in the chain ({SEPARATOR.join(ids)}) has a parameter '{name}'")
            if len(owners) > 1:
                raise ParamError(f"parameter '{name}' is ambiguous in this chain: write "
                                 + " or ".join(f"{owner}.{name}" for owner in owners))
        for i in targets:
            per_step[i][name] = value
    return per_step


def build(text: str, raw: dict[str, str] | None = None,
          resolve: Callable[[str], FilterEntry] | None = None) -> Chain:
    """The chain named by ``text`` (``a+b``, a preset, or one filter id) with ``--set`` strings parsed.

    Raises what ``pipeline.resolve`` raises for an unknown, broken or untrained filter, and ParamError.
    """
    resolve = resolve or (lambda fid: pipeline.resolve(registry.get(fid)))
    ids = chain_ids(text) if is_chain(text) else [text]
    entries = [resolve(fid) for fid in ids]
    preset = PRESETS.get(text)
    merged = dict(preset.params if preset else {}) | dict(raw or {})
    specs = [entry.spec for entry in entries]
    per_step = split_params(specs, merged) if len(entries) > 1 else [merged]
    steps = [Step(entry, entry.spec.parse_params(values)) for entry, values in zip(entries, per_step)]
    return Chain(steps, text)


def from_values(name: str, entries: Sequence[FilterEntry], values: Sequence[dict[str, Any]]) -> Chain:
    """A chain from typed parameter values (the editor's forms)."""
    return Chain([Step(entry, entry.spec.coerce_params(dict(v))) for entry, v in zip(entries, values)], name)


def resize_mask(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    """The mask at a later step's size (bilinear; the size only changes by a filter's scale)."""
    if mask.shape == (height, width):
        return mask
    if abs(mask.shape[1] / mask.shape[0] - width / height) > 0.01:
        raise ParamError(f"the mask ({mask.shape[1]}×{mask.shape[0]}) cannot follow the image to "
                         f"{width}×{height}: put the filters that use the mask first")
    return resize(mask, (height, width), "bilinear", clip=True)


def run(chain: Chain, pixels: np.ndarray, *, mask: np.ndarray | None = None, runtime: Runtime | None = None,
        progress: Callable[[float], None] | None = None, cancel: CancelToken | None = None,
        tile: int | None = None, notify: Callable[[str], None] | None = None) -> np.ndarray:
    """Run the steps one after another on uint8 RGBA ``pixels``; returns uint8 RGBA.

    ``progress`` sees one 0→1 sweep over the whole chain (each step an equal share); ``cancel`` stops
    between tiles of any step. Nothing is written anywhere: intermediate images stay in memory.
    """
    count = len(chain.steps)
    current = pixels
    for index, step in enumerate(chain.steps):
        step_mask = None
        if mask is not None and chain.takes_mask(step):
            step_mask = resize_mask(mask, *current.shape[:2])

        def step_progress(fraction: float, index: int = index) -> None:
            if progress is not None:
                progress((index + min(max(fraction, 0.0), 1.0)) / count)

        current = pipeline.apply_filter(step.entry, current, mask=step_mask, params=step.params,
                                        runtime=runtime, progress=step_progress if progress else None,
                                        cancel=cancel, tile=tile, notify=notify)
    return current
