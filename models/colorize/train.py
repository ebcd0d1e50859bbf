"""Train the colorize network on desaturated BSDS500 train+test crops.

    python -m models.colorize.train [--quick] [--steps N] [--variant class|gan] [--minutes M]

``class``: classification over quantised ab with class rebalancing (Zhang et al. 2016), decoded by
the annealed mean. ``gan``: ab regression with L1 + a PatchGAN conditioned on L (pix2pix style).
Both variants draw the same crops (same data seed), use the same trunk and run for the same steps or
wall-clock budget, so they can be compared fairly. Output: ``runs/colorize/<variant>/model.pt``
(weights + everything export needs), ``loss.csv`` and ``samples.png``.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from models.colorize.bins import (
    PRIOR_CORRECTION,
    TEMPERATURE,
    ab_histogram,
    gamut_bins,
    rebalance_weights,
    rebalanced_cross_entropy,
)
from models.colorize.dataset import CropSampler
from models.colorize.lab import lab_to_rgb
from models.nets.colorize import AB_SCALE, ColorizeNet

RUNS = Path("runs/colorize")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", choices=("class", "gan"), default="class")
    parser.add_argument("--quick", action="store_true", help="a few steps on a few photos (smoke run)")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--minutes", type=float, default=22.0, help="wall-clock budget; stops early")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=64)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--l1-weight", type=float, default=10.0, help="λ of L1 vs the adversarial term (gan)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.minutes = min(args.steps, 30), min(args.minutes, 3.0)
    args.out = args.out or RUNS / (args.variant + ("_quick" if args.quick else ""))
    return args


def colour_prior(sampler: CropSampler, centres: np.ndarray) -> np.ndarray:
    """ab histogram over the bins of every training photo at its smallest scale."""
    from plugins.lab import rgb_to_lab

    counts = np.zeros(len(centres))
    smallest = min(sampler.image_scales)
    for img, scale in zip(sampler.images, sampler.image_scales):
        if scale != smallest:
            continue
        counts += ab_histogram(rgb_to_lab(img[::2, ::2].astype(np.float32) / 255.0)[..., 1:], centres)
    return counts


def progress_of(step: int, steps: int, start: float, minutes: float) -> float:
    return max(step / steps, (time.time() - start) / (60.0 * minutes))


def cosine_lr(base: float, fraction: float) -> float:
    warm = min(1.0, fraction / 0.03)
    return base * warm * 0.5 * (1.0 + math.cos(math.pi * min(fraction, 1.0)))


def save_samples(net: ColorizeNet, L: torch.Tensor, ab: torch.Tensor, path: Path) -> None:
    """Rows: gray input, prediction, truth."""
    net.eval()
    with torch.no_grad():
        pred = net(L)
    net.train()
    lum = (L + 1.0) * 50.0
    rows = [torch.cat([lum, torch.zeros_like(ab)], 1), torch.cat([lum, pred], 1), torch.cat([lum, ab], 1)]
    rgb = [lab_to_rgb(r) for r in rows]
    grid = torch.cat([torch.cat(list(r), dim=2) for r in rgb], dim=1)
    Image.fromarray((grid.permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)).save(path)


def make_discriminator() -> torch.nn.Module:
    """The toolkit's 70×70 PatchGAN (C64-C128-C256-C512) judging (L, ab) pairs."""
    from models.nets.patchgan import PatchGAN

    return PatchGAN(in_channels=3)


