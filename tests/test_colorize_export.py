"""The colorize network exports to ONNX with dynamic H/W and the annealed mean inside the graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models.colorize.bins import annealed_mean, gamut_bins, rebalance_weights, soft_encode  # noqa: E402
from models.colorize.export import ATOL, export, network_of_file, parity_inputs  # noqa: E402
from models.export import check_parity  # noqa: E402
from models.nets.colorize import ColorizeNet  # noqa: E402


@pytest.mark.parametrize(("variant", "trunk"), [("class", "unet"), ("gan", "unet"), ("class", "vgg16")])
def test_export_parity_at_two_sizes(tmp_path: Path, variant: str, trunk: str) -> None:
    torch.manual_seed(0)
    centres = torch.from_numpy(gamut_bins())
    weights = torch.rand(len(centres)) * 5 + 0.2  # decoding undoes part of the rebalancing inside the graph
    net = ColorizeNet(variant, centres, width=4 if trunk == "unet" else 8, class_weights=weights,
                      prior_correction=0.6, trunk=trunk, vgg_width=0.125).eval()
    if trunk == "unet":  # an untrained U-Net predicts ~grey; make the comparison meaningful (the VGG16
        for p in net.parameters():  # trunk's init already gives ab with a spread of ~5)
            p.data.normal_(0, 0.3)
    path = tmp_path / "colorize.onnx"
    export(net, path)
    assert check_parity(net, path, parity_inputs(), atol=ATOL) < ATOL
    rebuilt = network_of_file(path) if variant == "class" else None  # what the reproduction test relies on
    if rebuilt is not None:
        assert check_parity(rebuilt, path, parity_inputs(), atol=1e-3) < 1e-3


def test_bins_cover_the_srgb_gamut_and_rebalancing_favours_rare_colours() -> None:
    centres = gamut_bins()
    assert 200 < len(centres) < 320
    counts = np.ones(len(centres))
    grey = int(np.argmin(np.abs(centres).sum(1)))
    counts[grey] = 1000.0
    weights = rebalance_weights(counts, centres)
    assert weights[grey] == weights.min() and weights.max() > 3 * weights[grey]


def test_soft_encoding_and_annealed_mean_recover_the_colour() -> None:
    centres = torch.from_numpy(gamut_bins())
    ab = torch.tensor([[-20.0, 33.0], [3.0, -4.0]]).T.reshape(1, 2, 1, 2)
    target, nearest = soft_encode(ab, centres)
    torch.testing.assert_close(target.sum(1), torch.ones(1, 1, 2))
    assert (target > 0.01).sum(1).max() <= 9
    decoded = annealed_mean(torch.log(target + 1e-12), centres, temperature=1.0)
    torch.testing.assert_close(decoded, ab, atol=1.0, rtol=0)
    assert torch.equal(centres[nearest[0, 0]], torch.tensor([[-20.0, 30.0], [0.0, 0.0]]))


def test_the_exporter_reproduces_the_shipped_file_from_its_own_weights(tmp_path: Path) -> None:
    """The shipped weights, read back from colorize.onnx (BatchNorm folded into the convolutions, the
    decoding's prior correction and temperature graph constants, the weights stored as float16) and
    exported again with the toolkit, compute what the shipped file computes."""
    import onnxruntime as ort

    shipped = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "colorize" / "colorize.onnx"
    net = network_of_file(shipped)
    path = export(net, tmp_path / "colorize.onnx")
    assert check_parity(net, path, parity_inputs(), atol=ATOL) < ATOL
    L = np.random.default_rng(3).uniform(-1, 1, (1, 1, 112, 160)).astype(np.float32)
    new, old = (ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]) for p in (path, shipped))
    assert np.abs(new.run(None, {"L": L})[0] - old.run(None, {"L": L})[0]).max() < ATOL
