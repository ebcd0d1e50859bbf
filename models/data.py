"""Data readers and augmentation for training and evaluation.

Images come from the shared data folder (``$HOLST_SHARED_DATA``, else ``<repo>/../shared/data``) and are
never copied into the repository. Training uses BSDS500 train+test only; BSDS500 val is BSD100, an
evaluation set.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

T = TypeVar("T")

SPLITS = ("train", "test", "val")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}
#: The varied training photos beside BSDS500 train+test (SOURCES.md): 880 ImageNet photos, 94 CQ100.
VARIED_SOURCES = ("imagenet_sample", "cq100")
PACK_LIMIT_BYTES = 50 * 1024 * 1024


def shared_data_dir() -> Path:
    """The shared data folder: ``$HOLST_SHARED_DATA`` or ``../shared/data`` beside the checkout."""
    env = os.environ.get("HOLST_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _images_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder} (set HOLST_SHARED_DATA?)")
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise FileNotFoundError(f"no images in {folder}")
    return paths


def bsds_images(split: str) -> list[Path]:
    """Sorted paths of one BSDS500 split: ``"train"`` (200), ``"test"`` (200) or ``"val"`` (100 = BSD100)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return _images_in(shared_data_dir() / "photos" / "bsds500" / "images" / split)


def bsds_truth_path(image: Path) -> Path:
    """The ground-truth ``.mat`` of a BSDS500 photo (``…/images/<split>/<id>.jpg``)."""
    return image.parents[2] / "ground_truth" / image.parent.name / f"{image.stem}.mat"


def bsds_truth(mat_path: str | Path, key: str) -> list[np.ndarray]:
    """One map per annotator from a BSDS500 ground-truth file: ``key`` is ``"Boundaries"`` (0/1 uint8)
    or ``"Segmentation"`` (region labels 1…K, uint16)."""
    import scipy.io

    truth = scipy.io.loadmat(str(mat_path))["groundTruth"]
    return [np.asarray(truth[0, k][key][0, 0]) for k in range(truth.shape[1])]


def training_images(varied: bool = False, limit: int | None = None) -> list[Path]:
    """The photos a filter may train on: BSDS500 train + test (400; never val), and with ``varied``
    also the ImageNet sample and CQ100 (1,374 in all: animals, food, people, rooms, streets).

    ``limit`` takes that many spread evenly over the list (quick runs).
    """
    paths = bsds_images("train") + bsds_images("test")
    if varied:
        for source in VARIED_SOURCES:
            paths += _images_in(shared_data_dir() / "photos" / source)
    return paths if limit is None else spread_evenly(paths, limit)


def spread_evenly(items: list[T], count: int) -> list[T]:
    """``count`` of ``items`` spread evenly over the list, first and last included (all if fewer)."""
    if count >= len(items):
        return items
    return [items[i] for i in np.linspace(0, len(items) - 1, count).round().astype(int)]


def set5() -> list[Path]:
    return _images_in(shared_data_dir() / "benchmarks" / "Set5")


def set14() -> list[Path]:
    return _images_in(shared_data_dir() / "benchmarks" / "Set14")


def bsd100() -> list[Path]:
    return bsds_images("val")


def load_rgb(path: str | Path) -> np.ndarray:
    """Any image file as uint8 (H, W, 3) RGB (grayscale is replicated, alpha dropped)."""
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()


# ---------------------------------------------------------------- augmentation

