"""Figures for the model card: thumbnails of our output, the Johnson comparison and the contact sheet.

``python -m models.stylize.sheets``  (needs plugins/filters/stylize/stylize.onnx)
  plugins/filters/stylize/thumbs/<style>.png  our network on resources/sample.png (not the paintings)
  docs/stylize_vs_johnson.png                 chicago.jpg: Johnson et al.'s outputs vs ours (and vs the
                                              previous model's, when runs/stylize_old/chicago_<style>.png
                                              were saved with ``--keep-old`` before a new export)
  docs/stylize_contact_sheet.png              every style on four BSD100 (val) photos (run at full size)
  docs/stylize_own_painting.png               the Gatys "own painting" mode, random network beside VGG16
                                              (made by models/stylize/own_painting.py; our results only)

``python -m models.stylize.sheets --only own`` makes just one of them (thumbs, johnson, contact, own).
``python -m models.stylize.sheets --keep-old`` saves the shipped model's chicago outputs for that comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from models.data import bsd100, shared_data_dir
from plugins.filters.stylize.styles import STYLES
from plugins.pipeline import apply_filter

THUMBS = Path("plugins/filters/stylize/thumbs")
DOCS = Path("docs")
OLD_OUTPUTS = Path("runs/stylize_old")
JOHNSON_SIDE = 712
CONTACT_PHOTOS = ("101087.jpg", "119082.jpg", "21077.jpg", "69015.jpg")


def stylise(path: Path | Image.Image, style: str, side: int, **params: object) -> Image.Image:
    img = path if isinstance(path, Image.Image) else Image.open(path)
    img = img.convert("RGBA")
    scale = side / max(img.size)
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    pixels = apply_filter("stylize", np.asarray(img), params={"style": style, **params})
    return Image.fromarray(pixels).convert("RGB")


def labelled(img: Image.Image, text: str) -> Image.Image:
    out = Image.new("RGB", (img.width, img.height + 16), "white")
    out.paste(img, (0, 16))
    ImageDraw.Draw(out).text((3, 2), text, fill="black")
    return out


def grid(rows: list[list[Image.Image]]) -> Image.Image:
    width = max(sum(c.width for c in row) for row in rows)
    height = sum(max(c.height for c in row) for row in rows)
    sheet, y = Image.new("RGB", (width, height), "white"), 0
    for row in rows:
        x = 0
        for cell in row:
            sheet.paste(cell, (x, y))
            x += cell.width
        y += max(c.height for c in row)
    return sheet


def thumbnails() -> None:
    THUMBS.mkdir(parents=True, exist_ok=True)
    sample = Image.open("resources/sample.png")
    for style in STYLES:
        # Stylised at 600 px (strokes at about the scale of a real photo), then shrunk to the thumbnail.
        stylise(sample, style, 600).resize((128, round(128 * sample.height / sample.width)),
                                           Image.Resampling.LANCZOS).save(
            THUMBS / f"{style}.png", optimize=True)


def chicago() -> Path:
    return shared_data_dir() / "reference" / "johnson2016" / "content" / "chicago.jpg"


def keep_old() -> None:
    """The shipped model's chicago outputs, kept under runs/ for the comparison after the next export."""
    OLD_OUTPUTS.mkdir(parents=True, exist_ok=True)
    for style in STYLES:
        stylise(chicago(), style, JOHNSON_SIDE).save(OLD_OUTPUTS / f"chicago_{style}.png")


def versus_johnson() -> None:
    ref = shared_data_dir() / "reference" / "johnson2016"
    pairs = (("the_scream", "chicago_scream.jpg"), ("udnie", "chicago_udnie.jpg"),
             ("starry_night", "eccv16/chicago_starry_night.jpg"), ("wave", "eccv16/chicago_wave.jpg"),
             ("composition_vii", "eccv16/chicago_composition_vii.jpg"))
    rows = []
    for style, theirs in pairs:
        johnson = Image.open(ref / "outputs" / theirs).convert("RGB")
        johnson = johnson.resize((356, 237), Image.Resampling.LANCZOS)
        ours = stylise(chicago(), style, JOHNSON_SIDE).resize((356, 237), Image.Resampling.LANCZOS)
        row = [labelled(johnson, f"Johnson et al. 2016: {style}")]
        old = OLD_OUTPUTS / f"chicago_{style}.png"
        if old.is_file():
            before = Image.open(old).convert("RGB").resize((356, 237), Image.Resampling.LANCZOS)
            row.append(labelled(before, "Holst before (the previously shipped model)"))
        rows.append(row + [labelled(ours, "Holst now (the shipped model)")])
    grid(rows).save(DOCS / "stylize_vs_johnson.png", optimize=True)


def contact_sheet() -> None:
    photos = {p.name: p for p in bsd100()}
    rows = []
    for name in CONTACT_PHOTOS:
        original = Image.open(photos[name]).convert("RGB")
        original = original.resize((original.width // 2, original.height // 2), Image.Resampling.LANCZOS)
        row = [labelled(original, f"BSD100 {name}")]
        # Stylised at the photo's full size (the scale the network was trained at), shown at half size.
        row += [labelled(stylise(photos[name], s, 2 * max(original.size)).resize(
            original.size, Image.Resampling.LANCZOS), s) for s in STYLES]
        rows.append(row)
    grid(rows).save(DOCS / "stylize_contact_sheet.png", optimize=True)


def own_painting_sheet() -> None:
    """Each public-domain painting given as "your own painting", old (random network) beside new (VGG16):
    made by the own-painting evaluation from the same runs (``models/stylize/own_painting.py``)."""
    from models.stylize import own_painting

    own_painting.main(["--no-card"])


SHEETS = {"thumbs": thumbnails, "johnson": versus_johnson, "contact": contact_sheet,
          "own": own_painting_sheet}


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(SHEETS), nargs="+", default=list(SHEETS))
    parser.add_argument("--keep-old", action="store_true",
                        help="only save the shipped model's chicago outputs")
    args = parser.parse_args(argv)
    if args.keep_old:
        keep_old()
        return
    for name in args.only:
        SHEETS[name]()


if __name__ == "__main__":
    main()
