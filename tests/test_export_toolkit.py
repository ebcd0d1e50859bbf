"""models.export's storage transform: large weights kept as float16, computed in float32."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models.export import export_onnx, store_weights_fp16  # noqa: E402


def test_fp16_storage_halves_the_file_and_keeps_the_output(tmp_path: Path) -> None:
    import onnx
    import onnxruntime as ort

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 64, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Conv2d(64, 64, 3, padding=1))
    full = export_onnx(net, torch.zeros(1, 3, 32, 32), tmp_path / "full.onnx")
    compact = Path(shutil.copy(full, tmp_path / "compact.onnx"))
    store_weights_fp16(compact)
    assert compact.stat().st_size < 0.6 * full.stat().st_size
    stored = {init.name: init.data_type for init in onnx.load(str(compact)).graph.initializer}
    assert onnx.TensorProto.FLOAT16 in stored.values()
    small = [t for n, t in stored.items() if not n.endswith("__fp16")]  # biases stay float32
    assert small and all(t == onnx.TensorProto.FLOAT for t in small)
    x = np.random.default_rng(0).random((1, 3, 40, 56), dtype=np.float32)
    a, b = (ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
            for p in (full, compact))
    assert b.dtype == np.float32
    assert 0 < np.abs(a - b).max() < 1e-3 * np.abs(a).max()
