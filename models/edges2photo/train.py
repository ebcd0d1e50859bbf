"""Train the edges2photo generator: pix2pix (U-Net + 70×70 PatchGAN, least-squares GAN loss, + λ·L1)
or, with ``--no-gan``, the L1-only baseline, on BSDS500 train+test photos paired with human, Canny
and XDoG line drawings.

    python -m models.edges2photo.train [--quick] [--steps N] [--no-gan] [--minutes M] [--resume]

Both variants draw the same training pairs (same data seed) for the same number of steps, so the
only difference between them is the adversarial term. pix2pix's schedule (``models.schedules``
``linear_tail``): the full rate for the first half of the run, then linear to zero. The run folder
(default ``runs/edges2photo/<gan|l1>``) holds ``config.json``, ``checkpoint.pt``, the loss log and
the sample sheets (``preview_<step>.png``: sketch / output / photo rows); ``--resume`` continues
exactly, ``--init RUN/checkpoint.pt`` fine-tunes from another run's generator (and discriminator,
in GAN mode, when it has one) with fresh optimisers and a new schedule. The shared flags are
models/training.py's (``--help``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models import training
from models.edges2photo.data import train_entries
from models.edges2photo.pairs import EdgeEntry, sample_batch
from models.losses import feature_matching, lsgan_d, lsgan_g
from models.nets.edges2photo import DEFAULT_WIDTHS, UNetGenerator
from models.training import arg


@dataclass
class Edges2PhotoRun(training.RunConfig):
    out: str = arg("", "run folder (default runs/edges2photo/<gan|l1>, quick_… with --quick)")
    steps: int = 9000
    lr: float = 2e-4
    schedule: str = "linear_tail"
    lr_floor: float = 0.0
    log_every: int = 50
    save_every: int = 200
    gan: bool = arg(True, "the adversarial term (--no-gan: the L1-only baseline, no discriminator)")
    batch: int = 8
    crop: int = 128
    d_base: int = arg(32, "PatchGAN width (pix2pix: 64)")
    l1_weight: float = 100.0
    fm_weight: float = arg(0.0, "discriminator feature-matching weight (pix2pixHD uses 10; 0 = off)")
    widths: tuple[int, ...] = arg(DEFAULT_WIDTHS, "generator channels per level")
    noise_layers: int = arg(2, "decoder levels that take dropout gains")
    upsample: str = arg("resize", "resize (nearest + 3×3 conv) or transposed")

    def __post_init__(self) -> None:
        if not self.out:
            self.out = f"runs/edges2photo/{'quick_' if self.quick else ''}{'gan' if self.gan else 'l1'}"

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": 30, "log_every": 10}

    def generator(self) -> UNetGenerator:
        return UNetGenerator(widths=tuple(self.widths), noise_layers=self.noise_layers,
                             upsample=self.upsample)


def to_tensors(batch: tuple[np.ndarray, np.ndarray],
               device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    sketch, photo = batch
    return torch.from_numpy(sketch).float().to(device), torch.from_numpy(photo).float().to(device)


class Edges2PhotoTask(training.TrainingTask):
    cfg: Edges2PhotoRun
    keep_previews = True

    def __init__(self, cfg: Edges2PhotoRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        self.entries = self.training_entries()
        self.fixed = to_tensors(sample_batch(self.entries, np.random.default_rng(1234), 6, cfg.crop), device)
        self.generator = cfg.generator().to(device)
        self.modules = {"generator": self.generator}
        self.optimizers = {"opt_g": torch.optim.Adam(self.generator.parameters(), lr=cfg.lr,
                                                     betas=(0.5, 0.999))}
        self.discriminator = None
        if cfg.gan:
            from models.nets.patchgan import PatchGAN  # the toolkit's 70×70 PatchGAN

            # 70×70 receptive field as in pix2pix, half its width (C32-C64-C128-C256) for the CPU.
            self.discriminator = PatchGAN(in_channels=4, base=cfg.d_base).to(device)
            self.modules["discriminator"] = self.discriminator
            self.optimizers["opt_d"] = torch.optim.Adam(self.discriminator.parameters(), lr=cfg.lr,
                                                        betas=(0.5, 0.999))

    def training_entries(self) -> list[EdgeEntry]:
        return train_entries(limit=12 if self.cfg.quick else None)

    def step(self, step: int, progress: float) -> dict[str, float]:
        cfg = self.cfg
        sketch, photo = to_tensors(sample_batch(self.entries, self.rng, cfg.batch, cfg.crop), self.device)
        fake = self.generator(sketch, self.generator.train_noise(cfg.batch, self.device))
        g_adv = fm = d_loss = torch.zeros((), device=self.device)
        if self.discriminator is not None:
            d_loss, g_adv, fm = self.adversarial(sketch, photo, fake)
        l1 = F.l1_loss(fake, photo)
        opt_g = self.optimizers["opt_g"]
        opt_g.zero_grad(set_to_none=True)
        (g_adv + cfg.l1_weight * l1 + cfg.fm_weight * fm).backward()
        opt_g.step()
        return {"l1": float(l1.detach()), "g_adv": float(g_adv.detach()), "d_loss": float(d_loss.detach()),
                "fm": float(fm.detach())}

    def adversarial(self, sketch: torch.Tensor, photo: torch.Tensor,
                    fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Update the discriminator once (LSGAN); return its loss and the generator's adversarial and
        feature-matching terms under the updated discriminator."""
        disc, opt_d = self.discriminator, self.optimizers["opt_d"]
        real = torch.cat([sketch, photo], 1)
        d_loss = lsgan_d(disc(real), disc(torch.cat([sketch, fake.detach()], 1)))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        logits, fake_feats = disc.features(torch.cat([sketch, fake], 1))
        fm = torch.zeros((), device=self.device)
        if self.cfg.fm_weight:
            with torch.no_grad():  # the features of the real pair under the updated discriminator
                real_feats = disc.features(real)[1]
            fm = feature_matching(fake_feats, real_feats)
        return d_loss.detach(), lsgan_g(logits), fm

    @torch.no_grad()
    def preview(self, path: Path) -> None:
        """A sheet of sketch / output / photo rows in eval mode with dropout gains at their expectation."""
        sketches, photos = self.fixed
        self.generator.eval()
        fake = self.generator(sketches, self.generator.mean_noise(len(sketches), sketches.device))
        self.generator.train()
        training.save_grid([(x + 1) / 2 for x in (sketches, fake, photos)], path)


def load_generator(run: str | Path) -> UNetGenerator:
    """The generator of a run folder (shape from config.json, weights from checkpoint.pt), in eval mode
    (BatchNorm running statistics)."""
    return training.load_trained(run, Edges2PhotoRun, Edges2PhotoRun.generator, "generator")


def main(argv: list[str] | None = None) -> None:
    training.main_for(Edges2PhotoTask, Edges2PhotoRun, __doc__, argv)


if __name__ == "__main__":
    main()
