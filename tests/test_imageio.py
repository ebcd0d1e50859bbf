"""plugins.imageio: every colour mode, EXIF orientation, metadata round trips, bad files, atomic saves."""

from __future__ import annotations

import dataclasses
import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers_cli import (
    cmyk_icc_profile,
    gradient,
    png_header_only,
    srgb_icc_profile,
    write_mode_image,
)
from PIL import Image, ImageOps

from plugins.errors import ImageLoadError, ImageSaveError
from plugins.imageio import (
    MAX_PIXELS,
    SUPPORTED_READ,
    SUPPORTED_WRITE,
    ImageMeta,
    flattens_alpha,
    format_for_path,
    load_image,
    load_mask,
    save_image,
    save_mask,
)
from plugins.imageio import save as save_module

ROOT = Path(__file__).resolve().parents[1]


def _exif(orientation: int | None = None, make: str = "Holst") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x8769] = {0x9003: "2024:05:06 07:08:09"}
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


def _parsed(data: bytes | None) -> Image.Exif:
    assert data is not None and data.startswith(b"Exif\x00\x00")
    exif = Image.Exif()
    exif.load(data)
    return exif


# -- formats -----------------------------------------------------------------------------------
def test_supported_extensions_match_the_architecture():
    assert {"png", "jpg", "jpeg", "webp", "tif", "tiff", "bmp"} == SUPPORTED_READ == SUPPORTED_WRITE
    assert format_for_path("a/B.JPG") == "JPEG" and format_for_path("x.tif") == "TIFF"
    assert format_for_path("x.gif") is None and format_for_path("noext") is None


# -- colour modes ------------------------------------------------------------------------------
@pytest.mark.parametrize(("mode", "ext", "has_alpha", "bit_depth"), [
    ("RGB", "png", False, 8), ("RGBA", "png", True, 8), ("L", "png", False, 8), ("LA", "png", True, 8),
    ("1", "png", False, 1), ("P", "png", False, 8), ("P+transparency", "png", True, 8),
    ("I;16", "png", False, 16), ("I", "tif", False, 32), ("F", "tif", False, 32), ("CMYK", "jpg", False, 8),
    ("RGBA", "tif", True, 8), ("RGBA", "webp", True, 8), ("RGB", "bmp", False, 8),
])
def test_every_mode_becomes_rgba_uint8(tmp_path, mode, ext, has_alpha, bit_depth):
    path = tmp_path / f"in.{ext}"
    source = write_mode_image(path, mode)
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint8
    assert loaded.pixels.shape == (source.height, source.width, 4)
    assert loaded.pixels.flags.c_contiguous and loaded.pixels.flags.writeable
    assert loaded.meta.has_alpha is has_alpha
    assert loaded.meta.bit_depth == bit_depth
    if not has_alpha:
        assert (loaded.pixels[..., 3] == 255).all()


def test_grey_modes_keep_their_values(tmp_path):
    grey = gradient(12, 8, 4)[..., 0]
    for mode, ext in (("L", "png"), ("I;16", "png"), ("I", "tif"), ("F", "tif")):
        path = tmp_path / f"{mode.replace(';', '')}.{ext}"
        write_mode_image(path, mode)
        pixels = load_image(path).pixels
        assert np.abs(pixels[..., 0].astype(int) - grey).max() <= 1, mode
        assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()


def test_la_keeps_alpha_and_palette_transparency_is_alpha(tmp_path):
    la = gradient(12, 8, 4)[..., :2]
    write_mode_image(tmp_path / "la.png", "LA")
    pixels = load_image(tmp_path / "la.png").pixels
    assert (pixels[..., 0] == la[..., 0]).all() and (pixels[..., 3] == la[..., 1]).all()
    source = write_mode_image(tmp_path / "p.png", "P+transparency")
    pixels = load_image(tmp_path / "p.png").pixels
    index = np.asarray(source)
    assert (pixels[..., 3][index == 0] == 0).all() and (pixels[..., 3][index != 0] == 255).all()


def test_sixteen_bit_rgb_png(tmp_path):
    data = gradient(10, 6, 4)
    save_image(tmp_path / "deep.png", data, bit_depth=16)
    with Image.open(tmp_path / "deep.png") as image:
        assert image.tile[0][3].endswith(";16B")  # really 16 bits per channel on disk
    loaded = load_image(tmp_path / "deep.png")
    assert loaded.meta.bit_depth == 16 and loaded.meta.has_alpha
    assert (loaded.pixels == data).all()


