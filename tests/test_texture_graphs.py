"""The VGG loss graphs (models/vgg_graphs.py) of the texture and own-painting filters.

CI never has the real VGG16, so the graphs are exported here from tiny random-weight
FeatureNet(arch="vgg16", preprocess="caffe") networks through the same code as the shipped files:
gradients against autograd, exactness in float64, the shared float16 weights file, determinism of the
exporter (same bytes twice), the shipped files' hashes in both manifests, and the shipped files being
what the exporters write (opset, inputs, outputs, initializers, nodes; only the numbers that depend on
the weights or the width are left out).
"""

from __future__ import annotations

import hashlib
import tomllib

import numpy as np
import onnxruntime as ort
import pytest

torch = pytest.importorskip("torch")

from models.features import FeatureNet  # noqa: E402
from models.texture.config import (  # noqa: E402
    DEPTH_LAYERS,
    LAST_LAYER,
    PLUGIN_DIR,
    POOL,
    STEP_FILES,
    TARGET_FILES,
)
from models.vgg_graphs import (  # noqa: E402
    POOLS,
    Step,
    Targets,
    check_step,
    check_targets,
    conv_params,
    export_step,
    export_targets,
    reference_loss,
    step_inputs,
    weights_model,
    write_weights,
)
from plugins.vgg import WEIGHTS_FILE  # noqa: E402

STYLIZE_DIR = PLUGIN_DIR.parent / "stylize"


def tiny_vgg16(padding: str = "circular", seed: int = 0, width: float = 1 / 16,
               pool: str = POOL) -> FeatureNet:
    return FeatureNet(arch="vgg16", width=width, pool=pool, padding=padding, last_layer=LAST_LAYER,
                      init="kaiming", preprocess="caffe", seed=seed)


@pytest.mark.parametrize(("circular", "content"), [(True, None), (False, "relu4_2"), (False, "relu2_1")])
def test_exported_gradient_matches_autograd(tmp_path, circular: bool, content: str | None) -> None:
    net = tiny_vgg16("circular" if circular else "zeros")
    layers = DEPTH_LAYERS["deep"] if content != "relu2_1" else DEPTH_LAYERS["shallow"]
    step = Step(net, layers, content, circular=circular, region=circular)
    path = export_step(step, net, tmp_path / "step.onnx")
    assert check_step(path, step, net, size=(32, 48)) < 1e-4      # not the traced size


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("circular", [True, False])
def test_explicit_backward_is_exact_in_float64(circular: bool, pool: str) -> None:
    net = tiny_vgg16("circular" if circular else "zeros", pool=pool)
    content = None if circular else "relu4_2"
    step = Step(net, DEPTH_LAYERS["deep"], content, circular=circular, region=circular)
    inputs = {n: t.double() for n, t in step_inputs(step, net, (16, 32), seed=3).items()}
    net, step = net.double(), step.double()
    x = inputs["x"].clone().requires_grad_(True)
    _, grad = step(*({**inputs, "x": x}[n] for n in step.input_names()))
    reference_loss(step, net, {**inputs, "x": x}).backward()
    assert torch.allclose(grad, x.grad, rtol=1e-9, atol=1e-18)


@pytest.mark.parametrize("pool", POOLS)
def test_targets_match_the_network_and_ignore_invalid_pixels(tmp_path, pool: str) -> None:
    net = tiny_vgg16(pool=pool)
    targets = Targets(net, DEPTH_LAYERS["mid"])
    path = export_targets(targets, net, tmp_path / "targets.onnx")
    assert check_targets(path, targets, net) < 1e-4
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    params = {n: t.numpy() for n, t in conv_params(net, targets.params).items()}
    sample = np.random.default_rng(0).random((1, 3, 64, 64)).astype(np.float32)
    valid = np.ones((1, 1, 64, 64), np.float32)
    valid[:, :, 10:30, 20:40] = 0.0
    got = session.run(None, {"image": sample, "valid": valid, **params})
    changed = sample.copy()
    changed[:, :, 10:30, 20:40] = np.random.default_rng(1).random((3, 20, 20))   # repaint the hole only
    again = session.run(None, {"image": changed, "valid": valid, **params})
    for a, b in zip(got, again, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_weights_file_stores_float16_and_gives_rgb_convs_and_adjoints() -> None:
    net = tiny_vgg16()
    model = weights_model(net, LAST_LAYER)
    assert not model.graph.input
    assert {i.data_type for i in model.graph.initializer if i.name.endswith((".weight.fp16", ".bias.fp16"))} \
        == {10}                                                 # TensorProto.FLOAT16
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = dict(zip((o.name for o in session.get_outputs()), session.run(None, {}), strict=True))
    want = conv_params(net, list(outputs))
    for name, value in outputs.items():
        assert value.dtype == np.float32
        scale = float(want[name].abs().max())
        np.testing.assert_allclose(value, want[name].numpy(), rtol=2e-3, atol=1e-3 * scale)
    caffe = dict(net.convs())["conv1_1"].weight.detach().numpy()
    np.testing.assert_allclose(outputs["conv1_1.weight"], caffe[:, ::-1], rtol=2e-3, atol=1e-4)  # BGR → RGB


def test_the_exporter_writes_the_same_bytes_twice(tmp_path) -> None:
    """The functions ``export_all`` of both filters call, run twice on the same network (their parity
    checks are the tests above, so they are not repeated here)."""
    net = tiny_vgg16()
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        write_weights(net, LAST_LAYER, out / WEIGHTS_FILE)
        export_targets(Targets(net, DEPTH_LAYERS["mid"]), net, out / "targets.onnx")
        export_step(Step(net, DEPTH_LAYERS["deep"], circular=True, region=True), net, out / "texture.onnx")
        export_step(Step(net, DEPTH_LAYERS["shallow"], "relu2_1", circular=False, region=False), net,
                    out / "gatys.onnx")
        runs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) == 4
    for name, data in runs[0].items():
        assert data == runs[1][name], name


