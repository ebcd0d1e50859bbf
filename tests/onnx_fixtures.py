"""Tiny ONNX filters built by the tests themselves, run through the same code path as real filters.

- ``blur``: a fixed 3×3 box blur (receptive-field radius 1), output same size.
- ``double``: a 3×3 conv to 12 channels followed by DepthToSpace(2): a ×2 pixel-shuffle upscaler.
- ``raises``, ``wrong_shape``, ``hangs``: plugins that misbehave on purpose.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8  # onnxruntime 1.2x reads IR ≤ 10/13; onnx ≥ 1.21 writes 14 by default
OPSET = 17


def _model(nodes, inputs, outputs, initializers) -> bytes:
    graph = helper.make_graph(nodes, "fixture", inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _io(name: str, channels: int):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, channels, "h", "w"])


def blur_model() -> bytes:
    weight = np.full((3, 1, 3, 3), 1.0 / 9.0, dtype=np.float32)
    conv = helper.make_node("Conv", ["image", "w"], ["out"], group=3, pads=[1, 1, 1, 1])
    return _model([conv], [_io("image", 3)], [_io("out", 3)], [numpy_helper.from_array(weight, "w")])


def double_model() -> bytes:
    rng = np.random.default_rng(7)
    weight = rng.uniform(0.0, 0.2, size=(12, 3, 3, 3)).astype(np.float32)
    conv = helper.make_node("Conv", ["image", "w"], ["feat"], pads=[1, 1, 1, 1])
    shuffle = helper.make_node("DepthToSpace", ["feat"], ["out"], blocksize=2, mode="CRD")
    return _model([conv, shuffle], [_io("image", 3)], [_io("out", 3)], [numpy_helper.from_array(weight, "w")])


def flat_upscaler_model(scale: int, value: float) -> bytes:
    """A ×``scale`` upscaler whose every output pixel is ``value`` (a 1×1 conv with zero weights and bias
    ``value``, then DepthToSpace): models that tell apart which file a filter ran."""
    out = 3 * scale * scale
    weight = numpy_helper.from_array(np.zeros((out, 3, 1, 1), np.float32), "w")
    bias = numpy_helper.from_array(np.full(out, value, np.float32), "b")
    conv = helper.make_node("Conv", ["image", "w", "b"], ["feat"])
    shuffle = helper.make_node("DepthToSpace", ["feat"], ["out"], blocksize=scale, mode="CRD")
    return _model([conv, shuffle], [_io("image", 3)], [_io("out", 3)], [weight, bias])


_RUN_ONNX = '''
def run(ctx, image, mask, params):
    def one_tile(tile):
        x = np.ascontiguousarray(tile.transpose(2, 0, 1)[None])
        return ctx.model("{key}").run({{"image": x}})[0][0].transpose(1, 2, 0)
    return ctx.run_tiled(image, one_tile, scale={scale})
'''

_PLUGINS = {
    "blur": dict(output="same", model="blur.onnx", builder=blur_model, scale=1, body=_RUN_ONNX,
                 params='[[params]]\nname = "strength"\ntype = "float"\nmin = 0.0\nmax = 1.0\n'
                        'default = 1.0\n'),
    "double": dict(output="scaled", model="double.onnx", builder=double_model, scale=2,
                   body=_RUN_ONNX, params=""),
    "raises": dict(output="same",
                   body="\ndef run(ctx, image, mask, params):\n    raise RuntimeError('boom')\n"),
    "wrong_shape": dict(output="same",
                        body="\ndef run(ctx, image, mask, params):\n    return image[:-1]\n"),
    "hangs": dict(output="same", body=textwrap.dedent('''
        import time
        def run(ctx, image, mask, params):
            while True:
                ctx.cancel.raise_if_cancelled()
                time.sleep(0.01)
        ''')),
}


def write_plugin(root: Path, name: str, *, tile: int = 64, overlap: int = 8) -> Path:
    """Write fixture plugin ``name`` under ``root`` and return its folder."""
    info = _PLUGINS[name]
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    models = ""
    if "model" in info:
        data = info["builder"]()
        (folder / info["model"]).write_bytes(data)
        models = f'[[models]]\nfile = "{info["model"]}"\nsha256 = "{hashlib.sha256(data).hexdigest()}"\n'
    scale = f"scale = {info['scale']}\n" if info.get("scale", 1) != 1 else ""
    (folder / "manifest.toml").write_text(
        f'id = "test_{name}"\nname = "Test {name}"\ncategory = "Test"\nversion = "1"\n'
        f'output = "{info["output"]}"\n\n[tiling]\ntile = {tile}\noverlap = {overlap}\n{scale}\n'
        f'{models}\n{info.get("params", "")}', encoding="utf-8")
    body = info["body"].format(key=Path(info.get("model", "")).stem, scale=info.get("scale", 1))
    (folder / "filter.py").write_text("import numpy as np\n" + body, encoding="utf-8")
    return folder


def write_all(root: Path) -> Path:
    for name in _PLUGINS:
        write_plugin(root, name)
    return root