def test_cmyk_without_profile_uses_pillows_conversion(tmp_path):
    Image.new("CMYK", (4, 2), (0, 0, 0, 128)).save(tmp_path / "c.jpg")
    pixel = load_image(tmp_path / "c.jpg").pixels[0, 0].astype(int)
    assert abs(pixel[0] - pixel[1]) <= 3 and abs(pixel[1] - pixel[2]) <= 3  # grey
    assert load_image(tmp_path / "c.jpg").meta.icc_profile is None


def test_cmyk_with_profile_converts_through_it_and_exports_srgb(tmp_path):
    Image.new("CMYK", (4, 2), (0, 0, 0, 128)).save(tmp_path / "c.jpg", icc_profile=cmyk_icc_profile())
    loaded = load_image(tmp_path / "c.jpg")
    red, green, _ = loaded.pixels[0, 0, :3].astype(int)
    assert red > green + 40  # the profile's pink, not Pillow's grey
    assert loaded.meta.mode == "CMYK"
    assert loaded.meta.icc_profile is not None and loaded.meta.icc_profile[16:20] == b"RGB "


def test_broken_cmyk_profile_falls_back(tmp_path):
    icc = bytearray(cmyk_icc_profile())
    icc[200:260] = b"\xff" * 60  # damage the tag data, keep the header
    Image.new("CMYK", (4, 2), (0, 0, 0, 128)).save(tmp_path / "c.jpg", icc_profile=bytes(icc))
    assert load_image(tmp_path / "c.jpg").pixels.shape == (2, 4, 4)


def test_grey_profile_is_dropped_rgb_profile_kept(tmp_path):
    srgb = srgb_icc_profile()
    grey = bytearray(srgb)
    grey[16:20] = b"GRAY"
    Image.fromarray(gradient(6, 4, 1)[..., 0], "L").save(tmp_path / "g.png", icc_profile=bytes(grey))
    Image.fromarray(gradient(6, 4, 3), "RGB").save(tmp_path / "c.png", icc_profile=srgb)
    assert load_image(tmp_path / "g.png").meta.icc_profile is None
    assert load_image(tmp_path / "c.png").meta.icc_profile == srgb


# -- EXIF orientation --------------------------------------------------------------------------
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_and_reset(tmp_path, orientation):
    source = Image.fromarray(gradient(9, 5, 3), "RGB")
    source.save(tmp_path / "o.png", exif=_exif(orientation).tobytes())
    with Image.open(tmp_path / "o.png") as image:
        expected = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    loaded = load_image(tmp_path / "o.png")
    assert (loaded.pixels[..., :3] == expected).all()
    kept = _parsed(loaded.meta.exif)
    assert kept.get(0x0112) == 1 and kept[0x010F] == "Holst"
    assert kept.get_ifd(0x8769)[0x9003] == "2024:05:06 07:08:09"


def test_jpeg_orientation_from_a_camera_file(tmp_path):
    Image.fromarray(gradient(16, 8, 3), "RGB").save(tmp_path / "cam.jpg", exif=_exif(6).tobytes())
    loaded = load_image(tmp_path / "cam.jpg")
    assert loaded.pixels.shape == (16, 8, 4)  # rotated to portrait
    assert _parsed(loaded.meta.exif)[0x0112] == 1


def test_corrupt_exif_is_dropped_not_fatal(tmp_path):
    Image.fromarray(gradient(6, 4, 3), "RGB").save(tmp_path / "e.jpg", exif=b"Exif\x00\x00MM\x00*\xff\xff")
    loaded = load_image(tmp_path / "e.jpg")
    assert loaded.pixels.shape == (4, 6, 4)


# -- metadata round trips ----------------------------------------------------------------------
@pytest.mark.parametrize(("ext", "bit_depth"), [("png", 8), ("png", 16), ("jpg", 8), ("webp", 8),
                                                ("tif", 8), ("tif", 16)])
