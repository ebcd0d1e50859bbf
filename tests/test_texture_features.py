"""models.features: the random-weight VGG-19-shaped feature network and its loss helpers."""

from __future__ import annotations

import torch

from models.features import (
    LAYER_NAMES,
    WEIGHTS_ENV,
    FeatureNet,
    content_loss,
    default_feature_net,
    gram,
    load_torchvision_vgg19,
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


def test_loads_a_torchvision_state_dict(tmp_path) -> None:
    source = FeatureNet(width=1.0, seed=5, last_layer="pool5", init="kaiming", pool="max")
    state = {k: v for k, v in source.state_dict().items() if k.startswith("features.")}
    state["classifier.0.weight"] = torch.zeros(2, 2)           # ignored, as in a full vgg19 checkpoint
    path = tmp_path / "vgg19.pth"
    torch.save(state, path)
    net = load_torchvision_vgg19(path, last_layer="relu3_1")
    x = torch.rand(1, 3, 32, 32)
    assert torch.allclose(net(x, ["relu3_1"])["relu3_1"], source(x, ["relu3_1"])["relu3_1"], atol=1e-5)
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3)}, tmp_path / "bad.pth")
    try:
        load_torchvision_vgg19(tmp_path / "bad.pth")
    except ValueError as exc:
        assert "not a torchvision VGG-19" in str(exc)
    else:
        raise AssertionError("an incomplete state dict must be rejected")


def test_default_net_takes_pretrained_weights_from_the_environment(tmp_path, monkeypatch) -> None:
    source = FeatureNet(width=1.0, seed=6, last_layer="relu2_1", init="kaiming", pool="max")
    path = tmp_path / "vgg19.pth"
    torch.save({k: v for k, v in source.state_dict().items() if k.startswith("features.")}, path)
    x = torch.rand(1, 3, 16, 16)
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "absent.pth"))
    random_net = default_feature_net(width=0.25, last_layer="relu1_1")   # no file: random, width honoured
    assert random_net.channels("relu1_1") == 16
    monkeypatch.setenv(WEIGHTS_ENV, str(path))
    loaded = default_feature_net(width=0.25, last_layer="relu2_1")       # file: VGG-19 at full width
    assert torch.allclose(loaded(x, ["relu2_1"])["relu2_1"], source(x, ["relu2_1"])["relu2_1"], atol=1e-5)


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
