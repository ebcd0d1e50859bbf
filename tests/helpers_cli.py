"""Files the image-file and CLI tests craft themselves: odd PNG headers, a tiny CMYK ICC profile, images
in every colour mode, and small filter plugins the CLI tests need beside the shared ONNX fixtures; and the
two ways the CLI and batch tests run the command line: in this process (``run_cli``) or as a real
``main.py`` process (``start_main``, ``interrupt_once_started``)."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG whose IHDR claims ``width``×``height`` (8-bit RGB) with a tiny or empty IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(idat))
            + png_chunk(b"IEND", b""))


def gradient(width: int = 24, height: int = 16, channels: int = 4, seed: int = 0) -> np.ndarray:
    """A deterministic uint8 test picture (asymmetric, so rotations and flips are visible)."""
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    data[0, 0] = 255  # a marked corner
    return data


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def cmyk_icc_profile() -> bytes:
    """A minimal ICC v2 CMYK profile (lut8 A2B0, Lab PCS) that tints half-ink pink.

    Pillow's plain CMYK → RGB formula would give grey for (0, 0, 0, 128); through this profile the same
    pixel comes out clearly pink, which tells the two conversion paths apart.
    """
    text = b"Holst test CMYK\x00"
    desc = (b"desc\x00\x00\x00\x00" + struct.pack(">I", len(text)) + text + struct.pack(">II", 0, 0)
            + struct.pack(">HB", 0, 0) + b"\x00" * 67)
    white = b"XYZ \x00\x00\x00\x00" + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    cprt = b"text\x00\x00\x00\x00none\x00"
    identity = b"".join(_s15(1.0 if row == col else 0.0) for row in range(3) for col in range(3))
    ramp = bytes(range(256))
    clut = bytearray()
    for _c in (0, 1):
        for _m in (0, 1):
            for _y in (0, 1):
                for k in (0, 1):  # the last input channel varies fastest
                    clut += bytes((255, 192, 128)) if k == 0 else bytes((0, 128, 128))
    a2b0 = b"mft1\x00\x00\x00\x00" + bytes((4, 3, 2, 0)) + identity + ramp * 4 + bytes(clut) + ramp * 3
    tags = [(b"desc", desc), (b"wtpt", white), (b"cprt", cprt), (b"A2B0", a2b0)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\x00" * ((-len(body)) % 4)
    header = (struct.pack(">I", offset + len(data)) + b"lcms" + struct.pack(">I", 0x02100000) + b"prtr"
              + b"CMYK" + b"Lab " + struct.pack(">6H", 2020, 1, 1, 0, 0, 0) + b"acsp" + b"APPL"
              + b"\x00" * 4 + b"none" + b"none" + b"\x00" * 8 + struct.pack(">I", 0)
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"lcms" + b"\x00" * 44)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def srgb_icc_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def write_mode_image(path: Path, mode: str) -> Image.Image:
    """Save a small picture in ``mode`` (PNG unless the mode needs TIFF/JPEG) and return it."""
    base = gradient(12, 8, 4)
    if mode == "RGBA":
        image = Image.fromarray(base, "RGBA")
    elif mode == "RGB":
        image = Image.fromarray(base[..., :3].copy(), "RGB")
    elif mode == "L":
        image = Image.fromarray(base[..., 0].copy(), "L")
    elif mode == "LA":
        image = Image.fromarray(base[..., :2].copy(), "LA")
    elif mode == "1":
        image = Image.fromarray(base[..., 0] > 127).convert("1")
    elif mode in ("P", "P+transparency"):
        image = Image.fromarray(base[..., :3].copy(), "RGB").quantize(16)
        if mode == "P+transparency":
            image.info["transparency"] = 0
    elif mode == "I;16":
        image = Image.fromarray(base[..., 0].astype(np.uint16) * 257)  # uint16 → mode I;16
    elif mode in ("I", "F"):
        values = base[..., 0].astype(np.int32) * 257 if mode == "I" else base[..., 0] / np.float32(255)
        image = Image.fromarray(values.astype(np.int32 if mode == "I" else np.float32))
    elif mode == "CMYK":
        image = Image.fromarray(base, "CMYK")
    else:
        raise ValueError(mode)
    kwargs = {"transparency": 0} if mode == "P+transparency" else {}
    image.save(path, **kwargs)
    return image


def write_plugin(root: Path, plugin_id: str, body: str, *, input_kind: str = "image", output: str = "same",
                 models: tuple[tuple[str, str], ...] = (), params: str = "") -> Path:
    """A plugin folder with ``filter.py`` = ``body`` (numpy imported) and the given manifest bits."""
    folder = root / plugin_id
    folder.mkdir(parents=True, exist_ok=True)
    model_toml = "".join(f'[[models]]\nfile = "{name}"\nsha256 = "{sha}"\n' for name, sha in models)
    (folder / "manifest.toml").write_text(
        f'id = "{plugin_id}"\nname = "{plugin_id}"\ncategory = "Test"\nversion = "1"\n'
        f'input = "{input_kind}"\noutput = "{output}"\n\n[tiling]\ntile = 64\noverlap = 8\n\n'
        f"{model_toml}\n{params}", encoding="utf-8")
    (folder / "filter.py").write_text("import numpy as np\n" + textwrap.dedent(body), encoding="utf-8")
    return folder


def write_cli_plugins(root: Path) -> Path:
    """Plugins only the CLI tests use: an untrained one, a mask filler, a slow one that says it started."""
    write_plugin(root, "cli_untrained", "def run(ctx, image, mask, params):\n    return image\n",
                 models=(("never_trained.onnx", hashlib.sha256(b"nothing").hexdigest()),))
    write_plugin(root, "cli_fill", """
        def run(ctx, image, mask, params):
            out = image.copy()
            out[mask > 0.5] = 0.0
            return out
        """, input_kind="image+mask")
    write_plugin(root, "cli_slow", """
        import os
        import time

        def run(ctx, image, mask, params):
            marker = os.environ.get("HOLST_TEST_MARKER")
            if marker:
                open(marker, "w").close()
            for step in range(3000):
                ctx.cancel.raise_if_cancelled()
                ctx.progress(step / 3000)
                time.sleep(0.01)
            return image
        """)
    return root


class Stream(io.StringIO):
    """A text stream that says whether it is a terminal (the CLI prints its progress line only on one)."""

    def __init__(self, tty: bool = False) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def run_cli(*argv, tty: bool = False) -> tuple[int, str, str]:
    """``holst ARGV`` in this process: (exit code, stdout, stderr)."""
    from plugins import cli

    out, err = Stream(), Stream(tty)
    code = cli.run([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def start_main(*argv, env_path: str, **kwargs) -> subprocess.Popen:
    """``python main.py ARGV`` as a real process with ``HOLST_PLUGIN_PATH=env_path`` (text pipes)."""
    env = dict(os.environ, HOLST_PLUGIN_PATH=env_path, **kwargs.pop("env", {}))
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *map(str, argv)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def interrupt_once_started(proc: subprocess.Popen, marker: Path, timeout: float) -> str:
    """Wait until the process creates ``marker`` (the slow filter started), send it Ctrl+C, return its stderr.

    The process is killed if it is still running when this returns (a failed assertion included).
    """
    try:
        deadline = time.monotonic() + timeout
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the slow filter never started"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        return proc.communicate(timeout=timeout)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
