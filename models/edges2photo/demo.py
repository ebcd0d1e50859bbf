"""docs/edges2photo_seeds.png: a pen drawing through the shipped filter (the app's own pipeline) with
several seeds and with variation 0.

    python -m models.edges2photo.demo
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from plugins.pipeline import apply_filter

OUT = Path(__file__).resolve().parents[2] / "docs" / "edges2photo_seeds.png"


def house_drawing(width: int = 400, height: int = 260) -> np.ndarray:
    """A landscape drawn with a 3 px pen: horizon, house, sun, a tree. uint8 RGBA."""
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    pen.line([(0, 170), (width, 160)], fill="black", width=3)
    pen.rectangle([80, 100, 200, 190], outline="black", width=3)
    pen.polygon([(70, 100), (140, 50), (210, 100)], outline="black", width=3)
    pen.rectangle([125, 140, 155, 190], outline="black", width=2)
    pen.ellipse([290, 25, 340, 75], outline="black", width=2)
    pen.line([(300, 165), (300, 230)], fill="black", width=4)
    pen.ellipse([265, 105, 335, 170], outline="black", width=3)
    rgb = np.asarray(image)
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])


def main() -> None:
    drawing = house_drawing()
    settings = [{"seed": 0}, {"seed": 1}, {"seed": 2}, {"seed": 0, "variation": 0.0}]
    tiles = [drawing[:, :, :3]] + [apply_filter("edges2photo", drawing, params=p)[:, :, :3] for p in settings]
    gutter = np.full((drawing.shape[0], 4, 3), 255, np.uint8)
    row = np.concatenate([x for tile in tiles for x in (tile, gutter)][:-1], axis=1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(row).save(OUT, optimize=True)
    print(f"wrote {OUT} (drawing | seed 0 | seed 1 | seed 2 | variation 0)")


if __name__ == "__main__":
    main()
