"""Train the conditional-instance-norm style network (five paintings, one network) on photo crops.

Loss per sample, for the style it was given (Johnson et al. 2016 on the ImageNet VGG16 of design §6):
- content: relative feature error at ``content_layers`` (Johnson: relu3_3; relu2_2 keeps edges crisper);
- style: relative Gram error at relu1_2, relu2_2, relu3_3, relu4_3 against the painting at
  ``style_side`` px, plus the same at the coarser levels of a Gaussian pyramid of output and painting
  (``pyramid_levels``, at ``pyramid_layers``; Snelgrove 2017). The full-size Grams alone are satisfied
  by fine texture; matching the halved and quartered images asks for the painting's large motifs;
- total variation.
Terms added against what the pictures got wrong (each off by default; the model card says which the shipped
model used): pixel and shallow-layer moments, the photo's light-and-dark layout (``tone``) and a share of its
strength (``layout_contrast``), the pyramid levels' pixel moments, and an edge term against border stripes.
``scene_scale`` < 1 also draws crops from reduced photos, so the network sees whole scenes, as in the app.
Optional terms from the random-network days (MRF patches, spectral direction/concentration) stay
available with weight 0 by default.

``python -m models.stylize.train [--quick] [--steps N] [--minutes M] [--resume] …`` (``--help``; the
shared flags are models/training.py's). The model card gives the commands of the shipped model.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models import training
from models.data import load_rgb, random_flip, random_scaled_crop, shared_data_dir, training_images
from models.features import FeatureNet, gram
from models.losses import moments
from models.nets.stylize import PER_STYLE, StylizeConfig, StylizeNet
from models.stylize.mrf import PatchBank, mrf_loss
from models.stylize.orientation import concentration, direction_shares, spectrum_loss
from models.training import arg
from models.vgg16 import imagenet_vgg16
from plugins.filters.stylize.styles import STYLES
from plugins.luma import LUMA_601

#: Johnson et al.'s style layers on VGG16.
STYLE_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
# Patch stride (painting bank and output) per MRF layer.
MRF_STRIDES = {"relu3_3": 2, "relu4_3": 1}


@dataclass
class StylizeRun(training.RunConfig):
    out: str = "runs/stylize"
    steps: int = 8000
    lr: float = 1e-3
    warmup: int = 100
    crop: int = arg(128, "side of the square photo crops")
    batch: int = 4
    widths: tuple[int, ...] = arg((16, 32, 64, 128), "network channels per resolution (full, 1/2, …)")
    n_res: int = arg(5, "residual blocks at the lowest resolution")
    loss_pool: str = arg("max", "pooling of the loss VGG16: max (as trained) or avg (Gatys: smoother "
                                "gradients, no pixel grid in what it paints)")
    content_layers: tuple[str, ...] = arg(("relu2_2", "relu3_3"), "relative content error, averaged")
    content_weight: float = 1.0
    content_style_factors: tuple[float, ...] = arg(
        (), "per style (the STYLES order), a factor on --content-weight: the styles differ in how far "
            "from the photo their paintings pull (empty = 1 for all)")
    scene_scale: float = arg(1.0, "photos are reduced by a random factor down to this one before cropping, "
                                  "so crops also hold whole scenes (the app styles whole pictures; 1 = "
                                  "full-resolution crops only)")
    style_weight: float = arg(4.0, "weight of the style term (full size and pyramid together)")
    style_layer_weights: tuple[float, ...] = arg(
        (1.0, 1.0, 1.0, 1.0), "weights of the full-size style layers relu1_2, relu2_2, relu3_3, relu4_3 "
        "(colour and contrast live in the shallow ones)")
    style_side: int = arg(512, "long side of the paintings in the loss: larger gives larger strokes")
    pyramid_levels: int = arg(2, "coarser pyramid levels (½, ¼, …) at which the Grams are matched too")
    pyramid_layers: tuple[str, ...] = arg(("relu3_3", "relu4_3"), "layers of the coarse-level Grams")
    pyramid_weight: float = arg(1.0, "weight of each coarse level against the full-size one")
    moment_weight: float = arg(0.0, "per-channel mean and standard deviation of the pixels and the shallow "
                                    "layers as the painting's (Huang & Belongie 2017); the relative Gram "
                                    "error hardly sees a loss of contrast; 0 = off")
    moment_layers: tuple[str, ...] = arg(("pixels", "relu1_2", "relu2_2"),
                                         "where the moments are matched ('pixels' = the RGB output)")
    coarse_moment_weight: float = arg(0.0, "per-channel mean and standard deviation of the output's coarser "
                                           "pyramid levels (½, ¼: the contrast of its large shapes) as the "
                                           "painting's at the same levels; 0 = off")
    tv_weight: float = arg(2.0, "total variation (squared neighbour differences)")
    tone_weight: float = arg(0.0, "the photo's coarse light-and-dark layout (standardised luma at 1/8 size) "
                                  "kept: relu3_3 content hardly sees a dark skyline painted over; 0 = off")
    layout_contrast_weight: float = arg(0.0, "the output keeps at least --layout-contrast of the photo's "
                                             "large-scale light-and-dark contrast (8×8-block luma); 0 = off")
    layout_contrast: float = arg(0.6, "the share of the photo's large-scale contrast to keep")
    tone_style_factors: tuple[float, ...] = arg((), "per style (the STYLES order), a factor on --tone-weight "
                                                    "(empty = 1 for all)")
    grad_clip: float = arg(1.0, "clip the gradient's global norm to this (0 = off)")
    norm_lr_scale: float = arg(3.0, "learning-rate factor of the per-style norm scales and shifts, which "
                                     "otherwise lag far behind the shared convolutions")
    mrf_weight: float = arg(0.0, "Li & Wand patch (MRF) loss (models/stylize/mrf.py); 0 = off")
    direction_weight: float = arg(0.0, "fine detail's direction shares as the painting's; 0 = off")
    peak_weight: float = arg(0.0, "fine detail no more periodic than the painting's; 0 = off")
    edge_weight: float = arg(0.0, "the output on a crop as the same region of the output on a crop "
                                  "edge_margin px larger on every side (with that one's norm statistics): "
                                  "against the stripes the network paints along its input's borders; 0 = off")
    edge_margin: int = arg(32, "the larger crop's extra pixels per side for --edge-weight")
    only_style: str = arg("", "train this style alone (a STYLES name) and only its own norm scales and "
                              "shifts (Dumoulin et al. 2017): the shared convolutions and every other "
                              "style's outputs stay bit for bit as they were; empty = all styles and weights")

    def __post_init__(self) -> None:
        if self.edge_weight and self.edge_margin < 1:
            raise ValueError("--edge-weight needs an --edge-margin of at least 1 px")
        if not 0.0 < self.scene_scale <= 1.0:
            raise ValueError("--scene-scale must be in (0, 1]")
        if self.coarse_moment_weight and self.pyramid_levels < 1:
            raise ValueError("--coarse-moment-weight needs --pyramid-levels of at least 1")
        if self.only_style and self.only_style not in STYLES:
            raise ValueError(f"--only-style must be one of {', '.join(STYLES)}")
        for flag, factors in (("content", self.content_style_factors), ("tone", self.tone_style_factors)):
            if factors and len(factors) != len(STYLES):
                raise ValueError(f"--{flag}-style-factors needs {len(STYLES)} values ({', '.join(STYLES)})")

    def quick_overrides(self) -> dict:
        return {**super().quick_overrides(), "steps": 6, "crop": 64, "batch": 2, "style_side": 128}

    @property
    def frame(self) -> int:
        """Extra pixels per side of each sampled photo crop: the edge term's margin, 0 without the term."""
        return self.edge_margin if self.edge_weight else 0

    @property
    def net_config(self) -> StylizeConfig:
        return StylizeConfig(n_styles=len(STYLES), widths=tuple(self.widths), n_res=self.n_res)


