"""The main window's chains: Filters ▸ Run chain… (editor/chain_dialog.py) and running a chain in the
background as one undo step, through the same job, progress bar and Cancel as a single filter."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from editor import filter_apply
from editor.chain_dialog import ChainDialog
from editor.document import Document
from editor.jobs import Job
from plugins import chain as chains
from plugins.contract import OutputKind
from plugins.errors import HolstError


def prepare_chain(doc: Document, work: chains.Chain, target: str, name: str) -> filter_apply.FilterInput:
    """The chain's input from the document, as for a filter: the first filter says what it reads; the
    mask is taken when a filter of the chain fills a region; a scale anywhere makes the result replace
    the whole (flattened) document."""
    first = work.steps[0]
    scales = [step.spec.output_scale(step.params) for step in work.steps
              if step.spec.output == OutputKind.SCALED]
    return filter_apply.gather(
        doc, first.entry, first.params, target, filter_apply.SELECTION_FEATHER, name=name,
        input_kind=first.spec.input, needs_mask=any(chains.works_on_region(s.spec) for s in work.steps),
        requires_mask=work.needs_mask, scale=math.prod(scales) if scales else None,
        overlap=max(step.spec.tiling.overlap for step in work.steps))


class ChainMixin:
    """Chain actions of :class:`editor.main_window.MainWindow` (uses the attributes it sets up)."""

    chain_dialog: ChainDialog | None = None

    def run_chain_dialog(self) -> ChainDialog:
        """Open (or raise) the Run chain dialog; it keeps the last chain for next time."""
        usable = {e.id for e in self.filters_panel.entries if e.usable and e.spec is not None}
        old = self.chain_dialog
        if old is None or (not old.isVisible() and not old.running and old.entries.keys() != usable):
            if old is not None:          # the filters were found again since: offer the new list
                old.deleteLater()
            dialog = ChainDialog(self.filters_panel.entries, self, self.selection_rect)
            dialog.run_requested.connect(lambda work, target: self.apply_chain(work, target, dialog))
            dialog.cancel_requested.connect(self.cancel_filter)
            self.chain_dialog = dialog
        self.chain_dialog.show()
        self.chain_dialog.raise_()
        return self.chain_dialog

    def apply_chain(self, work: chains.Chain, target: str = filter_apply.NEW_LAYER,
                    dialog: ChainDialog | None = None) -> Job | None:
        """Run the chain's filters one after another in the background; one undo step at the end."""
        if self.doc is None or self.history is None or self.filter_job is not None:
            return None
        name = dialog.display_name() if dialog is not None else work.name
        try:
            inp = prepare_chain(self.doc, work, target, name)
        except HolstError as exc:
            self.show_error(str(exc))
            return None
        from plugins.runtime import default_runtime

        provider, tile = self.prefs.provider, self.prefs.tile

        def run(progress: Callable[[float], None], token: Any, notify: Callable[[str], None]) -> dict:
            runtime = default_runtime(provider)
            try:
                result = chains.run(work, inp.pixels, mask=inp.mask, runtime=runtime, progress=progress,
                                    cancel=token, tile=tile, notify=notify)
            finally:
                for notice in list(runtime.notices):
                    notify(notice)
            return {"pixels": result, "provider": runtime.active_provider,
                    "planes": filter_apply.scaled_planes(inp, result)}

        job = self.start_filter_job(Job(run, work.name), inp)
        if dialog is not None:
            dialog.set_running(True)
            job.signals.progress.connect(dialog.set_progress)
            outcomes: list[str] = []

            def record(outcome: str) -> None:
                outcomes.append(outcome)

            def ended() -> None:
                self.filter_finished.disconnect(record)
                dialog.finished_with(outcomes[0] if outcomes else "failed", self.last_error)

            self.filter_finished.connect(record)
            job.signals.finished.connect(ended)
        return job
