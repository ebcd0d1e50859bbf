"""The shipped Upscale filter: registry, exact tiling, alpha, cancel/progress, quality, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plugins import registry
from plugins.cancel import CancelToken
from plugins.errors import Cancelled, ParamError
from plugins.pipeline import apply_filter
from plugins.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def entry():
    found = registry.get("upscale", refresh=True)
    assert found.usable, found.status_text()
    return found


@pytest.fixture(scope="module")
def runtime():
    return Runtime("cpu")


def photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A smooth picture with edges (random blobs upsampled), RGBA with a varying alpha."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8 + 1, width // 8 + 1, 4), dtype=np.uint8)
    big = np.asarray(Image.fromarray(small).resize((width, height), Image.BICUBIC))
    return np.ascontiguousarray(big)


def test_manifest_declares_both_scales_of_both_models(entry):
    spec = entry.spec
    assert spec.output == "scaled" and spec.tiling.scale_param == "scale"
    assert {m.file for m in spec.models} == {"upscale_x2.onnx", "upscale_x4.onnx", "upscale_photo_x2.onnx",
                                             "upscale_photo_x4.onnx"}
    model = spec.param("model")
    assert model.default == "faithful" and tuple(model.choices) == ("faithful", "photo")
    assert spec.parse_params({"scale": "2"})["scale"] in ("2", 2)
    with pytest.raises(ParamError):
        spec.parse_params({"scale": "3"})


@pytest.mark.parametrize("scale", [2, 4])
def test_output_size_and_alpha(entry, runtime, scale):
    pixels = photo(37, 23)
    out = apply_filter(entry, pixels, raw_params={"scale": str(scale)}, runtime=runtime)
    assert out.shape == (23 * scale, 37 * scale, 4) and out.dtype == np.uint8
    alpha = np.asarray(Image.fromarray(pixels[:, :, 3]).resize((37 * scale, 23 * scale), Image.BICUBIC))
    assert np.abs(out[:, :, 3].astype(int) - alpha).mean() < 4  # alpha resized, not the network's


def test_tiled_equals_untiled(entry, runtime):
    pixels = photo(150, 131, seed=1)
    whole = apply_filter(entry, pixels, raw_params={"scale": "2"}, runtime=runtime, tile=1024)
    tiled = apply_filter(entry, pixels, raw_params={"scale": "2"}, runtime=runtime, tile=64)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1


def test_cancel_stops_the_run(entry, runtime):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        apply_filter(entry, photo(40, 40), raw_params={"scale": "2"}, runtime=runtime, cancel=token)


def butterfly(scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set5's butterfly, top-left 192² crop: (original, its bicubic ÷ ``scale`` as opaque RGBA, that
    enlarged back by bicubic)."""
    from models import data

    path = data.shared_data_dir() / "benchmarks" / "Set5" / "butterfly.png"
    hr = data.crop_to_multiple(data.load_rgb(path)[:192, :192], scale)
    lr = data.bicubic_downscale(hr, scale)
    h, w = lr.shape[:2]
    bicubic = np.asarray(Image.fromarray(lr).resize((w * scale, h * scale), Image.BICUBIC))
    return hr, np.dstack([lr, np.full((h, w), 255, np.uint8)]), bicubic


@pytest.mark.needs_data("set5")
@pytest.mark.parametrize("scale", [2, 4])
def test_beats_bicubic_on_a_set5_image(entry, runtime, scale):
    from models import metrics

    hr, rgba, bicubic = butterfly(scale)
    ours = apply_filter(entry, rgba, raw_params={"scale": str(scale)}, runtime=runtime)[:, :, :3]
    assert metrics.psnr_y(ours, hr, scale) > metrics.psnr_y(bicubic, hr, scale) + 1.0


@pytest.mark.needs_data("set5")
@pytest.mark.parametrize("scale", [2, 4])
def test_photo_model_is_crisper_than_faithful_and_still_beats_bicubic(entry, runtime, scale):
    """The shipped photo networks: more fine detail than the faithful ones (closer to the original's
    gradient energy), at a PSNR-Y still above bicubic's."""
    from models import metrics

    hr, rgba, bicubic = butterfly(scale)
    out = {model: apply_filter(entry, rgba, raw_params={"scale": str(scale), "model": model},
                               runtime=runtime)[:, :, :3] for model in ("faithful", "photo")}
    detail = {name: float(metrics.luma_gradient(img).mean()) for name, img in {**out, "hr": hr}.items()}
    assert detail["faithful"] < detail["photo"] <= 1.1 * detail["hr"]
    assert metrics.psnr_y(out["photo"], hr, scale) > metrics.psnr_y(bicubic, hr, scale)


def test_cli_apply(tmp_path):
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(photo(30, 20, seed=2)).save(src)
    cmd = [sys.executable, str(ROOT / "main.py"), "apply", "upscale", str(src), "-o", str(dst),
           "--set", "scale=2"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with Image.open(dst) as img:
        assert img.size == (60, 40) and img.mode == "RGBA"
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "apply", "upscale", str(src), "-o",
                          str(tmp_path / "bad.png"), "--set", "scale=3"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad.png").exists()


def test_gpu_out_of_memory_halves_the_tile(entry):
    from plugins.context import FilterContext
    from plugins.errors import GpuOutOfMemory

    messages: list[str] = []
    ctx = FilterContext(entry, Runtime("auto"), tile=256, notify=messages.append)
    image = np.random.default_rng(4).random((200, 300, 3), dtype=np.float32)

    def fn(tile: np.ndarray) -> np.ndarray:
        if max(tile.shape[:2]) > 100:
            raise GpuOutOfMemory("simulated")
        return tile.repeat(2, axis=0).repeat(2, axis=1)

    out = ctx.run_tiled(image, fn, scale=2, to_uint8=True)
    assert messages == ["Out of GPU memory: retrying with 128px tiles.",
                        "Out of GPU memory: retrying with 64px tiles."]
    expected = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8).repeat(2, axis=0).repeat(2, axis=1)
    assert np.array_equal(out, expected) and ctx.owns(out)
