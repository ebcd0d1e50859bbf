"""Train the colorize network on desaturated BSDS500 train+test crops.

    python -m models.colorize.train [--quick] [--variant class|gan] [--steps N] [--minutes M] [--resume]

``class``: classification over quantised ab with class rebalancing (Zhang et al. 2016), decoded by
the annealed mean. ``gan``: ab regression with L1 + a PatchGAN conditioned on L (pix2pix style).
Both variants draw the same crops (same data seed), use the same trunk and run for the same steps or
wall-clock budget, so they can be compared fairly. The schedule (``models.schedules``) is a cosine to
zero after a 60-step warm-up (the shipped class run's 3 % of its 2189 steps); the discriminator
learns at half the generator's rate. The run folder (default ``runs/colorize/<variant>``) holds
``config.json``, ``checkpoint.pt`` (with the colour prior's class weights, which decoding uses),
the loss log and ``preview.png`` (rows: grey input, prediction, truth). The shared flags are
models/training.py's (``--help``).

``--trunk vgg16`` (issue #22) puts the U-Net on the ImageNet VGG16 (``models.nets.colorize_vgg``): the
encoder starts from ``models.vgg16.conv_weights()``, its convs up to ``--frozen-through`` stay fixed and
the others are fine-tuned at ``--encoder-lr`` × the decoder's rate; ``--width`` is then the decoder's
width. ``--varied`` adds the ImageNet sample and CQ100 to the photos, ``--long-sides`` resizes every
photo to the app's working sizes. ``--features random`` leaves the trunk's VGG16 at its random init
(tests and smoke runs without the VGG16 download).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models import training
from models.colorize.bins import (
    PRIOR_CORRECTION,
    TEMPERATURE,
    ab_histogram,
    gamut_bins,
    rebalance_weights,
    rebalanced_cross_entropy,
)
from models.colorize.dataset import CropSampler, load_photos
from models.colorize.lab import lab_to_rgb
from models.export import load_folded_onnx
from models.nets.colorize import AB_SCALE, ColorizeNet
from models.training import arg

VARIANTS = ("class", "gan")
TRUNKS = ("unet", "vgg16")


@dataclass
class ColorizeRun(training.RunConfig):
    out: str = arg("", "run folder (default runs/colorize/<variant>, _quick with --quick)")
    variant: str = arg("class", " or ".join(VARIANTS))
    steps: int = 6000
    minutes: float = 22.0
    lr: float = 2e-3
    warmup: int = 60
    lr_floor: float = 0.0
    log_every: int = 50
    save_every: int = 500
    batch: int = 16
    crop: int = 64
    width: int = arg(16, "U-Net width (vgg16 trunk: the decoder's width at ½ resolution)")
    l1_weight: float = arg(10.0, "λ of L1 against the adversarial term (gan)")
    trunk: str = arg("unet", " or ".join(TRUNKS))
    encoder_lr: float = arg(0.1, "vgg16 trunk: the fine-tuned encoder convs' rate, as a share of --lr")
    frozen_through: str = arg("conv2_2", "vgg16 trunk: encoder convs up to this one stay at ImageNet's")
    vgg_width: float = arg(1.0, "vgg16 trunk: channel scale of the VGG16 (1 = the real one; less in tests)")
    features: str = arg("imagenet", "vgg16 trunk: start from the ImageNet weights (imagenet) or a random "
                                     "init (random: tests and smoke runs only)")
    varied: bool = arg(False, "also the ImageNet sample and CQ100 (models.data.training_images(varied=True))")
    long_sides: tuple[int, ...] = arg((), "resize photos to these longer sides (px) instead of the scales")
    decode_weight: float = arg(0.0, "class variant: λ of a squared-error term on the decoded ab (annealed "
                                    "mean with T and --decode-beta, in AB_SCALE units) beside the "
                                    "cross entropy")
    decode_beta: float = arg(0.2, "the β with which --decode-weight's term (and the preview) decodes")
    frozen_norm: bool = arg(False, "BatchNorm keeps its running statistics (set by --init X.onnx; pass it "
                                   "when --init is a checkpoint of such a run)")

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"--variant must be one of {', '.join(VARIANTS)}, not {self.variant!r}")
        if self.trunk not in TRUNKS:
            raise ValueError(f"--trunk must be one of {', '.join(TRUNKS)}, not {self.trunk!r}")
        if self.features not in ("imagenet", "random"):
            raise ValueError(f"--features must be imagenet or random, not {self.features!r}")
        if not self.out:
            self.out = f"runs/colorize/{self.variant}{'_quick' if self.quick else ''}"
        if self.init.endswith(".onnx"):  # a folded graph: its BatchNorms are rebuilt frozen
            self.frozen_norm = True

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": min(self.steps, 30), "minutes": min(self.minutes, 3.0)}


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


def make_discriminator() -> torch.nn.Module:
    """The toolkit's 70×70 PatchGAN (C64-C128-C256-C512) judging (L, ab) pairs."""
    from models.nets.patchgan import PatchGAN

    return PatchGAN(in_channels=3)


