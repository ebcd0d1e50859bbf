"""edges2photo training: a fine-tune starts from a checkpoint's networks, and feature matching and the
perceptual-distance term are applied."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from models import training  # noqa: E402
from models.edges2photo.train import colour_moments, main  # noqa: E402
from models.losses import feature_matching  # noqa: E402
from models.nets.patchgan import PatchGAN  # noqa: E402


def test_patchgan_features_end_in_its_logits():
    net = PatchGAN(in_channels=4, base=8)
    x = torch.rand(1, 4, 70, 70)
    with torch.no_grad():
        logits, feats = net.features(x)
    assert torch.equal(logits, net(x))
    assert [f.shape[1] for f in feats] == [8, 16, 32, 64]
    assert float(feature_matching(feats, feats)) == 0.0


@pytest.mark.needs_data("bsds500", "bsds500_truth")
def test_init_loads_both_networks_and_logs_feature_matching(tmp_path):
    common = ["--quick", "--steps", "1", "--batch", "2", "--crop", "64", "--device", "cpu"]
    main([*common, "--out", str(tmp_path / "first")])
    first = tmp_path / "first" / "checkpoint.pt"
    # lr 0: the fine-tune's one step leaves the loaded weights as they were (batch-norm running
    # statistics still move, so only learned parameters are compared).
    main([*common, "--lr", "0", "--fm-weight", "10", "--unit-weight", "1", "--moment-weight", "1",
          "--features", "random",
          "--init", str(first), "--out", str(tmp_path / "second")])
    before = torch.load(first, weights_only=False)["modules"]
    after = torch.load(tmp_path / "second" / "checkpoint.pt", weights_only=False)["modules"]
    for net in ("generator", "discriminator"):
        for key, value in before[net].items():
            if "running_" in key or "num_batches" in key:
                continue
            assert torch.equal(value, after[net][key]), f"{net}.{key} was not loaded"
    last = training.LossLog(tmp_path / "second" / "loss.csv").rows()[-1]
    assert last["fm"] > 0 and last["unit"] > 0 and last["moments"] > 0


def test_colour_moments_see_a_washed_out_output():
    photo = torch.rand(2, 3, 16, 16) * 2 - 1
    assert float(colour_moments(photo, photo)) == 0.0
    washed = photo.mean(dim=(2, 3), keepdim=True) + 0.3 * (photo - photo.mean(dim=(2, 3), keepdim=True))
    # same means, 0.3 of the spread: half the statistics are off by 0.7 of the photo's standard deviation
    expected = 0.5 * float((0.7 * photo.flatten(2).std(dim=2)).mean())
    assert float(colour_moments(washed, photo)) == pytest.approx(expected, rel=1e-4)


def test_vgg16_generator_draws_full_size_rgb_and_ignores_the_noise():
    from models.nets.edges2photo_vgg import VGGEdgesGenerator

    torch.manual_seed(0)
    net = VGGEdgesGenerator(decoder=16, width=0.125).eval()
    sketch = torch.rand(2, 1, 48, 64) * 2 - 1
    with torch.no_grad():
        out = net(sketch, net.mean_noise(2))
        again = net(sketch, torch.zeros(2, 1))
    assert out.shape == (2, 3, 48, 64) and float(out.abs().max()) <= 1.0
    assert torch.equal(out, again)


@pytest.mark.needs_data("bsds500", "bsds500_truth")
def test_vgg16_generator_trains_its_decoder_and_the_unfrozen_encoder_only(tmp_path):
    main(["--quick", "--steps", "1", "--batch", "2", "--crop", "64", "--device", "cpu", "--no-gan",
          "--generator-kind", "vgg16", "--features", "random", "--frozen-through", "conv3_3",
          "--unit-weight", "1", "--out", str(tmp_path / "run")])
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    groups = state["optimizers"]["opt_g"]["param_groups"]
    assert len(groups) == 2 and groups[1]["lr"] == pytest.approx(groups[0]["lr"] * 0.1)
    assert len(groups[1]["params"]) == 12  # conv4_1 … conv5_3, weight and bias: the fine-tuned encoder