@functools.cache
def _painting(path: Path, side: int) -> np.ndarray:
    """The painting's pixels, read and resized once per run (the Gram, moment and coarse-moment targets
    all start from them)."""
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("RGB")
        scale = side / max(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
        pixels = np.asarray(img, dtype=np.float32) / 255.0
    pixels.flags.writeable = False
    return pixels


def style_image(stem: str, side: int) -> torch.Tensor:
    """The painting ``stem`` from the shared data, long side ``side`` px, (1, 3, H, W) in 0..1."""
    pixels = _painting(shared_data_dir() / "styles" / f"{stem}.jpg", side)
    return torch.from_numpy(pixels.copy()).permute(2, 0, 1)[None]


_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def pyramid_down(image: torch.Tensor) -> torch.Tensor:
    """One Gaussian-pyramid step: 5-tap binomial blur (reflect padding), then every second pixel."""
    channels = image.shape[1]
    kernel = (_BINOMIAL[:, None] * _BINOMIAL[None, :]).to(image).expand(channels, 1, 5, 5)
    return F.conv2d(F.pad(image, (2, 2, 2, 2), mode="reflect"), kernel, stride=2, groups=channels)


def pyramid(image: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """``image`` and its ``levels`` coarser Gaussian-pyramid levels."""
    out = [image]
    for _ in range(levels):
        out.append(pyramid_down(out[-1]))
    return out


def relative_style_loss(feats: dict[str, torch.Tensor], targets: dict[str, torch.Tensor],
                        weights: Sequence[float] | None = None) -> torch.Tensor:
    """Weighted mean over layers of ‖G − T‖² / ‖T‖² per sample, averaged over the batch (targets (N, C, C)).

    Equal weights by default. A relative error gives every layer the same say; Johnson et al.'s plain
    Gram MSE weights each layer by its Gram's size, which on VGG16 puts almost everything on relu1_2
    and relu2_2 (colour, contrast, fine strokes) and almost nothing on relu4_3.
    """
    weights = list(weights) if weights is not None else [1.0] * len(targets)
    total = torch.zeros((), device=next(iter(feats.values())).device)
    for weight, (name, target) in zip(weights, targets.items(), strict=True):
        diff = (gram(feats[name]) - target).pow(2).sum(dim=(1, 2)) / target.pow(2).sum(dim=(1, 2))
        total = total + weight * diff.mean()
    return total / sum(weights)


def relative_content_loss(feats: dict[str, torch.Tensor], targets: dict[str, torch.Tensor],
                          sample_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean over layers of ‖F − P‖² / ‖P‖² (‖P‖² over the batch); ``sample_weights`` (N,) weigh each
    sample's share of the numerator (all ones: the plain error)."""
    errors = []
    for n, target in targets.items():
        per_sample = (feats[n] - target).pow(2).mean(dim=(1, 2, 3))
        if sample_weights is not None:
            per_sample = per_sample * sample_weights
        errors.append(per_sample.mean() / target.pow(2).mean())
    return sum(errors) / len(errors)


def style_targets(feat: FeatureNet, side: int, levels: int = 0,
                  coarse_layers: tuple[str, ...] = ()) -> list[dict[str, torch.Tensor]]:
    """Per pyramid level, the Gram matrices (one row per style, STYLES order) of every painting.

    Level 0 uses :data:`STYLE_LAYERS`; coarser levels ``coarse_layers``.
    """
    with torch.no_grad():
        levels_of = [pyramid(style_image(stem, side), levels) for stem in STYLES]
        out = []
        for level in range(levels + 1):
            layers = STYLE_LAYERS if level == 0 else coarse_layers
            feats = [feat(p[level], list(layers)) for p in levels_of]
            out.append({n: torch.cat([gram(f[n]) for f in feats]) for n in layers})
        return out


def features_and_pixels(feat: FeatureNet, image: torch.Tensor,
                        layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """``feat``'s taps at ``layers``, with ``"pixels"`` standing for the image itself."""
    out = feat(image, [n for n in layers if n != "pixels"]) if set(layers) - {"pixels"} else {}
    return {**out, "pixels": image} if "pixels" in layers else out


def style_moments(feat: FeatureNet, side: int, layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """Per layer, the paintings' moments (one row per style, STYLES order): (n_styles, 2, C)."""
    with torch.no_grad():
        feats = [features_and_pixels(feat, style_image(stem, side), layers) for stem in STYLES]
        return {n: torch.cat([moments(f[n]) for f in feats]) for n in layers}


def coarse_moments(levels: Sequence[torch.Tensor]) -> dict[str, torch.Tensor]:
    """The pixels of pyramid levels 1, 2, … (½, ¼, …) under the names ``pixels_1``, ``pixels_2``, …"""
    return {f"pixels_{k}": level for k, level in enumerate(levels) if k > 0}


def coarse_moment_targets(side: int, levels: int) -> dict[str, torch.Tensor]:
    """Per coarse pyramid level, the paintings' pixel moments (one row per style): (n_styles, 2, 3)."""
    with torch.no_grad():
        per_style = [coarse_moments(pyramid(style_image(stem, side), levels)) for stem in STYLES]
        return {n: torch.cat([moments(p[n]) for p in per_style]) for n in per_style[0]}


def relative_moment_loss(feats: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean over layers of ‖μ − μ̂‖²/‖μ̂‖² + ‖σ − σ̂‖²/‖σ̂‖² per sample, averaged over the batch."""
    errors = []
    for name, target in targets.items():
        diff = (moments(feats[name]) - target).pow(2).sum(dim=2) / target.pow(2).sum(dim=2).clamp_min(1e-8)
        errors.append(diff.sum(dim=1).mean())
    return sum(errors) / len(errors)


def coarse_luma(image: torch.Tensor) -> torch.Tensor:
    """Luma averaged over 8×8 blocks, minus its mean per image: the large-scale light and dark.
    (N, 1, H/8, W/8)."""
    luma = (image * torch.from_numpy(LUMA_601).to(image)[None, :, None, None]).sum(dim=1, keepdim=True)
    coarse = F.avg_pool2d(luma, 8)
    return coarse - coarse.mean(dim=(2, 3), keepdim=True)


def tone_layout(image: torch.Tensor) -> torch.Tensor:
    """:func:`coarse_luma` standardised per image: where the picture is light and where dark, whatever
    its palette and contrast. (N, 1, H/8, W/8)."""
    centred = coarse_luma(image)
    return centred / centred.pow(2).mean(dim=(2, 3), keepdim=True).add(1e-6).sqrt()


def layout_contrast_loss(out: torch.Tensor, photo: torch.Tensor, share: float) -> torch.Tensor:
    """How far the output's large-scale light-and-dark contrast (the standard deviation of
    :func:`coarse_luma`) falls short of ``share`` × the photo's, squared and relative to the photo's
    (0 when it reaches it; more contrast costs nothing). Our outputs kept 0.20–0.62 of chicago.jpg's,
    Johnson et al.'s 0.56–0.78: the tone term sees only the layout, not its strength."""
    spread_out = coarse_luma(out).pow(2).mean(dim=(1, 2, 3)).add(1e-8).sqrt()
    spread_photo = coarse_luma(photo).pow(2).mean(dim=(1, 2, 3)).sqrt()
    shortfall = F.relu(share * spread_photo - spread_out)
    return (shortfall.pow(2) / spread_photo.pow(2).add(1e-4)).mean()


def tone_loss(out: torch.Tensor, photo: torch.Tensor,
              sample_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared difference of the two tone layouts (0 when the light-and-dark layouts agree);
    ``sample_weights`` (N,) weigh each sample's share."""
    per_sample = (tone_layout(out) - tone_layout(photo)).pow(2).mean(dim=(1, 2, 3))
    return (per_sample if sample_weights is None else per_sample * sample_weights).mean()


def total_variation(image: torch.Tensor) -> torch.Tensor:
    return ((image[..., 1:, :] - image[..., :-1, :]).pow(2).mean()
            + (image[..., 1:] - image[..., :-1]).pow(2).mean())


def parameter_groups(net: StylizeNet, cfg: StylizeRun) -> list[dict]:
    """Adam's parameter groups: the shared convolutions at ``lr``, the per-style norm tables at
    ``lr × norm_lr_scale``. With ``only_style`` the shared weights are frozen; the other styles' rows of
    the norm tables then get an exactly zero gradient (their one-hot weight is 0), which Adam turns into
    no change at all."""
    per_style = [p for n, p in net.named_parameters() if n.endswith(PER_STYLE)]
    shared = [p for n, p in net.named_parameters() if not n.endswith(PER_STYLE)]
    groups = [{"params": per_style, "lr": cfg.lr * cfg.norm_lr_scale}]
    if cfg.only_style:
        for p in shared:
            p.requires_grad_(False)
        return groups
    return [{"params": shared, "lr": cfg.lr}, *groups]


def style_indices(cfg: StylizeRun, rng: np.random.Generator) -> torch.Tensor:
    """The style of each sample of a batch: random, or ``only_style`` throughout."""
    if cfg.only_style:
        return torch.full((cfg.batch,), STYLES.index(cfg.only_style))
    return torch.from_numpy(rng.integers(0, len(STYLES), cfg.batch))


class StylizeTask(training.TrainingTask):
    cfg: StylizeRun

    def __init__(self, cfg: StylizeRun, device: torch.device) -> None:
        super().__init__(cfg, device)
        self.feat = imagenet_vgg16(last_layer="relu4_3", pool=cfg.loss_pool).to(device)
        grams = style_targets(self.feat, cfg.style_side, cfg.pyramid_levels, tuple(cfg.pyramid_layers))
        self.targets = [{n: t.to(device) for n, t in level.items()} for level in grams]
        self.content_factors = torch.tensor(cfg.content_style_factors or [1.0] * len(STYLES), device=device)
        self.tone_factors = torch.tensor(cfg.tone_style_factors or [1.0] * len(STYLES), device=device)
        self.moment_targets = ({n: t.to(device) for n, t in
                                style_moments(self.feat, cfg.style_side, cfg.moment_layers).items()}
                               if cfg.moment_weight else {})
        self.coarse_moment_targets = ({n: t.to(device) for n, t in
                                       coarse_moment_targets(cfg.style_side, cfg.pyramid_levels).items()}
                                      if cfg.coarse_moment_weight else {})
        self.photos = [load_rgb(p) for p in training_images(varied=True, limit=12 if cfg.quick else None)]
        self.photos = [p for p in self.photos if min(p.shape[:2]) >= cfg.crop + 2 * cfg.frame]
        self.net = StylizeNet(cfg.net_config).to(device)
        self.modules = {"net": self.net}
        self.optimizers = {"opt": torch.optim.Adam(parameter_groups(self.net, cfg))}
        self.spectral = bool(cfg.direction_weight or cfg.peak_weight)
        if self.spectral:
            with torch.no_grad():
                paintings = [style_image(stem, cfg.style_side) for stem in STYLES]
                self.directions = torch.cat([direction_shares(p) for p in paintings]).to(device)
                self.concentrations = torch.cat([concentration(p) for p in paintings]).to(device)
        self.banks: list[dict[str, PatchBank]] = []
        if cfg.mrf_weight:
            with torch.no_grad():
                feats = [self.feat(style_image(stem, cfg.style_side).to(device), list(MRF_STRIDES))
                         for stem in STYLES]
            self.banks = [{n: PatchBank.from_features(f[n], MRF_STRIDES[n]) for n in MRF_STRIDES}
                          for f in feats]
        self.preview_photos = self.sample_photos(np.random.default_rng(99), 4)

    def initialise(self, path: Path) -> None:
        """Weights from a run's checkpoint.pt or a shipped stylize.onnx (the exporter wraps the net as
        ``net``, so its initializers are ``net.<parameter>``); the shapes must match the config's."""
        self.net.load_state_dict(training.initial_state(path, "net", onnx_prefix="net."))

    def sample_photos(self, rng: np.random.Generator, count: int, side: int | None = None) -> torch.Tensor:
        crops = [random_flip(random_scaled_crop(self.photos[i], side or self.cfg.crop, rng,
                                                self.cfg.scene_scale), rng)
                 for i in rng.integers(0, len(self.photos), count)]
        batch = torch.from_numpy(np.stack(crops).astype(np.float32) / 255.0).permute(0, 3, 1, 2)
        return batch.to(self.device)

    def losses(self, content: torch.Tensor, idx: torch.Tensor) -> dict[str, torch.Tensor]:
        cfg = self.cfg
        weights = F.one_hot(idx, len(STYLES)).float()
        out = self.net(content, weights)
        levels = pyramid(out, cfg.pyramid_levels)
        moment_layers = cfg.moment_layers if cfg.moment_weight else ()
        f_out = features_and_pixels(self.feat, out,
                                    sorted({*STYLE_LAYERS, *cfg.content_layers, *moment_layers}))
        with torch.no_grad():
            f_in = self.feat(content, list(cfg.content_layers))
        terms = {"content": relative_content_loss(f_out, f_in, self.content_factors[idx]),
                 "style": relative_style_loss(f_out, {n: t[idx] for n, t in self.targets[0].items()},
                                              cfg.style_layer_weights),
                 "tv": total_variation(out)}
        if cfg.tone_weight:
            terms["tone"] = tone_loss(out, content, self.tone_factors[idx])
        if cfg.layout_contrast_weight:
            terms["contrast"] = layout_contrast_loss(out, content, cfg.layout_contrast)
        for level in range(1, cfg.pyramid_levels + 1):
            coarse = self.feat(levels[level], list(cfg.pyramid_layers))
            targets = {n: t[idx] for n, t in self.targets[level].items()}
            terms[f"style_{level}"] = relative_style_loss(coarse, targets)
        if self.moment_targets:
            targets = {n: t[idx] for n, t in self.moment_targets.items()}
            terms["moments"] = relative_moment_loss(f_out, targets)
        if self.coarse_moment_targets:
            targets = {n: t[idx] for n, t in self.coarse_moment_targets.items()}
            terms["coarse_moments"] = relative_moment_loss(coarse_moments(levels), targets)
        if self.banks:
            terms["mrf"] = sum(mrf_loss(f_out[n], [self.banks[i][n] for i in idx.tolist()], MRF_STRIDES[n],
                                        tuple(int(o) for o in self.rng.integers(0, MRF_STRIDES[n], 2)))
                               for n in MRF_STRIDES) / len(MRF_STRIDES)
        if self.spectral:
            terms["direction"], terms["peaks"] = spectrum_loss(out, self.directions[idx],
                                                               self.concentrations[idx])
        return terms

    def total(self, terms: dict[str, torch.Tensor]) -> torch.Tensor:
        cfg = self.cfg
        style = terms["style"] + cfg.pyramid_weight * sum(terms[f"style_{k}"]
                                                          for k in range(1, cfg.pyramid_levels + 1))
        loss = cfg.content_weight * terms["content"] + cfg.style_weight * style + cfg.tv_weight * terms["tv"]
        loss = loss + cfg.moment_weight * terms.get("moments", 0.0)
        loss = loss + cfg.coarse_moment_weight * terms.get("coarse_moments", 0.0)
        loss = loss + cfg.tone_weight * terms.get("tone", 0.0)
        loss = loss + cfg.layout_contrast_weight * terms.get("contrast", 0.0)
        loss = loss + cfg.edge_weight * terms.get("edge", 0.0)
        loss = loss + cfg.mrf_weight * terms.get("mrf", 0.0)
        loss = loss + cfg.direction_weight * terms.get("direction", 0.0)
        return loss + cfg.peak_weight * terms.get("peaks", 0.0)

    def edge_loss(self, framed: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        """Mean squared difference between the output on the inner crop of ``framed`` and the same pixels
        of the output on all of ``framed``, both with the latter's normalisation statistics, so that only
        what the input's border does to the picture is left."""
        m = self.cfg.edge_margin
        weights = F.one_hot(idx, len(STYLES)).float()
        with torch.no_grad():
            whole, stats = self.net.run(framed, weights)
        inner = self.net(framed[..., m:-m, m:-m], weights, stats, torch.ones(len(idx), 1, device=self.device))
        return (inner - whole[..., m:-m, m:-m]).pow(2).mean()

    def step(self, step: int, progress: float) -> dict[str, float]:
        m, side = self.cfg.frame, self.cfg.crop
        framed = self.sample_photos(self.rng, self.cfg.batch, side + 2 * m)
        content = framed[..., m:m + side, m:m + side]
        idx = style_indices(self.cfg, self.rng).to(self.device)
        terms = self.losses(content, idx)
        if self.cfg.edge_weight:
            terms["edge"] = self.edge_loss(framed, idx)
        loss = self.total(terms)
        opt = self.optimizers["opt"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        params = [p for p in self.net.parameters() if p.requires_grad]
        norm = torch.nn.utils.clip_grad_norm_(params, self.cfg.grad_clip or float("inf"))
        if torch.isfinite(norm):  # a non-finite gradient (one bad crop) skips the update
            opt.step()
        return {"loss": float(loss.detach()), "grad_norm": float(norm),
                **{k: float(v.detach()) for k, v in terms.items()}}

    @torch.no_grad()
    def preview(self, path: Path) -> None:
        """Rows: the preview photos, then each style on them."""
        self.net.eval()
        rows = [self.preview_photos]
        for s in range(len(STYLES)):
            weights = F.one_hot(torch.full((len(self.preview_photos),), s), len(STYLES)).float()
            rows.append(self.net(self.preview_photos, weights.to(self.device)))
        self.net.train()
        training.save_grid(rows, path)


def main(argv: list[str] | None = None) -> None:
    training.main_for(StylizeTask, StylizeRun, __doc__, argv)


if __name__ == "__main__":
    main()
