"""Train the inpainting network: ``python -m models.inpaint.train [--init X.onnx] [--gan-start F] ...``.

The generator learns with the hole-weighted L1 loss; with ``--gan-start F`` (a fraction of the run,
e.g. 0.6) the toolkit's PatchGAN joins from that point with a mask-aware LSGAN loss and feature
matching on its activations. ``--w-perc``, ``--w-style`` and ``--w-tv`` (all 0 by default, i.e. the
old L1 behaviour) add the partial-convolution recipe of Liu et al. 2018 on the random-weight
FeatureNet (``models/inpaint/losses.py``): perceptual and Gram style losses of the output and of the
composite, and total variation over the hole's border; ``--perc-scales 2`` also takes them at half
resolution (a larger receptive field). See MODEL_CARD.md for which recipe the shipped weights used.
The schedule follows the wall-clock budget (default 30 min, one thread, shared CPU); ``--quick``
runs end to end, GAN phase included, in a few minutes. Checkpoints, a loss log and preview images
go to ``runs/inpaint`` (git-ignored); ``--resume`` continues from ``runs/inpaint/state.pt``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from models import losses as shared_losses
from models.inpaint import losses
from models.inpaint.dataset import InpaintSampler, load_training_images
from models.inpaint.init_weights import net_from_onnx
from models.nets.inpaint import InpaintNet, composite, make_input

RUN_DIR = Path("runs/inpaint")


@dataclass
class Config:
    steps: int = 4000
    batch: int = 8
    size: int = 128
    width: int = 32
    blocks: int = 3
    lr: float = 1e-3
    lr_d: float = 4e-4
    gan_start: float = 1.0  # fraction of the run after which the GAN joins; 1.0 = L1 only (shipped)
    w_adv: float = 0.02
    w_fm: float = 0.3
    d_width: int = 32
    w_perc: float = 0.0  # Liu et al. perceptual loss (relative feature L1, output + composite); 0 = off
    w_style: float = 0.0  # Gram style loss (relative Gram L1, output + composite); 0 = off
    w_tv: float = 0.0  # total variation of the composite over the dilated hole; 0 = off
    perc_scales: int = 1  # the feature losses at 1, ½, … resolution (averaged)
    warmup: int = 100  # steps of linear learning-rate warm-up
    seed: int = 1234
    time_limit_min: float = 30.0


def progress_at(step: int, seconds: float, cfg: Config) -> float:
    """How far the run is, 0..1: by steps or by the wall-clock budget, whichever is further.

    The schedule follows this rather than the step count alone, so that a run slowed down by a
    busy shared CPU still decays its learning rate and reaches its GAN phase within the budget.
    """
    return min(1.0, max(step / max(1, cfg.steps), seconds / 60 / cfg.time_limit_min))


def lr_at(step: int, progress: float, cfg: Config) -> float:
    """Linear warm-up over ``cfg.warmup`` steps, then cosine decay to 5 % of the base rate."""
    warm = min(1.0, (step + 1) / max(1, cfg.warmup))
    return cfg.lr * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def make_discriminator(cfg: Config) -> nn.Module:
    from models.inpaint.disc import FeatureDiscriminator

    return FeatureDiscriminator(width=cfg.d_width)


def save_preview(path: Path, image: torch.Tensor, mask: torch.Tensor, comp: torch.Tensor) -> None:
    """A strip per sample: masked input | fill | truth."""
    from PIL import Image

    masked = image * (1 - mask) + mask * torch.tensor([1.0, 0.0, 1.0]).view(1, 3, 1, 1)
    rows = [torch.cat([masked[i], comp[i], image[i]], dim=2) for i in range(min(4, len(image)))]
    grid = torch.cat(rows, dim=1).clamp(0, 1).permute(1, 2, 0).numpy()
    Image.fromarray((grid * 255 + 0.5).astype(np.uint8)).save(path)


def train(cfg: Config, out: Path, images: list[np.ndarray] | None = None, resume: bool = False,
          init: Path | None = None) -> Path:
    """Run the training; returns the path of the final generator checkpoint.

    With ``resume`` the generator (and discriminator, if the GAN phase had begun) continue from
    ``out/state.pt``; the wall-clock budget counts the time already spent. With ``init`` the
    generator starts from the weights of a shipped ``inpaint.onnx`` (fresh optimiser, step 0);
    its width and depth then come from that file, not from ``cfg``.
    """
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    sampler = InpaintSampler(images if images is not None else load_training_images(), cfg.size, cfg.seed)
    gen = InpaintNet(cfg.width, cfg.blocks)
    if init is not None:
        gen = net_from_onnx(init).train()
        cfg.width, cfg.blocks = gen.config["width"], gen.config["blocks"]
        (out / "config.json").write_text(json.dumps({**asdict(cfg), "init": str(init)}, indent=2))
        print(f"generator initialised from {init}", flush=True)
    opt_g = torch.optim.Adam(gen.parameters(), lr=cfg.lr, betas=(0.9, 0.99))
    disc: nn.Module | None = None
    opt_d: torch.optim.Optimizer | None = None
    first, spent = 0, 0.0
    if resume and (out / "state.pt").exists():
        state = torch.load(out / "state.pt", map_location="cpu", weights_only=False)
        gen.load_state_dict(state["gen"])
        opt_g.load_state_dict(state["opt_g"])
        if state.get("disc") is not None:
            disc, opt_d = _make_disc(cfg)
            disc.load_state_dict(state["disc"])
            opt_d.load_state_dict(state["opt_d"])
        first, spent = state["step"], state["seconds"]
        sampler.rng = np.random.default_rng(cfg.seed + first)
        print(f"resumed at step {first} after {spent / 60:.1f} min", flush=True)
    preview_batch = InpaintSampler(sampler.images, cfg.size, seed=99).batch(4)
    feature_net = losses.make_feature_net() if cfg.w_perc or cfg.w_style else None

    start = time.time() - spent
    step = first
    with (out / "loss.csv").open("a" if first else "w", newline="") as fh:
        log = csv.writer(fh)
        if not first:
            log.writerow(["step", "seconds", "lr", "l1", "adv", "fm", "d", "perc", "style", "tv"])
        for step in range(first, cfg.steps):
            seconds = time.time() - start
            progress = progress_at(step, seconds, cfg)
            if seconds / 60 >= cfg.time_limit_min:
                print(f"time budget reached at step {step}", flush=True)
                break
            lr = lr_at(step, progress, cfg)
            for group in opt_g.param_groups:
                group["lr"] = lr
            gan = progress >= cfg.gan_start
            if gan and disc is None:
                _checkpoint(out, gen, cfg, step - 1, "l1")
                disc, opt_d = _make_disc(cfg)
                print(f"GAN phase starts at step {step}", flush=True)
            image, mask = sampler.batch(cfg.batch)
            pred = gen(make_input(image, mask))
            l1 = losses.hole_l1(pred, image, mask)
            loss = l1
            adv = fm = d_val = perc = style = tv = torch.zeros(())
            if feature_net is not None:
                perc, style = losses.perceptual_style(feature_net, pred, image, mask, scales=cfg.perc_scales)
                loss = loss + cfg.w_perc * perc + cfg.w_style * style
            if cfg.w_tv:
                tv = losses.hole_border_tv(pred, image, mask)
                loss = loss + cfg.w_tv * tv
            if gan:
                assert disc is not None and opt_d is not None
                comp = composite(pred, image, mask)
                d_val = losses.d_loss(disc(image)[0], disc(comp.detach())[0], mask)
                opt_d.zero_grad(set_to_none=True)
                d_val.backward()
                opt_d.step()
                disc.requires_grad_(False)
                g_out, g_feats = disc(comp)
                with torch.no_grad():
                    r_feats = disc(image)[1]
                disc.requires_grad_(True)
                adv = losses.g_adv_loss(g_out, mask)
                fm = shared_losses.feature_matching(g_feats, r_feats)
                loss = loss + cfg.w_adv * adv + cfg.w_fm * fm
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            opt_g.step()
            log.writerow([step, f"{seconds:.1f}", f"{lr:.2e}", f"{l1.item():.5f}", f"{adv.item():.4f}",
                          f"{fm.item():.4f}", f"{d_val.item():.4f}", f"{perc.item():.4f}",
                          f"{style.item():.4f}", f"{tv.item():.5f}"])
            if step % 50 == 0:
                fh.flush()
                print(f"step {step:5d} {seconds:7.1f}s lr {lr:.1e} l1 {l1.item():.4f} adv {adv.item():.3f} "
                      f"fm {fm.item():.3f} d {d_val.item():.3f} perc {perc.item():.3f} "
                      f"style {style.item():.3f} tv {tv.item():.4f}", flush=True)
            if step % 250 == 0 and step > first:
                _save_state(out, gen, opt_g, disc, opt_d, step + 1, time.time() - start)
                _checkpoint(out, gen, cfg, step, "last")
                _preview(out / f"preview_{step:05d}.png", gen, preview_batch)
        else:
            step = cfg.steps  # every step ran; ``step`` now counts them, as after a break
    _save_state(out, gen, opt_g, disc, opt_d, step, time.time() - start)
    final = _checkpoint(out, gen, cfg, step - 1, "last")
    _preview(out / "preview_final.png", gen, preview_batch)
    print(f"done: {step} steps in {(time.time() - start) / 60:.1f} min -> {final}", flush=True)
    return final


def _make_disc(cfg: Config) -> tuple[nn.Module, torch.optim.Optimizer]:
    disc = make_discriminator(cfg)
    return disc, torch.optim.Adam(disc.parameters(), lr=cfg.lr_d, betas=(0.5, 0.99))


def _preview(path: Path, gen: InpaintNet, batch: tuple[torch.Tensor, torch.Tensor]) -> None:
    image, mask = batch
    with torch.no_grad():
        save_preview(path, image, mask, composite(gen(make_input(image, mask)), image, mask))


def _save_state(out: Path, gen: nn.Module, opt_g: torch.optim.Optimizer, disc: nn.Module | None,
                opt_d: torch.optim.Optimizer | None, step: int, seconds: float) -> None:
    torch.save({"gen": gen.state_dict(), "opt_g": opt_g.state_dict(),
                "disc": disc.state_dict() if disc is not None else None,
                "opt_d": opt_d.state_dict() if opt_d is not None else None,
                "step": step, "seconds": seconds}, out / "state.pt")


def _checkpoint(out: Path, gen: InpaintNet, cfg: Config, step: int, name: str) -> Path:
    path = out / f"gen_{name}.pt"
    torch.save({"state_dict": gen.state_dict(), "net": gen.config, "step": step + 1, "config": asdict(cfg)},
               path)
    return path


def load_generator(path: Path) -> InpaintNet:
    """Rebuild a generator from a checkpoint written by :func:`train`."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    gen = InpaintNet(**ckpt["net"])
    gen.load_state_dict(ckpt["state_dict"])
    return gen.eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny end-to-end run (a couple of minutes)")
    parser.add_argument("--steps", type=int, help="number of generator steps")
    parser.add_argument("--out", type=Path, default=RUN_DIR)
    parser.add_argument("--gan-start", type=float, help="fraction of the run when the PatchGAN joins")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/state.pt")
    parser.add_argument("--init", type=Path, help="start the generator from this inpaint.onnx's weights")
    parser.add_argument("--minutes", type=float, help="wall-clock budget (drives the schedule)")
    parser.add_argument("--lr", type=float, help="generator learning rate (peak of the cosine schedule)")
    parser.add_argument("--device", default="cpu", help="only cpu is used by this script")
    parser.add_argument("--w-perc", type=float, help="weight of the perceptual loss (default 0 = off)")
    parser.add_argument("--w-style", type=float, help="weight of the Gram style loss (default 0 = off)")
    parser.add_argument("--w-tv", type=float, help="weight of the hole-border total variation (default 0)")
    parser.add_argument("--perc-scales", type=int, help="feature losses at this many scales (default 1)")
    parser.add_argument("--w-adv", type=float, help="adversarial weight in the GAN phase (default 0.02)")
    parser.add_argument("--w-fm", type=float, help="feature-matching weight in the GAN phase (default 0.3)")
    parser.add_argument("--seed", type=int, help="sampler/initialisation seed (default 1234)")
    parser.add_argument("--warmup", type=int, help="learning-rate warm-up steps (default 100)")
    args = parser.parse_args(argv)
    cfg = Config()
    if args.quick:
        cfg = Config(steps=40, batch=4, size=96, gan_start=0.5, time_limit_min=3.0)
    if args.steps:
        cfg.steps = args.steps
    if args.gan_start is not None:
        cfg.gan_start = args.gan_start
    if args.minutes is not None:
        cfg.time_limit_min = args.minutes
    if args.lr is not None:
        cfg.lr = args.lr
    for name in ("w_perc", "w_style", "w_tv", "perc_scales", "w_adv", "w_fm", "seed", "warmup"):
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    train(cfg, args.out, resume=args.resume, init=args.init)


if __name__ == "__main__":
    main()
