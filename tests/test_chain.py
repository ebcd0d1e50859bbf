"""Chains of filters (plugins/chain.py): same pixels as one by one, parameters by filter id, the mask to
the region filters only, one progress sweep, cancel; on the command line and with the shipped filters."""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers_cli import gradient, run_cli, write_plugin
from PIL import Image

from plugins import chain, pipeline, registry
from plugins.cancel import CancelToken
from plugins.errors import Cancelled, ParamError
from plugins.imageio import load_image


@pytest.fixture
def plugins(all_test_plugins, tmp_path_factory, use_plugin_folders) -> str:
    """The fixture plugins plus an ``image`` filter that whitens the masked pixels when given a mask."""
    root = tmp_path_factory.mktemp("chain_plugins")
    write_plugin(root, "chain_whiten", """
        def run(ctx, image, mask, params):
            if mask is None:
                return image
            return image * (1 - mask[..., None]) + mask[..., None]
        """, params='[[params]]\nname = "seed"\ntype = "int"\nmin = 0\nmax = 9\ndefault = 0\n')
    write_plugin(root, "chain_seeded", "def run(ctx, image, mask, params):\n    return image\n",
                 params='[[params]]\nname = "seed"\ntype = "int"\nmin = 0\nmax = 9\ndefault = 0\n')
    return use_plugin_folders(*all_test_plugins.split(os.pathsep), root)


def save_png(path, pixels) -> str:
    Image.fromarray(pixels, "RGBA" if pixels.shape[2] == 4 else "RGB").save(path)
    return str(path)


def test_two_filters_in_memory_give_the_pixels_of_two_runs(plugins, tmp_path):
    pixels = gradient(70, 50, 4)
    work = chain.build("test_blur+test_double", {"strength": "0.6"})
    together = chain.run(work, pixels)
    blurred = pipeline.apply_filter("test_blur", pixels, raw_params={"strength": "0.6"})
    one_by_one = pipeline.apply_filter("test_double", blurred)
    assert together.shape == (100, 140, 4)
    assert np.array_equal(together, one_by_one)


def test_cli_chain_equals_two_cli_runs_through_files(plugins, tmp_path):
    source = save_png(tmp_path / "in.png", gradient(64, 48, 4))
    assert run_cli("apply", "test_double+test_blur", source, "-o", tmp_path / "chain.png",
                   "--set", "test_blur.strength=0.3") == (0, "", "")
    assert run_cli("apply", "test_double", source, "-o", tmp_path / "step1.png")[0] == 0
    assert run_cli("apply", "test_blur", tmp_path / "step1.png", "-o", tmp_path / "step2.png",
                   "--set", "strength=0.3")[0] == 0
    chained, stepped = (load_image(tmp_path / n).pixels for n in ("chain.png", "step2.png"))
    assert chained.shape == (96, 128, 4) and np.array_equal(chained, stepped)


def test_parameters_go_to_their_filter_and_ambiguity_is_refused(plugins):
    work = chain.build("test_blur+chain_seeded", {"strength": "0.25", "seed": "3"})
    assert work.steps[0].params["strength"] == 0.25 and work.steps[1].params["seed"] == 3
    with pytest.raises(ParamError, match="ambiguous.*chain_seeded.seed or chain_whiten.seed"):
        chain.build("chain_whiten+chain_seeded", {"seed": "3"})
    work = chain.build("chain_whiten+chain_seeded", {"chain_seeded.seed": "3"})
    assert [s.params["seed"] for s in work.steps] == [0, 3]
    with pytest.raises(ParamError, match="'test_double' is not in the chain"):
        chain.build("test_blur+chain_seeded", {"test_double.seed": "1"})
    with pytest.raises(ParamError, match="no filter in the chain"):
        chain.build("test_blur+chain_seeded", {"radius": "1"})
    with pytest.raises(ParamError, match="not a chain"):
        chain.chain_ids("test_blur++test_double")


