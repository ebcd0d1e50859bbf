"""ONNX export with dynamic height/width, parity checks against torch, and manifest hash updates."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from plugins.runtime import sha256_of

OPSET = 17


def export_onnx(module: torch.nn.Module, example: torch.Tensor | Sequence[torch.Tensor], path: str | Path, *,
                input_names: Sequence[str] = ("input",), output_names: Sequence[str] = ("output",),
                opset: int = OPSET, dynamic_hw: bool = True, fp16_path: str | Path | None = None) -> Path:
    """Export ``module`` (eval mode, fp32) to a single self-contained ONNX file.

    Inputs and outputs get dynamic batch, height and width axes (dims 0, 2, 3 of 4-D tensors).
    With ``fp16_path`` a float16 copy (for GPU providers) is written too; its inputs and outputs stay fp32.
    """
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    examples = (example,) if isinstance(example, torch.Tensor) else tuple(example)
    module = module.eval().float()
    axes = {0: "batch", 2: "height", 3: "width"} if dynamic_hw else {0: "batch"}
    dynamic = {n: axes for n in (*input_names, *output_names)}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, examples, str(path), input_names=list(input_names),
                          output_names=list(output_names), opset_version=opset, dynamic_axes=dynamic,
                          do_constant_folding=True, dynamo=False)
    model = onnx.load(str(path))  # re-save inline: no external-data side file
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    if fp16_path is not None:
        write_fp16(path, fp16_path)
    return path


def write_fp16(src: str | Path, dst: str | Path) -> Path:
    """A float16 copy of an fp32 ONNX file, keeping fp32 inputs/outputs (casts are inserted)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT:
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name))
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                attr.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(attr.t).astype(np.float16)))
    casts_in, casts_out = [], []
    for inp in graph.input:
        if inp.type.tensor_type.elem_type == TensorProto.FLOAT:
            half = inp.name + "_fp16"
            for node in graph.node:
                node.input[:] = [half if n == inp.name else n for n in node.input]
            casts_in.append(helper.make_node("Cast", [inp.name], [half], to=TensorProto.FLOAT16))
    for out in graph.output:
        if out.type.tensor_type.elem_type == TensorProto.FLOAT:
            half = out.name + "_fp16"
            for node in graph.node:
                node.output[:] = [half if n == out.name else n for n in node.output]
            casts_out.append(helper.make_node("Cast", [half], [out.name], to=TensorProto.FLOAT))
    nodes = casts_in + list(graph.node) + casts_out
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.value_info[:]
    onnx.checker.check_model(model)
    dst = Path(dst)
    onnx.save(model, str(dst))
    return dst


def check_parity(module: torch.nn.Module, path: str | Path, inputs: Sequence[np.ndarray | torch.Tensor],
                 atol: float = 1e-4) -> float:
    """Run each input through torch and onnxruntime (CPU); returns the worst max-abs difference.

    Raises AssertionError when it exceeds ``atol``. Pass random and real inputs of several sizes.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    module = module.eval().float()
    worst = 0.0
    for x in inputs:
        arr = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
        arr = arr.astype(np.float32)
        with torch.no_grad():
            ref = module(torch.from_numpy(arr)).numpy()
        got = sess.run(None, {name: arr})[0]
        if got.shape != ref.shape:
            raise AssertionError(f"onnx output {got.shape} != torch {ref.shape}")
        worst = max(worst, float(np.max(np.abs(got - ref))))
    if worst > atol:
        raise AssertionError(f"onnxruntime differs from torch by {worst:.3g} > {atol:g}")
    return worst


def onnx_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The parameters stored in an exported ONNX file, by torch name (to continue training from it).

    The exporters keep the module parameter names as initializer names. Tensors of equal value may
    be stored once and aliased through ``Identity`` nodes; those aliases are resolved. Other
    initializers (shape constants) come along and are ignored by ``load_state_dict`` callers that
    pick their own keys.
    """
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    state = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in state:
            state[node.output[0]] = state[node.input[0]].clone()
    return state


def sha256_file(path: str | Path) -> str:
    """The hash the app's runtime checks (one implementation: ``plugins.runtime.sha256_of``)."""
    return sha256_of(Path(path))


_MODEL_BLOCK = re.compile(r'(\[\[models\]\][^\[]*?file\s*=\s*"(?P<file>[^"]+)"[^\[]*?sha256\s*=\s*")'
                          r'(?P<hash>[0-9a-fA-F]*)(")', re.S)


def write_model_hash(plugin_dir: str | Path, file: str) -> str:
    """Set the ``sha256`` of ``[[models]] file = <file>`` in ``plugin_dir/manifest.toml`` to the file's hash.

    Only that value is rewritten, so comments and layout survive. Returns the new hash.
    """
    plugin_dir = Path(plugin_dir)
    digest = sha256_file(plugin_dir / file)
    manifest = plugin_dir / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    found = False

    def repl(m: re.Match[str]) -> str:
        nonlocal found
        if m.group("file") != file:
            return m.group(0)
        found = True
        return m.group(1) + digest + m.group(4)

    new = _MODEL_BLOCK.sub(repl, text)
    if not found:
        raise KeyError(f"{manifest} has no [[models]] entry with file = {file!r} and a sha256 key")
    manifest.write_text(new, encoding="utf-8")
    return digest
