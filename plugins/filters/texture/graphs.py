"""Bind the filter's three ONNX graphs (by their input/output names) to the callables ``synth`` uses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .synth import DEEP, SHALLOW, Graphs, StepFn

GRAM_FILE = "texture_gram.onnx"
STEP_FILES = {DEEP: "texture_step_deep.onnx", SHALLOW: "texture_step_shallow.onnx"}

RunFn = Callable[[dict[str, np.ndarray]], list[np.ndarray]]


def make_graphs(run_gram: RunFn, run_step: dict[str, RunFn],
                step_inputs: dict[str, tuple[str, ...]]) -> Graphs:
    """``run_*`` take a feed dict and return the outputs (``ModelSession.run`` or an ORT session's).

    ``step_inputs`` are each step graph's input names: ``x``, ``region``, ``weights``, then one target
    Gram matrix per loss layer (the shallow graph's layers are the first ones of the deep graph's).
    """

    def gram(sample: np.ndarray, valid: np.ndarray) -> list[np.ndarray]:
        return list(run_gram({"sample": sample, "valid": valid}))

    def stepper(kind: str) -> StepFn:
        names = list(step_inputs[kind][3:])
        run = run_step[kind]

        def step(x: np.ndarray, region: np.ndarray, weights: np.ndarray,
                 targets: list[np.ndarray]) -> tuple[float, np.ndarray]:
            feeds = {"x": x, "region": region, "weights": weights, **dict(zip(names, targets))}
            loss, grad = run(feeds)
            return float(loss), grad

        return step

    layers = {kind: len(names) - 3 for kind, names in step_inputs.items()}
    return Graphs(gram=gram, step={kind: stepper(kind) for kind in STEP_FILES}, layers=layers)


def onnx_graphs(folder, providers: tuple[str, ...] = ("CPUExecutionProvider",)) -> Graphs:
    """Graphs from plain onnxruntime sessions on the files in ``folder`` (scripts and tests)."""
    import onnxruntime as ort

    sessions = {}
    for name in (GRAM_FILE, *STEP_FILES.values()):
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sessions[name] = ort.InferenceSession(str(folder / name), sess_options=options,
                                              providers=list(providers))

    def runner(name: str) -> RunFn:
        return lambda feeds: sessions[name].run(None, feeds)

    inputs = {kind: tuple(i.name for i in sessions[name].get_inputs()) for kind, name in STEP_FILES.items()}
    return make_graphs(runner(GRAM_FILE), {kind: runner(name) for kind, name in STEP_FILES.items()}, inputs)
