"""Bind the texture filter's ONNX graphs (by their input/output names) to the callables ``synth`` uses.

Files: the shared VGG16 weights (``plugins/vgg.py``), and per depth (deep, mid, shallow) a targets graph
(sample, valid → Gram matrices of that depth's layers) and a step graph (canvas, region, layer weights,
targets → loss, gradient; circular padding), all made by ``python -m models.texture.export``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from plugins.vgg import WEIGHTS_FILE, RunFn, Weighted, conv_params

from .synth import DEPTHS, Graphs, StepFn

TARGET_FILES = {depth: f"texture_{depth}_targets.onnx" for depth in DEPTHS}
STEP_FILES = {depth: f"texture_{depth}_step.onnx" for depth in DEPTHS}
ALL_FILES = (WEIGHTS_FILE, *TARGET_FILES.values(), *STEP_FILES.values())


def make_graphs(open_model: Callable[[str], tuple[RunFn, tuple[str, ...], tuple[str, ...]]]) -> Graphs:
    """``open_model(file)`` → (run(feeds) → outputs, input names, output names) of one model file
    (``FilterContext.model`` or a bare onnxruntime session)."""
    run_weights, _, weight_names = open_model(WEIGHTS_FILE)
    params = conv_params(run_weights, weight_names)

    def bound(name: str) -> Weighted:
        run, inputs, _ = open_model(name)
        return Weighted(run, inputs, params)

    def targets_fn(graph: Weighted):
        def gram(sample: np.ndarray, valid: np.ndarray) -> list[np.ndarray]:
            return [np.asarray(t, np.float32) for t in graph.run({"image": sample, "valid": valid})]
        return gram

    def step_fn(graph: Weighted) -> StepFn:
        names = [n for n in graph.input_names if n.startswith("target_")]

        def step(x: np.ndarray, region: np.ndarray, weights: np.ndarray,
                 targets: list[np.ndarray]) -> tuple[float, np.ndarray]:
            loss, grad = graph.run({"x": x, "region": region, "weights": weights,
                                    **dict(zip(names, targets, strict=True))})
            return float(loss), grad

        return step

    steps = {depth: bound(STEP_FILES[depth]) for depth in DEPTHS}
    return Graphs(gram={depth: targets_fn(bound(TARGET_FILES[depth])) for depth in DEPTHS},
                  step={depth: step_fn(graph) for depth, graph in steps.items()})


def context_graphs(ctx) -> Graphs:
    """The graphs through the filter context (hash-checked, cached sessions on the active provider)."""
    def open_model(name: str):
        session = ctx.model(name)
        return session.run, session.input_names, session.output_names
    return make_graphs(open_model)


def onnx_graphs(folder, providers: tuple[str, ...] = ("CPUExecutionProvider",)) -> Graphs:
    """Graphs from plain onnxruntime sessions on the files in ``folder`` (scripts and tests)."""
    import onnxruntime as ort

    def open_model(name: str):
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(folder / name), sess_options=options, providers=list(providers))
        return (lambda feeds: session.run(None, feeds), tuple(i.name for i in session.get_inputs()),
                tuple(o.name for o in session.get_outputs()))

    return make_graphs(open_model)
