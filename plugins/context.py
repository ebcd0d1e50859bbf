"""What a filter's ``run()`` receives besides pixels: models, progress, cancellation, tiling."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from plugins import plugin_files, tiling
from plugins.cancel import CancelToken
from plugins.errors import GpuOutOfMemory, OutOfMemory, PluginError
from plugins.outputs import check_values
from plugins.runtime import ModelSession, Runtime, is_out_of_memory

if TYPE_CHECKING:
    from plugins.registry import FilterEntry

MIN_TILE = 64


class FilterContext:
    """Per-run services for a filter. Created by ``plugins.pipeline.apply_filter``."""

    def __init__(self, entry: FilterEntry, runtime: Runtime, *,
                 progress: Callable[[float], None] | None = None, cancel: CancelToken | None = None,
                 tile: int | None = None, notify: Callable[[str], None] | None = None) -> None:
        self.entry = entry
        self.spec = entry.spec
        self.folder = entry.folder
        self.runtime = runtime
        self.cancel = cancel or CancelToken()
        self.tile = tile
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

    def model(self, file_name: str) -> ModelSession:
        """The session for one of the manifest's ONNX files, on the active provider."""
        for ref in self.spec.models:
            if ref.file == file_name:
                path = plugin_files.resolve(self.folder, ref.file, plugin_files.MAX_MODEL_BYTES, "model file")
                return self.runtime.session(path, ref.sha256)
        raise PluginError(f"filter '{self.spec.id}' does not declare model '{file_name}' in its manifest")

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
                  tile: int | None = None, overlap: int | None = None,
                  progress_range: tuple[float, float] = (0.0, 1.0), to_uint8: bool = False) -> np.ndarray:
        """Tile ``image`` through ``fn`` with progress, cancellation and out-of-memory recovery.

        On GPU out-of-memory the tile is halved and the run restarted (down to MIN_TILE), then the
        runtime falls back to the CPU and the run restarts once more at the original tile size.
        ``to_uint8=True`` writes 3-channel results straight into ``output_buffer`` and returns that
        RGB view, which the pipeline passes through without another copy.
        """
        size = tile or self.tile or self.spec.tiling.tile
        overlap = self.spec.tiling.overlap if overlap is None else overlap
        fn = self._checked(fn)
        start, end = progress_range

        def report(fraction: float) -> None:
            self.progress(start + (end - start) * fraction)

        current = size
        while True:
            try:
                out = None
                if to_uint8:
                    height, width = image.shape[:2]
                    out = self.output_buffer(height * scale, width * scale)[:, :, :3]
                return tiling.run_tiled(image, fn, tile=current, overlap=overlap, scale=scale,
                                        progress=report, cancel=self.cancel, out=out)
            except Exception as exc:
                if not is_out_of_memory(exc):
                    raise
                gpu = self.runtime.is_gpu_memory(exc)
                smaller = current // 2
                if smaller >= max(MIN_TILE, 2 * overlap + 1):
                    self.notify(self.runtime.retry_note(smaller, gpu))
                    current = smaller
                    continue
                if not gpu:
                    raise OutOfMemory("not enough memory (RAM) even with the smallest tiles") from exc
                if self.runtime.forced_cpu or self.runtime.preferred == "cpu":
                    raise GpuOutOfMemory("not enough memory even with the smallest tiles") from exc
                self.runtime.fall_back_to_cpu("the GPU ran out of memory even with small tiles")
                self.notify("Out of GPU memory: continuing on the CPU.")
                current = size
