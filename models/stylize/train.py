"""Train the conditional-instance-norm style network on BSDS500 train+test crops.

Loss (per sample, for the style it was given): relative Gram error at the style layers of the
random-weight VGG-19-shaped FeatureNet (models/features.py), relative content error averaged over one
or more layers, and a total-variation term.
``python -m models.stylize.train [--quick] [--steps N] [--minutes M]``
(see plugins/filters/stylize/MODEL_CARD.md for the two-stage commands that made the shipped model)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from models.data import load_rgb, random_crop, random_flip, shared_data_dir, training_images
from models.features import FeatureNet, default_feature_net, gram, pretrained_weights_path
from models.nets.stylize import StylizeNet
from models.stylize.mrf import PatchBank, mrf_loss
from models.stylize.orientation import concentration, direction_shares, spectrum_loss
from models.training import Checkpointer, LossLog, seed_everything
from plugins.filters.stylize.styles import STYLES

STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1")
CONTENT_LAYERS = ("relu3_1",)
STYLE_SIDE = 256
RUNS = Path("runs/stylize")
# Patch stride (painting bank and output) per MRF layer: relu3_1 at stride 1 would cost ~4× more for
# little gain, since neighbouring 3×3 patches overlap by two thirds.
MRF_STRIDES = {"relu3_1": 2, "relu4_1": 1}


def style_image(stem: str, side: int = STYLE_SIDE) -> torch.Tensor:
    from PIL import Image

    with Image.open(shared_data_dir() / "styles" / f"{stem}.jpg") as img:
        img = img.convert("RGB")
        scale = side / max(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
        return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]


def initial_weights(path: Path) -> dict[str, torch.Tensor]:
    """The network's state dict from a training checkpoint (.pt) or from the shipped ONNX file.

    The exporter wraps the network as ``net`` inside ``StylizeExport``, so the ONNX initializers are
    named ``net.<parameter>``.
    """
    if path.suffix == ".onnx":
        from models.export import onnx_state_dict

        state = onnx_state_dict(path)
        return {k.removeprefix("net."): v for k, v in state.items() if k.startswith("net.")}
    return torch.load(path, map_location="cpu", weights_only=False)["modules"]["net"]


def style_targets(feat: FeatureNet, side: int) -> dict[str, torch.Tensor]:
    """Gram matrices (one row per style, in STYLES order) of every painting at ``side`` px long side."""
    with torch.no_grad():
        feats = [feat(style_image(stem, side), list(STYLE_LAYERS)) for stem in STYLES]
        return {n: torch.cat([gram(f[n]) for f in feats]) for n in STYLE_LAYERS}


def patch_banks(feat: FeatureNet, side: int, layers: list[str]) -> list[dict[str, PatchBank]]:
    """Per style (STYLES order), the painting's feature-patch bank at each MRF layer."""
    with torch.no_grad():
        feats = [feat(style_image(stem, side), layers) for stem in STYLES]
    return [{n: PatchBank.from_features(f[n], MRF_STRIDES[n]) for n in layers} for f in feats]


def downsample(image: torch.Tensor, factor: int) -> torch.Tensor:
    """Box-filter ``image`` by an integer factor (differentiable; the multi-scale style term)."""
    return torch.nn.functional.avg_pool2d(image, factor)


