"""Bind the filter's three ONNX graphs (by their input/output names) to the callables ``synth`` uses.

The graphs are named by their manifest keys; the file names and the step graphs' size needs are read
from the manifest, the one place they are written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from plugins.contract import ModelRef, load_manifest

from .synth import DEEP, SHALLOW, Graphs, StepFn

GRAM_KEY = "gram"
STEP_KEYS = {DEEP: "step_deep", SHALLOW: "step_shallow"}

RunFn = Callable[[dict[str, np.ndarray]], list[np.ndarray]]


def make_graphs(run_gram: RunFn, run_step: dict[str, RunFn], step_inputs: dict[str, tuple[str, ...]],
                multiple_of: int) -> Graphs:
    """``run_*`` take a feed dict and return the outputs (``ModelSession.run`` or an ORT session's).

    ``step_inputs`` are each step graph's input names: ``x``, ``region``, ``weights``, then one target
    Gram matrix per loss layer (the shallow graph's layers are the first ones of the deep graph's).
    ``multiple_of``: the step graphs' input sides must be multiples of it (manifest ``multiple_of``).
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
    return Graphs(gram=gram, step={kind: stepper(kind) for kind in STEP_KEYS}, layers=layers,
                  multiple_of=multiple_of)


def step_multiple(refs: list[ModelRef]) -> int:
    """The multiple every step graph's input sides must be (the largest their entries declare)."""
    return max(ref.multiple_of for ref in refs)


def onnx_graphs(folder: Path, providers: tuple[str, ...] = ("CPUExecutionProvider",)) -> Graphs:
    """Graphs from plain onnxruntime sessions on the models of the filter folder ``folder`` (its
    manifest names the files; for scripts and tests)."""
    import onnxruntime as ort

    spec = load_manifest(folder / "manifest.toml")
    sessions = {}
    for key in (GRAM_KEY, *STEP_KEYS.values()):
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sessions[key] = ort.InferenceSession(str(folder / spec.model(key).file), sess_options=options,
                                             providers=list(providers))

    def runner(key: str) -> RunFn:
        return lambda feeds: sessions[key].run(None, feeds)

    inputs = {kind: tuple(i.name for i in sessions[key].get_inputs()) for kind, key in STEP_KEYS.items()}
    return make_graphs(runner(GRAM_KEY), {kind: runner(key) for kind, key in STEP_KEYS.items()}, inputs,
                       step_multiple([spec.model(key) for key in STEP_KEYS.values()]))
