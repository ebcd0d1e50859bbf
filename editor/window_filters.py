"""The main window's filter work (``FilterActions``, owned by the window as ``window.filters``): running
a filter or a chain in the background with progress and Cancel, the live preview, and the sketch layer's
plugin commands (e.g. edges from the photo) and drawing import.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtWidgets import QWidget

from editor import filter_apply, preview
from editor.canvas import Canvas
from editor.document import Document
from editor.i18n import Translated, filter_text
from editor.jobs import Job, JobRunner
from editor.panels.filters import FiltersPanel
from editor.panels.sketch import SketchPanel, set_sketch
from editor.preferences import Prefs
from editor.tiles import to_qimage
from editor.window_files import ask_image_to_open
from editor.window_host import FilterHost
from plugins.cancel import CancelToken
from plugins.contract import CommandSpec, InputKind
from plugins.errors import HolstError, PluginError
from plugins.registry import FilterEntry

if TYPE_CHECKING:   # onnxruntime is imported off the GUI thread, when a filter first runs
    from plugins.runtime import Runtime

#: How long Cancel waits for a filter to stop by itself before abandoning it (the promise is 2 s).
CANCEL_GRACE_MS = 500
#: How long closing the window waits for jobs before abandoning them (the promise is 5 s in all).
CLOSE_WAIT_MS = 3000

#: What a filter job computes: (runtime, tile size, progress, cancel token, notify) → result pixels.
Compute = Callable[["Runtime", int | None, Callable[[float], None], CancelToken, Callable[[str], None]],
                   np.ndarray]


class FilterActions(Translated):
    """The window's filter work. ``parent`` is the window, as the parent of its timers and dialogs;
    ``finished`` is told "done", "cancelled" or "failed" when a filter job ends (the window's
    ``filter_finished`` signal)."""

    def __init__(self, host: FilterHost, parent: QWidget, prefs: Prefs, runner: JobRunner, canvas: Canvas,
                 panel: FiltersPanel, sketch_panel: SketchPanel, finished: Callable[[str], None]) -> None:
        self.host, self.parent, self.prefs, self.runner = host, parent, prefs, runner
        self.canvas, self.panel, self.sketch_panel, self._finished = canvas, panel, sketch_panel, finished
        self.job: Job | None = None            # the running filter or chain (one at a time)
        self.job_input: filter_apply.FilterInput | None = None
        self.preview_job: Job | None = None
        self._preview_request: tuple[Any, dict] | None = None
        self._preview_generation = 0
        self._preview_timer = QTimer(parent)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(350)
        self._preview_timer.timeout.connect(self._run_preview)
        self._shown_notices: set[str] = set()

    @property
    def busy(self) -> bool:
        """A filter or chain is running (the next one waits for it to end)."""
        return self.job is not None

    @property
    def entries(self) -> list[FilterEntry]:
        """The filters listed in the Filters panel."""
        return self.panel.entries

    # ------------------------------------------------------------------ filters
    def load_filters(self) -> Job:
        """Discover plugins off the GUI thread (imports and ONNX hash checks can take a moment)."""
        from plugins import registry

        job = Job(lambda _p, _c, _n: registry.all_filters(refresh=True), "discover")
        job.signals.done.connect(self._filters_loaded)
        job.signals.failed.connect(self.host.show_error)
        return self.runner.start(job)

    def _filters_loaded(self, entries: list) -> None:
        from plugins import registry

        self.panel.set_entries(entries)
        self.host.list_filters(entries)
        self.sketch_panel.set_commands(registry.commands("sketch-from-photo", entries))
        usable = sum(1 for e in entries if e.usable)
        self.host.show_message(self.tr("%1 filters ready, %2 not available")
                               .replace("%1", str(usable)).replace("%2", str(len(entries) - usable)))
        if usable:
            self.warm_runtime()
        self.load_filter_modules(entries)

    def load_filter_modules(self, entries: list) -> Job:
        """Import the listed filters' modules in the background, after the list is shown: one that
        fails, exits or hangs at import (time-limited) is then shown as broken, and costs the list
        nothing (discovery itself runs no plugin code)."""
        from plugins import registry

        def work(_p: object, _c: object, _n: object) -> list:
            registry.load_modules(entries)
            return entries

        def done(_entries: list) -> None:
            shown = {id(e) for e in self.panel.entries}
            if all(id(e) in shown for e in entries if e.spec is not None):  # not replaced meanwhile
                self.panel.refresh_status()
                self.host.list_filters(entries)

        job = Job(work, "imports")
        job.signals.done.connect(done)
        return self.runner.start(job)

    def warm_runtime(self) -> Job:
        """Import onnxruntime and probe the providers in the background, once filters are listed.

        Both hold the interpreter lock for tens of milliseconds; doing it while the user is still
        looking at the image keeps that pause out of the first filter run and shows the provider early.
        """
        from plugins.runtime import default_runtime

        provider = self.prefs.provider

        def work(_p: object, _c: object, notify: Callable[[str], None]) -> str:
            runtime = default_runtime(provider)
            active = runtime.active_provider
            for notice in list(runtime.notices):
                notify(notice)
            return active

        job = Job(work, "runtime")
        job.signals.notice.connect(self._on_notice)
        job.signals.done.connect(self.host.show_provider)
        job.signals.failed.connect(self.host.show_message)
        return self.runner.start(job)

    def apply_filter(self, entry: Any, params: dict, target: str = filter_apply.NEW_LAYER) -> Job | None:
        """Run a filter in the background; the result becomes one undo step when it arrives."""
        doc = self.host.doc
        if doc is None or self.host.history is None or self.busy:
            return None
        try:
            inp = filter_apply.prepare(doc, entry, params, target)  # checks the parameters too
        except HolstError as exc:
            self.host.show_error(str(exc))
            return None
        from plugins.pipeline import apply_filter

        def compute(runtime: Runtime, tile: int | None, progress: Callable[[float], None], token: CancelToken,
                    notify: Callable[[str], None]) -> np.ndarray:
            return apply_filter(entry, inp.pixels, mask=inp.mask, params=inp.params, runtime=runtime,
                                progress=progress, cancel=token, tile=tile, notify=notify)

        return self.start(entry.id, inp, compute)

    def start(self, name: str, inp: filter_apply.FilterInput, compute: Compute,
              on_outcome: Callable[[str], None] | None = None) -> Job:
        """Run ``compute`` (a filter or a chain on ``inp``) in the background with the progress bar and
        Cancel, on the preferred provider and tile size; its result becomes one undo step
        (``_filter_done``). ``on_outcome`` hears "done", "cancelled" or "failed" as ``finished`` does."""
        from plugins.runtime import default_runtime

        provider, tile = self.prefs.provider, self.prefs.tile

        def work(progress: Callable[[float], None], token: CancelToken,
                 notify: Callable[[str], None]) -> dict:
            runtime = default_runtime(provider)
            try:
                result = compute(runtime, tile, progress, token, notify)
            finally:
                for notice in list(runtime.notices):   # provider fall-backs, said once per session
                    notify(notice)
            return {"pixels": result, "provider": runtime.active_provider,
                    "planes": filter_apply.scaled_planes(inp, result)}

        def report(outcome: str) -> None:
            self._finished(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

        doc = self.host.doc
        job = Job(work, name)
        job.signals.progress.connect(self._on_progress)
        job.signals.notice.connect(self._on_notice)
        job.signals.done.connect(lambda result: self._filter_done(doc, inp, result, report))
        job.signals.failed.connect(lambda text: self._filter_failed(text, report))
        job.signals.cancelled.connect(lambda: self._filter_cancelled(report))
        job.signals.finished.connect(self._filter_ended)
        self.job, self.job_input = job, inp
        self.panel.preview.setChecked(False)   # the result replaces the preview
        self._stop_preview()
        self.panel.set_busy(True)
        self.host.show_running(True)
        self.host.show_message(self.tr("Running %1…").replace("%1", inp.name))
        return self.runner.start(job)

    # ------------------------------------------------------------------ preview
    def on_preview_requested(self, entry: Any, params: dict) -> None:
        self._preview_request = (entry, params) if entry is not None else None
        if self._preview_request is None:
            self._stop_preview()
        else:
            self._preview_timer.start()

    def preview_stale(self, *_args: object) -> None:
        """The view or the document changed: run the requested preview again shortly."""
        if self._preview_request is not None:
            self._preview_timer.start()

    def _stop_preview(self) -> None:
        self._preview_timer.stop()
        self._preview_generation += 1
        self._drop_preview_job()
        self.canvas.set_preview(None)

    def _drop_preview_job(self) -> None:
        """Cancel the running preview; abandoned after CANCEL_GRACE_MS if it does not stop."""
        job, self.preview_job = self.preview_job, None
        if job is None or job.signals.ended:
            return
        job.cancel()
        ref = weakref.ref(job)
        QTimer.singleShot(CANCEL_GRACE_MS, self.parent, lambda: self._abandon_if_running(ref()))

    def _abandon_if_running(self, job: Job | None) -> None:
        if job is not None and not job.signals.ended:
            self.runner.abandon(job)

    def _run_preview(self) -> Job | None:
        """Run the requested filter on a screen-sized sample of the visible region."""
        request, doc, rect = self._preview_request, self.host.doc, self.canvas.visible_image_rect()
        if request is None or doc is None or rect is None:
            return None
        if self.busy:      # the full run has priority; try again afterwards
            self._preview_timer.start()
            return None
        entry, params = request
        inp = preview.prepare_preview(doc, entry, params, rect, self.canvas.zoom)
        if inp is None:
            self.canvas.set_preview(None)
            return None
        self._drop_preview_job()
        self._preview_generation += 1
        generation = self._preview_generation
        from plugins.pipeline import apply_filter
        from plugins.runtime import default_runtime

        provider, tile = self.prefs.provider, self.prefs.tile   # the same tile size as Apply

        def work(_progress: object, token: Any, _notify: object) -> np.ndarray:
            result = apply_filter(inp.entry, inp.pixels, mask=inp.mask, params=inp.params,
                                  runtime=default_runtime(provider), cancel=token, tile=tile)
            return preview.finish_preview(inp, result)

        def done(rgba: np.ndarray) -> None:
            if generation == self._preview_generation and doc is self.host.doc:
                x0, y0, x1, y1 = inp.rect
                self.canvas.set_preview(to_qimage(rgba), QRectF(x0, y0, x1 - x0, y1 - y0))

        job = Job(work, "preview")
        job.signals.done.connect(done)
        job.signals.failed.connect(lambda text: self.host.show_message(self.tr("Preview: ") + text))
        self.preview_job = job
        return self.runner.start(job)

    def _on_progress(self, fraction: float) -> None:
        self.panel.set_progress(fraction)
        self.host.show_progress(fraction)

    def cancel_filter(self) -> None:
        """Ask the running filter to stop; one that has not stopped within CANCEL_GRACE_MS (it never
        looks at its cancel token) is abandoned: the window is free again at once, the user is told,
        and its result, should it ever come, is dropped."""
        job = self.job
        if job is None:
            return
        job.cancel()
        self.host.show_message(self.tr("Cancelling…"))
        ref = weakref.ref(job)
        QTimer.singleShot(CANCEL_GRACE_MS, self.parent, lambda: self._abandon_filter(ref()))

    def _abandon_filter(self, job: Job | None) -> None:
        if job is not None and job is self.job and not job.signals.ended:
            self.runner.abandon(job)

    def close_jobs(self, wait_ms: int = CLOSE_WAIT_MS) -> None:
        """On closing: cancel the filter and preview (and start no other preview), give every job
        ``wait_ms`` to end, abandon the rest (``run_app`` then ends the process even if one of them
        never stops)."""
        self._preview_request = None
        self._preview_timer.stop()
        for job in (self.job, self.preview_job):
            if job is not None:
                job.cancel()
        self.runner.wait(wait_ms)
        self.runner.abandon_all()

    def _on_notice(self, text: str) -> None:
        if text not in self._shown_notices:
            self._shown_notices.add(text)
            self.host.show_message(text)

    def _filter_done(self, doc: Document, inp: filter_apply.FilterInput, outcome: dict,
                     report: Callable[[str], None]) -> None:
        self.host.show_provider(str(outcome["provider"]))
        history = self.host.history
        if doc is not self.host.doc or history is None:
            return
        try:
            filter_apply.commit(doc, history, inp, outcome["pixels"], outcome["planes"])
        except HolstError as exc:
            self.host.show_error(str(exc))
            report("failed")
            return
        if inp.entry.spec.input == InputKind.SKETCH:       # show the picture, not the lines over it
            self.sketch_panel.paper.setChecked(False)
            self.sketch_panel.visible.setChecked(False)
        if inp.mask is not None:                    # nor the red mask over a fill (Ctrl+M shows it)
            self.host.show_mask_overlay(False)
        self.host.show_message(self.tr("%1 applied").replace("%1", inp.name))
        report("done")

    def _filter_failed(self, text: str, report: Callable[[str], None]) -> None:
        self.host.show_error(text)
        report("failed")

    def _filter_cancelled(self, report: Callable[[str], None]) -> None:
        if self.job is not None and self.job.abandoned:
            self.host.show_message(self.tr("Cancelled — the image is unchanged. The filter did not stop by "
                                           "itself; it is left to end in the background and its result "
                                           "will be discarded."))
        else:
            self.host.show_message(self.tr("Cancelled — the image is unchanged."))
        report("cancelled")

    def _filter_ended(self) -> None:
        self.job = None
        self.job_input = None
        self.panel.set_busy(False)
        self.host.show_running(False)

    # ------------------------------------------------------------------ sketch
    def run_sketch_command(self, entry: FilterEntry, command: CommandSpec,
                           values: dict[str, Any] | None = None) -> Job | None:
        """Run a plugin's "sketch-from-photo" command on the flattened image, off the GUI thread; its
        drawing (paper 1, ink 0) becomes the sketch plane, one undo step."""
        doc = self.host.doc
        if doc is None:
            return None
        rgb = doc.flatten()[..., :3].astype(np.float32) / 255.0
        text = filter_text(entry.spec, command.label)

        def work(_p: object, _c: object, _n: object) -> np.ndarray:
            return _run_command(entry, command, rgb, values)

        def done(drawing: np.ndarray) -> None:
            history = self.host.history
            if doc is self.host.doc and history is not None:
                set_sketch(doc, history, 1.0 - drawing, text)
                doc.sketch_visible = True
                self.sketch_panel.visible.setChecked(True)

        job = Job(work, "sketch-command")
        job.signals.done.connect(done)
        job.signals.failed.connect(self.host.show_error)
        return self.runner.start(job)

    def sketch_from_photo(self, values: dict[str, Any] | None = None, index: int = 0) -> Job | None:
        """The Sketch panel's ``index``-th plugin command (e.g. edges from the photo) with ``values``."""
        if index >= len(self.sketch_panel.commands):
            self.host.show_error(self.tr("No installed plugin draws a sketch from the photo."))
            return None
        (entry, command), _button, _form = self.sketch_panel.commands[index]
        return self.run_sketch_command(entry, command, values)

    def load_drawing_dialog(self) -> None:
        path = ask_image_to_open(self.parent, self.tr("Load drawing"), self.host.doc, self.prefs)
        if path:
            self.load_drawing(path)

    def load_drawing(self, path: str) -> Job | None:
        """A drawing file (dark lines on light paper) becomes the sketch plane, at the image's size."""
        doc = self.host.doc
        if doc is None:
            return None
        from plugins import registry
        from plugins.imageio import load_image
        from plugins.resample import resize

        cleaners = registry.commands("sketch-from-drawing")  # a plugin's "normalise drawing", if any
        size = (doc.height, doc.width)

        def work(_p: object, _c: object, _n: object) -> np.ndarray:
            rgb = load_image(path).pixels[..., :3].astype(np.float32) / 255.0
            if cleaners:
                paper = _run_command(*cleaners[0], rgb)
            else:
                paper = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
            return 1.0 - np.clip(resize(paper, size, "bilinear"), 0.0, 1.0)

        job = Job(work, "drawing")
        job.signals.done.connect(lambda ink: set_sketch(doc, self.host.history, ink, self.tr("Load drawing"))
                                 if doc is self.host.doc and self.host.history is not None else None)
        job.signals.failed.connect(self.host.show_error)
        return self.runner.start(job)


def _run_command(entry: FilterEntry, command: CommandSpec, rgb: np.ndarray,
                 values: dict[str, Any] | None = None) -> np.ndarray:
    """A plugin's sketch command on float RGB: its drawing checked (float H×W of the input's size,
    finite; clipped to 0..1). Whatever the plugin's code raises is one PluginError line."""
    params = command.coerce_params(values)
    function = entry.command(command)
    try:
        paper = np.asarray(function(rgb, **params))
    except HolstError:
        raise
    except BaseException as exc:  # noqa: BLE001 - a plugin bug must not take the window down
        raise PluginError(f"command '{command.id}' of '{entry.id}' failed: "
                          f"{type(exc).__name__}: {exc}") from exc
    size = rgb.shape[:2]
    if paper.shape != size or paper.dtype.kind != "f" or not np.isfinite(paper).all():
        raise PluginError(f"command '{command.id}' of '{entry.id}' returned {paper.dtype} {paper.shape}; "
                          f"expected finite float numbers of shape {size}")
    return np.clip(paper, 0.0, 1.0).astype(np.float32)
