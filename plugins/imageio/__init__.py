"""Qt-free image file layer: decode any supported file to RGBA uint8, encode back atomically.

See docs/architecture.md, "Image files". Submodules: ``formats`` (extensions, limits, metadata types),
``load`` (decoding), ``save`` (encoding), ``deep`` (16-bit writers), ``atomic`` (safe replace),
``mask`` (mask files).
"""

from plugins.imageio.formats import (
    MAX_PIXELS,
    SUPPORTED_READ,
    SUPPORTED_WRITE,
    ImageMeta,
    LoadedImage,
    format_for_name,
    format_for_path,
)
from plugins.imageio.load import load_image
from plugins.imageio.mask import load_mask, save_mask
from plugins.imageio.save import flattens_alpha, save_image

__all__ = [
    "MAX_PIXELS", "SUPPORTED_READ", "SUPPORTED_WRITE", "ImageMeta", "LoadedImage", "flattens_alpha",
    "format_for_name", "format_for_path", "load_image", "load_mask", "save_image", "save_mask",
]
