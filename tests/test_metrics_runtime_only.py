"""The app's tests score pictures with ``models.metrics`` and ``models.data``: both must import and
compute PSNR with the runtime extras only (no torch, OpenCV, SciPy, onnx or matplotlib)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib.abc, sys
TRAINING = {"torch", "cv2", "scipy", "onnx", "onnxscript", "matplotlib"}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in TRAINING:
            raise ImportError(f"{name} is a training extra")
sys.meta_path.insert(0, Refuse())
import numpy as np
from models import data, metrics
hr = np.random.default_rng(0).integers(0, 256, (24, 24, 3), dtype=np.uint8)
lr = data.bicubic_downscale(hr, 2)
print(round(metrics.psnr_y(hr, hr // 2 * 2, 2), 3), lr.shape)
"""


def test_metrics_and_data_need_no_training_extras() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("(12, 12, 3)")
