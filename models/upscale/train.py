"""Train the Upscale network: ``python -m models.upscale.train [--quick] [--scale 2|4] [--steps N] …``.

L1/Charbonnier on random BSDS500 train+test crops with PIL-bicubic LR; Adam, a 50-step warm-up and a
cosine decay to 1 % of the rate (``models.schedules``), over whichever of ``--steps`` or ``--minutes``
ends first. The run folder (default ``runs/upscale_x<scale>``) holds ``config.json``,
``checkpoint.pt`` and the loss log (CSV, PNG); ``--resume`` continues a run exactly and ``--init``
starts from a checkpoint or a shipped ``.onnx`` (layers whose shapes match: head and body; narrower
hidden layers are widened without changing the function). Set5 PSNR-Y is logged every
``--eval-every`` steps and at the end (the shipped figures come from ``models.evaluate``).
The shared flags are models/training.py's (``--help``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models import data, losses, metrics, training
from models.nets.upscale import UpscaleNet
from models.perceptual import image_tensor
from models.training import arg
from models.upscale import init_weights
from models.upscale.dataset import PairSampler, load_training_images


@dataclass
class UpscaleRun(training.RunConfig):
    out: str = arg("", "run folder (default runs/upscale_x<scale>, _quick with --quick)")
    steps: int = 4000
    lr: float = 1e-3
    warmup: int = 50
    lr_floor: float = 0.01
    scale: int = arg(4, "2 or 4")
    batch: int = 16
    patch: int = arg(0, "LR patch edge (0: 32 at ×4, 48 at ×2)")
    channels: int = arg(32, "hidden channels")
    body: int = arg(6, "hidden 3×3 layers")
    loss: str = arg("charbonnier", "charbonnier or l1")
    pack: str = arg("", "train on the HR crops of this training pack (.npz) instead of the photos")
    eval_every: int = arg(250, "steps between Set5 validations, a multiple of --log-every (0: at the end)")

    def __post_init__(self) -> None:
        if self.scale not in (2, 4):
            raise ValueError(f"--scale must be 2 or 4, not {self.scale}")
        if self.loss not in ("charbonnier", "l1"):
            raise ValueError(f"--loss must be charbonnier or l1, not {self.loss!r}")
        if not self.patch:
            self.patch = 32 if self.scale == 4 else 48
        if not self.out:
            self.out = f"runs/upscale_x{self.scale}{'_quick' if self.quick else ''}"

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": 200, "batch": min(self.batch, 8), "log_every": 10,
                "save_every": 100, "eval_every": 100}


@torch.no_grad()
def upscale_uint8(net: UpscaleNet, lr: np.ndarray, device: torch.device | str = "cpu") -> np.ndarray:
    """``net`` on one uint8 H×W×3 picture, the result rounded to uint8 as the app writes it."""
    sr = net(image_tensor(lr, device)).clamp(0, 1)[0].permute(1, 2, 0)
    return sr.mul(255).round().byte().cpu().numpy()


@torch.no_grad()
def validate(net: UpscaleNet, hr_images: list[np.ndarray], device: torch.device) -> float:
    """Mean PSNR-Y (border = scale) on HR images, LR by PIL bicubic."""
    net.eval()
    s = net.scale
    scores = []
    for img in hr_images:
        hr = data.crop_to_multiple(img, s)
        scores.append(metrics.psnr_y(upscale_uint8(net, data.bicubic_downscale(hr, s), device), hr, s))
    net.train()
    return float(np.mean(scores))


class UpscaleTask(training.TrainingTask):
    cfg: UpscaleRun

    def __init__(self, cfg: UpscaleRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        self.sampler = PairSampler(self.training_images(), cfg.scale, cfg.patch, seed=cfg.seed)
        self.val_images = self.validation_images()
        self.net = UpscaleNet(cfg.scale, cfg.channels, cfg.body).to(device)
        self.modules = {"net": self.net}
        self.optimizers = {"opt": torch.optim.Adam(self.net.parameters(), lr=cfg.lr)}
        self.loss_fn = losses.charbonnier if cfg.loss == "charbonnier" else losses.l1
        self.scaler = training.grad_scaler(device)

    def training_images(self) -> list[np.ndarray]:
        return load_training_images(limit=12 if self.cfg.quick else None, pack=self.cfg.pack or None)

    def validation_images(self) -> list[np.ndarray]:
        return [data.load_rgb(p) for p in data.set5()]

    def generators(self) -> list[np.random.Generator]:
        return [self.rng, self.sampler.rng]

    def initialise(self, path: Path) -> None:
        print(f"{len(init_weights.load_init(self.net, path))} tensors taken from {path}", flush=True)

    def step(self, step: int, progress: float) -> dict[str, float]:
        lr_img, hr_img = (t.to(self.device) for t in self.sampler.batch(self.cfg.batch))
        opt = self.optimizers["opt"]
        with training.autocast(self.device):
            loss = self.loss_fn(self.net(lr_img), hr_img)
        opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(opt)
        self.scaler.update()
        return {"loss": float(loss.detach())}

    def evaluate(self, step: int, final: bool) -> dict[str, float]:
        if final or (self.cfg.eval_every > 0 and step % self.cfg.eval_every == 0):
            return {"set5_psnr_y": validate(self.net, self.val_images, self.device)}
        return {}


def main(argv: list[str] | None = None) -> None:
    training.main_for(UpscaleTask, UpscaleRun, __doc__, argv)


if __name__ == "__main__":
    main()
