"""Evaluate the shipped stylize network through the app's own pipeline, against Johnson et al.'s outputs.

    python -m models.evaluate stylize [--limit N] [--no-card]

1. **Johnson et al. 2016 on their chicago.jpg** (shared/data/reference/johnson2016), per style, on the
   ImageNet VGG16 (design §6), for our output and for Johnson's own (both at Johnson's output size):
   - *style distance*: Johnson's style layers relu1_2, relu2_2, relu3_3, relu4_3; per layer
     ‖G(out) − G(painting)‖² / ‖G(painting)‖², averaged; the painting at 512 px long side;
   - *coarse style distance*: the same at relu3_3 + relu4_3 on the images halved and quartered
     (Gaussian pyramid), where fine texture cannot stand in for the painting's large motifs;
   - *content distance*: ‖F(out) − F(photo)‖² / ‖F(photo)‖² at relu3_3.
   Goal (issue #19): style ≤ Johnson's, content ≤ 1.1 × Johnson's, for all five styles.
2. **BSD100** (100 photos, full size): structure (luma SSIM against the photo) and the fine detail's
   horizontal-line share and peakiness (``orientation.py``), each next to the painting's own value, so
   scan lines or dot lattices would show.
Tables are printed and written into plugins/filters/stylize/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from models.card import write_evaluation
from models.data import bsd100, load_rgb, shared_data_dir
from models.features import FeatureNet, gram
from models.metrics import ssim_y
from models.stylize.orientation import horizontal_line_share, peakiness
from models.stylize.train import STYLE_LAYERS, pyramid, style_image
from plugins.filters.stylize.filter import EDGE_MARGIN, frame
from plugins.filters.stylize.styles import STYLES
from plugins.pipeline import apply_filter

CARD = Path("plugins/filters/stylize/MODEL_CARD.md")
PAINTING_SIDE = 512
COARSE_LAYERS = ("relu3_3", "relu4_3")
CONTENT_LAYER = "relu3_3"
#: Johnson et al.'s own output on chicago.jpg for each of our styles (their released models).
JOHNSON_OUTPUTS = {"starry_night": "eccv16/chicago_starry_night.jpg", "the_scream": "chicago_scream.jpg",
                   "wave": "eccv16/chicago_wave.jpg", "composition_vii": "eccv16/chicago_composition_vii.jpg",
                   "udnie": "chicago_udnie.jpg"}


def to_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None]


def stylise(rgb: np.ndarray, style: str) -> np.ndarray:
    """The shipped filter at its defaults, through the app's pipeline."""
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    return apply_filter("stylize", rgba, params={"style": style})[:, :, :3]


def network_stylise(run: Path):
    """A stylise function for a training run's current checkpoint (torch, whole image in the filter's
    reflected frame, padded to the network's multiple): for judging a run before it is exported."""
    from models.stylize.export import load_net

    net = load_net(run)

    @torch.no_grad()
    def apply(rgb: np.ndarray, style: str) -> np.ndarray:
        e = EDGE_MARGIN
        x = to_tensor(frame(rgb))
        h, w = x.shape[2:]
        m = net.cfg.multiple
        x = torch.nn.functional.pad(x, (0, -w % m, 0, -h % m), mode="reflect")
        weights = torch.nn.functional.one_hot(torch.tensor([STYLES.index(style)]), len(STYLES)).float()
        out = net(x, weights)[0, :, e:h - e, e:w - e]
        return (out.permute(1, 2, 0).numpy() * 255 + 0.5).clip(0, 255).astype(np.uint8)

    return apply


