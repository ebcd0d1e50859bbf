"""Encoding RGBA layers to files, atomically, with the source's ICC profile and EXIF.

Alpha policy: PNG, WebP and TIFF keep the alpha channel when the image has any transparency or its
source file had alpha. JPEG and BMP cannot store alpha (Pillow's 32-bit BMP is not read back with alpha
by most programs), so transparent areas are composited onto white, as other editors do when
flattening; simply dropping alpha would reveal whatever colour hides under transparent pixels.
:func:`flattens_alpha` tells a caller beforehand, so it can say so to the user.
"""

from __future__ import annotations

import io
import os
from functools import partial
from typing import BinaryIO

import numpy as np
from PIL import Image, features

from plugins.errors import ImageSaveError
from plugins.imageio import deep
from plugins.imageio.atomic import atomic_write, target_problem
from plugins.imageio.formats import (
    ALPHA_FORMATS,
    DEEP_FORMATS,
    FORMAT_NAMES,
    SUPPORTED_LIST,
    ImageMeta,
    extension,
    format_for_name,
    format_for_path,
)

_WEBP_MAX_EDGE = 16383
_JPEG_MAX_EDGE = 65500
_JPEG_MAX_EXIF = 65533
_TIFF_EXIF_POINTERS = (0x8769, 0x8825)
_TIFF_MAX_BYTES = (1 << 32) - (16 << 20)   # 32-bit offsets; room left for the header, ICC and EXIF


def save_image(path: str | os.PathLike[str], pixels: np.ndarray, meta: ImageMeta | None = None, *,
               fmt: str | None = None, quality: int = 95, bit_depth: int = 8) -> None:
    """Write uint8 (H, W, 4) RGBA (or (H, W, 3) RGB) pixels to ``path``, replacing it atomically.

    ``fmt`` overrides the format chosen from the extension. ``quality`` (1..100) applies to JPEG and
    WebP. ``bit_depth`` 16 is for PNG and TIFF. The ICC profile and EXIF in ``meta`` are written where
    the format can hold them (not BMP). Raises :class:`ImageSaveError`; the old file is then intact.
    """
    name = os.fspath(path)
    kind = _resolve_format(name, fmt)
    rgba = _as_rgba(pixels)
    if bit_depth not in (8, 16):
        raise ImageSaveError(f"cannot save '{name}': bit depth must be 8 or 16, not {bit_depth}")
    if bit_depth == 16 and kind not in DEEP_FORMATS:
        raise ImageSaveError(f"cannot save '{name}': {FORMAT_NAMES[kind]} cannot store 16 bits per channel "
                             "(PNG and TIFF can)")
    if not 1 <= quality <= 100:
        raise ImageSaveError(f"cannot save '{name}': quality must be between 1 and 100, not {quality}")
    _check_dimensions(name, kind, rgba)
    check_target(name)
    keep_alpha = kind in ALPHA_FORMATS and ((meta is not None and meta.has_alpha) or not _opaque(rgba))
    height, width = rgba.shape[:2]
    check_file_size(name, kind, width, height, 4 if keep_alpha else 3, bit_depth)
    out = rgba if keep_alpha else _flatten_on_white(rgba)
    icc = meta.icc_profile if meta is not None else None
    exif = meta.exif if meta is not None else None
    write = partial(_encode, kind=kind, pixels=out, icc=icc, exif=exif, quality=quality, bit_depth=bit_depth)
    try:
        atomic_write(name, write)
    except OSError as exc:
        why = exc.strerror.lower() if exc.strerror else str(exc)
        raise ImageSaveError(f"cannot save '{name}': {why}") from None
    except MemoryError:
        raise ImageSaveError(f"cannot save '{name}': not enough memory to encode the image") from None
    except (ValueError, TypeError, KeyError, SyntaxError, RuntimeError) as exc:  # encoder rejects the data
        encoder = FORMAT_NAMES[kind]
        raise ImageSaveError(f"cannot save '{name}': the {encoder} encoder failed ({exc})") from None


def check_target(name: str) -> None:
    """ImageSaveError unless ``name`` can be written: its folder exists, and it is absent or a writable
    regular file (never a FIFO, a device, a folder or a read-only file)."""
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise ImageSaveError(f"cannot save '{name}': the folder '{folder}' does not exist")
    why = target_problem(name)
    if why is not None:
        raise ImageSaveError(f"cannot save '{name}': {why}")


def check_file_size(name: str, kind: str, width: int, height: int, channels: int, bit_depth: int) -> None:
    """ImageSaveError when the format cannot hold an image this large: TIFF (as Holst writes it, not
    BigTIFF) stores 32-bit offsets, so its pixel data must stay under 4 GiB."""
    if kind != "TIFF":
        return
    size = width * height * channels * bit_depth // 8
    if size > _TIFF_MAX_BYTES:
        raise ImageSaveError(f"cannot save '{name}': a TIFF file holds at most 4 GiB and this "
                             f"{width}×{height} image needs {size / 2**30:.1f} GiB at {bit_depth} bits; "
                             f"save it as PNG instead")


