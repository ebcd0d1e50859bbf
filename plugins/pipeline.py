"""One code path from document pixels to a filter's result, shared by the CLI and the editor.

The pipeline owns what every filter would otherwise get subtly wrong: uint8 ↔ float conversion,
alpha (kept, or resized separately when the output is scaled), parameter checking, output shape
checks, NaN/range clean-up, and turning a plugin's unexpected exception into a clear error.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from plugins import registry
from plugins.cancel import CancelToken
from plugins.context import FilterContext
from plugins.contract import MAX_TILE, MIN_TILE, OutputKind
from plugins.errors import HolstError, ModelMissingError, OutOfMemory, ParamError, PluginError
from plugins.outputs import check_values
from plugins.pixels import store, to_float_rgb
from plugins.registry import FilterEntry, Status
from plugins.resample import resize
from plugins.runtime import Runtime, default_runtime


def composite_by_mask(before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Blend two same-size uint8 RGBA images: ``after`` where mask is 1, ``before`` where 0."""
    weight = mask.astype(np.float32)[:, :, None]
    mixed = before.astype(np.float32) * (1.0 - weight) + after.astype(np.float32) * weight
    return (mixed + 0.5).astype(np.uint8)


def resolve(entry_or_id: FilterEntry | str) -> FilterEntry:
    """The usable entry for an id (or entry); a clear error when it cannot run."""
    entry = registry.get(entry_or_id) if isinstance(entry_or_id, str) else entry_or_id
    if entry.status == Status.UNTRAINED:
        raise ModelMissingError(f"filter '{entry.id}': model not trained yet")
    if not entry.usable:
        raise PluginError(f"filter '{entry.id}' is broken: {entry.reason}")
    return entry


def expected_size(entry: FilterEntry, params: dict[str, Any], height: int,
                  width: int) -> tuple[int, int] | None:
    """(H, W) the filter must return, or None when any size is allowed (``new-layer``)."""
    spec = entry.spec
    if spec.output == OutputKind.NEW_LAYER:
        return None
    scale = spec.output_scale(params) if spec.output == OutputKind.SCALED else 1
    return height * scale, width * scale


def apply_filter(entry_or_id: FilterEntry | str, pixels: np.ndarray, *, mask: np.ndarray | None = None,
                 params: dict[str, Any] | None = None, raw_params: dict[str, str] | None = None,
                 runtime: Runtime | None = None, progress: Callable[[float], None] | None = None,
                 cancel: CancelToken | None = None, tile: int | None = None,
                 notify: Callable[[str], None] | None = None) -> np.ndarray:
    """Run a filter on uint8 RGBA ``pixels``; returns a new uint8 RGBA array (input untouched).

    A filter returns float32 RGB in 0..1 (or uint8 RGB 0..255, or the RGB view of
    ``ctx.output_buffer``); a 4th channel, if returned, replaces the alpha.
    """
    entry = resolve(entry_or_id)
    spec = entry.spec
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError("apply_filter expects uint8 H×W×4 pixels")
    height, width = pixels.shape[:2]
    if height == 0 or width == 0:
        raise ParamError("the image is empty")
    values = spec.parse_params(raw_params) if raw_params is not None else spec.coerce_params(params)
    if mask is not None:
        if mask.shape != (height, width):
            raise ParamError(f"the mask is {mask.shape[1]}×{mask.shape[0]} but the image is {width}×{height}")
        mask = np.clip(mask.astype(np.float32, copy=False), 0.0, 1.0)
        if spec.requires_mask and not mask.any():
            raise ParamError(f"filter '{spec.id}' needs a mask, and the mask is empty")
    elif spec.requires_mask:
        raise ParamError(f"filter '{spec.id}' needs a mask (white marks the pixels to change)")
    if tile is not None and not MIN_TILE <= tile <= MAX_TILE:
        raise ParamError(f"tile size must be from {MIN_TILE} to {MAX_TILE} pixels, got {tile}")

    ctx = FilterContext(entry, runtime or default_runtime(), progress=progress, cancel=cancel, tile=tile,
                        notify=notify)
    ctx.cancel.raise_if_cancelled()
    rgb = to_float_rgb(pixels)
    try:
        result = entry.module().run(ctx, rgb, mask, values)
    except HolstError:
        raise
    except MemoryError:
        raise OutOfMemory(memory_advice(entry, values, width, height, tile)) from None
    except KeyboardInterrupt:
        if _real_interrupt(ctx.cancel):
            raise
        raise PluginError(f"filter '{spec.id}' failed: it raised KeyboardInterrupt by itself") from None
    except SystemExit as exc:
        raise PluginError(f"filter '{spec.id}' failed: it called sys.exit({exc.code!r})") from None
    except BaseException as exc:  # noqa: BLE001 - a plugin bug of any kind must not take the app down
        raise PluginError(f"filter '{spec.id}' failed: {type(exc).__name__}: {exc}") from exc
    ctx.cancel.raise_if_cancelled()
    return _finish(entry, values, pixels, result, ctx)