def gram_distance(feats: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> float:
    """Mean over layers of ‖G − T‖² / ‖T‖²."""
    return float(np.mean([float((gram(feats[n]) - t).pow(2).sum() / t.pow(2).sum())
                          for n, t in targets.items()]))


class Distances:
    """The three VGG16 distances of an output to its painting and photo."""

    def __init__(self, feat: FeatureNet, painting: torch.Tensor) -> None:
        self.feat = feat
        with torch.no_grad():
            levels = pyramid(painting, 2)
            self.full = {n: gram(f) for n, f in feat(levels[0], list(STYLE_LAYERS)).items()}
            self.coarse = [{n: gram(f) for n, f in feat(level, list(COARSE_LAYERS)).items()}
                           for level in levels[1:]]

    @torch.no_grad()
    def measure(self, out: torch.Tensor, photo: torch.Tensor) -> dict[str, float]:
        levels = pyramid(out, 2)
        feats = self.feat(out, sorted({*STYLE_LAYERS, CONTENT_LAYER}))
        reference = self.feat(photo, [CONTENT_LAYER])[CONTENT_LAYER]
        coarse = [gram_distance(self.feat(level, list(COARSE_LAYERS)), target)
                  for level, target in zip(levels[1:], self.coarse, strict=True)]
        return {"style": gram_distance(feats, self.full), "coarse": float(np.mean(coarse)),
                "content": float((feats[CONTENT_LAYER] - reference).pow(2).mean() / reference.pow(2).mean())}


def versus_johnson(feat: FeatureNet, apply=stylise, sheet: Path | None = None) -> dict[str, dict[str, float]]:
    """Per style: our and Johnson's distances on chicago.jpg, both at Johnson's output size; with
    ``sheet``, a picture of Johnson's output beside ours for each style."""
    ref = shared_data_dir() / "reference" / "johnson2016"
    rows: dict[str, dict[str, float]] = {}
    pictures = []
    for style in STYLES:
        with Image.open(ref / "outputs" / JOHNSON_OUTPUTS[style]) as img:
            johnson = np.asarray(img.convert("RGB"))
        height, width = johnson.shape[:2]
        with Image.open(ref / "content" / "chicago.jpg") as img:
            photo = np.asarray(img.convert("RGB").resize((width, height), Image.Resampling.LANCZOS))
        distances = Distances(feat, style_image(style, PAINTING_SIDE))
        output = apply(photo, style)
        pictures.append(np.concatenate([np.asarray(Image.fromarray(a).resize((510, 338)))
                                        for a in (johnson, output)], axis=1))
        ours = distances.measure(to_tensor(output), to_tensor(photo))
        theirs = distances.measure(to_tensor(johnson), to_tensor(photo))
        rows[style] = {**ours, **{f"johnson_{k}": v for k, v in theirs.items()}}
        print(style, {k: round(v, 3) for k, v in rows[style].items()}, flush=True)
    if sheet is not None:
        Image.fromarray(np.concatenate(pictures, axis=0)).save(sheet)
    return rows


def on_bsd100(limit: int | None) -> dict[str, dict[str, float]]:
    photos = [load_rgb(p) for p in bsd100()[:limit]]
    rows: dict[str, dict[str, float]] = {}
    lines, peaks = zip(*((horizontal_line_share(x), peakiness(x)) for x in map(to_tensor, photos)),
                       strict=True)
    rows["photo"] = {"lines": float(np.mean(lines)), "peaks": float(np.mean(peaks))}
    for style in STYLES:
        structure, lines, peaks = [], [], []
        for photo in photos:
            out = stylise(photo, style)
            structure.append(ssim_y(out, photo, border=0))
            lines.append(horizontal_line_share(to_tensor(out)))
            peaks.append(peakiness(to_tensor(out)))
        painting = style_image(style, 256)
        rows[style] = {"ssim": float(np.mean(structure)), "lines": float(np.mean(lines)),
                       "painting_lines": horizontal_line_share(painting), "peaks": float(np.mean(peaks)),
                       "painting_peaks": peakiness(painting)}
        print(style, {k: round(v, 3) for k, v in rows[style].items()}, flush=True)
    return rows


def markdown(johnson: dict[str, dict[str, float]], bsd: dict[str, dict[str, float]], count: int) -> str:
    lines = ["Johnson et al.'s chicago.jpg, ImageNet VGG16 distances (↓), ours / Johnson's own output at the "
             "same size. Reproduce: `python -m models.evaluate stylize`.", "",
             "| style | style distance | coarse style distance (½, ¼) | content distance (relu3_3) | "
             "goal met |", "|---|---:|---:|---:|:-:|"]
    for style in STYLES:
        r = johnson[style]
        met = r["style"] <= r["johnson_style"] and r["content"] <= 1.1 * r["johnson_content"]
        lines.append(f"| {style} | {r['style']:.3f} / {r['johnson_style']:.3f} | {r['coarse']:.3f} / "
                     f"{r['johnson_coarse']:.3f} | {r['content']:.3f} / {r['johnson_content']:.3f} | "
                     f"{'yes' if met else 'no'} |")
    if not bsd:
        return "\n".join(lines)
    lines += ["", f"BSD100 ({count} photos, full size, through `plugins.pipeline.apply_filter`):", "",
              "| style | structure (luma SSIM vs photo) | horizontal-line share of 2–5 px detail: output / "
              "painting | peakiness of 2–8 px detail: output / painting |", "|---|---:|---:|---:|"]
    for style in STYLES:
        r = bsd[style]
        lines.append(f"| {style} | {r['ssim']:.3f} | {r['lines']:.2f} / {r['painting_lines']:.2f} | "
                     f"{r['peaks']:.2f} / {r['painting_peaks']:.2f} |")
    photo = bsd["photo"]
    lines += ["", f"The photos themselves: horizontal-line share {photo['lines']:.2f}, peakiness "
                  f"{photo['peaks']:.2f}. Detail with no preferred direction puts 0.17 in the ±15° sector; "
                  "coloured noise has a peakiness of 1.3."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    from models.vgg16 import imagenet_vgg16

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="first N BSD100 photos only (not written)")
    parser.add_argument("--no-card", action="store_true", help="print only")
    parser.add_argument("--run", type=Path, default=None,
                        help="judge a training run's checkpoint on chicago.jpg instead (torch, no card; "
                             "writes RUN/chicago.png: Johnson | ours per style)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    feat = imagenet_vgg16(last_layer="relu4_3")
    if args.run is not None:
        rows = versus_johnson(feat, network_stylise(args.run), args.run / "chicago.png")
        print(markdown(rows, {}, 0).split("\n\nBSD100")[0])
        return
    johnson = versus_johnson(feat)
    bsd = on_bsd100(args.limit)
    text = markdown(johnson, bsd, len(bsd100()[:args.limit]))
    print(text)
    if not args.no_card and args.limit is None:
        write_evaluation(CARD, text)


if __name__ == "__main__":
    main()