def random_crop(image: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A ``size``×``size`` crop at a uniformly random position (the image must be at least that big)."""
    h, w = image.shape[:2]
    if h < size or w < size:
        raise ValueError(f"image {w}x{h} is smaller than the crop {size}")
    y = int(rng.integers(0, h - size + 1))
    x = int(rng.integers(0, w - size + 1))
    return image[y:y + size, x:x + size]


def random_scaled_crop(image: np.ndarray, size: int, rng: np.random.Generator,
                       min_scale: float = 1.0) -> np.ndarray:
    """A ``size``×``size`` crop of the image reduced by a random factor between ``min_scale`` (or the
    factor at which its shorter side just holds the crop, if larger) and 1, log-uniformly: the smaller
    the factor, the more of the whole scene the crop holds."""
    h, w = image.shape[:2]
    low = max(min_scale, size / min(h, w))
    if low >= 1.0:
        return random_crop(image, size, rng)
    scale = float(np.exp(rng.uniform(np.log(low), 0.0)))
    reduced = Image.fromarray(image).resize((max(size, round(w * scale)), max(size, round(h * scale))),
                                            Image.Resampling.LANCZOS)
    return random_crop(np.asarray(reduced), size, rng)


def random_flip(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One of the 8 dihedral transforms (flips and 90° rotations), uniformly; returns a contiguous copy."""
    k = int(rng.integers(0, 8))
    out = np.rot90(image, k % 4, axes=(0, 1))
    if k >= 4:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


# ---------------------------------------------------------------- degradations

def bicubic_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize uint8 (H, W, C) to ``size`` = (width, height) with PIL bicubic (with antialiasing)."""
    return np.asarray(Image.fromarray(image).resize(size, Image.BICUBIC))


def crop_to_multiple(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right so both sides are multiples of ``scale`` (the SR benchmark convention)."""
    h, w = image.shape[:2]
    return image[: h - h % scale, : w - w % scale]


def bicubic_downscale(image: np.ndarray, scale: int) -> np.ndarray:
    """The standard SR degradation: crop to a multiple of ``scale``, then PIL bicubic ÷ ``scale``."""
    hr = crop_to_multiple(image, scale)
    h, w = hr.shape[:2]
    return bicubic_resize(hr, (w // scale, h // scale))


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of uint8 RGB (PIL's box-approximation-free Gaussian via its radius = σ)."""
    from PIL import ImageFilter

    if sigma <= 0:
        return image.copy()
    return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(radius=sigma)))


def add_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Additive Gaussian noise with standard deviation ``sigma`` in 0..255 units, clipped to uint8."""
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape).astype(np.float32)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def jpeg_compress(image: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through an in-memory JPEG at ``quality`` (1..95)."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as img:
        return np.asarray(img.convert("RGB")).copy()


def real_photo_degrade(image: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """A "real photo" LR: random blur, bicubic ÷ scale, random noise and JPEG (for robust variants)."""
    blurred = gaussian_blur(image, float(rng.uniform(0.0, 0.4 * scale)))
    lr = bicubic_downscale(blurred, scale)
    lr = add_noise(lr, float(rng.uniform(0.0, 5.0)), rng)
    return jpeg_compress(lr, int(rng.integers(60, 96)))


# ---------------------------------------------------------------- training packs

def build_pack(images: Iterable[str | Path | np.ndarray], crop: int, count: int, out_path: str | Path,
               seed: int = 0, augment: bool = True) -> Path:
    """Write ``count`` random ``crop``² uint8 crops (spread evenly over ``images``) to a compressed .npz.

    The pack holds ``crops`` (N, crop, crop, 3) uint8 and ``meta`` (crop, count, seed); it must stay
    ≤ 50 MiB so a run can move to a GPU machine. Raises ValueError when it would not.
    """
    sources: Sequence[str | Path | np.ndarray] = list(images)
    if not sources:
        raise ValueError("no images for the pack")
    if count * crop * crop * 3 > 4 * PACK_LIMIT_BYTES:
        raise ValueError(f"{count} crops of {crop}² would not fit the 50 MiB pack limit")
    rng = np.random.default_rng(seed)
    crops = np.empty((count, crop, crop, 3), dtype=np.uint8)
    per = int(np.ceil(count / len(sources)))
    n = 0
    for src in sources:
        img = src if isinstance(src, np.ndarray) else load_rgb(src)
        for _ in range(per):
            if n == count:
                break
            c = random_crop(img, crop, rng)
            crops[n] = random_flip(c, rng) if augment else c
            n += 1
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez_compressed(tmp, crops=crops[:n], meta=np.array([crop, n, seed], dtype=np.int64))
    size = tmp.stat().st_size
    if size > PACK_LIMIT_BYTES:
        tmp.unlink()
        raise ValueError(f"pack is {size / 2**20:.1f} MiB, over the 50 MiB limit; use fewer crops")
    os.replace(tmp, out)
    return out


def load_pack(path: str | Path) -> np.ndarray:
    """The uint8 (N, crop, crop, 3) crops of a pack written by :func:`build_pack`."""
    with np.load(path) as data:
        return data["crops"]
