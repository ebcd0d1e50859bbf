"""Stylize training: weights from the shipped ONNX, the Gaussian pyramid, the relative losses, a quick run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from models.features import FeatureNet, gram  # noqa: E402
from models.losses import moments  # noqa: E402
from models.nets.stylize import PER_STYLE, StylizeConfig, StylizeExport, StylizeNet  # noqa: E402
from models.stylize.export import feeds  # noqa: E402
from models.stylize.train import (  # noqa: E402
    coarse_moments,
    layout_contrast_loss,
    pyramid,
    relative_content_loss,
    relative_moment_loss,
    relative_style_loss,
    tone_loss,
)
from models.training import initial_state  # noqa: E402

SHIPPED = Path(__file__).resolve().parents[1] / "plugins" / "filters" / "stylize" / "stylize.onnx"


def shipped_config() -> StylizeConfig:
    from models.stylize.export import config_of_onnx

    return config_of_onnx(SHIPPED)


def test_shipped_onnx_weights_reproduce_the_onnx_output():
    net = StylizeNet(shipped_config())
    net.load_state_dict(initial_state(SHIPPED, "net", onnx_prefix="net."), strict=True)
    inputs = feeds(48, 64, seed=3, stats_length=net.stats_size)
    with torch.no_grad():
        ours = StylizeExport(net.eval())(*(torch.from_numpy(v) for v in inputs.values()))[0].numpy()
    theirs = ort.InferenceSession(str(SHIPPED), providers=["CPUExecutionProvider"]).run(None, inputs)[0]
    assert np.abs(ours - theirs).max() < 1e-5


def test_relative_losses_are_zero_on_target_and_one_for_nothing():
    torch.manual_seed(0)
    feat = FeatureNet(arch="vgg16", width=0.25, last_layer="relu2_2")
    style, other = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    layers = ["relu1_2", "relu2_2"]
    with torch.no_grad():
        targets = {n: gram(f) for n, f in feat(style, layers).items()}
        assert float(relative_style_loss(feat(style, layers), targets)) < 1e-10
        assert float(relative_style_loss(feat(other, layers), targets)) > 0
        zeros = {n: torch.zeros_like(f) for n, f in feat(style, layers).items()}
        assert float(relative_content_loss(zeros, feat(style, layers))) == pytest.approx(1.0)


def test_per_style_content_factors_weigh_each_sample():
    torch.manual_seed(0)
    feat = FeatureNet(arch="vgg16", width=0.25, last_layer="relu2_2")
    photo, out = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        f_photo, f_out = feat(photo, ["relu2_2"]), feat(out, ["relu2_2"])
        plain = float(relative_content_loss(f_out, f_photo))
        assert float(relative_content_loss(f_out, f_photo, torch.ones(2))) == pytest.approx(plain)
        first_only = float(relative_content_loss(f_out, f_photo, torch.tensor([2.0, 0.0])))
        second_only = float(relative_content_loss(f_out, f_photo, torch.tensor([0.0, 2.0])))
        assert first_only + second_only == pytest.approx(2 * plain) and first_only != pytest.approx(plain)


def test_moment_loss_sees_a_loss_of_contrast_that_keeps_the_mean():
    torch.manual_seed(0)
    painting = torch.rand(2, 3, 32, 32)
    targets = {"pixels": moments(painting)}
    assert float(relative_moment_loss({"pixels": painting}, targets)) < 1e-10
    mean = painting.mean(dim=(2, 3), keepdim=True)
    flat = mean + 0.4 * (painting - mean)          # same mean, 40 % of the contrast
    assert float(relative_moment_loss({"pixels": flat}, targets)) == pytest.approx(0.36, rel=1e-4)


def test_coarse_moments_see_large_shapes_flattened_that_the_pixel_moments_miss():
    painting = 0.5 + 0.3 * torch.sign(torch.sin(torch.arange(64.0) * np.pi / 16))[None, None, None, :]
    painting = painting.expand(1, 3, 64, 64).clone()   # 16-px stripes, light and dark
    fine = 0.5 + 0.3 * torch.sign(torch.sin(torch.arange(64.0) * np.pi / 2 + 0.5))[None, None, None, :]
    fine = fine.expand(1, 3, 64, 64).clone()       # same pixel mean and spread, in 2-px stripes
    assert float(relative_moment_loss({"pixels": fine}, {"pixels": moments(painting)})) < 1e-3
    levels = coarse_moments(pyramid(painting, 2))
    assert sorted(levels) == ["pixels_1", "pixels_2"] and levels["pixels_2"].shape[-1] == 16
    targets = {n: moments(x) for n, x in levels.items()}
    assert float(relative_moment_loss(levels, targets)) < 1e-10
    assert float(relative_moment_loss(coarse_moments(pyramid(fine, 2)), targets)) > 0.1


def test_tone_loss_ignores_palette_and_contrast_but_sees_a_layout_painted_over():
    torch.manual_seed(0)
    photo = torch.rand(2, 3, 64, 64) * 0.2
    photo[:, :, 32:, 16:40] += 0.7                       # a light block: the photo's tone layout
    repainted = 0.3 + 0.5 * photo.flip(1)               # other palette and contrast, same layout
    assert float(tone_loss(repainted, photo)) < 0.05
    painted_over = torch.rand(2, 3, 64, 64)             # texture everywhere, the block gone
    assert float(tone_loss(painted_over, photo)) > 1.5
    assert float(tone_loss(1 - photo, photo)) == pytest.approx(4.0, rel=1e-3)   # light and dark swapped
    per_photo = [float(tone_loss(painted_over[i:i + 1], photo[i:i + 1])) for i in range(2)]
    weighted = float(tone_loss(painted_over, photo, torch.tensor([3.0, 0.0])))   # per-style factors
    assert weighted == pytest.approx(3.0 * per_photo[0] / 2, rel=1e-5)


def test_layout_contrast_loss_asks_for_a_share_of_the_photos_light_and_dark_not_more():
    torch.manual_seed(0)
    photo = torch.rand(2, 3, 64, 64) * 0.2
    photo[:, :, 32:, 16:40] += 0.7                        # a light block on a dark ground
    mean = photo.mean(dim=(2, 3), keepdim=True)
    assert float(layout_contrast_loss(photo, photo, 0.6)) == 0.0
    assert float(layout_contrast_loss(mean + 0.6 * (photo - mean), photo, 0.6)) < 1e-6   # just enough
    faint = mean + 0.2 * (photo - mean)                   # the layout kept at a fifth of its strength
    assert float(layout_contrast_loss(faint, photo, 0.6)) == pytest.approx(0.4 ** 2, rel=1e-2)
    texture = mean + 0.3 * torch.randn(2, 3, 64, 64)      # strong, but only fine: nothing at 8×8 blocks
    assert float(layout_contrast_loss(texture, photo, 0.6)) > 0.25
    faint.requires_grad_(True)
    layout_contrast_loss(faint, photo, 0.6).backward()
    assert float(faint.grad.abs().sum()) > 0


def test_pyramid_halves_and_keeps_the_mean():
    image = torch.rand(1, 3, 64, 48)
    levels = pyramid(image, 2)
    assert [tuple(x.shape[2:]) for x in levels] == [(64, 48), (32, 24), (16, 12)]
    flat = torch.full((1, 3, 32, 32), 0.3)
    assert torch.allclose(pyramid(flat, 1)[1], torch.full((1, 3, 16, 16), 0.3))
    image.requires_grad_(True)
    pyramid(image, 2)[2].sum().backward()
    assert image.grad is not None and float(image.grad.abs().sum()) > 0


def test_a_deeper_network_needs_sides_of_its_multiple():
    net = StylizeNet(StylizeConfig(widths=(8, 8, 8, 16), n_res=1))
    assert net.cfg.multiple == 8
    out = net(torch.rand(1, 3, 40, 24), torch.eye(5)[:1])
    assert out.shape == (1, 3, 40, 24)


def test_content_style_factors_from_the_command_line_are_numbers_one_per_style():
    from models.stylize.train import StylizeRun
    from models.training import parse_config

    cfg, _ = parse_config(StylizeRun, "", ["--content-style-factors", "1.6", "1.4", "2", "0.8", "0.7"])
    assert cfg.content_style_factors == (1.6, 1.4, 2.0, 0.8, 0.7)
    with pytest.raises(ValueError, match="--content-style-factors"):
        parse_config(StylizeRun, "", ["--content-style-factors", "1", "2"])


def test_only_style_trains_that_style_alone_and_leaves_the_others_bit_for_bit():
    from models.stylize.train import StylizeRun, parameter_groups, style_indices
    from plugins.filters.stylize.styles import STYLES

    cfg = StylizeRun(only_style="the_scream", batch=3, lr=1e-2)
    net = StylizeNet(StylizeConfig(widths=(8, 8, 8, 16), n_res=1))
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    opt = torch.optim.Adam(parameter_groups(net, cfg))
    scream = STYLES.index("the_scream")
    for _ in range(3):
        idx = style_indices(cfg, np.random.default_rng(0))
        assert idx.tolist() == [scream] * 3
        out = net(torch.rand(3, 3, 32, 32), torch.nn.functional.one_hot(idx, len(STYLES)).float())
        opt.zero_grad()
        out.pow(2).mean().backward()
        opt.step()
    others = [i for i in range(len(STYLES)) if i != scream]
    for name, p in net.named_parameters():
        if name.endswith(PER_STYLE):
            assert torch.equal(p[others], before[name][others]), name
            assert not torch.equal(p[scream], before[name][scream]), name
        else:
            assert torch.equal(p, before[name]), name
    with pytest.raises(ValueError, match="--only-style"):
        StylizeRun(only_style="mona_lisa")


def test_edge_loss_sees_only_what_the_input_border_does():
    """On a flat input the crop and its framed version give the same picture (loss 0); on a photo-like
    input the network's border effects show up as a positive loss that reaches its weights."""
    from types import SimpleNamespace

    from models.stylize.train import StylizeRun, StylizeTask

    torch.manual_seed(0)
    net = StylizeNet(StylizeConfig(widths=(8, 8, 8, 16), n_res=1))
    task = SimpleNamespace(cfg=StylizeRun(edge_margin=16), net=net, device=torch.device("cpu"))
    idx = torch.tensor([1, 3])
    flat = torch.full((2, 3, 64, 64), 0.4)
    assert float(StylizeTask.edge_loss(task, flat, idx).detach()) < 1e-10
    loss = StylizeTask.edge_loss(task, torch.rand(2, 3, 64, 64), idx)
    assert float(loss.detach()) > 1e-6
    loss.backward()
    assert net.out_conv.weight.grad.abs().sum() > 0


def test_merge_takes_each_style_rows_from_its_run_and_refuses_a_changed_shared_weight():
    from models.stylize.merge import merge
    from plugins.filters.stylize.styles import STYLES

    base = StylizeNet(StylizeConfig(widths=(8, 8, 8, 16), n_res=1)).state_dict()
    runs = {}
    for style in ("starry_night", "udnie"):
        state = {k: v.clone() for k, v in base.items()}
        state["down.0.norm.gamma"][STYLES.index(style)] += 1.0 + STYLES.index(style)
        runs[style] = state
    merged = merge(base, runs)
    gamma = merged["down.0.norm.gamma"]
    for style in STYLES:
        row = STYLES.index(style)
        expected = base["down.0.norm.gamma"][row] + (1.0 + row if style in runs else 0.0)
        assert torch.equal(gamma[row], expected), style
    assert torch.equal(base["down.0.norm.gamma"], StylizeNet(StylizeConfig(widths=(8, 8, 8, 16), n_res=1))
                       .state_dict()["down.0.norm.gamma"])  # the base itself is not modified
    runs["udnie"]["down.0.conv.weight"] += 0.1
    with pytest.raises(ValueError, match="shared weight down.0.conv.weight"):
        merge(base, runs)
