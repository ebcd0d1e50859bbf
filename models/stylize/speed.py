"""CPU speed of the shipped stylize.onnx through onnxruntime at 256², 512², 1024² (one pass, untiled).

``python -m models.stylize.speed [--threads N] [--repeats R]``
Johnson et al. 2016 report 0.015 / 0.05 / 0.21 s on a Titan X GPU for the same sizes.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort

from models.stylize.export import MODEL_FILE, PLUGIN_DIR, feeds

JOHNSON_S = {256: 0.015, 512: 0.05, 1024: 0.21}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=0, help="0 = onnxruntime's default")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
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
