"""Fuzzing the image loader with mutated PNG, JPEG, TIFF, WebP and BMP bytes (issue 10).

Whatever the bytes, ``load_image`` either returns a well-formed RGBA image or raises ImageLoadError
with one line naming the file: never another exception, never a hang (pytest-timeout bounds each
test). Mutations: byte flips, truncation, splicing in a chunk of another file, and header fields
overwritten with extreme sizes.
"""

from __future__ import annotations

import io
import os
import tempfile

import numpy as np
import pytest
from helpers_cli import gradient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from plugins.errors import ImageLoadError
from plugins.imageio import LoadedImage, load_image


def _encode(fmt: str, mode: str, **options) -> bytes:
    data = gradient(23, 17, 4, seed=5)
    image = Image.fromarray(data, "RGBA").convert(mode) if mode != "RGBA" else Image.fromarray(data, "RGBA")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# Pillow warns about the damage (e.g. "Corrupt EXIF data") before failing; the app silences those
# warnings at import (pytest resets warning filters per test), the test only cares about exceptions.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SEEDS: dict[str, bytes] = {
    "png-rgba": _encode("PNG", "RGBA"),
    "png-palette": _encode("PNG", "P"),
    "png-la": _encode("PNG", "LA"),
    "jpeg": _encode("JPEG", "RGB", quality=80),
    "jpeg-progressive": _encode("JPEG", "RGB", progressive=True),
    "jpeg-cmyk": _encode("JPEG", "CMYK"),
    "tiff-deflate": _encode("TIFF", "RGBA", compression="tiff_adobe_deflate"),
    "tiff-raw": _encode("TIFF", "RGB"),
    "webp": _encode("WEBP", "RGBA", quality=70),
    "webp-lossless": _encode("WEBP", "RGB", lossless=True),
    "bmp": _encode("BMP", "RGB"),
}
SEED_NAMES = sorted(SEEDS)


def _check(data: bytes) -> None:
    fd, path = tempfile.mkstemp(suffix=".img")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            loaded = load_image(path)
        except ImageLoadError as exc:
            message = str(exc)
            assert path in message and "\n" not in message
            return
        assert isinstance(loaded, LoadedImage)
        assert loaded.pixels.dtype == np.uint8 and loaded.pixels.ndim == 3 and loaded.pixels.shape[2] == 4
        assert loaded.pixels.shape[0] > 0 and loaded.pixels.shape[1] > 0
    finally:
        os.unlink(path)


@st.composite
def mutated(draw) -> bytes:
    name = draw(st.sampled_from(SEED_NAMES))
    data = bytearray(SEEDS[name])
    kind = draw(st.sampled_from(["flip", "truncate", "splice", "header", "mixed"]))
    if kind in ("flip", "mixed"):
        for _ in range(draw(st.integers(1, 12))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
    if kind in ("truncate", "mixed"):
        data = data[: draw(st.integers(0, len(data)))]
    if kind == "splice":
        other = SEEDS[draw(st.sampled_from(SEED_NAMES))]
        start = draw(st.integers(0, len(other)))
        piece = other[start: start + draw(st.integers(1, 400))]
        at = draw(st.integers(0, len(data)))
        data[at: at + draw(st.integers(0, 64))] = piece
    if kind == "header" and len(data) > 8:
        # overwrite a 4-byte field near the start (where sizes live) with an extreme value
        at = draw(st.integers(0, min(len(data), 64) - 4))
        value = draw(st.sampled_from([0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 60_000, 20_000]))
        data[at: at + 4] = value.to_bytes(4, draw(st.sampled_from(["big", "little"])))
    return bytes(data)


@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutated_files_never_crash_the_loader(data):
    _check(data)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_truncation_point_of_the_header(name):
    data = SEEDS[name]
    for end in list(range(0, min(len(data), 96))) + [len(data) // 2, len(data) - 1]:
        _check(data[:end])


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seeds_themselves_load(name):
    _check(SEEDS[name])
    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, "wb") as handle:
        handle.write(SEEDS[name])
    try:
        assert load_image(path).pixels.shape == (17, 23, 4)
    finally:
        os.unlink(path)
