"""Deterministic benchmark inputs made by our own code (no dataset is needed to run a benchmark)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from plugins import registry
from plugins.chain import works_on_region
from plugins.contract import FilterSpec, InputKind
from plugins.registry import FilterEntry

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample.png"


@lru_cache(maxsize=1)
def _sample() -> Image.Image:
    return Image.open(SAMPLE).convert("RGBA")


def photo(width: int, height: int) -> np.ndarray:
    """The bundled sample image resized to width×height, uint8 RGBA."""
    return np.asarray(_sample().resize((width, height), Image.Resampling.BILINEAR)).copy()


def drawing(width: int, height: int) -> np.ndarray:
    """Dark lines on white (edges of the sample), for the sketch filter."""
    gray = np.asarray(_sample().convert("L").resize((width, height), Image.Resampling.BILINEAR), np.float32)
    edges = (np.abs(np.diff(gray, axis=0, prepend=gray[:1]))
             + np.abs(np.diff(gray, axis=1, prepend=gray[:, :1])))
    value = np.where(edges > 12, 0, 255).astype(np.uint8)
    rgba = np.empty((height, width, 4), np.uint8)
    rgba[:, :, :3] = value[:, :, None]
    rgba[:, :, 3] = 255
    return rgba


def blob_mask(width: int, height: int, fraction: float = 0.05) -> np.ndarray:
    """An elliptical mask covering about ``fraction`` of the image, float32 0..1."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    ry = np.sqrt(fraction * height * height / np.pi)
    rx = np.sqrt(fraction * width * width / np.pi)
    return (((x - width * 0.4) / rx) ** 2 + ((y - height * 0.55) / ry) ** 2 <= 1).astype(np.float32)


def filter_inputs(spec: FilterSpec, width: int, height: int) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """What a benchmark gives a filter, from its manifest: a drawing for a sketch filter, a mask for one
    that works on a region (or whose ``[test]`` asks for one), and the ``[test] bench`` parameters."""
    pixels = drawing(width, height) if spec.input == InputKind.SKETCH else photo(width, height)
    mask = blob_mask(width, height) if works_on_region(spec) or spec.test.mask else None
    return pixels, mask, dict(spec.test.bench)


def benchmarked() -> list[FilterEntry]:
    """The filters the benchmarks measure: every built-in one (see ``plugins.registry.builtin_filters``)."""
    return registry.builtin_filters()
