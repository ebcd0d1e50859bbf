"""The ImageNet VGG16 weights that the optimising filters share, and graphs that take them as inputs.

One file, ``vgg16_conv.onnx`` (kept in the texture filter's folder; stylize's manifest names it with
``plugin = "texture"``), holds the conv weights once, in float16. It has no inputs: running it gives
every conv's ``<conv>.weight``, ``<conv>.bias`` and ``<conv>.adjoint`` (the kernel for the backward
pass) in float32. The step and target graphs (``models/vgg_graphs.py``) take these as inputs, so they
hold no weights themselves and one copy serves both filters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

WEIGHTS_FILE = "vgg16_conv.onnx"

RunFn = Callable[[dict[str, np.ndarray]], list[np.ndarray]]


class Weighted:
    """A graph that needs conv parameters, bound to them: ``run(feeds)`` adds the parameters it takes."""

    def __init__(self, run: RunFn, input_names: Sequence[str], params: dict[str, np.ndarray]) -> None:
        self._run = run
        self.input_names = tuple(input_names)
        self._params = {name: params[name] for name in self.input_names if name in params}

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return self._run({**feeds, **self._params})


def conv_params(run_weights: RunFn, output_names: Sequence[str]) -> dict[str, np.ndarray]:
    """Run the weights graph once: {``conv1_1.weight``: array, …}."""
    return {name: np.ascontiguousarray(value, dtype=np.float32)
            for name, value in zip(output_names, run_weights({}), strict=True)}
