"""Starting an Upscale run from the shipped ONNX weights, widening, deepening, exporting them again, the time
budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from models import training  # noqa: E402
from models.nets.upscale import UpscaleNet  # noqa: E402
from models.upscale import export as up_export  # noqa: E402
from models.upscale.init_weights import load_init, net_of_file, widen  # noqa: E402
from models.upscale.train import UpscaleRun, main  # noqa: E402

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "upscale"
needs_data = pytest.mark.needs_data("bsds500", "set5")


@pytest.mark.parametrize("scale", [2, 4])
def test_shipped_onnx_weights_reproduce_the_onnx_output(scale):
    path = PLUGIN_DIR / f"upscale_x{scale}.onnx"
    net = net_of_file(path)
    assert net.scale == scale
    taken = load_init(net, path)
    assert "linear.bias" in taken  # stored as an Identity alias of the deep branch's output bias
    assert len(taken) == len(net.state_dict())
    x = np.random.default_rng(0).random((1, 3, 23, 29), dtype=np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ours = net(torch.from_numpy(x)).numpy()
    assert np.abs(ours - session.run(None, {"input": x})[0]).max() < 1e-5


@pytest.mark.parametrize("scale", [2, 4])
def test_widening_keeps_the_function_and_adds_live_channels(scale, tmp_path):
    torch.manual_seed(0)
    narrow = UpscaleNet(scale, 16, 2).eval()
    for p in narrow.parameters():  # move away from the init so the test sees real weights
        p.data.add_(0.05 * torch.randn_like(p))
    wide = UpscaleNet(scale, 24, 2).eval()
    taken = load_init(wide, _save(narrow, tmp_path))
    assert len(taken) == len(narrow.state_dict())
    x = torch.rand(1, 3, 17, 19)
    with torch.no_grad():
        assert (wide(x) - narrow(x)).abs().max() < 1e-6
    w = wide.deep[2].weight
    assert w[16:].abs().sum() > 0 and w[:, 16:].abs().sum() == 0  # new rows live, their readers zero
    assert torch.equal(w[:16, :16], narrow.deep[2].weight)


@pytest.mark.parametrize("channels", [16, 24])
def test_deepening_keeps_the_function_and_every_new_layer_trains(channels, tmp_path):
    torch.manual_seed(1)
    shallow = UpscaleNet(4, 16, 2).eval()
    for p in shallow.parameters():
        p.data.add_(0.05 * torch.randn_like(p))
    deep = UpscaleNet(4, channels, 5).eval()
    taken = load_init(deep, _save(shallow, tmp_path))
    assert len(taken) == len(deep.state_dict())  # the new layers' identities count as taken
    x = torch.rand(1, 3, 15, 21)
    with torch.no_grad():
        assert (deep(x) - shallow(x)).abs().max() < 1e-6
    assert torch.equal(deep.deep[-1].weight[:, :16], shallow.deep[-1].weight)  # output layer moved to the end
    deep.train()
    deep(x).pow(2).mean().backward()
    for index in (6, 8, 10):  # the three inserted hidden layers
        assert deep.deep[index].weight.grad.abs().sum() > 0


def test_another_scales_output_layers_are_skipped(tmp_path):
    x4 = UpscaleNet(4, 16, 2)
    x2 = UpscaleNet(2, 16, 2)
    before = x2.linear.weight.clone()
    taken = load_init(x2, _save(x4, tmp_path))
    assert "linear.weight" not in taken and "deep.0.weight" in taken
    assert torch.equal(x2.linear.weight, before)


def test_widen_leaves_unknown_and_larger_tensors_alone():
    target = {"a": torch.ones(4, 4, 3, 3), "b": torch.ones(2)}
    out = widen({"b": torch.zeros(3)}, target)
    assert torch.equal(out["a"], target["a"]) and torch.equal(out["b"], target["b"])


@pytest.mark.parametrize("scale", [2, 4])
def test_the_exporter_reproduces_the_shipped_file_from_its_own_weights(scale, tmp_path):
    """The shipped weights, read back from the ONNX file and exported again with the toolkit, compute
    what the shipped file computes (the exporter changed, the network's function did not)."""
    shipped = PLUGIN_DIR / f"upscale_x{scale}.onnx"
    net = net_of_file(shipped)
    path, diff = up_export.export_net(net, tmp_path)
    assert diff <= 1e-4
    x = np.random.default_rng(scale).random((1, 3, 41, 27), dtype=np.float32)
    new, old = (ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]) for p in (path, shipped))
    assert np.abs(new.run(None, {"input": x})[0] - old.run(None, {"input": x})[0]).max() <= 1e-5


@needs_data
def test_time_budget_ends_a_run_early_with_a_checkpoint(tmp_path):
    out = tmp_path / "run"
    main(["--quick", "--scale", "2", "--steps", "100000", "--patch", "8", "--batch", "2", "--out", str(out),
          "--log-every", "5", "--eval-every", "1000", "--minutes", "0.03", "--device", "cpu"])
    step = torch.load(out / "checkpoint.pt", weights_only=False)["step"]
    assert 0 < step < 100000
    last = training.LossLog(out / "loss.csv").rows()[-1]
    assert last["step"] == step and last["set5_psnr_y"] > 20.0  # a final Set5 score at the stopping step


def _save(net: UpscaleNet, folder: Path) -> Path:
    task = training.TrainingTask(UpscaleRun(), torch.device("cpu"))
    task.modules = {"net": net}
    return training.save_checkpoint(task, folder / "checkpoint.pt", 1, 0.0)
