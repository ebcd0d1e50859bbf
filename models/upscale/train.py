"""Train the Upscale network: ``python -m models.upscale.train [--quick] [--scale 2|4] [--steps N]``.

L1/Charbonnier on random BSDS500 train+test crops with PIL-bicubic LR; Adam with cosine decay;
checkpoint + loss log (CSV, PNG) under ``runs/upscale_x<scale>/``; ``--resume`` continues a run and
``--init`` starts from a checkpoint or a shipped ``.onnx`` (layers whose shapes match: head and body;
narrower hidden layers are widened without changing the function).
Set5 PSNR-Y is logged as training goes (the shipped figures come from ``models.evaluate``).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

from models import data, losses, metrics, training
from models.nets.upscale import UpscaleNet
from models.upscale import init_weights
from models.upscale.dataset import PairSampler, load_training_images

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny run on a few images (minutes on a CPU)")
    p.add_argument("--scale", type=int, choices=(2, 4), default=4)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--patch", type=int, default=None, help="LR patch edge (default 32 at ×4, 48 at ×2)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--body", type=int, default=6)
    p.add_argument("--loss", choices=("charbonnier", "l1"), default="charbonnier")
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (the CPU is shared)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=None, help="run folder (default runs/upscale_x<scale>)")
    p.add_argument("--pack", type=Path, default=None, help="train on the HR crops of a training pack")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init", type=Path, default=None,
                   help="checkpoint (.pt) or shipped .onnx to take matching weights from")
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-time budget: the cosine runs over whichever of steps or minutes ends first")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--log-every", type=int, default=10)
    args = p.parse_args(argv)
    if args.steps is None:
        args.steps = 200 if args.quick else 4000
    if args.patch is None:
        args.patch = 32 if args.scale == 4 else 48
    if args.quick:
        args.batch = min(args.batch, 8)
    if args.out is None:
        args.out = ROOT / "runs" / f"upscale_x{args.scale}{'_quick' if args.quick else ''}"
    return args


def learning_rate(step: int, total: int, base: float, warmup: int = 50) -> float:
    """Linear warm-up, then cosine decay to 1 % of ``base``."""
    if step < warmup:
        return base * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return base * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t))))


def schedule_step(done: int, total: int, wall: float, budget: float | None) -> int:
    """Where the learning-rate schedule stands: the step count, or further on by the spent time budget.

    With a wall-time budget the cosine reaches its end when either the steps or the time run out, so
    a run on a busy shared CPU still ends at a low learning rate instead of being cut off mid-schedule.
    """
    if budget is None:
        return done
    return max(done, int(total * wall / budget))


def load_matching(net: torch.nn.Module, path: Path) -> list[str]:
    """Copy every parameter whose name matches from a checkpoint or a shipped ``.onnx`` file.

    Equal shapes are copied; narrower hidden layers are embedded in wider ones without changing the
    function (``init_weights.widen``); larger tensors (another scale's output layers) are skipped.
    Returns the names copied.
    """
    return init_weights.load_init(net, path)


@torch.no_grad()
def validate(net: UpscaleNet, hr_images: list[np.ndarray], device: torch.device) -> float:
    """Mean PSNR-Y (border = scale) on HR images, LR by PIL bicubic."""
    net.eval()
    s = net.scale
    scores = []
    for img in hr_images:
        hr = data.crop_to_multiple(img, s)
        lr = torch.from_numpy(data.bicubic_downscale(hr, s).copy()).permute(2, 0, 1)[None].float().div(255)
        sr = net(lr.to(device)).clamp(0, 1).mul(255).round().byte()[0].permute(1, 2, 0).cpu().numpy()
        scores.append(metrics.psnr_y(sr, hr, s))
    net.train()
    return float(np.mean(scores))


def train(args: argparse.Namespace) -> Path:
    """Run (or resume) training; returns the checkpoint path."""
    torch.set_num_threads(args.threads)
    training.seed_everything(args.seed)
    device = training.pick_device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    images = load_training_images(limit=12 if args.quick else None, pack=args.pack)
    sampler = PairSampler(images, args.scale, args.patch, seed=args.seed)
    val_images = [data.load_rgb(p) for p in data.set5()]
    net = UpscaleNet(args.scale, args.channels, args.body).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    ck = training.Checkpointer(args.out / "checkpoint.pt", {"net": net}, {"opt": opt})
    log = training.LossLog(args.out / "loss.csv", args.out / "loss.png")
    start, extra = 0, {}
    if args.resume and ck.exists():
        start, extra = ck.resume(device)
        log.truncate(start + 1)
        sampler.rng = np.random.default_rng(args.seed + start)  # fresh draws after a resume
        print(f"resumed at step {start}", flush=True)
    elif args.init is not None:
        print(f"initialised from {args.init}: {len(load_matching(net, args.init))} tensors", flush=True)
    loss_fn = losses.charbonnier if args.loss == "charbonnier" else losses.l1
    scaler = training.grad_scaler(device)
    elapsed = float(extra.get("elapsed", 0.0))
    t0 = time.time()
    running: list[float] = []
    done = start
    budget = args.minutes * 60 if args.minutes else None
    while done < args.steps:
        wall = elapsed + time.time() - t0
        at = schedule_step(done, args.steps, wall, budget)
        if at >= args.steps:  # the time budget is spent
            break
        for group in opt.param_groups:
            group["lr"] = learning_rate(at, args.steps, args.lr)
        lr_img, hr_img = (t.to(device) for t in sampler.batch(args.batch))
        with training.autocast(device):
            loss = loss_fn(net(lr_img), hr_img)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        running.append(loss.item())
        done += 1
        if done % args.log_every == 0 or done == args.steps:
            row = {"loss": float(np.mean(running))}
            running.clear()
            if done % args.eval_every == 0 or done == args.steps:
                row["set5_psnr_y"] = validate(net, val_images, device)
            log.log(done, **row)
            wall = elapsed + time.time() - t0
            print(f"step {done}/{args.steps} " + " ".join(f"{k}={v:.4f}" for k, v in row.items())
                  + f" lr={opt.param_groups[0]['lr']:.2e} wall={wall:.0f}s", flush=True)
            if "set5_psnr_y" in row:
                ck.save(done, elapsed=wall, args=_plain(args))
                log.plot(f"Upscale ×{args.scale}")
    wall = elapsed + time.time() - t0
    if done < args.steps:  # stopped by the time budget: log the final Set5 score
        log.log(done, loss=float(np.mean(running)) if running else float("nan"),
                set5_psnr_y=validate(net, val_images, device))
    ck.save(done, elapsed=wall, args=_plain(args))
    log.plot(f"Upscale ×{args.scale}")
    print(f"done: {done} steps, {wall:.0f} s wall, checkpoint {ck.path}", flush=True)
    return ck.path


def _plain(args: argparse.Namespace) -> dict[str, object]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


def main(argv: list[str] | None = None) -> None:
    train(parse_args(argv))


if __name__ == "__main__":
    main()
