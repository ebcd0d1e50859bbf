"""CPU speed of the shipped stylize.onnx through onnxruntime at 256², 512², 1024² (one pass, untiled).

``python -m models.stylize.speed [--threads N] [--repeats R] [--against OLD.onnx] [--own-painting PATH]``
``--against`` times another stylize.onnx (e.g. the previous model) in the same run, the two interleaved.
Johnson et al. 2016 report 0.015 / 0.05 / 0.21 s on a Titan X GPU for the same sizes.
``--own-painting`` instead times the filter's Gatys mode (one run per working size, through the
plugin pipeline, on a BSD100 photo enlarged to 1024 px wide) with that picture as the painting.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort

from models.stylize.export import PLUGIN_DIR, feeds, model_file

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
    parser.add_argument("--against", default=None, help="another stylize.onnx, timed in turns")
    parser.add_argument("--own-painting", default=None, help="time the Gatys mode with this painting")
    args = parser.parse_args()
    if args.own_painting:
        time_own_painting(args.own_painting)
        return
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    paths = [PLUGIN_DIR / model_file()] + ([args.against] if args.against else [])
    sessions = [ort.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"]) for p in paths]
    against = " | other model (ms, median) | shipped ÷ other" if args.against else ""
    print(f"| size | Holst CPU (ms, median){against} | Johnson Titan X (ms) |\n|---|---|"
          + ("---|---|" if args.against else "") + "---|")
    for side, johnson in JOHNSON_S.items():
        times: list[list[float]] = [[] for _ in sessions]
        for _ in range(args.repeats + 1):        # the first round warms each session up and is dropped
            for sess, kept in zip(sessions, times, strict=True):
                inputs = feeds(side, side, stats_length=stats_length(sess))
                start = time.perf_counter()
                sess.run(None, inputs)
                kept.append(time.perf_counter() - start)
        medians = [1000 * float(np.median(t[1:])) for t in times]
        other = f" | {medians[1]:.0f} | {medians[0] / medians[1]:.2f}" if args.against else ""
        print(f"| {side}² | {medians[0]:.0f}{other} | {1000 * johnson:.0f} |", flush=True)


def stats_length(session: ort.InferenceSession) -> int:
    """Length of a model's ``norm_stats`` input (it depends on the network's widths)."""
    return next(i.shape[1] for i in session.get_inputs() if i.name == "norm_stats")


if __name__ == "__main__":
    main()
