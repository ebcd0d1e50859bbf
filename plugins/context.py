"""What a filter's ``run()`` receives besides pixels: models, progress, cancellation, tiling.

Every network call of a filter goes through one of two doors, which hold the one out-of-memory
recovery of the app: ``run_tiled`` (the manifest's tiling mode; on GPU out-of-memory the tile is
halved, then the run moves to the CPU) and ``run_once`` (untiled work; on GPU out-of-memory it runs
again on the CPU).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from plugins import plugin_files, tiling
from plugins.cancel import CancelToken
from plugins.contract import ModelRef
from plugins.errors import GpuOutOfMemory, OutOfMemory, PluginError
from plugins.outputs import check_values
from plugins.runtime import ModelSession, Runtime, is_out_of_memory

if TYPE_CHECKING:
    from plugins.registry import FilterEntry

T = TypeVar("T")


class ModelHandle:
    """One of the manifest's models, run on whatever provider the runtime uses *now*.

    A filter may keep a handle across a CPU fall-back: the handle asks the runtime for a new session
    once the runtime has moved to the CPU, so a retry really runs on the CPU.
    """

    def __init__(self, runtime: Runtime, folder: Path, ref: ModelRef) -> None:
        self.ref = ref
        self._runtime = runtime
        self._path = plugin_files.resolve(folder, ref.file, plugin_files.MAX_MODEL_BYTES, "model file")
        self._session: ModelSession | None = None
        self._on_cpu = False

    @property
    def session(self) -> ModelSession:
        """The session on the runtime's current provider (looked up again only after a CPU fall-back:
        the lookup checks the file and the providers, ~0.1 ms, too slow for every L-BFGS step)."""
        on_cpu = self._runtime.forced_cpu
        if self._session is None or on_cpu != self._on_cpu:
            self._session, self._on_cpu = self._runtime.session(self._path, self.ref.sha256), on_cpu
        return self._session

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return self.session.run(feeds)

    @property
    def input_names(self) -> tuple[str, ...]:
        return self.session.input_names

    @property
    def output_names(self) -> tuple[str, ...]:
        return self.session.output_names

    @property
    def provider(self) -> str:
        return self.session.provider


class FilterContext:
    """Per-run services for a filter. Created by ``plugins.pipeline.apply_filter``.

    ``tile`` is the user's tile size (CLI ``--tile``, the editor's preference) or None for the
    manifest's; ``tiler`` is the resolved plan (None for a filter that is not tiled).
    """

    def __init__(self, entry: FilterEntry, runtime: Runtime, *,
                 progress: Callable[[float], None] | None = None, cancel: CancelToken | None = None,
                 tile: int | None = None, notify: Callable[[str], None] | None = None) -> None:
        self.entry = entry
        self.spec = entry.spec
        self.folder = entry.folder
        self.runtime = runtime
        self.cancel = cancel or CancelToken()
        self.tile = tile
        self.tiler = tiling.plan(self.spec.tiling, tile)
        self._progress = progress
        self._notify = notify
        self._last_fraction = 0.0
        self._output: np.ndarray | None = None

    def progress(self, fraction: float) -> None:
        """Report overall progress in 0..1 (monotonic; out-of-range values are clamped)."""
        fraction = min(1.0, max(self._last_fraction, float(fraction)))
        self._last_fraction = fraction
        if self._progress is not None:
            self._progress(fraction)

    def notify(self, message: str) -> None:
        """Tell the user something worth knowing (status bar in the editor, stderr in the CLI)."""
        if self._notify is not None:
            self._notify(message)

    def model(self, key: str) -> ModelHandle:
        """The manifest's model ``key`` (``[[models]] key``, by default the file's stem).

        The file is found inside the plugin's folder only (or, for ``plugin = …`` in the manifest, inside
        the folder of the filter that keeps it), and opened and hash-checked here, so a damaged model
        fails before any work."""
        from plugins.registry import model_folder

        ref = self.spec.model(key)
        handle = ModelHandle(self.runtime, model_folder(self.entry, ref), ref)
        handle.session  # noqa: B018 - load and verify now
        return handle

    def output_buffer(self, height: int, width: int) -> np.ndarray:
        """A uint8 H×W×4 RGBA buffer that the pipeline returns as it is (alpha filled in by the
        pipeline). Filters whose output is huge write RGB into ``[..., :3]`` instead of returning
        a float array four times the size."""
        if self._output is None or self._output.shape[:2] != (height, width):
            self._output = np.empty((height, width, 4), dtype=np.uint8)
        return self._output

    def owns(self, result: np.ndarray) -> bool:
        """Whether ``result`` is (a view of) this context's output buffer."""
        return self._output is not None and np.shares_memory(result, self._output)

    def _checked(self, fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
        """``fn`` whose every tile must be finite numbers (a uint8 output buffer would otherwise turn
        NaN into black without a word)."""
        def checked(tile: np.ndarray) -> np.ndarray:
            return check_values(np.asarray(fn(tile)), self.spec.id)
        return checked

    def run_tiled(self, image: np.ndarray, fn: Callable[[np.ndarray], np.ndarray], *, scale: int = 1,
                  align: int = 1, progress_range: tuple[float, float] = (0.0, 1.0),
                  to_uint8: bool = False) -> np.ndarray:
        """Tile ``image`` through ``fn`` as the manifest's ``[tiling]`` says, with the resolved tile
        size, progress, cancellation and out-of-memory recovery (see ``plugins.tiling``).

        ``to_uint8=True`` writes 3-channel results straight into ``output_buffer`` and returns that
        RGB view, which the pipeline passes through without another copy. ``align``: every tile starts
        at a multiple of it (a strided network's ``multiple_of``, so each tile sees the same pixel grid).
        """
        if self.tiler is None:
            raise PluginError(f"filter '{self.spec.id}' runs tiled but its manifest declares no [tiling]")
        fn = self._checked(fn)
        start, end = progress_range
        height, width = image.shape[:2]

        def report(fraction: float) -> None:
            self.progress(start + (end - start) * fraction)

        def attempt(plan: tiling.Tiler) -> np.ndarray:
            out = self.output_buffer(height * scale, width * scale)[:, :, :3] if to_uint8 else None
            return tiling.run_tiled(image, fn, tile=plan.tile, overlap=plan.overlap, mode=plan.mode,
                                    scale=scale, align=align, progress=report, cancel=self.cancel, out=out)

        return self._recovering(attempt, self.tiler, lambda plan: plan.split(height, width))

    def run_once(self, fn: Callable[[], T]) -> T:
        """``fn()`` (untiled network work); on GPU out-of-memory it runs again on the CPU.

        ``fn`` must start from scratch each time and get its sessions through ``ctx.model`` handles."""
        return self._recovering(lambda _plan: fn(), None, lambda _plan: None)

    def _recovering(self, attempt: Callable[[tiling.Tiler | None], T], plan: tiling.Tiler | None,
                    smaller: Callable[[tiling.Tiler | None], tiling.Tiler | None]) -> T:
        """The one out-of-memory retry loop: smaller tiles while there are any, then the CPU at the
        first plan, then a clear error."""
        current = plan
        while True:
            try:
                return attempt(current)
            except Exception as exc:
                if not is_out_of_memory(exc):
                    raise
                gpu = self.runtime.is_gpu_memory(exc)
                split = smaller(current)
                if split is not None:
                    self.notify(self.runtime.retry_note(split.tile, gpu))
                    current = split
                    continue
                what = "even with the smallest tiles" if plan is not None else "for this image"
                if not gpu:  # RAM: the CPU cannot help
                    raise OutOfMemory(f"not enough memory (RAM) {what}") from exc
                if self.runtime.forced_cpu or self.runtime.preferred == "cpu":
                    raise GpuOutOfMemory(f"not enough memory {what}") from exc
                self.runtime.fall_back_to_cpu("the GPU ran out of memory" +
                                              (" even with small tiles" if plan is not None else ""))
                self.notify("Out of GPU memory: continuing on the CPU.")
                current = plan
