"""The longest GUI event-loop stall while a filter runs, measured by a 5 ms QTimer probe.

The editor opens a photo, starts a filter through its real Apply path (background job), and a
QTimer records the gaps between its ticks until the result is committed as an undo step.
"""

from __future__ import annotations

import json
import sys

from bench.report import Section, measure_in_children

TARGET_MS = 50.0
PREFERRED = ("upscale", "stylize", "colorize", "edges2photo", "inpaint")


def child(filter_id: str, width: int, height: int) -> dict:
    import time

    import numpy as np
    from PySide6.QtCore import QElapsedTimer, QTimer

    from bench.inputs import filter_inputs
    from editor.app import make_app
    from editor.document import Document
    from editor.main_window import MainWindow
    from plugins import registry
    from plugins.imageio.formats import ImageMeta

    app = make_app()
    window = MainWindow()
    window.show()
    entry = registry.get(filter_id)
    pixels, mask, params = filter_inputs(entry.spec, width, height)
    meta = ImageMeta(format="PNG", mode="RGBA", bit_depth=8, has_alpha=False, icc_profile=None, exif=None)
    window.set_document(Document(pixels, meta, None))
    if mask is not None:
        window.doc.mask[:] = mask
    params = entry.spec.parse_params(params)
    gaps: list[float] = []
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(5)

    def tick() -> None:
        gaps.append(clock.restart())

    probe.timeout.connect(tick)
    outcome: list[str] = []
    # exit(), not quit(): quit() closes the window, whose unsaved-changes prompt would block.
    window.filter_finished.connect(lambda how: (outcome.append(how),
                                                QTimer.singleShot(50, lambda: app.exit(0))))
    # Like a user who presses Apply once the window has settled: filters listed, runtime warmed up.
    settle = time.perf_counter() + 15.0
    while (window.runner.busy() or not window.filters_panel.entries) and time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(20):
        app.processEvents()
    clock.start()
    probe.start()
    started = time.perf_counter()
    job = window.filters.apply_filter(entry, params)
    if job is None:
        raise RuntimeError("the editor refused to start the filter")
    app.exec()
    elapsed = time.perf_counter() - started
    gaps_ms = np.array(gaps[1:] or [0.0], dtype=float)
    return {"filter": filter_id, "image": f"{width}×{height}", "outcome": outcome[0] if outcome else "?",
            "job s": elapsed, "ticks": len(gaps), "longest stall ms": float(gaps_ms.max()),
            "p99 gap ms": float(np.percentile(gaps_ms, 99))}


def run(quick: bool) -> Section:
    from plugins import registry

    section = Section("stall", f"Longest GUI stall while a filter runs (target ≤ {TARGET_MS:g} ms)")
    usable = [e.id for e in registry.all_filters() if e.source == "builtin" and e.usable]
    chosen = [f for f in PREFERRED if f in usable][: 1 if quick else 3]
    if not chosen:
        section.notes.append("no usable built-in filter to run")
        return section
    width, height = (800, 600) if quick else (2000, 1500)
    measure_in_children(section, "bench.gui_stall", chosen, width, height, timeout=600,
                        within=lambda row: row["longest stall ms"] <= TARGET_MS)
    section.notes.append("stall = longest gap between ticks of a 5 ms QTimer on the GUI thread, from "
                         "pressing Apply until the result is committed to the document")
    return section


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