def test_icc_and_exif_survive_export(tmp_path, ext, bit_depth):
    icc = srgb_icc_profile()
    Image.fromarray(gradient(9, 5, 3), "RGB").save(tmp_path / "src.jpg", exif=_exif(8).tobytes(),
                                                  icc_profile=icc)
    loaded = load_image(tmp_path / "src.jpg")
    save_image(tmp_path / f"out.{ext}", loaded.pixels, loaded.meta, bit_depth=bit_depth)
    again = load_image(tmp_path / f"out.{ext}")
    assert again.meta.icc_profile == icc
    exif = _parsed(again.meta.exif)
    assert exif[0x010F] == "Holst" and exif.get(0x0112) == 1
    assert exif.get_ifd(0x8769)[0x9003] == "2024:05:06 07:08:09"
    assert again.pixels.shape == loaded.pixels.shape == (9, 5, 4)


def test_bmp_has_no_metadata_but_saves(tmp_path):
    meta = ImageMeta("JPEG", "RGB", 8, False, srgb_icc_profile(), _exif(1).tobytes())
    save_image(tmp_path / "a.bmp", gradient(5, 3, 4), meta)
    assert load_image(tmp_path / "a.bmp").pixels.shape == (3, 5, 4)


@pytest.mark.parametrize("ext", ["png", "tif", "webp"])
def test_lossless_pixels_and_alpha_round_trip(tmp_path, ext):
    data = gradient(13, 7, 4)
    options = {"quality": 100} if ext == "webp" else {}
    save_image(tmp_path / f"a.{ext}", data, **options)
    back = load_image(tmp_path / f"a.{ext}").pixels
    if ext == "webp":  # lossy even at 100; alpha is lossless
        assert (back[..., 3] == data[..., 3]).all()
    else:
        assert (back == data).all()


def test_tiff16_stores_sixteen_bit_values(tmp_path):
    cv2 = pytest.importorskip("cv2")
    data = gradient(7, 5, 3)
    save_image(tmp_path / "d.tif", data, bit_depth=16)
    raw = cv2.imread(str(tmp_path / "d.tif"), cv2.IMREAD_UNCHANGED)
    assert raw.dtype == np.uint16
    assert (raw[..., ::-1] == data.astype(np.uint16) * 257).all()  # OpenCV gives BGR
    assert (load_image(tmp_path / "d.tif").pixels[..., :3] == data).all()


def test_opaque_image_is_saved_without_alpha_channel(tmp_path):
    data = gradient(5, 3, 4)
    data[..., 3] = 255
    save_image(tmp_path / "a.png", data)
    with Image.open(tmp_path / "a.png") as image:
        assert image.mode == "RGB"
    meta = ImageMeta("PNG", "RGBA", 8, True, None, None)
    save_image(tmp_path / "b.png", data, meta)  # the source had alpha: keep the channel
    with Image.open(tmp_path / "b.png") as image:
        assert image.mode == "RGBA"


@pytest.mark.parametrize("ext", ["jpg", "bmp"])
def test_alpha_is_flattened_onto_white_where_it_cannot_be_stored(tmp_path, ext):
    data = np.zeros((8, 8, 4), np.uint8)
    data[..., 0] = 200
    data[:, :4, 3] = 255  # left half opaque red-ish, right half fully transparent
    assert flattens_alpha(f"x.{ext}", data) and not flattens_alpha("x.png", data)
    save_image(tmp_path / f"a.{ext}", data, quality=100)
    back = load_image(tmp_path / f"a.{ext}").pixels.astype(int)
    assert np.abs(back[:, 6, :3] - 255).max() <= 4  # white, not the hidden red
    assert np.abs(back[:, 1, :3] - [200, 0, 0]).max() <= 6


def test_rgb_input_is_accepted(tmp_path):
    save_image(tmp_path / "a.png", gradient(4, 3, 3))
    assert load_image(tmp_path / "a.png").pixels.shape == (3, 4, 4)


# -- bad files -----------------------------------------------------------------------------------
def _load_error(path: Path) -> str:
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_missing_file(tmp_path):
    assert "does not exist" in _load_error(tmp_path / "nope.png")


def test_directory(tmp_path):
    (tmp_path / "folder.png").mkdir()
    assert "folder" in _load_error(tmp_path / "folder.png")