def relative_style_loss(feats: dict[str, torch.Tensor], targets: dict[str, torch.Tensor],
                        layer_weights: dict[str, float] | None = None) -> torch.Tensor:
    """Weighted mean over layers of ‖G − T‖² / ‖T‖² per sample (targets are (N, C, C)).

    Equal layer weights by default. Weighting the deep layers up favours larger motifs (their
    receptive fields cover whole strokes), the shallow ones colour and fine grain.
    """
    weights = layer_weights or dict.fromkeys(targets, 1.0)
    total = 0.0
    for name, target in targets.items():
        diff = (gram(feats[name]) - target).pow(2).sum(dim=(1, 2)) / target.pow(2).sum(dim=(1, 2))
        total = total + weights[name] * diff.mean()
    return total / sum(weights[name] for name in targets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few steps, end to end")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=45.0, help="stop after this wall time")
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--style-weight", type=float, default=5.0)
    parser.add_argument("--tv-weight", type=float, default=0.5)
    parser.add_argument("--width", type=float, default=0.5, help="FeatureNet width")
    parser.add_argument("--content-layers", nargs="+", default=list(CONTENT_LAYERS),
                        help="relative content error, averaged over these layers")
    parser.add_argument("--style-layer-weights", type=float, nargs=len(STYLE_LAYERS), default=None,
                        metavar="W", help=f"weight of each style layer {STYLE_LAYERS} (default equal)")
    parser.add_argument("--pool", choices=("avg", "blur", "max"), default="avg",
                        help="loss net pooling; blur is anti-aliased (the texture filter's choice)")
    parser.add_argument("--style-scales", type=int, nargs="+", default=[1], metavar="S",
                        help="also match the Grams of the output downsampled by S (against the painting "
                             "downsampled by S): larger motifs than the loss net's receptive field")
    parser.add_argument("--style-side", type=int, default=STYLE_SIDE,
                        help="long side of the paintings in the loss: larger gives larger strokes and motifs")
    parser.add_argument("--mrf-weight", type=float, default=0.0,
                        help="weight of the Li & Wand patch (MRF) loss (models/stylize/mrf.py); 0 = off")
    parser.add_argument("--mrf-layers", nargs="+", default=list(MRF_STRIDES), choices=list(MRF_STRIDES))
    parser.add_argument("--direction-weight", type=float, default=0.0,
                        help="weight of the fine detail's direction term (models/stylize/orientation.py): "
                             "its 2–16 px detail runs in the painting's directions (no scan lines); 0 = off")
    parser.add_argument("--peak-weight", type=float, default=0.0,
                        help="weight of the spectral concentration term: the detail is no more periodic "
                             "than the painting's (no dot lattices); 0 = off")
    parser.add_argument("--out", type=Path, default=RUNS, help="checkpoint and loss-log folder")
    parser.add_argument("--init", type=Path, default=None,
                        help="start from a runs/…/last.pt checkpoint or an exported stylize.onnx")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.minutes = 10, 5.0
    torch.set_num_threads(1)
    seed_everything(0)
    rng = np.random.default_rng(0)
    args.out.mkdir(parents=True, exist_ok=True)

    # Pretrained VGG-19 when $HOLST_VGG19_WEIGHTS names a torchvision state dict (then --width is 1.0).
    feat = default_feature_net(pool=args.pool, width=args.width, last_layer="relu4_1")
    print(f"loss net: {pretrained_weights_path() or 'random weights'}", flush=True)
    content_layers = list(args.content_layers)
    layer_weights = (dict(zip(STYLE_LAYERS, args.style_layer_weights, strict=True))
                     if args.style_layer_weights else None)
    layers = sorted({*STYLE_LAYERS, *content_layers})
    targets = {scale: style_targets(feat, args.style_side // scale) for scale in args.style_scales}
    spectral = bool(args.direction_weight or args.peak_weight)
    if spectral:
        with torch.no_grad():
            paintings = [style_image(stem, args.style_side) for stem in STYLES]
            directions = torch.cat([direction_shares(p) for p in paintings])
            concentrations = torch.cat([concentration(p) for p in paintings])
    banks = patch_banks(feat, args.style_side, args.mrf_layers) if args.mrf_weight else []
    photos = [load_rgb(p) for p in training_images()]
    net = StylizeNet()
    if args.init is not None:
        net.load_state_dict(initial_weights(args.init))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.steps, eta_min=args.lr * 0.1)
    log = LossLog(args.out / "loss.csv", args.out / "loss.png")
    ckpt = Checkpointer(args.out / "last.pt", {"net": net, "opt": opt})
    start = time.time()
    step = 0
    for step in range(1, args.steps + 1):
        crops = [random_flip(random_crop(photos[i], args.crop, rng), rng)
                 for i in rng.integers(0, len(photos), args.batch)]
        content = torch.from_numpy(np.stack(crops).astype(np.float32) / 255.0).permute(0, 3, 1, 2)
        idx = torch.from_numpy(rng.integers(0, len(STYLES), args.batch))
        weights = torch.nn.functional.one_hot(idx, len(STYLES)).float()
        out = net(content, weights)
        f_out = feat(out, layers)
        with torch.no_grad():
            f_in = feat(content, content_layers)
        l_content = sum((f_out[n] - f_in[n]).pow(2).mean() / f_in[n].pow(2).mean()
                        for n in content_layers) / len(content_layers)
        l_style = sum(relative_style_loss(f_out if scale == 1 else feat(downsample(out, scale), STYLE_LAYERS),
                                          {n: t[idx] for n, t in targets[scale].items()}, layer_weights)
                      for scale in args.style_scales) / len(args.style_scales)
        l_tv = ((out[..., 1:, :] - out[..., :-1, :]).pow(2).mean()
                + (out[..., 1:] - out[..., :-1]).pow(2).mean())
        l_mrf = torch.zeros(())
        if banks:
            l_mrf = sum(mrf_loss(f_out[n], [banks[i][n] for i in idx.tolist()], MRF_STRIDES[n],
                                 tuple(int(o) for o in rng.integers(0, MRF_STRIDES[n], 2)))
                        for n in args.mrf_layers) / len(args.mrf_layers)
        l_direction = l_peaks = torch.zeros(())
        if spectral:
            l_direction, l_peaks = spectrum_loss(out, directions[idx], concentrations[idx])
        loss = (l_content + args.style_weight * l_style + args.tv_weight * l_tv + args.mrf_weight * l_mrf
                + args.direction_weight * l_direction + args.peak_weight * l_peaks)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 10 == 0 or step == 1:
            values = {k: float(v.detach()) for k, v in
                      (("loss", loss), ("content", l_content), ("style", l_style), ("tv", l_tv),
                                     ("mrf", l_mrf), ("direction", l_direction), ("peaks", l_peaks))}
            log.log(step, **values)
            print(f"step {step} loss {values['loss']:.4f} c {values['content']:.4f} s {values['style']:.4f} "
                  f"m {values['mrf']:.4f} d {values['direction']:.3f} p {values['peaks']:.3f} "
                  f"{time.time() - start:.0f}s", flush=True)
        if step % 100 == 0:
            ckpt.save(step)
        if time.time() - start > args.minutes * 60:
            break
    ckpt.save(step, wall_s=time.time() - start, args=vars(args))
    log.plot("stylize training loss")
    print(f"done: {step} steps in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