class ColorizeTask(training.TrainingTask):
    cfg: ColorizeRun

    def __init__(self, cfg: ColorizeRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        self.sampler = CropSampler(self.photos(), cfg.crop, seed=cfg.seed)
        centres = gamut_bins()
        weights = rebalance_weights(colour_prior(self.sampler, centres), centres)
        self.centres = torch.from_numpy(centres).to(device)
        self.weights = torch.from_numpy(weights).to(device)
        gan = cfg.variant == "gan"
        self.net = ColorizeNet(cfg.variant, torch.from_numpy(centres), width=cfg.width, trunk=cfg.trunk,
                               vgg_width=cfg.vgg_width,
                               class_weights=None if gan else torch.from_numpy(weights)).to(device)
        self.net.frozen_norm = cfg.frozen_norm
        self.net.prior_correction = cfg.decode_beta  # --decode-weight's term decodes with this β
        self.modules = {"net": self.net}
        self.optimizers = {"opt": torch.optim.Adam(self.parameter_groups(), lr=cfg.lr,
                                                   betas=(0.5 if gan else 0.9, 0.999))}
        if gan:
            self.disc = make_discriminator().to(device)
            self.modules["disc"] = self.disc
            self.optimizers["opt_d"] = torch.optim.Adam(self.disc.parameters(), lr=cfg.lr / 2,
                                                        betas=(0.5, 0.999))
        self.preview_L, self.preview_ab = self.preview_batch()

    def parameter_groups(self) -> list[dict]:
        """All parameters at --lr; for the vgg16 trunk, the ImageNet weights loaded (unless --features
        random), the early convs
        frozen and the fine-tuned ones in a group of their own at --encoder-lr × --lr."""
        if self.cfg.trunk != "vgg16":
            return [{"params": list(self.net.parameters())}]
        trunk = self.net.vgg
        if self.cfg.features == "imagenet" and not self.cfg.init.endswith(".onnx"):  # else the file has them
            from models.vgg16 import conv_weights

            trunk.load_vgg16(conv_weights())
        trunk.freeze_through(self.cfg.frozen_through)
        groups = [{"params": trunk.decoder_parameters()}]
        if trunk.encoder_parameters():
            groups.append({"params": trunk.encoder_parameters(), "lr": self.cfg.lr * self.cfg.encoder_lr})
        return groups

    def initialise(self, path: Path) -> None:
        """``--init``: a shipped ``colorize.onnx`` (its BatchNorms folded by the exporter, rebuilt as
        identity + bias and kept frozen) or another run's checkpoint. The decoding's class weights stay
        this run's, the ones its loss uses."""
        if path.suffix == ".onnx":
            load_folded_onnx(self.net, path).train()
        else:
            super().initialise(path)
        if self.cfg.variant == "class":
            self.net.log_weights.copy_(torch.log(self.weights))

    def photos(self) -> list[tuple[np.ndarray, float]]:
        cfg = self.cfg
        return load_photos(cfg.crop, limit=12 if cfg.quick else None, varied=cfg.varied,
                           long_sides=cfg.long_sides)

    def preview_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Six fixed 96² crops of the first eight photos at half size."""
        return CropSampler(load_photos(96, limit=8, scales=(0.5,)), 96, seed=123).batch(6)

    def generators(self) -> list[np.random.Generator]:
        return [self.rng, self.sampler.rng]

    def step(self, step: int, progress: float) -> dict[str, float]:
        L, ab = (t.to(self.device) for t in self.sampler.batch(self.cfg.batch))
        if self.cfg.variant == "class":
            raw, target = self.net.raw(L), F.avg_pool2d(ab, 2)
            loss = rebalanced_cross_entropy(raw, target, self.centres, self.weights)
            values = {"ce": float(loss.detach())}
            if self.cfg.decode_weight:
                decoded = ((self.net.decode(raw) - target) / AB_SCALE).pow(2).mean()
                loss = loss + self.cfg.decode_weight * decoded
                values["decoded"] = float(decoded.detach())
            values["loss"] = float(loss.detach())
        else:
            loss, values = self.gan_losses(L, ab)
        opt = self.optimizers["opt"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return values

    def gan_losses(self, L: torch.Tensor, ab: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        """Update the PatchGAN once (LSGAN); return the generator's loss (λ·L1 + adversarial)."""
        pred = self.net(L) / AB_SCALE
        real = torch.cat([L, ab / AB_SCALE], 1)
        fake = torch.cat([L, pred], 1)
        d_real, d_fake = self.disc(real), self.disc(fake.detach())
        d_loss = 0.5 * ((d_real - 1.0).pow(2).mean() + d_fake.pow(2).mean())
        opt_d = self.optimizers["opt_d"]
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        l1 = (pred - ab / AB_SCALE).abs().mean()
        loss = self.cfg.l1_weight * l1 + (self.disc(fake) - 1.0).pow(2).mean()
        return loss, {"loss": float(loss.detach()), "l1": float(l1.detach()),
                      "d_loss": float(d_loss.detach())}

    @torch.no_grad()
    def preview(self, path: Path) -> None:
        """Rows: grey input, prediction, truth."""
        self.net.eval()
        L, ab = self.preview_L.to(self.device), self.preview_ab.to(self.device)
        pred = self.net(L)
        self.net.train()
        lum = (L + 1.0) * 50.0
        rows = [torch.cat([lum, torch.zeros_like(ab)], 1), torch.cat([lum, pred], 1), torch.cat([lum, ab], 1)]
        training.save_grid([lab_to_rgb(r.cpu()) for r in rows], path)


def load_net(run: str | Path, temperature: float | None = None,
             prior_correction: float | None = None) -> ColorizeNet:
    """The trained network (eval mode) of a run folder, decoding with T and β as given, else with the
    project's chosen ``TEMPERATURE`` and ``PRIOR_CORRECTION``."""
    return training.load_trained(run, ColorizeRun, lambda cfg: ColorizeNet(
        cfg.variant, torch.from_numpy(gamut_bins()), width=cfg.width, trunk=cfg.trunk,
        vgg_width=cfg.vgg_width,
        temperature=TEMPERATURE if temperature is None else temperature,
        prior_correction=PRIOR_CORRECTION if prior_correction is None else prior_correction), "net")


def main(argv: list[str] | None = None) -> None:
    training.main_for(ColorizeTask, ColorizeRun, __doc__, argv)


if __name__ == "__main__":
    main()