def test_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "secret.png"
    write_mode_image(path, "RGB")
    if os.name == "posix" and os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads everything: simulate what a normal user gets
        def denied(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr("plugins.imageio.load.open", denied, raising=False)
    assert "permission denied" in _load_error(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(30)
def test_fifo_and_devices_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert "not a regular file" in _load_error(fifo)  # opening it would block until a writer came
    with pytest.raises(ImageLoadError, match="not a regular file"):
        load_image("/dev/zero")


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("hello, this is text\n" * 10)
    assert "not a PNG, JPEG, WebP, TIFF or BMP image" in _load_error(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert "empty" in _load_error(path)


def test_unsupported_format_content(tmp_path):
    path = tmp_path / "anim.gif"
    Image.new("RGB", (4, 4)).save(path, "GIF")
    assert "not a PNG" in _load_error(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_png(tmp_path, keep):
    write_mode_image(tmp_path / "full.png", "RGBA")
    data = (tmp_path / "full.png").read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: int(len(data) * keep)])
    assert "truncated" in _load_error(path) or "corrupt" in _load_error(path)


def test_truncated_jpeg(tmp_path):
    Image.fromarray(gradient(64, 64, 3), "RGB").save(tmp_path / "full.jpg")
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    assert "truncated" in _load_error(tmp_path / "cut.jpg")


@pytest.mark.parametrize(("width", "height"), [(0, 0), (0, 10), (10, 0)])
def test_zero_size_png(tmp_path, width, height):
    path = tmp_path / "zero.png"
    path.write_bytes(png_header_only(width, height))
    assert "empty" in _load_error(path)


# In the app, plugins.imageio makes Pillow's DecompressionBombWarning an error; pytest resets warning
# filters around each test, so both paths are exercised explicitly: warning raised, warning ignored.
@pytest.mark.parametrize("pillow_warning", ["error", "ignore"])
@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (12_500, 12_500), (150_000_001, 1)])
def test_decompression_bomb(tmp_path, width, height, pillow_warning):
    import warnings

    warnings.simplefilter(pillow_warning, Image.DecompressionBombWarning)
    assert width * height > MAX_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(width, height))
    message = _load_error(path)
    assert "megapixel" in message and "decompression-bomb" in message


def test_bomb_guard_holds_even_if_pillows_limit_is_lifted(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(20_000, 20_000))
    assert "megapixel" in _load_error(path)


def test_bomb_tiff_header(tmp_path):
    Image.new("L", (8, 8)).save(tmp_path / "small.tif")
    data = bytearray((tmp_path / "small.tif").read_bytes())
    ifd = int.from_bytes(data[4:8], "little")
    count = int.from_bytes(data[ifd:ifd + 2], "little")
    for index in range(count):
        at = ifd + 2 + 12 * index
        tag, kind = int.from_bytes(data[at:at + 2], "little"), int.from_bytes(data[at + 2:at + 4], "little")
        if tag in (256, 257):
            size = 2 if kind == 3 else 4
            data[at + 8:at + 8 + size] = (60_000).to_bytes(size, "little")
    (tmp_path / "bomb.tif").write_bytes(bytes(data))
    assert "megapixel" in _load_error(tmp_path / "bomb.tif")


