"""Memory over repeated Apply + Cancel in the real window: finished and cancelled jobs must be freed.

A fresh editor process opens a photo, then 25 times presses Apply for upscale ×4 and Cancel while it
runs, waits until the job has let go (``runner.live_jobs() == 0``) and records the resident set size.
A leak shows as a steady growth per cycle (before issue 26: +11.5 MB, the image copy a cancelled job's
closure kept); flat means each cycle's memory came back. Run it alone:
``python -m bench cancel`` (or ``python -m bench.cancel_cycles upscale 2000 1500 25`` for the raw row).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CYCLES = 25


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(filter_id: str, width: int, height: int, cycles: int) -> dict:
    import gc
    import time

    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from editor.document import Document
    from editor.main_window import MainWindow
    from plugins import registry
    from plugins.imageio.formats import ImageMeta

    QCoreApplication.setOrganizationName("HolstBench")
    app = QApplication.instance() or QApplication([])
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"holst-bench-{os.getpid()}"
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("autosave_s", 0)
    from editor.recovery import RecoveryStore

    window = MainWindow(settings, RecoveryStore(folder / "recovery"))
    window.show()
    sample = ROOT / "resources" / "sample.png"
    pixels = np.asarray(Image.open(sample).convert("RGBA").resize((width, height))).copy()
    meta = ImageMeta(format="PNG", mode="RGBA", bit_depth=8, has_alpha=False)
    window.set_document(Document(pixels, meta, None))
    entry = registry.get(filter_id)
    params = entry.spec.parse_params({"scale": "4"} if filter_id == "upscale" else {})

    def pump(until, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while not until() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)

    pump(lambda: not window.runner.busy() and bool(window.filters_panel.entries))
    outcomes: list[str] = []
    window.filter_finished.connect(outcomes.append)
    rss = []
    live = getattr(window.runner, "live_jobs", lambda: 0)
    for _ in range(cycles):
        progressed: list[float] = []
        job = window.filters.apply_filter(entry, params)
        if job is None:
            raise RuntimeError("the editor refused to start the filter")
        job.signals.progress.connect(progressed.append)
        pump(lambda progressed=progressed: bool(progressed), 30.0)   # under way, buffers allocated
        count = len(outcomes)
        window.filters.cancel_filter()
        pump(lambda count=count: len(outcomes) > count)
        del job
        pump(lambda: live() == 0 and not window.runner.busy() and window.filters.job is None, 30.0)
        for _ in range(10):
            app.processEvents()
        gc.collect()
        rss.append(_rss_mb())
    xs = np.arange(len(rss), dtype=float)
    tail = slice(min(4, len(rss) - 2), None)  # the first cycles warm up onnxruntime's arenas
    slope = float(np.polyfit(xs[tail], np.array(rss)[tail], 1)[0]) if len(rss) >= 3 else 0.0
    window.close()
    return {"filter": f"{filter_id} ×4" if filter_id == "upscale" else filter_id,
            "image": f"{width}×{height}", "cycles": len(rss), "outcomes": ",".join(sorted(set(outcomes))),
            "RSS after cycle 1 MB": rss[0], "RSS after last MB": rss[-1],
            "growth per cycle MB (fit, cycles 5+)": slope, "RSS per cycle MB": [round(v, 1) for v in rss]}


def run(quick: bool):
    from bench.report import ChildFailed, Section, child_row

    section = Section("cancel", "Memory over repeated Apply + Cancel (jobs freed)")
    width, height, cycles = (800, 600, 8) if quick else (2000, 1500, CYCLES)
    try:
        row = child_row("bench.cancel_cycles", "upscale", width, height, cycles, timeout=1200)
    except ChildFailed as exc:
        section.notes.append(str(exc))
        return section
    per_cycle = row.pop("RSS per cycle MB")
    section.rows.append(row)
    section.notes.append("RSS after each cycle: " + ", ".join(f"{v:g}" for v in per_cycle))
    section.notes.append("each cycle: Apply upscale ×4, Cancel once progress is reported, wait until the "
                         "runner holds no job, gc.collect(), read VmRSS")
    return section


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
