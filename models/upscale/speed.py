"""Speed, parameters and FLOPs of the shipped Upscale models: ``python -m models.upscale.speed``.

Times ``plugins.pipeline.apply_filter`` (the whole app path: tiling, blending, uint8 output, alpha
resize) on a 1024×1024 photo, after one warm-up run, and the bare onnxruntime session on the same
input for comparison. Params and FLOPs are read from the ONNX files' convolution weights.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image

from models import data

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "plugins" / "filters" / "upscale"


def onnx_cost(path: Path) -> tuple[int, int]:
    """(stored parameters, FLOPs per input pixel) of a fully convolutional ONNX model (2 × multiply-adds).

    The exporter stores equal tensors once (the two output biases of UpscaleNet train identically).
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    params = int(sum(w.size for w in weights.values()))
    flops = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            flops += 2 * int(weights[node.input[1]].size)
    return params, flops


def test_photo(size: int = 1024) -> np.ndarray:
    """A BSD100 photo resized to size×size, RGBA uint8."""
    rgb = data.load_rgb(data.bsd100()[0])
    rgb = np.asarray(Image.fromarray(rgb).resize((size, size), Image.BICUBIC))
    return np.dstack([rgb, np.full((size, size), 255, np.uint8)])


def time_pipeline(scale: int, size: int, repeats: int) -> list[float]:
    from plugins import registry
    from plugins.pipeline import apply_filter
    from plugins.runtime import Runtime

    entry = registry.get("upscale", refresh=True)
    runtime = Runtime("cpu")
    pixels = test_photo(size)
    apply_filter(entry, pixels, raw_params={"scale": str(scale)}, runtime=runtime)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        apply_filter(entry, pixels, raw_params={"scale": str(scale)}, runtime=runtime)
        times.append(time.perf_counter() - start)
    return times


def time_session(scale: int, size: int, repeats: int) -> list[float]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(PLUGIN_DIR / f"upscale_x{scale}.onnx"), opts,
                                providers=["CPUExecutionProvider"])
    x = np.ascontiguousarray(test_photo(size)[:, :, :3].transpose(2, 0, 1)[None], dtype=np.float32) / 255
    sess.run(None, {"input": x})
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        sess.run(None, {"input": x})
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=1024, help="input edge in pixels")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    mp = args.size * args.size / 1e6
    for scale in (2, 4):
        params, flops = onnx_cost(PLUGIN_DIR / f"upscale_x{scale}.onnx")
        pipe = time_pipeline(scale, args.size, args.repeats)
        bare = time_session(scale, args.size, args.repeats)
        print(f"×{scale}: {params:,} params, {flops / 1e3:.0f} kFLOP per input pixel = "
              f"{flops / scale**2 / 1e3:.1f} GFLOP per output megapixel; {args.size}² input ({mp:.2f} MP): "
              f"app pipeline median {np.median(pipe):.2f} s (min {min(pipe):.2f}), "
              f"bare session median {np.median(bare):.2f} s", flush=True)


if __name__ == "__main__":
    main()