# -- saving: errors and atomicity ------------------------------------------------------------------
def test_save_errors_are_clear(tmp_path):
    data = gradient(4, 4, 4)
    cases = [
        (dict(path=tmp_path / "a.gif"), "unsupported file type '.gif'"),
        (dict(path=tmp_path / "noext"), "without an extension"),
        (dict(path=tmp_path / "missing" / "a.png"), "does not exist"),
        (dict(path=tmp_path / "a.jpg", bit_depth=16), "cannot store 16 bits"),
        (dict(path=tmp_path / "a.png", bit_depth=12), "bit depth must be 8 or 16"),
        (dict(path=tmp_path / "a.jpg", quality=0), "quality"),
    ]
    for kwargs, expected in cases:
        path = kwargs.pop("path")
        with pytest.raises(ImageSaveError, match=expected):
            save_image(path, data, **kwargs)
    with pytest.raises(ImageSaveError, match="at most 16383"):
        save_image(tmp_path / "wide.webp", np.zeros((1, 16384, 4), np.uint8))
    with pytest.raises(ValueError):
        save_image(tmp_path / "a.png", np.zeros((4, 4), np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_explicit_format_overrides_extension(tmp_path):
    save_image(tmp_path / "picture.dat", gradient(4, 4, 4), fmt="png")
    with Image.open(tmp_path / "picture.dat") as image:
        assert image.format == "PNG"


def _old_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "keep.png"
    save_image(path, gradient(8, 8, 4, seed=1))
    return path, path.read_bytes()


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name != "keep.png")


def test_failure_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    path, before = _old_file(tmp_path)
    real = save_module._encode

    def half_then_disk_full(fh, **kwargs):
        real(fh, **kwargs)
        fh.seek(fh.tell() // 2)
        fh.truncate()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(save_module, "_encode", half_then_disk_full)
    with pytest.raises(ImageSaveError, match="no space left on device"):
        save_image(path, gradient(8, 8, 4, seed=2))
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_failure_at_fsync_or_replace_keeps_the_old_file(tmp_path, monkeypatch):
    path, before = _old_file(tmp_path)
    for target in ("fsync", "replace"):
        with monkeypatch.context() as patch:
            def broken(*args, **kwargs):
                raise OSError(errno.EIO, "Input/output error")
            patch.setattr(os, target, broken)
            with pytest.raises(ImageSaveError, match="input/output error"):
                save_image(path, gradient(8, 8, 4, seed=2))
        assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_interrupt_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    path, before = _old_file(tmp_path)

    def interrupted(fh, **kwargs):
        fh.write(b"\x89PNG partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(save_module, "_encode", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_image(path, gradient(8, 8, 4, seed=2))
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("moment", ["fsync", "replace"])
def test_killed_process_mid_save_leaves_the_old_file(tmp_path, moment):
    """A real kill -9 of a saving process: just before the data is durable, and just before the swap."""
    path, before = _old_file(tmp_path)
    script = textwrap.dedent(f"""
        import os, signal, sys
        import numpy as np
        sys.path.insert(0, {str(ROOT)!r})
        from plugins.imageio import save_image
        os.{moment} = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        save_image({str(path)!r}, np.full((64, 64, 4), 7, np.uint8))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert load_image(path).pixels.shape == (8, 8, 4)


def test_success_replaces_and_keeps_permissions(tmp_path):
    path, before = _old_file(tmp_path)
    path.chmod(0o640)
    save_image(path, gradient(8, 8, 4, seed=3))
    assert path.read_bytes() != before
    assert (path.stat().st_mode & 0o777) == 0o640 and _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_symlink_target_is_replaced_not_the_link(tmp_path):
    path, _ = _old_file(tmp_path)
    link = tmp_path / "link.png"
    link.symlink_to(path)
    save_image(link, gradient(8, 8, 4, seed=4))
    assert link.is_symlink()
    assert (load_image(path).pixels == gradient(8, 8, 4, seed=4)).all()


def test_meta_replace_keeps_dataclass_contract():
    meta = ImageMeta("PNG", "RGB", 8, False)
    assert dataclasses.replace(meta, has_alpha=True).has_alpha
    assert meta.icc_profile is None and meta.exif is None


# -- masks ---------------------------------------------------------------------------------------
def test_mask_round_trip_and_white_is_one(tmp_path):
    mask = np.linspace(0.0, 1.0, 6 * 9, dtype=np.float32).reshape(6, 9)
    save_mask(tmp_path / "m.png", mask)
    back = load_mask(tmp_path / "m.png")
    assert back.dtype == np.float32 and back.shape == (6, 9)
    assert np.abs(back - mask).max() <= 0.5 / 255 + 1e-6
    with Image.open(tmp_path / "m.png") as image:
        assert image.mode == "L"


def test_mask_alpha_counts(tmp_path):
    data = np.full((4, 4, 4), 255, np.uint8)
    data[:, :2, 3] = 0  # white but transparent: not part of the mask
    Image.fromarray(data, "RGBA").save(tmp_path / "m.png")
    mask = load_mask(tmp_path / "m.png")
    assert (mask[:, :2] == 0).all() and (mask[:, 2:] == 1).all()


def test_mask_of_another_size_is_resized_when_the_shape_matches(tmp_path):
    mask = np.zeros((10, 20), np.float32)
    mask[:, 10:] = 1.0
    save_mask(tmp_path / "m.png", mask)
    resized = load_mask(tmp_path / "m.png", size=(40, 20))
    assert resized.shape == (20, 40)
    assert resized[:, :15].max() == 0 and resized[:, 25:].min() == 1


def test_mask_of_another_shape_is_refused(tmp_path):
    save_mask(tmp_path / "m.png", np.ones((10, 20), np.float32))
    with pytest.raises(ImageLoadError, match=r"20×10 pixels but the image is 20×20"):
        load_mask(tmp_path / "m.png", size=(20, 20))
