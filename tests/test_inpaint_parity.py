"""The filter feeds the network exactly what it was trained on, colour matching, and ``--init``.

``test_filter_fill_is_the_torch_networks_fill`` runs the whole plugin path (pipeline conversion,
crop, masked input + mask channel, NCHW layout, ONNX, compositing) and the PyTorch network on the
same picture: a wrong normalisation, a swapped channel order or a wrong mask channel would show up
as a difference far above the tolerance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from models.export import onnx_state_dict  # noqa: E402
from models.inpaint.init_weights import net_from_onnx  # noqa: E402
from models.nets.inpaint import make_input  # noqa: E402
from plugins.context import FilterContext  # noqa: E402
from plugins.contract import load_manifest  # noqa: E402
from plugins.filters.inpaint.filter import fill_crop  # noqa: E402
from plugins.filters.inpaint.ops import smooth_fill  # noqa: E402
from plugins.registry import load_entry  # noqa: E402
from plugins.runtime import Runtime  # noqa: E402

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "inpaint"
NETWORK = load_manifest(PLUGIN / "manifest.toml").model("network")
ONNX_PATH = PLUGIN / NETWORK.file


def _picture(h: int, w: int) -> np.ndarray:
    """Strongly coloured, different in every channel (a channel swap cannot go unnoticed)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.stack([0.15 + 0.7 * xx / w, 0.8 - 0.5 * yy / h, 0.3 + 0.2 * np.sin(xx / 9)], axis=2)


def test_filter_fill_is_the_torch_networks_fill() -> None:
    entry = load_entry(PLUGIN, "builtin", "plugins.filters.inpaint")
    h, w = 96, 128  # multiples of 8 and below the working size: no padding, no resampling
    image = _picture(h, w).astype(np.float32)
    mask = np.zeros((h, w), np.float32)
    mask[30:70, 40:100] = 1.0
    params = {**entry.spec.defaults(), "feather": 0, "match": 0.0, "texture": 0.0, "context": 2.0}
    out = entry.module().run(FilterContext(entry, Runtime("cpu")), image, mask, params)
    net = net_from_onnx(ONNX_PATH)
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    m = torch.from_numpy(mask)[None, None]
    with torch.no_grad():
        ref = net(make_input(x, m))[0].permute(1, 2, 0).numpy()
    hole = mask > 0
    np.testing.assert_allclose(out[hole], ref[hole], atol=1e-4)
    np.testing.assert_array_equal(out[~hole], image[~hole])


class _CastNetwork:
    """A stand-in network that paints everything one colour: the truth plus a colour cast."""

    input_names = ["input"]

    def __init__(self, colour: np.ndarray) -> None:
        self.colour = colour

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        n, _, h, w = feeds["input"].shape
        return [np.broadcast_to(self.colour[None, :, None, None], (n, 3, h, w)).astype(np.float32)]


def test_colour_match_removes_a_cast_the_network_puts_on_the_whole_crop() -> None:
    truth = np.array([0.2, 0.6, 0.25], np.float32)
    crop = np.broadcast_to(truth, (64, 80, 3)).copy()
    hole = np.zeros((64, 80), bool)
    hole[20:44, 25:60] = True
    session = _CastNetwork(truth + np.array([0.1, -0.2, 0.05], np.float32))
    raw = fill_crop(session, crop, hole, 256, 0.0, match=0.0, needs=NETWORK)
    matched = fill_crop(session, crop, hole, 256, 0.0, match=1.0, needs=NETWORK)
    assert np.abs(raw[hole] - truth).max() > 0.19
    np.testing.assert_allclose(matched[hole], np.broadcast_to(truth, matched[hole].shape), atol=1e-3)


def test_smooth_fill_follows_known_values_and_bridges_the_hole() -> None:
    h, w = 96, 120
    values = np.zeros((h, w, 2), np.float32)
    values[:, :, 0] = np.linspace(0, 1, w)[None]
    values[:, :, 1] = 0.3
    known = np.ones((h, w), bool)
    known[30:70, 40:90] = False
    field = smooth_fill(values, known, 8)
    assert field.shape == values.shape
    np.testing.assert_allclose(field[:, :, 1], 0.3, atol=1e-4)  # a constant stays constant
    across = field[50, 40:90, 0]
    assert (np.diff(across) > -1e-3).all() and across[-1] - across[0] > 0.3  # the ramp continues
    assert np.abs(field - values)[known].mean() < 0.02
    assert not smooth_fill(values, np.zeros((h, w), bool), 8).any()  # nothing known: no correction


def test_init_from_onnx_starts_training_from_the_shipped_weights(tmp_path: Path) -> None:
    from models import training
    from models.inpaint.train import InpaintRun, InpaintTask, load_generator

    class Synthetic(InpaintTask):
        def training_images(self) -> list[np.ndarray]:
            rng = np.random.default_rng(0)
            return [rng.integers(0, 256, (90, 100, 3), dtype=np.uint8) for _ in range(2)]

    # width/blocks must come from the file
    cfg = InpaintRun(steps=0, batch=2, size=64, width=8, blocks=1, out=str(tmp_path), init=str(ONNX_PATH),
                     device="cpu")
    training.train(Synthetic, cfg)
    gen = load_generator(tmp_path)
    shipped = onnx_state_dict(ONNX_PATH)
    for name, tensor in gen.state_dict().items():
        torch.testing.assert_close(tensor, shipped[name], rtol=0, atol=0)
