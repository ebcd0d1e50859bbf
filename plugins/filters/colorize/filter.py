"""Colorize: a grayscale (or desaturated colour) photo gets natural colours.

The network sees only the lightness L* of the photo at a working resolution and predicts the
chroma ab there; ab is upsampled and recombined with the untouched full-resolution L, so detail and
tones stay exactly as they were. Colour inputs are reduced to their lightness first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from plugins.context import FilterContext
from plugins.errors import GpuOutOfMemory, OutOfMemory
from plugins.runtime import is_out_of_memory

from .core import colorize

MODEL_FILE = "colorize.onnx"


def run(ctx: FilterContext, image: np.ndarray, mask: np.ndarray | None, params: dict[str, Any]) -> np.ndarray:
    intensity = float(params["intensity"])
    if intensity > 0:
        ctx.model(MODEL_FILE)  # open (and hash-check) the model before any work

    def predict(L: np.ndarray) -> np.ndarray:
        try:
            return ctx.model(MODEL_FILE).run({"L": L})[0]
        except Exception as exc:  # one untiled run at the working size: on GPU OOM, retry on the CPU
            if not is_out_of_memory(exc):
                raise
            if not ctx.runtime.is_gpu_memory(exc):
                raise OutOfMemory("not enough memory (RAM) to colorize at this working size") from exc
            if ctx.runtime.forced_cpu or ctx.runtime.preferred == "cpu":
                raise GpuOutOfMemory("not enough memory to colorize at this working size") from exc
            ctx.runtime.fall_back_to_cpu("the GPU ran out of memory")
            ctx.notify("Out of GPU memory: continuing on the CPU.")
            return ctx.model(MODEL_FILE).run({"L": L})[0]

    height, width = image.shape[:2]
    out = ctx.output_buffer(height, width)[:, :, :3]
    return colorize(image, predict, intensity=intensity, working_size=int(params["working_size"]), mask=mask,
                    out=out, progress=ctx.progress, cancel=ctx.cancel.raise_if_cancelled)