def flattens_alpha(path_or_format: str | os.PathLike[str], pixels: np.ndarray) -> bool:
    """True when saving these pixels in this format will composite transparent areas onto white."""
    text = os.fspath(path_or_format)
    kind = format_for_path(text) or format_for_name(text)
    rgba = _as_rgba(pixels)
    return kind is not None and kind not in ALPHA_FORMATS and not _opaque(rgba)


def _resolve_format(name: str, fmt: str | None) -> str:
    kind = format_for_name(fmt) if fmt else format_for_path(name)
    if kind is None:
        what = f"format '{fmt}'" if fmt else (f"file type '.{extension(name)}'" if extension(name)
                                              else "a file name without an extension")
        raise ImageSaveError(f"cannot save '{name}': unsupported {what} (use {SUPPORTED_LIST})")
    return kind


def _as_rgba(pixels: np.ndarray) -> np.ndarray:
    """Programming errors (wrong dtype or shape) are ValueErrors, not user-facing messages."""
    array = np.asarray(pixels)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"pixels must be uint8 (H, W, 4) RGBA, got {array.dtype} {array.shape}")
    if array.shape[2] == 3:
        alpha = np.full(array.shape[:2] + (1,), 255, np.uint8)
        array = np.concatenate([array, alpha], axis=2)
    return np.ascontiguousarray(array)


def _check_dimensions(name: str, kind: str, rgba: np.ndarray) -> None:
    height, width = rgba.shape[:2]
    if width == 0 or height == 0:
        raise ImageSaveError(f"cannot save '{name}': the image is empty ({width}×{height} pixels)")
    limit = {"WEBP": _WEBP_MAX_EDGE, "JPEG": _JPEG_MAX_EDGE}.get(kind)
    if limit is not None and max(width, height) > limit:
        raise ImageSaveError(f"cannot save '{name}': {FORMAT_NAMES[kind]} images are at most {limit} pixels "
                             f"wide and high, this one is {width}×{height}")


def _opaque(rgba: np.ndarray) -> bool:
    return bool((rgba[..., 3] == 255).all())


def _flatten_on_white(rgba: np.ndarray) -> np.ndarray:
    """Composite straight-alpha RGBA over white; returns (H, W, 3)."""
    if _opaque(rgba):
        return rgba[..., :3]
    alpha = rgba[..., 3:4].astype(np.uint16)
    rgb = rgba[..., :3].astype(np.uint16)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def _encode(fh: BinaryIO, *, kind: str, pixels: np.ndarray, icc: bytes | None, exif: bytes | None,
            quality: int, bit_depth: int) -> None:
    if bit_depth == 16:
        if kind == "PNG":
            deep.write_png16(fh, pixels, icc, exif)
        else:
            deep.write_tiff16(fh, pixels, icc, _exif_tags(exif))
        return
    image = Image.fromarray(pixels, "RGBA" if pixels.shape[2] == 4 else "RGB")
    options: dict[str, object] = {}
    if icc and kind != "BMP":
        options["icc_profile"] = icc
    if exif and kind != "BMP" and not (kind == "JPEG" and len(exif) > _JPEG_MAX_EXIF):
        options["exif"] = exif
    if kind == "JPEG":
        options.update(quality=quality, subsampling=0 if quality >= 90 else 2, optimize=False)
    elif kind == "WEBP":
        options.update(quality=quality, method=4)
    elif kind == "TIFF":
        _save_tiff(fh, image, options)
        return
    elif kind == "PNG":
        options["compress_level"] = deep.ZLIB_LEVEL
    image.save(fh, kind, **options)


def _save_tiff(fh: BinaryIO, image: Image.Image, options: dict[str, object]) -> None:
    """Deflate-compressed through libtiff when it can; libtiff cannot write EXIF sub-IFDs (it fails on
    them, with a warning on stderr), so such files, or any other libtiff refusal, use Pillow's own
    uncompressed writer."""
    if features.check("libtiff") and not _has_sub_ifds(options.get("exif")):
        buffer = io.BytesIO()
        try:
            image.save(buffer, "TIFF", compression="tiff_adobe_deflate", **options)
        except (RuntimeError, OSError, ValueError):
            pass
        else:
            fh.write(buffer.getbuffer())
            return
    image.save(fh, "TIFF", compression="raw", **options)


def _has_sub_ifds(exif: object) -> bool:
    if not isinstance(exif, bytes):
        return False
    try:
        parsed = Image.Exif()
        parsed.load(exif)
        return any(pointer in parsed for pointer in _TIFF_EXIF_POINTERS)
    except Exception:  # noqa: BLE001 - unparsable: let the writer decide
        return True


def _exif_tags(exif: bytes | None) -> dict[int, object]:
    """EXIF bytes as tags for the 16-bit TIFF writer's IFD0 (sub-IFDs as dicts)."""
    if not exif:
        return {}
    try:
        parsed = Image.Exif()
        parsed.load(exif)
        tags: dict[int, object] = {tag: value for tag, value in parsed.items()
                                   if tag not in _TIFF_EXIF_POINTERS}
        for pointer in _TIFF_EXIF_POINTERS:
            sub = parsed.get_ifd(pointer) if pointer in parsed else {}
            if sub:
                tags[pointer] = dict(sub)
        return tags
    except Exception:  # noqa: BLE001 - metadata we cannot parse is left out, the pixels still save
        return {}
