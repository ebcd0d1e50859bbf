"""Train the inpainting network: ``python -m models.inpaint.train [--init X.onnx] [--gan-start F] ...``.

The generator learns with the hole-weighted L1 loss; with ``--gan-start F`` (a fraction of the run,
e.g. 0.6) the toolkit's PatchGAN joins from that point with a mask-aware LSGAN loss and feature
matching on its activations (the generator as it was then is kept as ``checkpoint_l1.pt``).
``--w-perc``, ``--w-style`` and ``--w-tv`` (all 0 by default, i.e. the L1 behaviour) add perceptual
and Gram style losses on the ImageNet VGG16 (Liu et al. 2018, LaMa; ``models/inpaint/losses.py``:
pix2pixHD's feature L1 and the relative Gram L1 of the composite over the hole grown by ``--border``
pixels) and total variation over the hole's border; ``--w-unit`` the evaluation's own perceptual distance
(unit-normalised VGG16 features of the whole composite). ``--masks artist`` trains on masks as artists
paint them (strokes, blobs, large areas, object outlines; ``masks.artist_mask``), ``--varied`` on
the ImageNet sample and CQ100 as well. See MODEL_CARD.md for which recipe the shipped weights used.
The schedule (``models.schedules``: 100-step warm-up, cosine to 5 %; the discriminator at a
constant rate) follows the wall-clock budget (default 30 min, one thread, shared CPU) when that ends
first; ``--quick`` runs end to end, GAN phase included, in a few minutes. The run folder (default
``runs/inpaint``) holds ``config.json``, ``checkpoint.pt``, the loss log and previews (masked input
| fill | truth); ``--resume`` continues exactly, ``--init`` starts the generator from a shipped
``inpaint.onnx`` or a run's checkpoint (its width and depth then come from that file). The shared
flags are models/training.py's (``--help``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models import losses as shared_losses
from models import training
from models.inpaint import losses
from models.inpaint.dataset import InpaintSampler, load_training_images
from models.inpaint.init_weights import load_weights, net_shape
from models.nets.inpaint import InpaintNet, composite, make_input
from models.perceptual import features_arg
from models.training import arg


@dataclass
class InpaintRun(training.RunConfig):
    out: str = "runs/inpaint"
    steps: int = 4000
    minutes: float = 30.0
    seed: int = 1234
    lr: float = arg(1e-3, "generator learning rate (peak of the schedule)")
    warmup: int = 100
    log_every: int = 50
    save_every: int = 250
    batch: int = 8
    size: int = arg(128, "side of the square training crops")
    width: int = arg(32, "generator width (from the file with --init)")
    blocks: int = arg(3, "FFC blocks (from the file with --init)")
    lr_d: float = arg(4e-4, "discriminator learning rate (constant)")
    gan_start: float = arg(1.0, "fraction of the run after which the PatchGAN joins; 1 = L1 only")
    w_adv: float = arg(0.02, "adversarial weight in the GAN phase")
    w_fm: float = arg(0.3, "feature-matching weight in the GAN phase")
    d_width: int = arg(32, "PatchGAN width")
    w_perc: float = arg(0.0, "VGG16 feature loss (pix2pixHD) of the composite on the hole + border; 0 = off")
    w_style: float = arg(0.0, "VGG16 relative Gram loss of the composite on the hole + border; 0 = off")
    w_tv: float = arg(0.0, "total variation of the composite over the dilated hole; 0 = off")
    w_unit: float = arg(0.0, "the evaluation's perceptual distance (unit-normalised VGG16 features, whole "
                             "composite) as a loss; 0 = off")
    border: int = arg(8, "the feature losses see the hole grown by this many pixels")
    features: str = features_arg()
    masks: str = arg("brush", "training masks: brush (the evaluation's kind) or artist (masks.artist_mask)")
    varied: bool = arg(False, "also the ImageNet sample and CQ100")

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": 40, "batch": 4, "size": 96, "gan_start": 0.5,
                "log_every": 10, "save_every": 20}


def make_discriminator(cfg: InpaintRun) -> torch.nn.Module:
    from models.inpaint.disc import FeatureDiscriminator

    return FeatureDiscriminator(width=cfg.d_width)


def save_preview(path: Path, image: torch.Tensor, mask: torch.Tensor, comp: torch.Tensor) -> None:
    """A strip per sample: masked input | fill | truth."""
    masked = image * (1 - mask) + mask * torch.tensor([1.0, 0.0, 1.0], device=image.device).view(1, 3, 1, 1)
    training.save_grid([torch.stack([masked[i], comp[i], image[i]]) for i in range(min(4, len(image)))], path)


class InpaintTask(training.TrainingTask):
    cfg: InpaintRun
    unscheduled = ("opt_d",)
    keep_previews = True

    def __init__(self, cfg: InpaintRun, device: torch.device) -> None:
        if cfg.init:  # the network's shape is the init file's
            cfg = dataclasses.replace(cfg, **net_shape(training.initial_state(cfg.init, "generator")))
        super().__init__(cfg, device)
        self.sampler = InpaintSampler(self.training_images(), cfg.size, cfg.seed, masks=cfg.masks)
        self.preview_batch = InpaintSampler(self.sampler.images, cfg.size, seed=99, masks=cfg.masks).batch(4)
        self.gen = InpaintNet(cfg.width, cfg.blocks).to(device)
        self.disc = make_discriminator(cfg).to(device)
        self.modules = {"generator": self.gen, "discriminator": self.disc}
        self.optimizers = {"opt_g": torch.optim.Adam(self.gen.parameters(), lr=cfg.lr, betas=(0.9, 0.99)),
                           "opt_d": torch.optim.Adam(self.disc.parameters(), lr=cfg.lr_d, betas=(0.5, 0.99))}
        self.feature_net = (losses.make_feature_net(cfg.features, "relu5_3" if cfg.w_unit else "relu5_1")
                            .to(device) if cfg.w_perc or cfg.w_style or cfg.w_unit else None)

    def training_images(self) -> list[np.ndarray]:
        return load_training_images(limit=12 if self.cfg.quick else None, varied=self.cfg.varied)

    def generators(self) -> list[np.random.Generator]:
        return [self.rng, self.sampler.rng]

    def initialise(self, path: Path) -> None:
        load_weights(self.gen, training.initial_state(path, "generator"))

    def step(self, step: int, progress: float) -> dict[str, float]:
        gan = progress >= self.cfg.gan_start
        if gan and not self.optimizers["opt_d"].state:  # the discriminator's first step
            self.snapshot("checkpoint_l1.pt", step)
            print(f"GAN phase starts at step {step}", flush=True)
        image, mask = (t.to(self.device) for t in self.sampler.batch(self.cfg.batch))
        pred = self.gen(make_input(image, mask))
        loss, terms = self.generator_losses(pred, image, mask)
        if gan:
            adv_loss, adv_terms = self.adversarial(pred, image, mask)
            loss, terms = loss + adv_loss, {**terms, **adv_terms}
        opt_g = self.optimizers["opt_g"]
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        return {k: float(v.detach()) for k, v in terms.items()}

    def generator_losses(self, pred: torch.Tensor, image: torch.Tensor,
                         mask: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Hole L1 plus the optional perceptual, style and total-variation terms (zero when off)."""
        cfg, zero = self.cfg, torch.zeros((), device=self.device)
        terms = {"l1": losses.hole_l1(pred, image, mask), "adv": zero, "fm": zero, "d": zero,
                 "perc": zero, "style": zero, "tv": zero, "unit": zero}
        if cfg.w_perc or cfg.w_style or cfg.w_unit:
            vgg = losses.vgg_terms(self.feature_net, pred, image, mask, cfg.border,
                                   feature_and_style=bool(cfg.w_perc or cfg.w_style), unit=bool(cfg.w_unit))
            for name, key in (("perc", "feature"), ("style", "style"), ("unit", "unit")):
                terms[name] = vgg.get(key, zero)
        if cfg.w_tv:
            terms["tv"] = losses.hole_border_tv(pred, image, mask)
        loss = (terms["l1"] + cfg.w_perc * terms["perc"] + cfg.w_style * terms["style"]
                + cfg.w_tv * terms["tv"] + cfg.w_unit * terms["unit"])
        return loss, terms

    def adversarial(self, pred: torch.Tensor, image: torch.Tensor,
                    mask: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Update the discriminator once on the composite; return the generator's adversarial and
        feature-matching loss under the updated discriminator."""
        disc, opt_d = self.disc, self.optimizers["opt_d"]
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
        return self.cfg.w_adv * adv + self.cfg.w_fm * fm, {"adv": adv, "fm": fm, "d": d_val.detach()}

    @torch.no_grad()
    def preview(self, path: Path) -> None:
        image, mask = (t.to(self.device) for t in self.preview_batch)
        comp = composite(self.gen(make_input(image, mask)), image, mask)
        save_preview(path, image, mask, comp)


def load_generator(run: str | Path, checkpoint: str | Path | None = None) -> InpaintNet:
    """The generator of a run folder (shape from config.json, weights from its checkpoint.pt or from
    ``checkpoint``, e.g. the run's ``checkpoint_l1.pt``), in eval mode."""
    return training.load_trained(run, InpaintRun, lambda c: InpaintNet(c.width, c.blocks), "generator",
                                 checkpoint)


def main(argv: list[str] | None = None) -> None:
    training.main_for(InpaintTask, InpaintRun, __doc__, argv)


if __name__ == "__main__":
    main()