def _manifest_models(folder):
    return tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))["models"]


def test_manifest_hashes_match_the_shipped_files() -> None:
    texture = _manifest_models(PLUGIN_DIR)
    assert {m["file"] for m in texture} == {WEIGHTS_FILE, *TARGET_FILES.values(), *STEP_FILES.values()}
    for ref in texture:
        digest = hashlib.sha256((PLUGIN_DIR / ref["file"]).read_bytes()).hexdigest()
        assert digest == ref["sha256"], ref["file"]
    stylize = {m["file"]: m for m in _manifest_models(STYLIZE_DIR)}
    shared = stylize[WEIGHTS_FILE]
    assert shared["plugin"] == "texture" and not (STYLIZE_DIR / WEIGHTS_FILE).exists()   # one copy on disk
    assert shared["sha256"] == hashlib.sha256((PLUGIN_DIR / WEIGHTS_FILE).read_bytes()).hexdigest()
    for name, ref in stylize.items():
        if name != WEIGHTS_FILE:
            assert hashlib.sha256((STYLIZE_DIR / name).read_bytes()).hexdigest() == ref["sha256"], name


def _structure(model) -> dict[str, object]:
    """An ONNX file less the numbers that depend on the weights or on the network's width: tensor values,
    static dimensions (channel counts) and a Conv's ``group`` (a blur pooling's channels)."""
    from onnx import AttributeProto, helper

    def attribute(node, attr):
        if attr.type == AttributeProto.TENSOR:
            return attr.name, attr.t.data_type, len(attr.t.dims)
        if node.op_type == "Conv" and attr.name == "group":
            return attr.name, None
        return attr.name, helper.get_attribute_value(attr)

    def values(infos):
        return [(v.name, v.type.tensor_type.elem_type,
                 [d.dim_param or None for d in v.type.tensor_type.shape.dim]) for v in infos]

    return {
        "opset": [(o.domain, o.version) for o in model.opset_import],
        "format": (model.ir_version, model.producer_name),
        "inputs": values(model.graph.input),
        "outputs": values(model.graph.output),
        "initializers": [(i.name, i.data_type, len(i.dims)) for i in model.graph.initializer],
        "nodes": [(n.op_type, n.name, list(n.input), list(n.output), [attribute(n, a) for a in n.attribute])
                  for n in model.graph.node],
    }


def test_the_shipped_files_are_what_the_exporters_write(tmp_path) -> None:
    """``export_all`` of both filters (what ``python -m models.texture.export`` and ``python -m
    models.stylize.gatys`` run on the real VGG16) on a random VGG16 writes the shipped files less their
    numbers: the toolkit's one opset, the same inputs, outputs, initializers and nodes in the same order.
    The shipped files' bytes come from the real VGG16, which tests never have (the model cards give the
    command that reproduces them bit for bit). Width 3/32 (6…48 channels): at 1/16 the tracer emits the
    same nodes in another order."""
    import onnx

    from models.export import OPSET
    from models.stylize import gatys
    from models.texture import export as texture_export
    from plugins.filters.stylize.gatys import STEP_FILE as GATYS_STEP_FILE
    from plugins.filters.stylize.gatys import TARGETS_FILE as GATYS_TARGETS_FILE

    errors = texture_export.export_all(tiny_vgg16(width=3 / 32), tmp_path / "texture")
    errors |= gatys.export_all(tiny_vgg16("zeros", width=3 / 32), tmp_path / "stylize")
    assert max(errors.values()) < 1e-4
    stylize_files = {GATYS_TARGETS_FILE, GATYS_STEP_FILE}
    for folder, shipped in ((tmp_path / "texture", PLUGIN_DIR), (tmp_path / "stylize", STYLIZE_DIR)):
        names = sorted(p.name for p in folder.iterdir())
        assert set(names) == (stylize_files if shipped == STYLIZE_DIR else
                              {WEIGHTS_FILE, *TARGET_FILES.values(), *STEP_FILES.values()})
        for name in names:
            ours = _structure(onnx.load(str(folder / name)))
            theirs = _structure(onnx.load(str(shipped / name)))
            assert theirs["opset"] == [("", OPSET)], name
            for key, value in ours.items():
                assert value == theirs[key], f"{name}: {key} differs from the exporter's"
