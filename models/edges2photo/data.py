"""Which BSDS500 photos edges2photo trains and evaluates on (train+test for training, val = BSD100)."""

from __future__ import annotations

from pathlib import Path

from models.data import bsds_images, shared_data_dir
from models.edges2photo.pairs import EdgeEntry, load_entries

CACHE_DIR = Path("runs/edges2photo")


def bsds_pairs(split: str) -> list[tuple[Path, Path]]:
    """(photo, ground-truth .mat) paths of one BSDS500 split, sorted by name."""
    truth = shared_data_dir() / "photos" / "bsds500" / "ground_truth" / split
    return [(photo, truth / f"{photo.stem}.mat") for photo in bsds_images(split)]


def train_entries(limit: int | None = None) -> list[EdgeEntry]:
    """Edge entries for BSDS500 train+test (cached under runs/ after the first build)."""
    pairs = bsds_pairs("train") + bsds_pairs("test")
    if limit is not None:
        return load_entries(pairs[:limit])
    return load_entries(pairs, CACHE_DIR / "train_entries.pkl")


def bsd100_entries(limit: int | None = None) -> list[EdgeEntry]:
    """Edge entries for BSD100 (= BSDS500 val), evaluation only."""
    pairs = bsds_pairs("val")[:limit]
    return load_entries(pairs, None if limit else CACHE_DIR / "bsd100_entries.pkl")
