"""The shipped ONNX file computes what the PyTorch network computes, at sizes it was not traced at.

The network is rebuilt in PyTorch from the ONNX file's own initializers (the exporter keeps the
parameter names), so this checks the export itself — Fourier convolutions (ONNX ``DFT``) and
dynamic height/width included — without re-running the slow exporter in the test session.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

from models.nets.inpaint import MULTIPLE, InpaintNet, composite, make_input  # noqa: E402

ONNX_PATH = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "inpaint" / "inpaint.onnx"


def _net_from_onnx(path: Path) -> InpaintNet:
    from models.inpaint.init_weights import net_from_onnx

    return net_from_onnx(path)


@pytest.mark.parametrize(("height", "width"), [(96, 136), (200, 120)])
def test_shipped_onnx_matches_torch(height: int, width: int) -> None:
    import onnxruntime as ort

    net = _net_from_onnx(ONNX_PATH)
    session = ort.InferenceSession(str(ONNX_PATH), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(height)
    image = rng.random((1, 3, height, width), dtype=np.float32)
    mask = (rng.random((1, 1, height, width)) < 0.3).astype(np.float32)
    x = np.concatenate([image * (1 - mask), mask], axis=1)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert got.shape == ref.shape == (1, 3, height, width)
    np.testing.assert_allclose(got, ref, atol=1e-4)


def test_net_shapes_and_composite() -> None:
    net = InpaintNet(width=8, blocks=1).eval()
    image = torch.rand(2, 3, 8 * MULTIPLE, 6 * MULTIPLE)
    mask = (torch.rand(2, 1, 8 * MULTIPLE, 6 * MULTIPLE) > 0.5).float()
    with torch.no_grad():
        out = net(make_input(image, mask))
    assert out.shape == image.shape
    assert float(out.min()) >= 0 and float(out.max()) <= 1
    comp = composite(out, image, mask)
    keep = mask.expand_as(image) == 0
    assert torch.equal(comp[keep], image[keep])


def test_global_receptive_field() -> None:
    """A change at one corner reaches the far corner: the Fourier branch sees the whole image."""
    torch.manual_seed(1)
    net = InpaintNet(width=8, blocks=1).eval()
    for p in net.parameters():
        p.data.normal_(0, 0.3)
    x = torch.rand(1, 4, 64, 64)
    y = x.clone()
    y[:, :, :4, :4] = 1 - y[:, :, :4, :4]
    with torch.no_grad():
        diff = (net(x) - net(y)).abs()[0, :, -8:, -8:]
    assert float(diff.max()) > 1e-4
