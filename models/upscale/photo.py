"""Train the "photo" Upscale model: ``python -m models.upscale.photo --init upscale_x4.onnx [--quick] …``.

SRGAN / ESRGAN recipe (Ledig et al. 2017; Wang et al. 2018) on the same small network as the faithful
model, so it tiles and runs exactly like it: the generator starts from the faithful weights (``--init``)
and is fine-tuned with

    pixel_weight · L1  +  perceptual_weight · VGG16 feature loss  +  adversarial_weight · RaGAN
        +  lattice_weight · sub-pixel lattice term  +  style_weight · Gram loss

- feature loss: ``models.perceptual.feature_loss`` on the ImageNet VGG16 (pix2pixHD's weighted L1 of
  relu1_1 … relu5_1);
- adversarial: a relativistic average GAN (``models.losses.relativistic_d/_g``) against the toolkit's
  70×70 PatchGAN judging HR crops; the discriminator learns at ``d_lr``;
- style: EnhanceNet's texture loss (Sajjadi et al. 2017), the Gram matrices of relu1_2…relu4_3 over each
  HR crop (``models.perceptual.style_loss``): it asks for the crop's texture statistics, not the exact
  pixels, so a deterministic network is not pulled towards the blurred mean of the textures it cannot
  place (on the ×4 net it drew grain on smooth areas instead: the card's stop-42 table);
- lattice: the output's period-s crosshatch against the original's (``models.upscale.lattice``), the
  pattern a PixelShuffle net draws on smooth areas when it is pushed towards VGG features.

Data: BSDS500 train+test and CQ100 at full size, the ImageNet sample at half size (its JPEG photos are
small and blocky: halving them gives clean ×4 targets), never BSD100/Set5/Set14. Logged: the three loss
terms, the discriminator's loss, and on Set5 the PSNR-Y and the VGG16 perceptual distance to the
original relative to bicubic's (the done-when measure of issue #22). ``--features random`` (tests and
smoke runs without the VGG16 download) puts ``models.perceptual.vgg16_features("random")`` in its place.
The shared flags are models/training.py's and models/upscale/train.py's (``--help``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from models import data, losses, training
from models.nets.patchgan import PatchGAN
from models.perceptual import features_arg, image_tensor, perceptual_distance, perceptual_terms
from models.training import arg
from models.upscale.lattice import lattice_loss
from models.upscale.train import UpscaleRun, UpscaleTask, upscale_uint8

#: Per source folder: the downscale applied before cropping HR targets (ImageNet's JPEGs are halved).
SOURCE_SCALES = {"imagenet_sample": 0.5}
#: ``--perceptual-kind`` → the ``models.perceptual.perceptual_terms`` term: pix2pixHD's weighted L1 of
#: relu1_1…relu5_1 (``feature``), or the evaluation distance itself (LPIPS's uncalibrated VGG16 baseline,
#: ``unit``) as the loss.
PERCEPTUAL_LOSSES = {"pix2pixhd": "feature", "unit": "unit"}


@dataclass
class PhotoRun(UpscaleRun):
    out: str = arg("", "run folder (default runs/upscale_photo_x<scale>, _quick with --quick)")
    steps: int = 6000
    lr: float = 1e-4
    warmup: int = 0
    lr_floor: float = 0.1
    channels: int = 48
    loss: str = "l1"
    eval_every: int = 250
    save_every: int = 250
    pixel_weight: float = arg(1.0, "weight of L1 on RGB 0..1")
    perceptual_weight: float = arg(0.01, "weight of the VGG16 feature loss (≈ 64 for the faithful ×4 model)")
    perceptual_kind: str = arg("pix2pixhd", "pix2pixhd (weighted L1 of relu1_1…relu5_1) or unit "
                               "(the evaluation distance, LPIPS's uncalibrated baseline, as the loss)")
    adversarial_weight: float = arg(0.005, "weight of the relativistic GAN loss")
    d_lr: float = arg(1e-4, "the discriminator's learning rate")
    lattice_weight: float = arg(0.0, "weight of the sub-pixel lattice term (squared phase offsets, RGB 0..1)")
    style_weight: float = arg(0.0, "weight of the Gram (texture) loss over each HR crop (relative L1, "
                              "relu1_2…relu4_3)")
    varied: bool = arg(True, "add CQ100 and the (halved) ImageNet sample to BSDS500 train+test")
    features: str = features_arg()

    def __post_init__(self) -> None:
        if not self.out:
            self.out = f"runs/upscale_photo_x{self.scale}{'_quick' if self.quick else ''}"
        if self.perceptual_kind not in PERCEPTUAL_LOSSES:
            raise ValueError(f"--perceptual-kind must be one of {', '.join(PERCEPTUAL_LOSSES)}, "
                             f"not {self.perceptual_kind!r}")
        super().__post_init__()

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": 20, "batch": 2, "log_every": 5, "save_every": 10,
                "eval_every": 10}


def photo_training_images(varied: bool = True, limit: int | None = None) -> list[np.ndarray]:
    """HR training photos as uint8 arrays: BSDS500 train+test (and, with ``varied``, CQ100 and the
    ImageNet sample, each downscaled by :data:`SOURCE_SCALES`)."""
    images = []
    for path in data.training_images(varied=varied, limit=limit):
        image = data.load_rgb(path)
        factor = SOURCE_SCALES.get(path.parent.name, 1.0)
        if factor != 1.0:
            size = (round(image.shape[1] * factor), round(image.shape[0] * factor))
            image = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))
        images.append(image)
    return images


class PhotoTask(UpscaleTask):
    cfg: PhotoRun

    def __init__(self, cfg: PhotoRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        from models.perceptual import vgg16_features

        self.vgg = vgg16_features(cfg.features, "relu5_3").to(device)
        self.disc = PatchGAN(3).to(device)
        self.modules["disc"] = self.disc
        self.optimizers["opt"] = torch.optim.Adam(self.net.parameters(), lr=cfg.lr, betas=(0.9, 0.99))
        self.optimizers["opt_d"] = torch.optim.Adam(self.disc.parameters(), lr=cfg.d_lr, betas=(0.9, 0.99))
        self.bicubic_distance = self.set5_distance(bicubic=True)

    def training_images(self) -> list[np.ndarray]:
        if self.cfg.pack:
            return super().training_images()
        side = self.cfg.patch * self.cfg.scale  # photos smaller than one HR crop are left out
        images = photo_training_images(self.cfg.varied, limit=12 if self.cfg.quick else None)
        return [image for image in images if min(image.shape[:2]) >= side]

    def step(self, step: int, progress: float) -> dict[str, float]:
        cfg = self.cfg
        lr_img, hr_img = (t.to(self.device) for t in self.sampler.batch(cfg.batch))
        sr = self.net(lr_img)
        if cfg.adversarial_weight > 0:
            d_loss, adversarial = self.adversarial_terms(sr, hr_img)
        else:  # no GAN: the discriminator would cost three passes for nothing
            d_loss = adversarial = sr.new_zeros(())
        pixel = F.l1_loss(sr, hr_img)
        kind = PERCEPTUAL_LOSSES[cfg.perceptual_kind]
        vgg_terms = perceptual_terms(self.vgg, sr, hr_img, feature=kind == "feature", unit=kind == "unit",
                                     style=cfg.style_weight > 0)
        perceptual, style = vgg_terms[kind], vgg_terms.get("style", sr.new_zeros(()))
        lattice = lattice_loss(sr, hr_img, cfg.scale) if cfg.lattice_weight > 0 else sr.new_zeros(())
        loss = (cfg.pixel_weight * pixel + cfg.perceptual_weight * perceptual + cfg.style_weight * style
                + cfg.adversarial_weight * adversarial + cfg.lattice_weight * lattice)
        opt = self.optimizers["opt"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        terms = {"loss": loss, "l1": pixel, "perceptual": perceptual, "adversarial": adversarial,
                 "d_loss": d_loss, "lattice": lattice, "style": style}
        return {k: float(v.detach()) for k, v in terms.items()}

    def adversarial_terms(self, sr: torch.Tensor, hr_img: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One discriminator update on (``hr_img``, ``sr``), then the generator's RaGAN loss on ``sr``."""
        self.disc.requires_grad_(True)
        d_loss = losses.relativistic_d(self.disc(hr_img), self.disc(sr.detach()))
        opt_d = self.optimizers["opt_d"]
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        self.disc.requires_grad_(False)
        with torch.no_grad():
            real_logits = self.disc(hr_img)
        return d_loss, losses.relativistic_g(real_logits, self.disc(sr))

    @torch.no_grad()
    def set5_distance(self, bicubic: bool = False) -> float:
        """Mean VGG16 perceptual distance to the originals on Set5 (×scale, border shaved), of this
        model's output rounded to 8 bits or, with ``bicubic``, of PIL bicubic's."""
        self.net.eval()
        s, total = self.cfg.scale, 0.0
        for img in self.val_images:
            hr = data.crop_to_multiple(img, s)
            lr = data.bicubic_downscale(hr, s)
            if bicubic:
                sr = data.bicubic_resize(lr, (hr.shape[1], hr.shape[0]))
            else:
                sr = upscale_uint8(self.net, lr, self.device)
            a, b = image_tensor(sr, self.device), image_tensor(hr, self.device)
            total += float(perceptual_distance(self.vgg, a[..., s:-s, s:-s], b[..., s:-s, s:-s])[0])
        self.net.train()
        return total / len(self.val_images)

    def evaluate(self, step: int, final: bool) -> dict[str, float]:
        values = super().evaluate(step, final)
        if values:
            values["set5_distance_ratio"] = self.set5_distance() / self.bicubic_distance
        return values

    def preview(self, path) -> None:
        """Set5's butterfly and bird, centre crops: bicubic, this model, the original."""
        self.net.eval()
        rows = []
        with torch.no_grad():
            for img in self.val_images[1:3]:
                hr = data.crop_to_multiple(img, self.cfg.scale)[:192, :192]
                lr = data.bicubic_downscale(hr, self.cfg.scale)
                bicubic = data.bicubic_resize(lr, (hr.shape[1], hr.shape[0]))
                rows.append(np.concatenate([bicubic, upscale_uint8(self.net, lr, self.device), hr], 1))
        self.net.train()
        Image.fromarray(np.concatenate(rows, 0)).save(path)


def main(argv: list[str] | None = None) -> None:
    training.main_for(PhotoTask, PhotoRun, __doc__, argv)


if __name__ == "__main__":
    main()
