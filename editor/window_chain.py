"""The main window's chains (``ChainActions``, owned by the window as ``window.chain``): Filters ▸ Run
chain… (editor/chain_dialog.py) and running a chain in the background as one undo step, through the
same job, progress bar and Cancel as a single filter."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtWidgets import QWidget

from editor import filter_apply
from editor.chain_dialog import ChainDialog
from editor.document import Document
from editor.jobs import Job
from editor.window_filters import FilterActions
from editor.window_host import WindowHost
from plugins import chain as chains
from plugins.cancel import CancelToken
from plugins.contract import OutputKind
from plugins.errors import HolstError

if TYPE_CHECKING:
    from plugins.runtime import Runtime


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


class ChainActions:
    """Filters ▸ Run chain…: the dialog, and its chain run through ``filters`` (the same job, progress
    bar and Cancel as a single filter). ``parent`` is the window, as the dialog's parent;
    ``selection_rect`` gives the selection's bounding box for the dialog's region fields."""

    def __init__(self, host: WindowHost, parent: QWidget, filters: FilterActions,
                 selection_rect: Callable[[], tuple[int, int, int, int] | None]) -> None:
        self.host, self.parent, self.filters, self.selection_rect = host, parent, filters, selection_rect
        self.dialog: ChainDialog | None = None

    def run_chain_dialog(self) -> ChainDialog:
        """Open (or raise) the Run chain dialog; it keeps the last chain for next time."""
        entries = self.filters.entries
        usable = {e.id for e in entries if e.usable and e.spec is not None}
        old = self.dialog
        if old is None or (not old.isVisible() and not old.running and old.entries.keys() != usable):
            if old is not None:          # the filters were found again since: offer the new list
                old.deleteLater()
            dialog = ChainDialog(entries, self.parent, self.selection_rect)
            dialog.run_requested.connect(lambda work, target: self.apply_chain(work, target, dialog))
            dialog.cancel_requested.connect(self.filters.cancel_filter)
            self.dialog = dialog
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def apply_chain(self, work: chains.Chain, target: str = filter_apply.NEW_LAYER,
                    dialog: ChainDialog | None = None) -> Job | None:
        """Run the chain's filters one after another in the background; one undo step at the end."""
        doc = self.host.doc
        if doc is None or self.host.history is None or self.filters.busy:
            return None
        name = dialog.display_name() if dialog is not None else work.name
        try:
            inp = prepare_chain(doc, work, target, name)
        except HolstError as exc:
            self.host.show_error(str(exc))
            return None

        def compute(runtime: Runtime, tile: int | None, progress: Callable[[float], None], token: CancelToken,
                    notify: Callable[[str], None]) -> np.ndarray:
            return chains.run(work, inp.pixels, mask=inp.mask, runtime=runtime, progress=progress,
                              cancel=token, tile=tile, notify=notify)

        outcomes: list[str] = []
        job = self.filters.start(work.name, inp, compute, outcomes.append)
        if dialog is not None:
            dialog.set_running(True)
            job.signals.progress.connect(dialog.set_progress)
            job.signals.finished.connect(
                lambda: dialog.finished_with(outcomes[0] if outcomes else "failed", self.host.last_error))
        return job
