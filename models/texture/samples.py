"""Texture samples, read from ../shared/data at run time: the 8 of the contact sheet and the 6 held-out ones.

``SAMPLES`` (contact sheet, README): BSDS500 train/test crops and three public-domain paintings.
``HELD_OUT`` (the evaluation): crops of BSD100 (BSDS500 val) photos — never trained on, and in none of
the README's pictures.

BSDS500 crops are research-only photos: the contact sheet shows only our synthesized output for them,
never the source. The paintings are public domain (SOURCES.md) and are shown beside their results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from models.data import shared_data_dir


@dataclass(frozen=True)
class Sample:
    name: str
    path: str                                   # relative to the shared data folder
    crop: tuple[int, int, int, int] | None      # (left, top, right, bottom) in source pixels
    public_domain: bool
    long_side: int | None = None                # resize the (cropped) sample to this long side

    def load(self) -> np.ndarray:
        """Float32 H×W×3 in 0..1."""
        image = Image.open(shared_data_dir() / self.path).convert("RGB")
        if self.crop is not None:
            image = image.crop(self.crop)
        if self.long_side is not None:
            scale = self.long_side / max(image.size)
            image = image.resize((round(image.width * scale), round(image.height * scale)),
                                 Image.Resampling.LANCZOS)
        return np.asarray(image, dtype=np.float32) / 255.0


SAMPLES: tuple[Sample, ...] = (
    Sample("stone wall (BSDS 118031)", "photos/bsds500/images/test/118031.jpg", (115, 160, 475, 262), False),
    Sample("ferns (BSDS 159045)", "photos/bsds500/images/train/159045.jpg", (0, 0, 420, 120), False),
    Sample("water (BSDS 43070)", "photos/bsds500/images/train/43070.jpg", (0, 0, 481, 140), False),
    Sample("gravel (BSDS 87065)", "photos/bsds500/images/train/87065.jpg", (261, 101, 481, 321), False),
    Sample("rope (BSDS 138032)", "photos/bsds500/images/train/138032.jpg", (240, 40, 481, 321), False),
    Sample("The Starry Night (van Gogh, 1889)", "styles/starry_night.jpg", None, True, 512),
    Sample("The Great Wave (Hokusai, c.1831)", "styles/wave.jpg", None, True, 512),
    Sample("Composition VII (Kandinsky, 1913)", "styles/composition_vii.jpg", None, True, 512),
)

HELD_OUT: tuple[Sample, ...] = (
    Sample("gravel (BSD100 175043)", "photos/bsds500/images/val/175043.jpg", (290, 0, 481, 321), False),
    Sample("maize grains (BSD100 58060)", "photos/bsds500/images/val/58060.jpg", (135, 105, 315, 205), False),
    Sample("red sponge (BSD100 12084)", "photos/bsds500/images/val/12084.jpg", (0, 70, 140, 300), False),
    Sample("rubble wall (BSD100 33039)", "photos/bsds500/images/val/33039.jpg", (0, 0, 321, 200), False),
    Sample("raked gravel (BSD100 86016)", "photos/bsds500/images/val/86016.jpg", (260, 200, 481, 321), False),
    Sample("sagebrush (BSD100 38082)", "photos/bsds500/images/val/38082.jpg", (0, 0, 180, 321), False),
)
