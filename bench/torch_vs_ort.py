"""onnxruntime vs PyTorch eager on the same network, in the same run, on this machine's CPU.

Each network is built from ``models/nets`` with the shipped architecture, exported to ONNX the way
the filters are, and both are timed on the same input (median of several runs after a warm-up).
The ratio is what shipping ONNX buys over running the training framework in the app. Weights do not
change the cost of these networks, so freshly initialised ones are used; torch is needed (train extra).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.report import Section

SIDE = 512


def _builders() -> dict[str, Callable[[], tuple[object, dict[str, np.ndarray]]]]:
    import torch

    def upscale():
        from models.nets.upscale import UpscaleNet

        return UpscaleNet(scale=4), {"image": np.random.rand(1, 3, SIDE // 4, SIDE // 4).astype(np.float32)}

    def colorize():
        from models.nets.colorize import ColorizeNet

        return ColorizeNet("gan"), {"L": np.random.rand(1, 1, SIDE, SIDE).astype(np.float32)}

    def edges2photo():
        from models.nets.edges2photo import UNetGenerator

        net = UNetGenerator()
        noise = net.mean_noise(1).numpy()
        return net, {"sketch": np.random.rand(1, 1, SIDE, SIDE).astype(np.float32), "noise": noise}

    def inpaint():
        from models.nets.inpaint import InpaintNet

        return InpaintNet(), {"input": np.random.rand(1, 4, SIDE, SIDE).astype(np.float32)}

    def stylize():
        from models.nets.stylize import StylizeNet

        class Plain(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.net = StylizeNet()

            def forward(self, image, weights):
                return self.net(image, weights)[0]

        weights = np.eye(5, dtype=np.float32)[:1]
        return Plain(), {"image": np.random.rand(1, 3, SIDE, SIDE).astype(np.float32), "weights": weights}

    return {"upscale": upscale, "colorize": colorize, "edges2photo": edges2photo, "inpaint": inpaint,
            "stylize": stylize}


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(quick: bool) -> Section:
    title = f"onnxruntime vs PyTorch eager, same network, CPU ({SIDE}² output unless noted)"
    section = Section("torch", title)
    try:
        import onnxruntime
        import torch
    except ImportError:
        section.notes.append("torch is not installed (pip install -e '.[train]'): skipped")
        return section
    repeats = 2 if quick else 5
    for name, build in _builders().items():
        try:
            net, feeds = build()
        except Exception as exc:  # an architecture that changed shape: report, don't stop the run
            section.notes.append(f"{name}: could not build ({exc!r})")
            continue
        net.eval()
        tensors = tuple(torch.from_numpy(v) for v in feeds.values())
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{name}.onnx"
            if name == "inpaint":  # Fourier convolutions need the dynamo exporter, as shipped
                from models.inpaint.export import export as export_inpaint

                export_inpaint(net, path)
            else:
                torch.onnx.export(net, tensors, str(path), input_names=list(feeds), opset_version=17,
                                  dynamo=False)
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            with torch.inference_mode():
                t_torch = _median_seconds(lambda n=net, t=tensors: n(*t), repeats)
            t_ort = _median_seconds(lambda s=session, f=feeds: s.run(None, f), repeats)
        shape = "×".join(str(d) for d in next(iter(feeds.values())).shape[2:])
        section.rows.append({"network": name, "input": shape,
                             "params": sum(p.numel() for p in net.parameters()),
                             "torch eager ms": t_torch * 1000, "onnxruntime ms": t_ort * 1000,
                             "speed-up": t_torch / t_ort})
    section.notes.append(f"torch {torch.__version__} with {torch.get_num_threads()} threads; "
                         f"onnxruntime {onnxruntime.__version__} CPUExecutionProvider")
    return section
