"""The export toolkit every ``models/<filter>/export.py`` uses: :func:`export_onnx` (one opset, dynamic
axes per input and output), :func:`check_parity` (torch against onnxruntime), :func:`onnx_state_dict`
(weights back from a shipped file) and :func:`write_model_hash` (the manifest's SHA-256)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import torch

from plugins.runtime import sha256_of

#: The one opset of every exported graph. 18, because the inpaint network's Fourier convolutions need
#: the dynamo exporter (the TorchScript one stops at ``aten::fft_rfft2``), which cannot write 17
#: (no down-conversion adapter for ``Pad``); the app's onnxruntime (≥ 1.18) runs up to opset 21.
OPSET = 18
#: Dynamic axes of an NCHW image tensor.
IMAGE_AXES: Mapping[int, str] = {0: "batch", 2: "height", 3: "width"}

Axes = Mapping[str, Mapping[int, str]]


def export_onnx(module: torch.nn.Module, example: torch.Tensor | Sequence[torch.Tensor], path: str | Path, *,
                input_names: Sequence[str] = ("input",), output_names: Sequence[str] = ("output",),
                dynamic_axes: Axes | None = None, dynamo: bool = False,
                fp16_path: str | Path | None = None) -> Path:
    """Export ``module`` (eval mode, fp32) to a single self-contained, checked ONNX file at :data:`OPSET`.

    ``dynamic_axes`` names the dynamic dimensions of each input and output (``{name: {dim: label}}``;
    a name left out is static); by default every input and output is an NCHW image with dynamic
    batch, height and width (:data:`IMAGE_AXES`). ``dynamo`` uses torch's dynamo-based exporter
    (needed for ``torch.fft``); it keeps the parameter names as initializer names. With ``fp16_path``
    a float16 copy (for GPU providers) is written too; its inputs and outputs stay fp32.
    """
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    examples = (example,) if isinstance(example, torch.Tensor) else tuple(example)
    module = module.eval().float()
    if dynamic_axes is None:
        dynamic_axes = {n: IMAGE_AXES for n in (*input_names, *output_names)}
    axes = {name: dict(dims) for name, dims in dynamic_axes.items()}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dynamo:
            program = torch.onnx.export(module, examples, dynamo=True, opset_version=OPSET,
                                        input_names=list(input_names), output_names=list(output_names),
                                        dynamic_axes=axes, verbose=False)
            program.save(str(path))
        else:
            torch.onnx.export(module, examples, str(path), input_names=list(input_names),
                              output_names=list(output_names), opset_version=OPSET, dynamic_axes=axes,
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


def store_weights_fp16(path: str | Path, min_size: int = 4096) -> Path:
    """Rewrite an fp32 ONNX file in place so its large weights are *stored* as float16 and *computed*
    in float32: each float initializer of at least ``min_size`` elements becomes a float16 initializer
    followed by a Cast to float (onnxruntime folds the casts when the session loads). The file halves;
    the outputs move by the weights' float16 rounding only (relative 2⁻¹¹ per weight)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    casts = []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < min_size:
            continue
        name, stored = init.name, init.name + "__fp16"
        init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), stored))
        casts.append(helper.make_node("Cast", [stored], [name], to=TensorProto.FLOAT))
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return Path(path)


Feeds = Mapping[str, np.ndarray] | np.ndarray | torch.Tensor


def check_parity(module: torch.nn.Module, path: str | Path, inputs: Sequence[Feeds], atol: float = 1e-4,
                 relative: bool = False) -> float:
    """Run each input through torch and onnxruntime (CPU); returns the worst max-abs difference over
    every output, divided by the output's max-abs value when ``relative``.

    An input is one array (a single-input graph) or a ``{name: array}`` dict; the module is called
    with the graph's inputs in the graph's order. Raises AssertionError above ``atol``. Pass inputs
    of several sizes, none of them the traced one, and real pictures where a random one says little.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    module = module.eval().float()
    worst = 0.0
    for x in inputs:
        feeds = dict(x) if isinstance(x, Mapping) else {names[0]: x}
        feeds = {k: (v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v))
                 for k, v in feeds.items()}
        feeds = {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in feeds.items()}
        with torch.no_grad():
            ref = module(*(torch.from_numpy(feeds[n]) for n in names))
        refs = [r.numpy() for r in (ref if isinstance(ref, (tuple, list)) else (ref,))]
        got = sess.run(None, feeds)
        for g, r in zip(got, refs, strict=True):
            if g.shape != r.shape:
                raise AssertionError(f"onnx output {g.shape} != torch {r.shape}")
            diff = float(np.max(np.abs(g - r))) if r.size else 0.0
            worst = max(worst, diff / max(float(np.max(np.abs(r))), 1e-12) if relative else diff)
    if worst > atol:
        raise AssertionError(f"onnxruntime differs from torch by {worst:.3g} > {atol:g}"
                             + (" (relative)" if relative else ""))
    return worst


def publish(module: torch.nn.Module, export: Callable[[torch.nn.Module, Path], Path], path: str | Path,
            inputs: Sequence[Feeds], atol: float = 1e-4, relative: bool = False) -> tuple[Path, float, str]:
    """Every export script's last steps: ``export(module, path)`` (the filter's :func:`export_onnx` call),
    :func:`check_parity` on ``inputs``, then the file's SHA-256 into the folder's manifest (when it has
    one: an export for inspection elsewhere only gets the hash). Prints and returns (path, parity, hash)."""
    path = export(module, Path(path))
    worst = check_parity(module, path, inputs, atol=atol, relative=relative)
    digest = write_model_hash(path.parent, path.name, missing_ok=True)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB), parity max |Δ| {worst:.2e}"
          f"{' (relative)' if relative else ''}, sha256 {digest[:12]}…", flush=True)
    return path, worst, digest


def onnx_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The parameters stored in an exported ONNX file, by torch name (to continue training from it).

    The exporters keep the module parameter names as initializer names. Tensors of equal value may
    be stored once and aliased through ``Identity`` nodes, and weights stored as float16 are cast back
    (:func:`store_weights_fp16`); both are resolved (:func:`onnx_constants`). Other initializers
    (shape constants) come along and are ignored by ``load_state_dict`` callers that pick their own
    keys.
    """

    return {name: torch.from_numpy(value.copy()) for name, value in onnx_constants(path).items()}


