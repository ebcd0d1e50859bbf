"""What the main window's collaborators use of the window, in one place.

:class:`editor.main_window.MainWindow` owns four collaborators — ``FileActions`` (editor/window_files.py),
``FilterActions`` (window_filters.py), ``ChainActions`` (window_chain.py) and ``SessionKeeper``
(window_session.py). Each gets in its constructor the objects it works with (preferences, job runner,
recovery store, panels, the window as the parent of its dialogs) and this narrow view of the window;
nothing else of the window is reachable from them, and none of them reaches into another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from editor.document import Document
    from editor.undo import History
    from plugins.registry import FilterEntry


class WindowHost(Protocol):
    """The open document, the title and the status line."""

    @property
    def doc(self) -> Document | None: ...

    @property
    def history(self) -> History | None: ...

    @property
    def last_error(self) -> str:
        """The text of the last :meth:`show_error` (a failed chain's dialog repeats it)."""

    def set_document(self, doc: Document, *, clean: bool = True) -> None:
        """Show ``doc`` with a fresh history (the previous document is dropped)."""

    def is_modified(self) -> bool: ...

    def update_title(self) -> None:
        """Show the document's file name (and whether it is modified) in the title bar."""

    def show_message(self, text: str) -> None: ...

    def show_error(self, text: str) -> None:
        """One clear line in the status bar and a non-blocking message box."""


class FilterHost(WindowHost, Protocol):
    """What running filters adds: the Filters menu, the status bar's job display, the mask overlay."""

    def list_filters(self, entries: list[FilterEntry]) -> None:
        """List the discovered filters in the Filters menu."""

    def show_running(self, running: bool) -> None:
        """Show (from 0) or hide the status bar's progress bar and Cancel button."""

    def show_progress(self, fraction: float) -> None: ...

    def show_provider(self, provider: str) -> None:
        """Say where filters run (CPU, CUDA, …)."""

    def show_mask_overlay(self, on: bool) -> None: ...