def _real_interrupt(cancel: CancelToken) -> bool:
    """Whether a KeyboardInterrupt is the user's Ctrl+C rather than a plugin raising it.

    The CLI's signal handler sets the cancel token before it raises; with Python's own handler, only the
    main thread can receive one. In a worker thread a KeyboardInterrupt can only come from code.
    """
    if cancel.cancelled:
        return True
    return (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler)


def memory_advice(entry: FilterEntry, values: dict[str, Any], width: int, height: int,
                  tile: int | None) -> str:
    """'Not enough memory' with advice that fits: a smaller tile only when a larger one than the
    filter's own was asked for (a filter that is not tiled ignores the tile size), a smaller scale for
    an upscaler, else a smaller image."""
    spec = entry.spec
    text = f"not enough memory to run '{spec.id}' on a {width}×{height} image"
    if tile is not None and spec.tiling.tiled and tile > spec.tiling.tile:
        return f"{text}; try a smaller tile size than {tile} px (the filter's own is {spec.tiling.tile} px)"
    if spec.output == OutputKind.SCALED and spec.output_scale(values) > 1:
        return f"{text}; try a smaller scale or a smaller image, or close other programs"
    return f"{text}; try a smaller image or close other programs"


def _finish(entry: FilterEntry, values: dict[str, Any], pixels: np.ndarray, result: Any,
            ctx: FilterContext) -> np.ndarray:
    spec = entry.spec
    height, width = pixels.shape[:2]
    if isinstance(result, np.ndarray) and not ctx.owns(result):
        check_values(result, spec.id)
    if not isinstance(result, np.ndarray) or result.ndim != 3 or result.shape[2] not in (3, 4):
        shape = getattr(result, "shape", type(result).__name__)
        raise PluginError(f"filter '{spec.id}' returned the wrong shape {shape}; expected H×W×3")
    want = expected_size(entry, values, height, width)
    if want is not None and result.shape[:2] != want:
        raise PluginError(f"filter '{spec.id}' returned the wrong shape {result.shape[:2]}; expected {want}")
    if result.shape[0] == 0 or result.shape[1] == 0:
        raise PluginError(f"filter '{spec.id}' returned an empty image")
    if ctx.owns(result):
        out = ctx.output_buffer(*result.shape[:2])
    else:
        out = np.empty((*result.shape[:2], 4), dtype=np.uint8)
        store(out[:, :, :3], result[:, :, :3])
    if result.shape[2] == 4 and not ctx.owns(result):
        store(out[:, :, 3], result[:, :, 3])
    elif result.shape[:2] == (height, width):
        out[:, :, 3] = pixels[:, :, 3]
    elif spec.output == OutputKind.SCALED and pixels[:, :, 3].min() == 255:
        out[:, :, 3] = 255  # opaque: skip resizing a full-size alpha plane (saves ~2 bytes/output px)
    elif spec.output == OutputKind.SCALED:
        out[:, :, 3] = resize(pixels[:, :, 3], result.shape[:2], "lanczos")
    else:
        out[:, :, 3] = 255
    ctx.progress(1.0)
    return out
