"""Which photos edges2photo trains and evaluates on: BSDS500 train+test with their human boundaries
(plus, with ``varied``, the ImageNet sample and CQ100, detector lines only); BSDS500 val = BSD100 for
evaluation only."""

from __future__ import annotations

from pathlib import Path

from models.data import bsds_images, bsds_truth_path, training_images
from models.edges2photo.pairs import EdgeEntry, load_entries

CACHE_DIR = Path("runs/edges2photo")


def bsds_pairs(split: str) -> list[tuple[Path, Path]]:
    """(photo, ground-truth .mat) paths of one BSDS500 split, sorted by name."""
    return [(photo, bsds_truth_path(photo)) for photo in bsds_images(split)]


def train_entries(limit: int | None = None, varied: bool = True) -> list[EdgeEntry]:
    """Edge entries of the training photos (cached under runs/ after the first build; ``limit`` photos
    spread over the list, uncached, for quick runs)."""
    bsds = {photo for photo, _ in bsds_pairs("train") + bsds_pairs("test")}
    pairs = [(photo, bsds_truth_path(photo) if photo in bsds else None)
             for photo in training_images(varied=varied, limit=limit)]
    if limit is not None:
        return load_entries(pairs)
    return load_entries(pairs, CACHE_DIR / f"train_entries_{'varied' if varied else 'bsds'}.pkl")


def bsd100_entries(limit: int | None = None) -> list[EdgeEntry]:
    """Edge entries for BSD100 (= BSDS500 val), evaluation only."""
    pairs = bsds_pairs("val")[:limit]
    return load_entries(pairs, None if limit else CACHE_DIR / "bsd100_photos.pkl")
