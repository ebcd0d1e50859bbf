"""Decoding image files into Holst's layer format: uint8 (H, W, 4) straight RGBA.

Every failure becomes an :class:`ImageLoadError` whose text is one sentence naming the file: the
file is untrusted input, and Pillow's decoders raise a whole zoo of exception types on bad data.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import struct
import warnings
from functools import lru_cache
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageCms, UnidentifiedImageError

from plugins.errors import ImageLoadError
from plugins.imageio.formats import MAX_PIXELS, READ_FORMATS, SUPPORTED_LIST, ImageMeta, LoadedImage

# Pillow's own guard warns above MAX_IMAGE_PIXELS and refuses above twice that. Align it with ours and
# make the warning an error so an oversize file never half-decodes; load_image also checks the size
# itself, so the guard holds even where a caller has changed Pillow's global settings.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# Pillow warns (e.g. "Corrupt EXIF data") about damage that load_image already handles or reports in
# its own one-line error; the user should not get both.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")

_ORIENTATION = 0x0112
_EXIF_PREFIX = b"Exif\x00\x00"
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# IFD0 tags of a TIFF that are worth carrying as EXIF (the rest describe the TIFF's own layout).
_TIFF_EXIF_TAGS = (0x010E, 0x010F, 0x0110, 0x0112, 0x0131, 0x0132, 0x013B, 0x8298, 0x8769, 0x8825)
_IFD_POINTERS = (0x8769, 0x8825)


def load_image(path: str | os.PathLike[str], *, max_side: int | None = None) -> LoadedImage:
    """Read ``path`` as RGBA uint8 with EXIF orientation applied.

    The content decides the format (a PNG called ``.jpg`` opens); only PNG, JPEG, WebP, TIFF and BMP
    decoders are used. Multi-frame files give their first frame. With ``max_side``, an image whose long
    side is at least twice that is reduced while it is decoded (JPEG's own 1/2…1/8 scaling, then a box
    average by a whole factor) to a long side from ``max_side`` to under twice it: a caller that works
    at a small size never holds the full resolution as more than the decoder's own buffer.
    """
    name = os.fspath(path)
    with _open_file(name) as fh, _open_image(fh, name) as im:
        _check_size(im.size, name)
        bit_depth = _bit_depth(im)
        if max_side is not None:
            _draft(im, max_side)
        _decode(im, name)
        _check_size(im.size, name)
        fmt = "JPEG" if im.format == "MPO" else str(im.format)
        mode = im.mode
        has_alpha = _has_alpha(im)
        icc = _icc_profile(im)
        exif, orientation = _read_exif(im, fmt)
        reduced = _reduce(im, max_side) if max_side is not None else im
        rgba, icc = _to_rgba(reduced, icc, name)
        if max_side is not None:
            rgba = _reduce(rgba, max_side)
    try:
        if orientation in _TRANSPOSE:
            rgba = rgba.transpose(_TRANSPOSE[orientation])
        pixels = _to_array(rgba)
    except MemoryError:
        raise _fail(name, "the image is too large for the available memory") from None
    finally:
        rgba.close()
    meta = ImageMeta(format=fmt, mode=mode, bit_depth=bit_depth, has_alpha=has_alpha, icc_profile=icc,
                     exif=exif)
    return LoadedImage(pixels=pixels, meta=meta)


def _draft(im: Image.Image, max_side: int) -> None:
    """Ask the JPEG decoder for a reduced scale that keeps the long side at least ``max_side``."""
    width, height = im.size
    factor = max(width, height) / max_side
    if im.format in ("JPEG", "MPO") and factor >= 2:
        with contextlib.suppress(ValueError, OSError):  # else: decoded at full size
            im.draft(im.mode, (-(-width // int(factor)), -(-height // int(factor))))


def _reduce(im: Image.Image, max_side: int) -> Image.Image:
    """``im`` box-averaged by the whole factor that keeps its long side at least ``max_side``."""
    factor = max(im.size) // max_side
    if factor < 2:
        return im
    try:
        return im.reduce(factor)
    except (ValueError, NotImplementedError):
        return im  # a mode reduce() does not take (palette, bilevel): reduced after conversion


def _to_array(rgba: Image.Image) -> np.ndarray:
    """Copy an RGBA image into a new writable array band by band: ``np.array(image)`` would hold a
    second full-size copy (Pillow's ``tobytes``) at its peak, 600 MB at the pixel limit."""
    width, height = rgba.size
    out = np.empty((height, width, 4), np.uint8)
    step = max(1, (16 << 20) // (4 * width))
    for top in range(0, height, step):
        bottom = min(height, top + step)
        out[top:bottom] = np.asarray(rgba.crop((0, top, width, bottom)))
    return out


def _fail(name: str, why: str) -> ImageLoadError:
    return ImageLoadError(f"cannot open '{name}': {why}")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 100 else text[:97] + "..."


def _open_file(name: str) -> BinaryIO:
    if os.path.isdir(name):
        raise _fail(name, "it is a folder, not an image file")
    try:
        mode = os.stat(name).st_mode
    except OSError:
        mode = None  # let open() below say precisely what is wrong
    if mode is not None and not stat.S_ISREG(mode):
        # a FIFO would block forever and a device like /dev/zero never ends
        raise _fail(name, "it is not a regular file")
    try:
        fh = open(name, "rb")  # noqa: SIM115 - closed by the caller's with-block
    except FileNotFoundError:
        raise _fail(name, "the file does not exist") from None
    except PermissionError:
        raise _fail(name, "permission denied") from None
    except OSError as exc:
        raise _fail(name, _reason(exc) if not exc.strerror else exc.strerror.lower()) from None
    return fh


def _open_image(fh: BinaryIO, name: str) -> Image.Image:
    try:
        return Image.open(fh, formats=READ_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(name, exc) from None
    except UnidentifiedImageError:
        raise _unidentified(fh, name) from None
    except MemoryError:
        raise _fail(name, "the image is too large to open in the available memory") from None
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any decoder failure is "corrupt"
        raise _fail(name, f"the file is corrupt ({_reason(exc)})") from None


def _bomb(name: str, exc: BaseException) -> ImageLoadError:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    if match:
        return _too_big(name, int(match.group(1)))
    return _fail(name, f"the image has more than {MAX_PIXELS / 1e6:g} megapixels (decompression-bomb guard)")


def _too_big(name: str, pixels: int) -> ImageLoadError:
    return _fail(name, f"the image has {pixels / 1e6:.0f} megapixels, more than the {MAX_PIXELS / 1e6:g}-"
                       "megapixel limit (decompression-bomb guard)")


def _unidentified(fh: BinaryIO, name: str) -> ImageLoadError:
    """Say why Pillow did not recognise the file, as precisely as the first bytes allow."""
    try:
        fh.seek(0)
        head = fh.read(32)
    except OSError:
        head = b""
    if not head:
        return _fail(name, "the file is empty")
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24 and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        if width == 0 or height == 0:
            return _fail(name, f"the image is empty ({width}×{height} pixels)")
        return _fail(name, "the PNG file is corrupt")
    return _fail(name, f"it is not a {SUPPORTED_LIST} image")


def _check_size(size: tuple[int, int], name: str) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _fail(name, f"the image is empty ({width}×{height} pixels)")
    if width * height > MAX_PIXELS:
        raise _too_big(name, width * height)


def _decode(im: Image.Image, name: str) -> None:
    try:
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(name, exc) from None
    except MemoryError:
        raise _fail(name, "the image is too large to decode in the available memory") from None
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any decoder failure is "corrupt"
        raise _fail(name, f"the file is truncated or corrupt ({_reason(exc)})") from None


def _bit_depth(im: Image.Image) -> int:
    """Bits per channel in the file (must be asked before ``load``, which drops the tile list)."""
    mode = im.mode
    if mode.startswith("I;16"):
        return 16
    if mode in ("I", "F"):
        return 32
    if mode == "1":
        return 1
    for tile in im.tile or ():
        args = tile[3] if len(tile) > 3 else None  # (codec, extents, offset, args) in every Pillow
        rawmode = args[0] if isinstance(args, tuple) and args else args
        if isinstance(rawmode, str) and ";16" in rawmode:
            return 16
    if im.format == "TIFF":
        bits = getattr(im, "tag_v2", {}).get(258)
        if isinstance(bits, tuple) and bits and isinstance(bits[0], int):
            return max(8, max(bits))
        if isinstance(bits, int):
            return max(8, bits)
    return 8


def _has_alpha(im: Image.Image) -> bool:
    bands = im.getbands()
    return "A" in bands or "a" in bands or "transparency" in im.info


def _icc_profile(im: Image.Image) -> bytes | None:
    icc = im.info.get("icc_profile")
    # An ICC profile is a 128-byte header and a tag table; anything shorter is junk.
    return bytes(icc) if isinstance(icc, (bytes, bytearray)) and len(icc) >= 132 else None


def _icc_space(icc: bytes) -> bytes:
    return icc[16:20]


def _read_exif(im: Image.Image, fmt: str) -> tuple[bytes | None, int]:
    """The EXIF to keep (orientation reset to 1) and the orientation to apply (1 = none).

    Unparsable EXIF is dropped rather than copied: it would only corrupt the exported file.
    """
    try:
        exif = im.getexif()
        orientation = exif.get(_ORIENTATION, 1)
        orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
        raw = im.info.get("exif")
        if fmt == "TIFF":
            exif, raw = _tiff_exif(exif), None
        if len(exif) == 0:
            return None, orientation
        if orientation == 1 and isinstance(raw, (bytes, bytearray)):
            data = bytes(raw)
            return (data if data.startswith(_EXIF_PREFIX) else _EXIF_PREFIX + data), 1
        if _ORIENTATION in exif:
            exif[_ORIENTATION] = 1
        return exif.tobytes(), orientation
    except Exception:  # noqa: BLE001 - corrupt EXIF must not stop the image from opening
        return None, 1


def _tiff_exif(ifd0: Image.Exif) -> Image.Exif:
    """A TIFF's IFD0 describes the TIFF itself; keep only the tags that mean something elsewhere."""
    exif = Image.Exif()
    for tag in _TIFF_EXIF_TAGS:
        if tag in ifd0:
            exif[tag] = ifd0.get_ifd(tag) if tag in _IFD_POINTERS else ifd0[tag]
            if tag in _IFD_POINTERS and not exif[tag]:
                del exif[tag]
    return exif


def _to_rgba(im: Image.Image, icc: bytes | None, name: str) -> tuple[Image.Image, bytes | None]:
    """Convert any mode to RGBA; returns the ICC profile that describes the converted pixels."""
    mode = im.mode
    try:
        if mode == "CMYK":
            rgb, icc = _cmyk_to_rgb(im, icc)
            return rgb.convert("RGBA"), icc
        if icc is not None and _icc_space(icc) != b"RGB ":
            icc = None  # a grey (or odd) profile cannot describe the RGB pixels we hand out
        if mode.startswith("I") or mode == "F":
            grey = Image.fromarray(_deep_grey_to_u8(np.asarray(im), mode), "L")
            return grey.convert("RGBA"), icc
        if mode == "RGBA":
            return im.copy(), icc
        try:
            return im.convert("RGBA"), icc
        except ValueError:
            return im.convert("RGB").convert("RGBA"), icc
    except MemoryError:
        raise _fail(name, "the image is too large to convert in the available memory") from None
    except ImageLoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - an exotic mode Pillow cannot convert
        raise _fail(name, f"its colour mode {mode} cannot be converted to RGB ({_reason(exc)})") from None


def _cmyk_to_rgb(im: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """CMYK → sRGB through the file's own profile when it has a usable one, else Pillow's formula."""
    if icc is not None and _icc_space(icc) == b"CMYK":
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            rgb = ImageCms.profileToProfile(im, source, _srgb_profile(), outputMode="RGB",
                                            renderingIntent=0)  # perceptual
            if rgb is not None:
                return rgb, _srgb_bytes()
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: fall back to the plain conversion below
    return im.convert("RGB"), None


@lru_cache(maxsize=1)
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=1)
def _srgb_bytes() -> bytes:
    return _srgb_profile().tobytes()


def _deep_grey_to_u8(values: np.ndarray, mode: str) -> np.ndarray:
    """16/32-bit integer or float grey → uint8.

    16-bit modes scale 0..65535 to 0..255. Mode ``I`` (32-bit integer) is read as 16-bit when its values
    fit 0..65535 (how 16-bit files usually arrive) and stretched min..max otherwise. Mode ``F`` is read as
    0..1 when it fits, stretched otherwise; NaN becomes 0.
    """
    if mode != "F" and values.size and values.min() >= 0 and values.max() <= 65535:
        wide = values.astype(np.uint32)
        return ((wide * 255 + 32767) // 65535).astype(np.uint8)
    data = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
    if mode == "F" and low >= 0.0 and high <= 1.0:
        low, high = 0.0, 1.0
    if high <= low:
        return np.zeros(data.shape, np.uint8)
    scaled = (data - low) * (255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