def manifest_model_files(plugin_dir: str | Path) -> tuple[str, ...]:
    """The ``file`` of every ``[[models]]`` entry of ``plugin_dir/manifest.toml``, in order: the one
    place a filter's ONNX file names are written."""
    import tomllib

    manifest = tomllib.loads((Path(plugin_dir) / "manifest.toml").read_text(encoding="utf-8"))
    return tuple(entry["file"] for entry in manifest.get("models", []))


def manifest_model_file(plugin_dir: str | Path, key: str) -> str:
    """The ``file`` of the ``[[models]]`` entry with ``key`` in ``plugin_dir/manifest.toml`` (PluginError
    when there is none)."""
    from plugins.contract import load_manifest

    return load_manifest(Path(plugin_dir) / "manifest.toml").model(key).file


def onnx_constants(path: str | Path) -> dict[str, np.ndarray]:
    """Every initializer and ``Constant`` node output of an ONNX file, by name, and what ``Identity``
    (an alias) or ``Cast`` (a weight stored as float16) makes of one of them."""
    import onnx
    from onnx import helper, numpy_helper

    graph = onnx.load(str(path)).graph
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        tensor = node.attribute[0] if node.op_type == "Constant" and node.attribute else None
        if tensor is not None and tensor.type == onnx.AttributeProto.TENSOR:
            values[node.output[0]] = numpy_helper.to_array(tensor.t)
        elif node.op_type == "Identity" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]].copy()
        elif node.op_type == "Cast" and node.input[0] in values:
            to = next(a.i for a in node.attribute if a.name == "to")
            values[node.output[0]] = values[node.input[0]].astype(helper.tensor_dtype_to_np_dtype(to))
    return values


def load_folded_onnx(net: torch.nn.Module, path: str | Path) -> torch.nn.Module:
    """Load a network from an ONNX file whose BatchNorm layers the TorchScript exporter folded into the
    convolutions before them (their parameter names are lost): the Conv/ConvTranspose/Gemm (Linear)
    weights are taken in graph order, which must be the network's module order, and each BatchNorm
    after a convolution becomes the identity plus the folded bias. The result computes what the file
    computes (eval mode only: the running statistics are gone). For checking an exporter against a
    shipped file."""
    import onnx

    values = onnx_constants(path)
    graph = onnx.load(str(path)).graph
    layers = [(values[n.input[1]], values[n.input[2]] if len(n.input) > 2 and n.input[2] else None)
              for n in graph.node if n.op_type in ("Conv", "ConvTranspose", "Gemm")]
    convs = (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)
    modules = [m for m in net.modules() if isinstance(m, (*convs, torch.nn.BatchNorm2d))]
    if sum(isinstance(m, convs) for m in modules) != len(layers):
        raise ValueError(f"{path} has {len(layers)} convolutions, the network another number")
    pending: np.ndarray | None = None  # the folded bias of a convolution without one of its own
    with torch.no_grad():
        for module in modules:
            if isinstance(module, convs):
                weight, bias = layers.pop(0)
                if tuple(module.weight.shape) != weight.shape:
                    raise ValueError(f"{path}: a {weight.shape} convolution where the network has "
                                     f"{tuple(module.weight.shape)}")
                module.weight.copy_(torch.as_tensor(np.array(weight)))
                pending = None
                if module.bias is not None:
                    module.bias.copy_(torch.as_tensor(np.array(bias)))
                else:
                    pending = bias
            else:
                module.running_mean.zero_()
                module.running_var.fill_(1.0 - module.eps)
                module.weight.fill_(1.0)
                if pending is not None:
                    module.bias.copy_(torch.as_tensor(np.array(pending)))
                else:
                    module.bias.zero_()
                pending = None
    return net.eval()


def sha256_file(path: str | Path) -> str:
    """The hash the app's runtime checks (one implementation: ``plugins.runtime.sha256_of``)."""
    return sha256_of(Path(path))


_MODEL_BLOCK = re.compile(r'(\[\[models\]\][^\[]*?file\s*=\s*"(?P<file>[^"]+)"[^\[]*?sha256\s*=\s*")'
                          r'(?P<hash>[0-9a-fA-F]*)(")', re.S)


def write_model_hash(plugin_dir: str | Path, file: str, *, missing_ok: bool = False,
                     source: str | Path | None = None) -> str:
    """Set the ``sha256`` of ``[[models]] file = <file>`` in ``plugin_dir/manifest.toml`` to the file's hash.

    Only that value is rewritten, so comments and layout survive. Returns the new hash. With
    ``missing_ok`` a folder without a manifest (an export for inspection) only gets the hash computed.
    ``source`` is where the file is when another filter keeps it (``plugin = …`` in the entry); default
    ``plugin_dir/file``.
    """
    plugin_dir = Path(plugin_dir)
    digest = sha256_file(Path(source) if source is not None else plugin_dir / file)
    manifest = plugin_dir / "manifest.toml"
    if missing_ok and not manifest.exists():
        return digest
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
