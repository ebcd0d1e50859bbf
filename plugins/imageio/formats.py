"""File formats Holst reads and writes, the pixel limit, and the metadata carried between them."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

#: Largest image (width × height) Holst decodes: the decompression-bomb guard. An RGBA layer of this
#: size is 600 MB, and a filter run needs a few float32 copies of it.
MAX_PIXELS = 150_000_000

_EXT_TO_FORMAT = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "tif": "TIFF",
                  "tiff": "TIFF", "bmp": "BMP"}

#: File name extensions (lower case, no dot) that can be opened and saved.
SUPPORTED_READ: frozenset[str] = frozenset(_EXT_TO_FORMAT)
SUPPORTED_WRITE: frozenset[str] = frozenset(_EXT_TO_FORMAT)

#: Pillow format names Holst decodes, whatever the file is called (the content decides).
READ_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "TIFF", "BMP")
#: Formats that store an alpha channel; the others get transparent areas flattened onto white.
ALPHA_FORMATS = frozenset({"PNG", "WEBP", "TIFF"})
#: Formats that can be written with 16 bits per channel.
DEEP_FORMATS = frozenset({"PNG", "TIFF"})

FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP"}
SUPPORTED_LIST = "PNG, JPEG, WebP, TIFF or BMP"


@dataclass(frozen=True)
class ImageMeta:
    """What a file said about its image besides the pixels; carried to the exported file.

    ``format`` is Pillow's name (PNG, JPEG, WEBP, TIFF, BMP), ``mode`` the file's colour mode before
    conversion to RGBA (e.g. ``CMYK``, ``I;16``, ``P``), ``bit_depth`` bits per channel in the file.
    ``icc_profile`` always describes the RGB pixels Holst holds (a CMYK file's profile is replaced by
    sRGB once converted; a grey profile is dropped). ``exif`` starts with ``b"Exif\\0\\0"`` and has its
    orientation reset to 1 because the rotation has been applied to the pixels.
    """

    format: str
    mode: str
    bit_depth: int
    has_alpha: bool
    icc_profile: bytes | None = None
    exif: bytes | None = None


@dataclass(frozen=True)
class LoadedImage:
    """A decoded file: uint8 (H, W, 4) straight RGBA pixels and the file's metadata."""

    pixels: np.ndarray
    meta: ImageMeta

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as Pillow counts."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


def extension(path: str | os.PathLike[str]) -> str:
    """The lower-case extension of ``path`` without the dot ('' when there is none)."""
    return os.path.splitext(os.fspath(path))[1].lower().lstrip(".")


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """Pillow's format name for a file name (``photo.JPG`` → ``JPEG``), or None when unsupported."""
    return _EXT_TO_FORMAT.get(extension(path))


def format_for_name(name: str) -> str | None:
    """Pillow's format name for a user-given format or extension (``jpg``, ``WebP``, ``TIFF``)."""
    key = name.lower().lstrip(".")
    if key in _EXT_TO_FORMAT:
        return _EXT_TO_FORMAT[key]
    upper = name.upper()
    return upper if upper in FORMAT_NAMES else None