def test_in_a_chain_only_region_filters_get_the_mask_and_it_follows_the_scale(plugins):
    pixels = gradient(40, 30, 4)
    pixels[..., :3] = 0
    pixels[..., 3] = 255
    mask = np.zeros((30, 40), np.float32)
    mask[10:20, 10:30] = 1.0
    # alone, a filter gets the mask as `holst apply FILTER --mask` always gave it
    alone = chain.run(chain.build("chain_whiten"), pixels, mask=mask)
    assert alone[15, 15, 0] == 255 and alone[2, 2, 0] == 0
    # in a chain the image filter runs on the whole image; the fill (image+mask) gets the mask,
    # resized to the doubled image
    work = chain.build("chain_whiten+test_double+cli_fill")
    assert [work.takes_mask(s) for s in work.steps] == [False, False, True]
    doubled = pipeline.apply_filter("test_double", pixels)
    result = chain.run(work, pixels, mask=mask)
    assert result.shape == (60, 80, 4)
    assert np.all(result[22:38, 22:58, :3] == 0)                     # filled inside the scaled mask
    assert np.array_equal(result[:18, :, :3], doubled[:18, :, :3])    # untouched elsewhere


def test_progress_is_one_sweep_over_the_chain_and_cancel_stops_it(plugins):
    seen: list[float] = []
    chain.run(chain.build("test_blur+test_double+test_blur"), gradient(200, 150, 4), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert any(0.3 < f < 0.4 for f in seen) and any(0.6 < f < 0.7 for f in seen)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        chain.run(chain.build("test_blur+test_double"), gradient(40, 30, 4), cancel=token)


def test_cli_chain_errors_are_one_line_exit_2(plugins, tmp_path):
    source = save_png(tmp_path / "in.png", gradient(20, 20, 4))
    for argv, needle in (((), "needs --mask"), (("--set", "seed=1"), "no filter in the chain"),
                         (("--set", "x.seed=1"), "'x' is not in the chain")):
        code, _, err = run_cli("apply", "test_blur+cli_fill", source, "-o", tmp_path / "o.png", *argv)
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err
    code, _, err = run_cli("apply", "test_blur+nope", source, "-o", tmp_path / "o.png")
    assert code == 2 and "unknown filter 'nope'" in err
    assert not (tmp_path / "o.png").exists()


# -- the shipped filters -----------------------------------------------------------------------------
def _photo(height: int = 48, width: int = 64) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., 0] = (x * 4) % 256
    rgba[..., 1] = (y * 5) % 256
    rgba[..., 2] = ((x + y) * 3) % 256
    rgba[..., 3] = 255
    return rgba


def _shipped(*ids: str) -> None:
    registry.all_filters(refresh=True)
    for fid in ids:
        if not registry.get(fid).usable:
            pytest.skip(f"{fid} is not trained here")


def test_shipped_colorize_then_upscale_equals_one_by_one():
    _shipped("colorize", "upscale")
    pixels = _photo()
    together = chain.run(chain.build("colorize+upscale", {"scale": "2"}), pixels)
    one = pipeline.apply_filter("colorize", pixels)
    two = pipeline.apply_filter("upscale", one, raw_params={"scale": "2"})
    assert together.shape == (96, 128, 4) and np.array_equal(together, two)


def test_restoration_preset_is_inpaint_colorize_upscale_x2():
    preset = chain.PRESETS["restore-old-photo"]
    assert preset.steps == ("inpaint", "colorize", "upscale") and "-" in preset.name
    _shipped(*preset.steps)
    pixels = _photo()
    mask = np.zeros(pixels.shape[:2], np.float32)
    mask[20:24, 5:60] = 1.0                                    # a scratch across the photo
    work = chain.build("restore-old-photo")
    assert work.ids == ["inpaint", "colorize", "upscale"] and work.steps[2].params["scale"] == "2"
    assert work.needs_mask and [work.takes_mask(s) for s in work.steps] == [True, False, False]
    result = chain.run(work, pixels, mask=mask)
    assert result.shape == (96, 128, 4)
    explicit = chain.run(chain.build("inpaint+colorize+upscale", {"upscale.scale": "2"}), pixels, mask=mask)
    assert np.array_equal(result, explicit)
    four = chain.build("restore-old-photo", {"upscale.scale": "4"})   # --set overrides the preset
    assert four.steps[2].params["scale"] == "4"
