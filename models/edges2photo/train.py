"""Train the edges2photo generator: pix2pix (U-Net + 70×70 PatchGAN, least-squares GAN loss, + λ·L1)
or, with ``--no-gan``, the L1-only baseline, on BSDS500 train+test photos (and, ``--varied``, the
ImageNet sample and CQ100) paired with human, Canny, XDoG and hand-drawn-looking line drawings
(``pairs.py``).

``--vgg-weight`` adds pix2pixHD's perceptual loss on the ImageNet VGG16 (``models.perceptual``:
weighted L1 of relu1_1 … relu5_1 features) and ``--style-weight`` a relative Gram loss at relu1_2 …
relu4_3 (texture statistics), both from one VGG pass of output and photo; ``--unit-weight`` the
evaluation's own perceptual distance (unit-normalised VGG16 features); ``--init`` also takes the
shipped ``edges2photo.onnx`` (``models.export.load_folded_onnx``; its BatchNorms, folded by the
exporter, become identity + bias and stay frozen: ``--frozen-norm``, set by an ``.onnx`` init).

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
from models.export import load_folded_onnx
from models.losses import feature_matching, lsgan_d, lsgan_g, moments
from models.nets.edges2photo import DEFAULT_WIDTHS, UNetGenerator
from models.nets.edges2photo_vgg import VGGEdgesGenerator
from models.perceptual import features_arg
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
    generator_kind: str = arg("unet", "unet (pix2pix) or vgg16 (ImageNet VGG16 encoder, hypercolumns, "
                                      "a global branch: models.nets.edges2photo_vgg)")
    frozen_through: str = arg("conv2_2", "vgg16 generator: encoder convs up to this one stay fixed")
    encoder_lr: float = arg(0.1, "vgg16 generator: the fine-tuned encoder convs' rate ÷ --lr")
    widths: tuple[int, ...] = arg(DEFAULT_WIDTHS, "generator channels per level")
    noise_layers: int = arg(2, "decoder levels that take dropout gains")
    upsample: str = arg("resize", "resize (nearest + 3×3 conv) or transposed")
    frozen_norm: bool = arg(False, "BatchNorm keeps its running statistics (set with --init X.onnx)")
    varied: bool = arg(False, "also the ImageNet sample and CQ100 (detector lines only)")
    vgg_weight: float = arg(0.0, "pix2pixHD VGG16 feature loss (relu1_1 … relu5_1); 0 = off")
    style_weight: float = arg(0.0, "relative Gram loss on VGG16 relu1_2 … relu4_3; 0 = off")
    unit_weight: float = arg(0.0, "the evaluation's perceptual distance (unit-normalised VGG16 "
                                  "features, models.perceptual.unit_feature_loss) as a loss; 0 = off")
    moment_weight: float = arg(0.0, "L1 between the output's and the photo's per-image RGB channel means "
                                    "and standard deviations (keeps colour the distance would drop); 0 = off")
    features: str = features_arg()
    d_lr_scale: float = arg(1.0, "discriminator rate ÷ generator rate")
    monitor: int = arg(0, "every this many steps, the perceptual distance ÷ a flat canvas's on 12 "
                          "training photos (Canny drawings, long side 256); 0 = never")

    def __post_init__(self) -> None:
        if not self.out:
            self.out = f"runs/edges2photo/{'quick_' if self.quick else ''}{'gan' if self.gan else 'l1'}"
        if self.init.endswith(".onnx"):  # a folded graph: its BatchNorms are rebuilt frozen
            self.frozen_norm = True

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": 30, "log_every": 10}

    def generator(self) -> UNetGenerator | VGGEdgesGenerator:
        if self.generator_kind == "vgg16":
            return VGGEdgesGenerator(width=1.0 if self.features == "imagenet" else 0.125)
        if self.generator_kind != "unet":
            raise ValueError(f"--generator-kind must be unet or vgg16, not {self.generator_kind!r}")
        return UNetGenerator(widths=tuple(self.widths), noise_layers=self.noise_layers,
                             upsample=self.upsample, frozen_norm=self.frozen_norm)


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
        self.optimizers = {"opt_g": torch.optim.Adam(self.generator_groups(), lr=cfg.lr, betas=(0.5, 0.999))}
        self.discriminator = None
        if cfg.gan:
            from models.nets.patchgan import PatchGAN  # the toolkit's 70×70 PatchGAN

            # 70×70 receptive field as in pix2pix, half its width (C32-C64-C128-C256) for the CPU.
            self.discriminator = PatchGAN(in_channels=4, base=cfg.d_base).to(device)
            self.modules["discriminator"] = self.discriminator
            self.optimizers["opt_d"] = torch.optim.Adam(self.discriminator.parameters(),
                                                        lr=cfg.lr * cfg.d_lr_scale, betas=(0.5, 0.999))
        self.vgg = None
        if cfg.vgg_weight or cfg.style_weight or cfg.unit_weight or cfg.monitor:
            from models.perceptual import vgg16_features

            self.vgg = vgg16_features(cfg.features, "relu5_3").to(device)
        self.monitor_cases = self.monitor_set() if cfg.monitor else []

    def generator_groups(self) -> list[dict]:
        """All parameters at --lr; for the vgg16 generator, the ImageNet weights loaded (unless --features
        random), the encoder frozen through --frozen-through and its other convs at --encoder-lr × --lr."""
        if not isinstance(self.generator, VGGEdgesGenerator):
            return [{"params": list(self.generator.parameters())}]
        trunk = self.generator.vgg
        if self.cfg.features == "imagenet":
            from models.vgg16 import conv_weights

            trunk.load_vgg16(conv_weights())
        trunk.freeze_through(self.cfg.frozen_through)
        encoder = trunk.encoder_parameters()
        rest = [p for name, p in self.generator.named_parameters() if not name.startswith("vgg.encoder.")]
        return [{"params": rest}] + ([{"params": encoder, "lr": self.cfg.lr * self.cfg.encoder_lr}]
                                     if encoder else [])

    def initialise(self, path: Path) -> None:
        """``--init``: a shipped ``edges2photo.onnx`` (generator only) or another run's checkpoint."""
        if path.suffix == ".onnx":  # BatchNorms folded by the exporter: rebuilt as identity + bias, frozen
            load_folded_onnx(self.generator, path).train()
        else:
            super().initialise(path)

    def training_entries(self) -> list[EdgeEntry]:
        return train_entries(limit=12 if self.cfg.quick else None, varied=self.cfg.varied)

    def monitor_set(self) -> list[tuple[torch.Tensor, torch.Tensor, tuple[int, int]]]:
        """(drawing, photo, size) of 12 training photos at long side 256, Canny drawings as in
        evaluate.py; the flat canvases' distances are computed once, here."""
        from models.edges2photo.evaluate import PLUGIN_DIR, canny_drawing, flat_canvas, make_case
        from models.perceptual import image_tensor, perceptual_distance
        from plugins.contract import load_manifest
        from plugins.netcall import pad

        needs = load_manifest(PLUGIN_DIR / "manifest.toml").model("network")  # the generator's size needs

        def tensor(rgb: np.ndarray) -> torch.Tensor:
            return image_tensor(rgb, self.device)

        cases, flat = [], []
        for entry in self.entries[:: max(1, len(self.entries) // 12)][:12]:
            case = make_case(entry)
            drawing = canny_drawing(case.photo)
            sketch = torch.from_numpy(pad(drawing, needs, 1.0) * 2.0 - 1.0)[None, None].float()
            cases.append((sketch.to(self.device), tensor(case.photo), drawing.shape))
            canvas = tensor(flat_canvas(drawing, case))
            flat.append(float(perceptual_distance(self.vgg, canvas, tensor(case.photo))[0]))
        self.monitor_flat = float(np.mean(flat))
        return cases

    @torch.no_grad()
    def evaluate(self, step: int, final: bool) -> dict[str, float]:
        """``monitor_ratio``: mean perceptual distance of the outputs ÷ the flat canvases' (1 = no better)."""
        if not self.monitor_cases or not (final or step % self.cfg.monitor == 0):
            return {}
        from models.perceptual import perceptual_distance

        self.generator.eval()
        ours = []
        for sketch, photo, (height, width) in self.monitor_cases:
            out = self.generator(sketch, self.generator.mean_noise(1, self.device))[..., :height, :width]
            ours.append(float(perceptual_distance(self.vgg, ((out + 1) * 0.5).clamp(0, 1), photo)[0]))
        self.generator.train()
        return {"monitor_ratio": float(np.mean(ours)) / self.monitor_flat}

    def step(self, step: int, progress: float) -> dict[str, float]:
        cfg = self.cfg
        sketch, photo = to_tensors(sample_batch(self.entries, self.rng, cfg.batch, cfg.crop), self.device)
        fake = self.generator(sketch, self.generator.train_noise(cfg.batch, self.device))
        g_adv = fm = d_loss = torch.zeros((), device=self.device)
        if self.discriminator is not None:
            d_loss, g_adv, fm = self.adversarial(sketch, photo, fake)
        l1 = F.l1_loss(fake, photo)
        zero = torch.zeros((), device=self.device)
        perceptual = {}
        if cfg.vgg_weight or cfg.style_weight or cfg.unit_weight:
            from models.perceptual import perceptual_terms

            both = bool(cfg.vgg_weight or cfg.style_weight)  # the two are logged together
            perceptual = perceptual_terms(self.vgg, (fake + 1) * 0.5, (photo + 1) * 0.5, feature=both,
                                          style=both, unit=bool(cfg.unit_weight))
        vgg, style, unit = (perceptual.get(k, zero) for k in ("feature", "style", "unit"))
        moments = colour_moments(fake, photo) if cfg.moment_weight else torch.zeros((), device=self.device)
        opt_g = self.optimizers["opt_g"]
        opt_g.zero_grad(set_to_none=True)
        (g_adv + cfg.moment_weight * moments + cfg.l1_weight * l1 + cfg.fm_weight * fm + cfg.vgg_weight * vgg
         + cfg.style_weight * style + cfg.unit_weight * unit).backward()
        opt_g.step()
        return {"l1": float(l1.detach()), "g_adv": float(g_adv.detach()), "d_loss": float(d_loss.detach()),
                "fm": float(fm.detach()), "vgg": float(vgg.detach()), "style": float(style.detach()),
                "unit": float(unit.detach()), "moments": float(moments.detach())}

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


def colour_moments(fake: torch.Tensor, photo: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of the per-image, per-channel means and standard deviations (RGB −1..1)."""
    return (moments(fake) - moments(photo)).abs().mean()


def load_generator(run: str | Path) -> UNetGenerator:
    """The generator of a run folder (shape from config.json, weights from checkpoint.pt), in eval mode
    (BatchNorm running statistics)."""
    return training.load_trained(run, Edges2PhotoRun, Edges2PhotoRun.generator, "generator")


def main(argv: list[str] | None = None) -> None:
    training.main_for(Edges2PhotoTask, Edges2PhotoRun, __doc__, argv)


if __name__ == "__main__":
    main()
