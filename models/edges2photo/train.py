"""Train the edges2photo generator: pix2pix (U-Net + 70×70 PatchGAN, least-squares GAN loss, + λ·L1)
or, with ``--no-gan``, the L1-only baseline, on BSDS500 train+test photos paired with human, Canny
and XDoG line drawings.

    python -m models.edges2photo.train [--quick] [--steps N] [--no-gan] [--minutes M]

Both variants draw the same training pairs (same data seed) for the same number of steps, so the
only difference between them is the adversarial term. Checkpoints, a loss log and sample sheets go to
``runs/edges2photo/<gan|l1>/``; ``--resume`` continues from the last checkpoint.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from models.edges2photo.data import train_entries
from models.edges2photo.pairs import sample_batch
from models.losses import feature_matching, lsgan_d, lsgan_g
from models.nets.edges2photo import UNetGenerator

RUNS = Path("runs/edges2photo")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few steps on a few photos (smoke test)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default 9000; quick 30)")
    parser.add_argument("--no-gan", action="store_true", help="L1-only baseline (no discriminator)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--d-base", type=int, default=32, help="PatchGAN width (pix2pix: 64)")
    parser.add_argument("--l1-weight", type=float, default=100.0)
    parser.add_argument("--fm-weight", type=float, default=0.0,
                        help="discriminator feature-matching weight (pix2pixHD uses 10; 0 = off)")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--minutes", type=float, default=None, help="stop early after this wall time")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--init", type=Path, default=None,
                        help="fine-tune: start from this checkpoint's generator (and discriminator, in GAN "
                             "mode, when it has one) with fresh optimisers and a new schedule")
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = 30 if args.quick else 9000
    if args.out is None:
        args.out = RUNS / (("quick_" if args.quick else "") + ("l1" if args.no_gan else "gan"))
    return args


def learning_rate(base: float, step: int, total: int) -> float:
    """Constant for the first half, then linear decay to zero (pix2pix schedule)."""
    half = total // 2
    return base if step < half else base * max(0.0, (total - step) / max(1, total - half))


def append_row(path: Path, row: list) -> None:
    with open(path, "a", newline="") as handle:
        csv.writer(handle).writerow(row)


def save_samples(generator: UNetGenerator, sketches: torch.Tensor, photos: torch.Tensor, path: Path) -> None:
    """A sheet of sketch / output / photo rows in eval mode with dropout gains at their expectation."""
    generator.eval()
    with torch.no_grad():
        fake = generator(sketches, generator.mean_noise(len(sketches), sketches.device))
    generator.train()

    def row(batch: torch.Tensor) -> np.ndarray:
        images = ((batch.expand(-1, 3, -1, -1).cpu().numpy() + 1) * 127.5).clip(0, 255).astype(np.uint8)
        return np.concatenate(list(images.transpose(0, 2, 3, 1)), axis=1)

    Image.fromarray(np.concatenate([row(sketches), row(fake), row(photos)], axis=0)).save(path)


def train(args: argparse.Namespace) -> Path:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    entries = train_entries(limit=12 if args.quick else None)
    data_rng = np.random.default_rng(args.seed)
    fixed = sample_batch(entries, np.random.default_rng(1234), 6, args.crop)
    fixed_sketch, fixed_photo = (torch.from_numpy(a).float().to(device) for a in fixed)

    generator = UNetGenerator().to(device)
    opt_g = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    discriminator = opt_d = None
    if not args.no_gan:
        from models.nets.patchgan import PatchGAN  # the toolkit's 70×70 PatchGAN

        # 70×70 receptive field as in pix2pix, half its width (C32-C64-C128-C256) for the CPU.
        discriminator = PatchGAN(in_channels=4, base=args.d_base).to(device)
        opt_d = torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    if args.init is not None:
        start = torch.load(args.init, map_location=device, weights_only=False)
        generator.load_state_dict(start["generator"])
        if discriminator is not None and "discriminator" in start:
            discriminator.load_state_dict(start["discriminator"])
        print(f"initialised from {args.init} (its step {start['step']})", flush=True)
    step, elapsed_before = 0, 0.0
    checkpoint = args.out / "checkpoint.pt"
    if args.resume and checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        generator.load_state_dict(state["generator"])
        opt_g.load_state_dict(state["opt_g"])
        if discriminator is not None:
            discriminator.load_state_dict(state["discriminator"])
            opt_d.load_state_dict(state["opt_d"])
        step, elapsed_before = state["step"], state["elapsed"]
        data_rng.bit_generator.state = state["data_rng"]
        torch.set_rng_state(state["torch_rng"])

    log_path = args.out / "log.csv"
    if step == 0:
        append_row(log_path, ["step", "seconds", "l1", "g_adv", "d_loss", "fm"])
    started = time.perf_counter()
    sums = np.zeros(4)
    count = 0

    def save(final: bool = False) -> None:
        state = {"generator": generator.state_dict(), "opt_g": opt_g.state_dict(), "step": step,
                 "elapsed": elapsed_before + time.perf_counter() - started,
                 "data_rng": data_rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                 "args": {k: str(v) for k, v in vars(args).items()},
                 "widths": generator.widths, "noise_layers": generator.noise_layers,
                 "upsample": generator.upsample}
        if discriminator is not None:
            state["discriminator"] = discriminator.state_dict()
            state["opt_d"] = opt_d.state_dict()
        torch.save(state, checkpoint.with_suffix(".tmp"))
        checkpoint.with_suffix(".tmp").replace(checkpoint)
        if final:
            torch.save(state, args.out / "final.pt")

    while step < args.steps:
        if args.minutes is not None and time.perf_counter() - started > args.minutes * 60:
            print(f"time limit reached at step {step}", flush=True)
            break
        lr = learning_rate(args.lr, step, args.steps)
        for group in opt_g.param_groups + (opt_d.param_groups if opt_d else []):
            group["lr"] = lr
        sketch, photo = (torch.from_numpy(a).float().to(device)
                         for a in sample_batch(entries, data_rng, args.batch, args.crop))
        fake = generator(sketch, generator.train_noise(args.batch, device))
        d_loss = g_adv = fm = torch.zeros(())
        if discriminator is not None:
            real = torch.cat([sketch, photo], 1)
            real_logits = discriminator(real)
            fake_logits = discriminator(torch.cat([sketch, fake.detach()], 1))
            d_loss = lsgan_d(real_logits, fake_logits)
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            logits, fake_feats = discriminator.features(torch.cat([sketch, fake], 1))
            g_adv = lsgan_g(logits)
            if args.fm_weight:
                with torch.no_grad():  # the features of the real pair under the updated discriminator
                    real_feats = discriminator.features(real)[1]
                fm = feature_matching(fake_feats, real_feats)
        l1 = F.l1_loss(fake, photo)
        opt_g.zero_grad(set_to_none=True)
        (g_adv + args.l1_weight * l1 + args.fm_weight * fm).backward()
        opt_g.step()
        step += 1
        sums += [l1.item(), g_adv.item(), d_loss.item(), fm.item()]
        count += 1
        if step % 50 == 0 or step == args.steps:
            seconds = elapsed_before + time.perf_counter() - started
            means = sums / count
            append_row(log_path, [step, f"{seconds:.1f}", *(f"{m:.4f}" for m in means)])
            print(f"step {step}/{args.steps} {seconds:.0f}s l1 {means[0]:.4f} g_adv {means[1]:.3f} "
                  f"d {means[2]:.3f} fm {means[3]:.4f} lr {lr:.2e}", flush=True)
            sums[:] = 0
            count = 0
        if step % 200 == 0 or step == args.steps:
            save()
            save_samples(generator, fixed_sketch, fixed_photo, args.out / f"samples_{step:05d}.png")
    save(final=True)
    return args.out / "final.pt"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    path = train(args)
    print(f"saved {path}")


if __name__ == "__main__":
    main()
