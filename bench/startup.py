"""Time from launching the editor to its main window being shown, and proof that torch stays out.

Measured from the parent's ``Popen`` (interpreter start included) to the child printing a line from
inside the event loop once the window is exposed; repeated and the median reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Section

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0
CHILD = """
import sys
from PySide6.QtCore import QTimer
from editor.app import make_app
from editor.main_window import MainWindow
app = make_app()
window = MainWindow()
window.show()
def shown():
    print("SHOWN", "torch" in sys.modules, "onnxruntime" in sys.modules, flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def measure_once(env: dict[str, str]) -> tuple[float, bool, bool]:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("SHOWN"):
            elapsed = time.perf_counter() - started
            _, torch_loaded, ort_loaded = line.split()
            proc.wait(timeout=30)
            return elapsed, torch_loaded == "True", ort_loaded == "True"
    proc.wait(timeout=30)
    raise RuntimeError("the editor did not show its window")


def run(quick: bool) -> Section:
    import os

    section = Section("startup", f"Launch to window shown (target ≤ {TARGET_S:g} s; torch never imported)")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    measure_once(env)  # warm the OS file cache, as a second launch by a user would be
    runs = [measure_once(env) for _ in range(3 if quick else 7)]
    times = [r[0] for r in runs]
    median = statistics.median(times)
    section.rows.append({"runs": len(times), "median s": median, "min s": min(times), "max s": max(times),
                         "torch imported": any(r[1] for r in runs),
                         "onnxruntime imported": any(r[2] for r in runs),
                         "within target": "yes" if median <= TARGET_S else "NO"})
    section.notes.append(f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}; interpreter start included")
    return section
