"""Issue 26, parameters and inputs: NaN and infinity refused for every number, bounded tiles, --mask only
for filters that take one, honest memory messages, no onnxruntime lines on the terminal, and an own
painting reduced while it is decoded."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_cli import run_cli
from PIL import Image

from plugins import registry
from plugins.context import FilterContext
from plugins.errors import OutOfMemory, ParamError, PluginError
from plugins.imageio import load_image
from plugins.pipeline import memory_advice
from plugins.runtime import Runtime, sha256_of

NOT_NUMBERS = ("nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999")


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(path)
    return path


def test_every_number_parameter_of_every_filter_refuses_nan_and_infinity(test_plugins):
    checked = 0
    for entry in registry.all_filters():
        for param in entry.spec.params if entry.spec else ():
            if param.type not in ("float", "int"):
                continue
            for text in NOT_NUMBERS:
                with pytest.raises(ParamError):
                    param.parse(text)
            for value in (float("nan"), float("inf"), -float("inf")):
                with pytest.raises(ParamError):
                    param.coerce(value)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_set_nan_is_exit_2(test_plugins, photo, tmp_path, value):
    code, _, err = run_cli("apply", "test_blur", photo, "-o", tmp_path / "o.png",
                           "--set", f"strength={value}")
    assert code == 2 and "strength" in err and not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("tile", ["1000000000", "8193", "63", "nan"])
def test_tile_is_bounded(test_plugins, photo, tmp_path, tile):
    code, _, err = run_cli("apply", "test_blur", photo, "-o", tmp_path / "o.png", "--tile", tile)
    assert code == 2 and "tile" in err and len(err.strip().splitlines()) == 1


def test_mask_for_a_filter_without_a_mask_input_is_exit_2(test_plugins, photo, tmp_path):
    mask = tmp_path / "mask.png"
    Image.new("L", (32, 24), 255).save(mask)
    code, _, err = run_cli("apply", "test_blur", photo, "-o", tmp_path / "o.png", "--mask", mask)
    assert code == 2 and "takes a mask" in err and "leave out --mask" in err
    assert not (tmp_path / "o.png").exists()


def test_ram_shortage_on_the_cpu_is_not_called_gpu_memory(test_plugins):
    notes: list[str] = []
    ctx = FilterContext(registry.get("test_blur"), Runtime("cpu"), notify=notes.append, tile=256)

    def greedy(tile: np.ndarray) -> np.ndarray:
        raise MemoryError

    with pytest.raises(OutOfMemory, match=r"RAM") as caught:
        ctx.run_tiled(np.zeros((300, 300, 3), np.float32), greedy)
    assert "GPU" not in str(caught.value)
    assert notes and all("GPU" not in note and note.startswith("Out of memory") for note in notes)


def test_memory_advice_fits_the_situation(test_plugins):
    blur, double = registry.get("test_blur"), registry.get("test_double")
    big_tile = memory_advice(blur, {"strength": 1.0}, 6000, 4000, 4096)
    assert "smaller tile size than 4096" in big_tile
    assert "tile" not in memory_advice(blur, {"strength": 1.0}, 6000, 4000, None)
    assert "smaller scale" in memory_advice(double, {}, 6000, 4000, None)


def _reshape_model(path) -> str:
    """A Reshape whose target shape is an input: a wrong one fails inside the kernel, which onnxruntime
    logs on stderr at its ERROR level before raising."""
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "s"], ["y"])], "reshape",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"]),
         helper.make_tensor_value_info("s", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())
    return sha256_of(path)


def test_onnxruntime_error_lines_never_reach_the_terminal(tmp_path, capfd):
    path = tmp_path / "reshape.onnx"
    session = Runtime("cpu").session(path, _reshape_model(path))
    capfd.readouterr()
    with pytest.raises(PluginError, match="cannot be reshaped"):
        session.run({"x": np.zeros(4, np.float32), "s": np.array([3, 3], np.int64)})
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_huge_painting_is_reduced_while_it_is_decoded(tmp_path):
    from plugins.filters.stylize import gatys

    path = tmp_path / "painting.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (300, 9000, 3), dtype=np.uint8)).save(path)
    reduced = load_image(path, max_side=2048).pixels
    assert reduced.shape[:2] == (75, 2250)  # box average by 4: long side from 2048 to under 4096
    painting, valid = gatys.load_painting(str(path))
    assert painting.shape[:2] == (75, 2250) and valid.shape == (75, 2250)
    small = tmp_path / "small.jpg"
    Image.fromarray(np.zeros((40, 3000, 3), np.uint8)).save(small)
    assert load_image(small, max_side=1024).pixels.shape[:2] == (20, 1500)  # JPEG decoded at 1/2
    assert load_image(small, max_side=4096).pixels.shape[:2] == (40, 3000)  # small enough: as it is