def train(args: argparse.Namespace) -> Path:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    sampler = CropSampler(args.crop, limit=12 if args.quick else None, seed=args.seed)
    centres = gamut_bins()
    counts = colour_prior(sampler, centres)
    weights = rebalance_weights(counts, centres)
    centres_t, weights_t = torch.from_numpy(centres), torch.from_numpy(weights)
    net = ColorizeNet(args.variant, centres_t, width=args.width)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, betas=(0.5 if args.variant == "gan" else 0.9, 0.999))
    disc = d_opt = None
    if args.variant == "gan":
        disc = make_discriminator()
        d_opt = torch.optim.Adam(disc.parameters(), lr=args.lr / 2, betas=(0.5, 0.999))
    fixed_L, fixed_ab = CropSampler(96, limit=8, seed=123, scales=(0.5,)).batch(6)
    start, step = time.time(), 0
    log_path = args.out / "loss.csv"
    with open(log_path, "w", newline="") as handle:
        log = csv.writer(handle)
        log.writerow(["step", "seconds", "lr", "loss", "l1", "d_loss"])
        running = np.zeros(3)
        while step < args.steps and (fraction := progress_of(step, args.steps, start, args.minutes)) < 1.0:
            lr = cosine_lr(args.lr, fraction)
            for group in opt.param_groups:
                group["lr"] = lr
            L, ab = sampler.batch(args.batch)
            if args.variant == "class":
                loss = rebalanced_cross_entropy(net.raw(L), F.avg_pool2d(ab, 2), centres_t, weights_t)
                l1 = torch.zeros(())
                d_loss = torch.zeros(())
            else:
                loss, l1, d_loss = gan_step(net, disc, d_opt, L, ab, args.l1_weight, lr / 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            running += [loss.item(), l1.item(), d_loss.item()]
            if step % 50 == 0 or step == args.steps:
                count = 50 if step % 50 == 0 else step % 50
                log.writerow([step, round(time.time() - start, 1), f"{lr:.2e}", *(running / count).round(5)])
                handle.flush()
                print(f"step {step} {time.time() - start:.0f}s lr {lr:.1e} loss {running[0] / count:.4f} "
                      f"l1 {running[1] / count:.4f} d {running[2] / count:.4f}", flush=True)
                running[:] = 0
    seconds = time.time() - start
    save_samples(net, fixed_L, fixed_ab, args.out / "samples.png")
    path = args.out / "model.pt"
    torch.save({"state_dict": net.state_dict(), "variant": args.variant, "width": args.width,
                "centres": centres_t, "weights": weights_t, "temperature": net.temperature,
                "steps": step, "seconds": seconds, "args": {k: str(v) for k, v in vars(args).items()},
                "torch_threads": args.threads}, path)
    print(f"saved {path} after {step} steps, {seconds / 60:.1f} min", flush=True)
    return path


def gan_step(net: ColorizeNet, disc: torch.nn.Module, d_opt: torch.optim.Optimizer, L: torch.Tensor,
             ab: torch.Tensor, l1_weight: float, d_lr: float) -> tuple[torch.Tensor, ...]:
    """Update the PatchGAN once (LSGAN), return the generator's loss (λ·L1 + adversarial)."""
    for group in d_opt.param_groups:
        group["lr"] = d_lr
    pred = net(L) / AB_SCALE
    real = torch.cat([L, ab / AB_SCALE], 1)
    fake = torch.cat([L, pred], 1)
    d_real, d_fake = disc(real), disc(fake.detach())
    d_loss = 0.5 * ((d_real - 1.0).pow(2).mean() + d_fake.pow(2).mean())
    d_opt.zero_grad(set_to_none=True)
    d_loss.backward()
    d_opt.step()
    l1 = (pred - ab / AB_SCALE).abs().mean()
    adversarial = (disc(fake) - 1.0).pow(2).mean()
    return l1_weight * l1 + adversarial, l1.detach(), d_loss.detach()


def load_checkpoint(path: Path, temperature: float | None = None,
                    prior_correction: float | None = None) -> ColorizeNet:
    """The trained network (eval mode) from a ``model.pt``, decoding with T and β as given, else with
    the project's chosen ``TEMPERATURE`` and ``PRIOR_CORRECTION``."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    net = ColorizeNet(ckpt["variant"], ckpt["centres"], width=ckpt["width"],
                      temperature=TEMPERATURE if temperature is None else temperature,
                      class_weights=ckpt["weights"],
                      prior_correction=PRIOR_CORRECTION if prior_correction is None else prior_correction)
    net.load_state_dict(ckpt["state_dict"])
    return net.eval()


def main(argv: list[str] | None = None) -> None:
    train(parse_args(argv))


if __name__ == "__main__":
    main()
