"""models.features: the VGG-shaped feature network (random or loaded weights) and its loss helpers."""

from __future__ import annotations

import pytest
import torch

from models.features import (
    LAYER_NAMES,
    FeatureNet,
    content_loss,
    gram,
    pink_noise,
    style_loss,
)


def test_layout_matches_torchvision_vgg19_indices() -> None:
    net = FeatureNet(width=0.125, last_layer="pool5", init="kaiming")
    convs = [i for i, m in enumerate(net.features) if isinstance(m, torch.nn.Conv2d)]
    assert convs == [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]
    assert len(LAYER_NAMES) == 37 and LAYER_NAMES[19] == "conv4_1" and LAYER_NAMES[-1] == "pool5"


def test_calibrated_init_is_deterministic_and_well_scaled() -> None:
    a = FeatureNet(width=0.25, seed=3, last_layer="relu4_1")
    b = FeatureNet(width=0.25, seed=3, last_layer="relu4_1")
    c = FeatureNet(width=0.25, seed=4, last_layer="relu4_1")
    assert torch.equal(a.features[0].weight, b.features[0].weight)
    assert not torch.equal(a.features[0].weight, c.features[0].weight)
    x = pink_noise(2, 96, torch.Generator().manual_seed(11))
    feats = a(x, ["relu1_1", "relu2_1", "relu3_1", "relu4_1"])
    for name, feat in feats.items():
        active = (feat > 0).float().mean().item()
        assert 0.3 < active < 0.7, name            # ReLUs neither dead nor linear at every depth
        assert 0.2 < feat.std().item() < 3.0, name


def test_circular_padding_is_shift_equivariant() -> None:
    net = FeatureNet(width=0.125, padding="circular", last_layer="relu2_1", init="kaiming")
    x = torch.rand(1, 3, 32, 32)
    out = net(x, ["relu1_2", "relu2_1"])
    shifted = net(torch.roll(x, (2, 4), dims=(2, 3)), ["relu1_2", "relu2_1"])
    assert torch.allclose(shifted["relu1_2"], torch.roll(out["relu1_2"], (2, 4), dims=(2, 3)), atol=1e-5)
    assert torch.allclose(shifted["relu2_1"], torch.roll(out["relu2_1"], (1, 2), dims=(2, 3)), atol=1e-5)
    zeros = FeatureNet(width=0.125, padding="zeros", last_layer="relu1_2", init="kaiming")
    moved = zeros(torch.roll(x, (2, 4), dims=(2, 3)), ["relu1_2"])["relu1_2"]
    assert not torch.allclose(moved, torch.roll(zeros(x, ["relu1_2"])["relu1_2"], (2, 4), dims=(2, 3)))


def test_vgg16_layout_caffe_input_and_loaded_convs() -> None:
    net = FeatureNet(arch="vgg16", width=0.125, last_layer="pool5", init="kaiming", preprocess="caffe")
    assert [n for n, _ in net.convs()] == ["conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2",
                                           "conv3_3", "conv4_1", "conv4_2", "conv4_3", "conv5_1", "conv5_2",
                                           "conv5_3"]
    with pytest.raises(ValueError, match="unknown vgg16 layer"):
        FeatureNet(arch="vgg16", last_layer="relu3_4")
    # caffe: RGB 0..1 becomes BGR 0..255 minus the BGR mean
    rgb = torch.rand(1, 3, 4, 4)
    bgr = rgb.flip(1) * 255 - torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)
    assert torch.allclose(net.normalise(rgb), bgr, atol=1e-4)
    weights = {name: (torch.full_like(conv.weight, 0.01), torch.zeros_like(conv.bias))
               for name, conv in net.convs()}
    net.load_convs(weights)
    assert torch.equal(net.features[0].weight, weights["conv1_1"][0])
    weights["conv2_1"] = (torch.zeros(3, 3, 3, 3), torch.zeros(3))
    with pytest.raises(ValueError, match="conv2_1"):
        net.load_convs(weights)


def test_gram_and_losses() -> None:
    feat = torch.arange(12, dtype=torch.float32).reshape(1, 3, 2, 2)
    flat = feat.reshape(3, 4)
    assert torch.allclose(gram(feat)[0], flat @ flat.t() / 12)
    net = FeatureNet(width=0.125, last_layer="relu2_1", init="kaiming")
    a, b = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    fa, fb = net(a, ["relu1_1", "relu2_1"]), net(b, ["relu1_1", "relu2_1"])
    targets = {k: gram(v) for k, v in fa.items()}
    assert style_loss(fa, targets).item() == 0.0
    assert style_loss(fb, targets).item() > 0.0
    assert content_loss(fa, fa, ["relu2_1"]).item() == 0.0
    assert content_loss(fb, fa, ["relu2_1"]).item() > 0.0
