"""The app never imports torch: the window, every built-in filter's module and a filter run, in a fresh
interpreter (the CLI path has its own check in test_cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
import numpy as np
from editor.app import make_app
from editor.main_window import MainWindow
from plugins import registry
from plugins.pipeline import apply_filter
app = make_app()
window = MainWindow()
window.show()
app.processEvents()
entries = registry.builtin_filters()
registry.load_modules(entries)
assert all(e.imported for e in entries), [e.status_text for e in entries]
rgba = np.full((64, 64, 4), 128, np.uint8)
apply_filter("upscale", rgba)
heavy = sorted(n for n in sys.modules if n.split(".")[0] in ("torch", "torchvision", "models"))
print("HEAVY", heavy, flush=True)
window.close()
"""


def test_window_and_every_builtin_filter_run_without_torch():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("HEAVY"))
    assert line == "HEAVY []", line
