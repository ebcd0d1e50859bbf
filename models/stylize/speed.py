"""CPU speed of the shipped stylize.onnx through onnxruntime at 256², 512², 1024² (one pass, untiled).

``python -m models.stylize.speed [--threads N] [--repeats R] [--own-painting PATH]``
Johnson et al. 2016 report 0.015 / 0.05 / 0.21 s on a Titan X GPU for the same sizes.
``--own-painting`` instead times the filter's Gatys mode (one run per working size, through the
plugin pipeline, on a BSD100 photo enlarged to 1024 px wide) with that picture as the painting.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort

from models.stylize.export import MODEL_FILE, PLUGIN_DIR, feeds

JOHNSON_S = {256: 0.015, 512: 0.05, 1024: 0.21}


def time_own_painting(painting: str, sides: tuple[int, ...] = (256, 512, 1024)) -> None:
    from PIL import Image

    from models.data import bsd100
    from plugins.pipeline import apply_filter

    with Image.open(bsd100()[0]) as img:  # a 1024-px-wide photo
        rgba = np.asarray(img.convert("RGBA").resize((1024, round(1024 * img.height / img.width))))
    print("| working size | Gatys mode, CPU (s) |\n|---|---|")
    for side in sides:
        start = time.perf_counter()
        apply_filter("stylize", rgba, params={"own_painting": painting, "working_size": side})
        print(f"| {side} | {time.perf_counter() - start:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=0, help="0 = onnxruntime's default")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--own-painting", default=None, help="time the Gatys mode with this painting")
    args = parser.parse_args()
    if args.own_painting:
        time_own_painting(args.own_painting)
        return
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    sess = ort.InferenceSession(str(PLUGIN_DIR / MODEL_FILE), opts, providers=["CPUExecutionProvider"])
    print("| size | Holst CPU (ms, median) | Johnson Titan X (ms) |\n|---|---|---|")
    for side, johnson in JOHNSON_S.items():
        inputs = feeds(side, side)
        sess.run(None, inputs)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            sess.run(None, inputs)
            times.append(time.perf_counter() - start)
        print(f"| {side}² | {1000 * float(np.median(times)):.0f} | {1000 * johnson:.0f} |", flush=True)


if __name__ == "__main__":
    main()
