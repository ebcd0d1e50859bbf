"""Pixel, colour-statistics (``moments``) and adversarial (hinge, least-squares, relativistic average) losses
shared by the filters' training scripts.

Gram/style/content losses live with the feature network (``models.features``), owned by texture/stylize.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def charbonnier(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    """Mean √((x−y)² + ε²): L1-like, but smooth at zero (LapSRN)."""
    return torch.sqrt((pred - target) ** 2 + eps * eps).mean()


def l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.l1_loss(pred, target)


def tv(image: torch.Tensor) -> torch.Tensor:
    """Anisotropic total variation of an (N, C, H, W) batch: mean absolute neighbour difference."""
    dh = (image[..., 1:, :] - image[..., :-1, :]).abs().mean()
    dw = (image[..., :, 1:] - image[..., :, :-1]).abs().mean()
    return dh + dw


def moments(feature: torch.Tensor) -> torch.Tensor:
    """Per-channel mean and standard deviation over the pixels: (N, 2, C)."""
    flat = feature.flatten(2)
    return torch.stack([flat.mean(dim=2), flat.std(dim=2)], dim=1)


def hinge_d(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge discriminator loss: E[relu(1 − D(real))] + E[relu(1 + D(fake))]."""
    return F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()


def hinge_g(fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge generator loss: −E[D(fake)]."""
    return -fake_logits.mean()


def lsgan_d(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Least-squares GAN discriminator loss (Mao et al. 2017), targets 1 (real) and 0 (fake), halved."""
    return 0.5 * (((real_logits - 1.0) ** 2).mean() + (fake_logits**2).mean())


def lsgan_g(fake_logits: torch.Tensor) -> torch.Tensor:
    """Least-squares GAN generator loss: ½·E[(D(fake) − 1)²]."""
    return 0.5 * ((fake_logits - 1.0) ** 2).mean()


def feature_matching(fake_feats: list[torch.Tensor], real_feats: list[torch.Tensor]) -> torch.Tensor:
    """Mean L1 between discriminator features of the generated and of the real image (pix2pixHD)."""
    losses = [(f - r.detach()).abs().mean() for f, r in zip(fake_feats, real_feats, strict=True)]
    return torch.stack(losses).mean()


def relativistic_d(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Relativistic average discriminator loss (Jolicoeur-Martineau 2018; ESRGAN, Wang et al. 2018):
    real should look more real than the average fake, and fake less real than the average real."""
    real_rel = real_logits - fake_logits.mean()
    fake_rel = fake_logits - real_logits.mean()
    return 0.5 * (F.binary_cross_entropy_with_logits(real_rel, torch.ones_like(real_rel))
                  + F.binary_cross_entropy_with_logits(fake_rel, torch.zeros_like(fake_rel)))


def relativistic_g(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Relativistic average generator loss: the discriminator's targets swapped, so the generator
    gains from both terms (``real_logits`` computed without gradients to the discriminator)."""
    real_rel = real_logits - fake_logits.mean()
    fake_rel = fake_logits - real_logits.mean()
    return 0.5 * (F.binary_cross_entropy_with_logits(real_rel, torch.zeros_like(real_rel))
                  + F.binary_cross_entropy_with_logits(fake_rel, torch.ones_like(fake_rel)))
