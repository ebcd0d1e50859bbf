"""The colorize network on a VGG16 encoder (issue #22), at a tiny width (CI has no ImageNet VGG16)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.colorize.bins import gamut_bins
from models.features import FeatureNet
from models.nets.colorize import ColorizeNet
from models.nets.colorize_vgg import FROZEN, VGGColorizeTrunk, grey_srgb
from plugins.lab import lab_to_rgb_in_gamut

TINY = 1 / 16


def tiny_net(**kw) -> ColorizeNet:
    torch.manual_seed(0)
    return ColorizeNet("class", torch.from_numpy(gamut_bins()), width=8, trunk="vgg16", vgg_width=TINY, **kw)


def test_grey_is_the_srgb_of_the_lightness():
    L = np.linspace(0.0, 100.0, 21, dtype=np.float32)[None]
    expected = lab_to_rgb_in_gamut(L, np.zeros((*L.shape, 2), np.float32))
    got = grey_srgb(torch.from_numpy(L / 50.0 - 1.0)[None, None])[0].permute(1, 2, 0).numpy()
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-5


def test_shapes_and_decoding():
    net = tiny_net().eval()
    L = torch.rand(2, 1, 48, 64) * 2 - 1
    with torch.no_grad():
        raw, ab = net.raw(L), net(L)
    assert raw.shape == (2, len(gamut_bins()), 24, 32)
    assert ab.shape == (2, 2, 48, 64)
    assert float(ab.abs().max()) <= 110.0


def test_global_branch_sees_the_whole_picture():
    """Changing one corner changes the prediction at the opposite corner (global feature fusion)."""
    net = tiny_net().eval()
    L = torch.zeros(1, 1, 64, 64)
    other = L.clone()
    other[..., :16, :16] = 0.9
    with torch.no_grad():
        a, b = net.raw(L), net.raw(other)
    assert float((a[..., -4:, -4:] - b[..., -4:, -4:]).abs().max()) > 1e-6


def test_pretrained_weights_load_and_early_layers_stay_frozen():
    trunk = VGGColorizeTrunk(10, width=TINY, decoder=8)
    source = FeatureNet(arch="vgg16", last_layer="relu5_3", width=TINY, init="kaiming", seed=3)
    weights = {name: (conv.weight.clone(), conv.bias.clone()) for name, conv in source.convs()}
    trunk.load_vgg16(weights)
    for name, conv in trunk.encoder.convs():
        assert torch.equal(conv.weight, weights[name][0])
        assert conv.weight.requires_grad == (name not in FROZEN)
    assert {id(p) for p in trunk.encoder_parameters()}.isdisjoint({id(p) for p in trunk.decoder_parameters()})
    with pytest.raises(ValueError):
        VGGColorizeTrunk(10, width=TINY * 2).load_vgg16(weights)


def test_unknown_trunk_is_refused():
    with pytest.raises(ValueError, match="unknown trunk"):
        ColorizeNet("class", torch.from_numpy(gamut_bins()), trunk="resnet")


@pytest.mark.needs_data("bsds500", "imagenet_sample", "cq100")
def test_photos_at_the_working_sizes():
    from models.colorize.dataset import load_photos

    photos = load_photos(64, limit=3, varied=True, long_sides=(128, 200))
    assert [side for _, side in photos] == [128.0, 200.0] * 3
    assert all(max(img.shape[:2]) == side for img, side in photos)


def test_long_sides_from_the_command_line_are_numbers():
    from models.colorize.train import ColorizeRun
    from models.training import parse_config

    cfg, _ = parse_config(ColorizeRun, "", ["--trunk", "vgg16", "--long-sides", "256", "320"])
    assert cfg.long_sides == (256, 320) and cfg.trunk == "vgg16"
    with pytest.raises(ValueError, match="--trunk"):
        parse_config(ColorizeRun, "", ["--trunk", "resnet"])
