"""16-bit-per-channel PNG and TIFF writers.

Pillow has no 16-bit RGB(A) image mode, so these two encoders are written out here. Holst's pixels are
8-bit, so each value v is stored as v·257 (0..255 → 0..65535): the file keeps the depth a 16-bit
workflow expects without inventing precision.
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

import numpy as np
from PIL import TiffImagePlugin, TiffTags

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXIF_PREFIX = b"Exif\x00\x00"


def widen(pixels: np.ndarray) -> np.ndarray:
    """uint8 → uint16 with 255 ↦ 65535."""
    return pixels.astype(np.uint16) * 257


def write_png16(fh: BinaryIO, pixels: np.ndarray, icc: bytes | None, exif: bytes | None) -> None:
    """Write (H, W, 3|4) uint8 as a 16-bit RGB or RGBA PNG with optional iCCP and eXIf chunks."""
    height, width, channels = pixels.shape
    colour_type = 6 if channels == 4 else 2
    fh.write(_PNG_SIGNATURE)
    _chunk(fh, b"IHDR", struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0))
    if icc:
        _chunk(fh, b"iCCP", b"ICC profile\x00\x00" + zlib.compress(icc))
    if exif:
        _chunk(fh, b"eXIf", exif[len(_EXIF_PREFIX):] if exif.startswith(_EXIF_PREFIX) else exif)
    rows = widen(pixels).astype(">u2").reshape(height, width * channels).view(np.uint8)
    # PNG filter type 1 ("Sub") per row: each byte minus the byte one pixel to its left, mod 256.
    bpp = 2 * channels
    filtered = rows.copy()
    filtered[:, bpp:] -= rows[:, :-bpp]
    data = np.empty((height, 1 + filtered.shape[1]), np.uint8)
    data[:, 0] = 1
    data[:, 1:] = filtered
    compressor = zlib.compressobj(6)
    step = max(1, (8 << 20) // max(1, data.shape[1]))  # compress ~8 MB of rows at a time
    parts = [compressor.compress(data[y:y + step].tobytes()) for y in range(0, height, step)]
    parts.append(compressor.flush())
    _chunk(fh, b"IDAT", b"".join(parts))
    _chunk(fh, b"IEND", b"")


def _chunk(fh: BinaryIO, kind: bytes, payload: bytes) -> None:
    fh.write(struct.pack(">I", len(payload)))
    fh.write(kind)
    fh.write(payload)
    fh.write(struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def write_tiff16(fh: BinaryIO, pixels: np.ndarray, icc: bytes | None, exif_tags: dict[int, object]) -> None:
    """Write (H, W, 3|4) uint8 as an uncompressed little-endian 16-bit RGB(A) TIFF.

    Layout: 8-byte header, IFD0 (serialised by Pillow's own IFD writer, which also writes the EXIF and
    GPS sub-IFDs given in ``exif_tags``), then the single pixel strip.
    """
    height, width, channels = pixels.shape
    strip = widen(pixels).astype("<u2").tobytes()
    ifd = TiffImagePlugin.ImageFileDirectory_v2(prefix=b"II")
    for tag, value in exif_tags.items():
        ifd[tag] = value
    ifd[256] = width
    ifd[257] = height
    ifd[258] = (16,) * channels
    ifd[259] = 1  # no compression
    ifd[262] = 2  # RGB
    ifd[273] = 0  # fixed below, once the IFD's length is known
    ifd[277] = channels
    ifd[278] = height
    ifd[279] = len(strip)
    ifd[284] = 1  # chunky
    if channels == 4:
        ifd[338] = 2  # unassociated (straight) alpha
    if icc:
        ifd[34675] = icc
    for tag in (256, 257, 273, 278, 279):
        ifd.tagtype[tag] = TiffTags.LONG
    ifd.tagtype[34675] = TiffTags.UNDEFINED
    table = bytearray(ifd.tobytes(8))
    strip_at = 8 + len(table) + (len(table) & 1)
    _patch_long(table, 273, strip_at)
    fh.write(b"II*\x00" + struct.pack("<I", 8))
    fh.write(table)
    fh.write(b"\x00" * (strip_at - 8 - len(table)))
    fh.write(strip)


def _patch_long(table: bytearray, tag: int, value: int) -> None:
    """Set a one-value LONG entry of a little-endian IFD in place (Pillow versions differ in what they
    put in StripOffsets, so the final value is written here)."""
    count = struct.unpack_from("<H", table, 0)[0]
    for index in range(count):
        at = 2 + 12 * index
        if struct.unpack_from("<H", table, at)[0] == tag:
            struct.pack_into("<HHII", table, at, tag, TiffTags.LONG, 1, value)
            return
    raise ValueError(f"TIFF tag {tag} missing from the IFD")
