"""The headless CLI (design.md §4): happy paths through tiny ONNX filters and every bad-input path.

Bad input always means exit 2 and exactly one line on stderr (``holst: error: ...``), no traceback,
no output file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from helpers_cli import (
    ROOT,
    cmyk_icc_profile,
    gradient,
    interrupt_once_started,
    png_header_only,
    run_cli,
    srgb_icc_profile,
    start_main,
    write_cli_plugins,
    write_mode_image,
)
from PIL import Image

import main as main_module
from plugins import cli
from plugins.imageio import load_image, save_image
from plugins.imageio import save as save_module


@pytest.fixture(scope="session")
def cli_plugin_dir(tmp_path_factory) -> Path:
    root = write_cli_plugins(tmp_path_factory.mktemp("cli_plugins"))
    broken = root / "cli_broken"
    broken.mkdir()
    (broken / "manifest.toml").write_text("id = [this is not toml", encoding="utf-8")
    return root


@pytest.fixture
def plugin_path(fixture_plugin_dir, cli_plugin_dir, use_plugin_folders) -> str:
    """The shared tiny ONNX plugins plus this file's own, discoverable through HOLST_PLUGIN_PATH."""
    return use_plugin_folders(fixture_plugin_dir, cli_plugin_dir)


def assert_one_error_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("holst: error: ") and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def rgba_png(tmp_path) -> Path:
    path = tmp_path / "in.png"
    Image.fromarray(gradient(40, 30, 4), "RGBA").save(path)
    return path


# -- filters -------------------------------------------------------------------------------------
def test_filters_lists_status_and_parameters(plugin_path):
    code, out, err = run_cli("filters")
    assert code == 0 and err == ""
    lines = {line.split()[0]: line for line in out.splitlines() if not line.startswith(" ")}
    assert lines["test_blur"].endswith("ok")
    assert lines["cli_untrained"].endswith("model not trained yet")
    assert "broken:" in lines["cli_broken"] and "TOML" in lines["cli_broken"]
    assert "strength  float   a number from 0 to 1 (default 1)" in out


def test_filters_json(plugin_path):
    code, out, _ = run_cli("filters", "--json")
    assert code == 0
    entries = {entry["id"]: entry for entry in json.loads(out)}
    blur = entries["test_blur"]
    assert blur["status"] == "ok" and blur["output"] == "same"
    assert blur["params"] == [{"name": "strength", "type": "float", "default": 1.0, "label": "strength",
                               "min": 0.0, "max": 1.0}]
    assert entries["cli_untrained"]["status"] == "untrained"
    assert entries["cli_untrained"]["status_text"] == "model not trained yet"
    assert entries["cli_broken"]["status"] == "broken" and entries["cli_broken"]["reason"]
    assert entries["cli_fill"]["requires_mask"] is True
    assert blur["tiling"] == {"mode": "blend", "tile": 64, "overlap": 8}
    assert entries["colorize"]["tiling"] == {"mode": "none"}
    assert blur["commands"] == []
    if "edges2photo" in entries:  # its manifest contributes the Sketch panel's commands
        assert [(c["id"], c["role"]) for c in entries["edges2photo"]["commands"]] == [
            ("extract_edges", "sketch-from-photo"), ("normalise_drawing", "sketch-from-drawing")]


def test_tile_on_an_untiled_filter_says_it_has_no_effect(rgba_png, tmp_path):
    code, _, err = run_cli("apply", "colorize", rgba_png, "-o", tmp_path / "out.png", "--tile", 64)
    assert code == 0 and err.strip() == "holst: note: filter 'colorize' is not tiled: --tile has no effect"


# -- apply: happy paths --------------------------------------------------------------------------
def test_apply_blur_keeps_size_and_alpha(plugin_path, rgba_png, tmp_path):
    out = tmp_path / "out.png"
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", out, "--set", "strength=0.5")
    assert (code, err) == (0, "")
    before, after = load_image(rgba_png).pixels, load_image(out).pixels
    assert after.shape == before.shape
    assert (after[..., 3] == before[..., 3]).all()
    assert after[..., :3].std() < before[..., :3].std()  # blurred
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "out.png"]


@pytest.mark.parametrize("provider", ["auto", "cpu"])
def test_apply_double_scales_by_two(plugin_path, rgba_png, tmp_path, provider):
    out = tmp_path / "out.webp"
    code, _, err = run_cli("apply", "test_double", rgba_png, "-o", out, "--provider", provider, "--tile", 64)
    assert code == 0, err
    assert load_image(out).pixels.shape == (60, 80, 4)


@pytest.mark.skipif(sys.platform == "darwin", reason="CoreML exists on macOS")
def test_unavailable_provider_falls_back_and_says_so(plugin_path, rgba_png, tmp_path):
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", tmp_path / "o.png", "--provider", "coreml")
    assert code == 0 and (tmp_path / "o.png").exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("holst: note: CoreML is not available")


def test_metadata_is_carried_from_input_to_output(plugin_path, tmp_path):
    exif = Image.Exif()
    exif[0x010F], exif[0x0112] = "Holst camera", 6
    source = tmp_path / "photo.jpg"
    profile = srgb_icc_profile()  # made once: the profile's header holds the second it was created
    Image.fromarray(gradient(32, 16, 3), "RGB").save(source, exif=exif.tobytes(), icc_profile=profile)
    out = tmp_path / "out.tif"
    assert run_cli("apply", "test_blur", source, "-o", out)[0] == 0
    result = load_image(out)
    assert result.pixels.shape == (32, 16, 4)  # the rotation was applied once
    assert result.meta.icc_profile == profile
    kept = Image.Exif()
    kept.load(result.meta.exif)
    assert kept[0x010F] == "Holst camera" and kept[0x0112] == 1


@pytest.mark.parametrize(("mode", "ext"), [("CMYK", "jpg"), ("I;16", "png"), ("P", "png"),
                                           ("P+transparency", "png"), ("LA", "png"), ("L", "png"),
                                           ("1", "png"), ("F", "tif"), ("RGBA", "webp"), ("RGB", "bmp")])
def test_awkward_inputs_work(plugin_path, tmp_path, mode, ext):
    source = tmp_path / f"in.{ext}"
    write_mode_image(source, mode)
    out = tmp_path / "out.png"
    code, _, err = run_cli("apply", "test_blur", source, "-o", out)
    assert (code, err) == (0, "")
    before, after = load_image(source), load_image(out)
    assert after.pixels.shape == before.pixels.shape
    assert (after.pixels[..., 3] == before.pixels[..., 3]).all()  # alpha kept (LA, palette)


def test_cmyk_with_profile_and_sixteen_bit_output(plugin_path, tmp_path):
    Image.new("CMYK", (16, 8), (0, 0, 0, 128)).save(tmp_path / "c.jpg", icc_profile=cmyk_icc_profile())
    assert run_cli("apply", "test_blur", tmp_path / "c.jpg", "-o", tmp_path / "c.png")[0] == 0
    write_mode_image(tmp_path / "deep.png", "I;16")
    assert run_cli("apply", "test_blur", tmp_path / "deep.png", "-o", tmp_path / "deep_out.png")[0] == 0
    with Image.open(tmp_path / "deep_out.png") as image:
        assert image.tile[0][3].endswith(";16B")  # a 16-bit input gives a 16-bit PNG
    assert load_image(tmp_path / "deep_out.png").meta.bit_depth == 16


def test_jpeg_output_flattens_transparency_and_says_so(plugin_path, rgba_png, tmp_path):
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", tmp_path / "o.jpg", "--quality", "80")
    assert code == 0
    assert err.strip() == "holst: note: JPEG has no transparency: transparent areas were flattened onto white"


def test_existing_output_is_replaced(plugin_path, rgba_png, tmp_path):
    out = tmp_path / "out.png"
    save_image(out, gradient(5, 5, 4))
    assert run_cli("apply", "test_blur", rgba_png, "-o", out)[0] == 0
    assert load_image(out).pixels.shape == (30, 40, 4)


def test_in_place_edit(plugin_path, rgba_png):
    assert run_cli("apply", "test_double", rgba_png, "-o", rgba_png)[0] == 0
    assert load_image(rgba_png).pixels.shape == (60, 80, 4)


def test_progress_line_only_on_a_terminal(plugin_path, rgba_png, tmp_path):
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", tmp_path / "a.png", tty=True)
    assert code == 0 and "\rtest_blur: 100%" in err and err.endswith("\n")
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", tmp_path / "b.png", tty=False)
    assert code == 0 and err == ""


# -- apply: bad input ------------------------------------------------------------------------------
def _bad_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.png"
    if kind == "missing":
        return path
    if kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("not an image at all\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        Image.fromarray(gradient(64, 64, 4), "RGBA").save(path)
        path.write_bytes(path.read_bytes()[:-300])
    elif kind == "zero":
        path.write_bytes(png_header_only(0, 0))
    elif kind == "bomb":
        path.write_bytes(png_header_only(50_000, 50_000))
    return path


@pytest.mark.parametrize(("kind", "needle"), [
    ("missing", "does not exist"), ("folder", "folder"), ("text", "not a PNG, JPEG"), ("empty", "empty"),
    ("truncated", "truncated"), ("zero", "0×0"), ("bomb", "decompression-bomb"),
])
def test_unreadable_input_is_exit_2_with_one_line(plugin_path, tmp_path, kind, needle):
    source = _bad_file(tmp_path, kind)
    out = tmp_path / "out.png"
    code, _, err = run_cli("apply", "test_blur", source, "-o", out)
    assert code == 2
    assert_one_error_line(err, str(source), needle)
    assert not out.exists()


@pytest.mark.parametrize(("setting", "needle"), [
    ("strength", "--set expects NAME=VALUE"), ("=1", "--set expects NAME=VALUE"),
    ("nope=1", "has no parameter 'nope'"), ("strength=7", "between 0 and 1"),
    ("strength=lots", "expects a number"),
])
def test_bad_set_is_exit_2(plugin_path, rgba_png, tmp_path, setting, needle):
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", tmp_path / "o.png", "--set", setting)
    assert code == 2
    assert_one_error_line(err, needle)


@pytest.mark.parametrize(("filter_id", "needle"), [
    ("no_such_filter", "unknown filter 'no_such_filter' (available: "),
    ("cli_untrained", "model not trained yet"),
])
def test_unknown_or_untrained_filter_is_exit_2(plugin_path, rgba_png, tmp_path, filter_id, needle):
    code, _, err = run_cli("apply", filter_id, rgba_png, "-o", tmp_path / "o.png")
    assert code == 2
    assert_one_error_line(err, needle)


def test_broken_filter_is_exit_2(plugin_path, rgba_png, tmp_path):
    code, _, err = run_cli("apply", "cli_broken", rgba_png, "-o", tmp_path / "o.png")
    assert code == 2  # a manifest that does not parse has no id: the folder's name finds it
    assert_one_error_line(err, "filter 'cli_broken' is broken", "not valid TOML")


@pytest.mark.parametrize(("output", "needle"), [
    ("out.gif", "the output extension '.gif' is not supported"),
    ("out", "has no extension"),
    ("missing_folder/out.png", "does not exist"),
])
def test_bad_output_is_refused_before_running(plugin_path, rgba_png, tmp_path, output, needle):
    # test_raises would exit 1 if it ran: exit 2 proves the output was checked first
    code, _, err = run_cli("apply", "test_raises", rgba_png, "-o", tmp_path / output)
    assert code == 2
    assert_one_error_line(err, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


@pytest.mark.parametrize("argv", [
    ("apply",), ("apply", "test_blur", "x.png"),
    ("apply", "test_blur", "x.png", "-o", "o.png", "--tile", "8"),
    ("apply", "test_blur", "x.png", "-o", "o.png", "--tile", "big"),
    ("apply", "test_blur", "x.png", "-o", "o.png", "--provider", "quantum"),
    ("apply", "test_blur", "x.png", "-o", "o.png", "--quality", "0"), ("frobnicate",), ("filters", "--xml"),
])
def test_bad_arguments_are_one_line(plugin_path, argv):
    code, out, err = run_cli(*argv)
    assert code == 2 and out == ""
    assert_one_error_line(err)


def test_help_is_exit_0(capsys):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(["apply", "--help"])
    assert info.value.code == 0
    assert "--provider" in capsys.readouterr().out


# -- masks -----------------------------------------------------------------------------------------
def _mask(path: Path, width: int, height: int) -> Path:
    data = np.zeros((height, width), np.uint8)
    data[:, width // 2:] = 255
    Image.fromarray(data, "L").save(path)
    return path


def test_mask_is_used(plugin_path, rgba_png, tmp_path):
    mask = _mask(tmp_path / "m.png", 40, 30)
    code, _, err = run_cli("apply", "cli_fill", rgba_png, "-o", tmp_path / "o.png", "--mask", mask)
    assert (code, err) == (0, "")
    result = load_image(tmp_path / "o.png").pixels
    assert (result[:, 21:, :3] == 0).all() and result[:, :19, :3].any()


def test_mask_with_the_same_shape_is_resized(plugin_path, rgba_png, tmp_path):
    mask = _mask(tmp_path / "m.png", 20, 15)  # half size, same aspect ratio
    assert run_cli("apply", "cli_fill", rgba_png, "-o", tmp_path / "o.png", "--mask", mask)[0] == 0
    assert (load_image(tmp_path / "o.png").pixels[:, 22:, :3] == 0).all()


def test_mask_of_another_shape_is_exit_2(plugin_path, rgba_png, tmp_path):
    mask = _mask(tmp_path / "m.png", 30, 30)
    code, _, err = run_cli("apply", "cli_fill", rgba_png, "-o", tmp_path / "o.png", "--mask", mask)
    assert code == 2
    assert_one_error_line(err, "30×30 pixels but the image is 40×30")


def test_missing_or_unreadable_mask_is_exit_2(plugin_path, rgba_png, tmp_path):
    code, _, err = run_cli("apply", "cli_fill", rgba_png, "-o", tmp_path / "o.png")
    assert code == 2
    assert_one_error_line(err, "needs --mask")
    code, _, err = run_cli("apply", "cli_fill", rgba_png, "-o", tmp_path / "o.png",
                           "--mask", tmp_path / "no.png")
    assert code == 2
    assert_one_error_line(err, "does not exist")


# -- failures while running ------------------------------------------------------------------------
def test_plugin_failure_is_exit_1_and_leaves_the_old_output(plugin_path, rgba_png, tmp_path):
    out = tmp_path / "out.png"
    save_image(out, gradient(5, 5, 4))
    before = out.read_bytes()
    for filter_id, needle in (("test_raises", "RuntimeError: boom"), ("test_wrong_shape", "wrong shape")):
        code, _, err = run_cli("apply", filter_id, rgba_png, "-o", out)
        assert code == 1
        assert_one_error_line(err, needle)
        assert out.read_bytes() == before


def test_internal_error_is_one_line(plugin_path, rgba_png, tmp_path, monkeypatch):
    from plugins import pipeline

    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "apply_filter", bug)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", tmp_path / "o.png")
    assert code == 1
    assert_one_error_line(err, "internal error: ZeroDivisionError")


def test_interrupt_during_save_is_130_and_keeps_the_old_file(plugin_path, rgba_png, tmp_path, monkeypatch):
    out = tmp_path / "out.png"
    save_image(out, gradient(5, 5, 4))
    before = out.read_bytes()

    def interrupted(fh, **kwargs):
        fh.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(save_module, "_encode", interrupted)
    code, _, err = run_cli("apply", "test_blur", rgba_png, "-o", out)
    assert code == 130 and err == "holst: cancelled\n"
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "out.png"]


# -- real processes --------------------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
def test_ctrl_c_is_130_without_a_partial_file(plugin_path, rgba_png, tmp_path):
    marker = tmp_path / "started"
    out = tmp_path / "out.png"
    proc = start_main("apply", "cli_slow", rgba_png, "-o", out, env_path=plugin_path,
                      env={"HOLST_TEST_MARKER": str(marker)})
    err = interrupt_once_started(proc, marker, timeout=30)
    assert proc.returncode == 130
    assert err == "holst: cancelled\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "started"]


def _corrupt_tiff(path: Path) -> Path:
    """A deflate TIFF with damaged compressed data: libtiff complains on stderr from C when decoding it."""
    Image.fromarray(gradient(64, 64, 3), "RGB").save(path, compression="tiff_adobe_deflate")
    data = bytearray(path.read_bytes())
    for at in range(40, 400, 7):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def test_real_process_exit_codes_and_one_line(plugin_path, rgba_png, tmp_path):
    ok = start_main("apply", "test_blur", rgba_png, "-o", tmp_path / "o.png", env_path=plugin_path)
    assert ok.wait(60) == 0 and (tmp_path / "o.png").exists()
    for source in (tmp_path / "nope.png", _corrupt_tiff(tmp_path / "bad.tif")):
        bad = start_main("apply", "test_blur", source, "-o", tmp_path / "p.png", env_path=plugin_path)
        _, err = bad.communicate(timeout=60)
        assert bad.returncode == 2
        assert_one_error_line(err, source.name)


def _imported_modules(*argv: str, env_path: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "main.py"), *map(str, argv)],
                          cwd=ROOT, env=dict(os.environ, HOLST_PLUGIN_PATH=env_path), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "plugins.cli" in names
    return names


def test_cli_imports_neither_torch_nor_qt(plugin_path, rgba_png, tmp_path):
    for argv in (("filters",), ("apply", "test_blur", rgba_png, "-o", tmp_path / "o.png")):
        names = _imported_modules(*argv, env_path=plugin_path)
        heavy = sorted(n for n in names if n.split(".")[0] in ("torch", "PySide6", "shiboken6", "editor"))
        assert heavy == [], heavy


# -- main.py dispatch ------------------------------------------------------------------------------
@pytest.fixture
def fake_editor(monkeypatch) -> list:
    calls: list = []
    module = types.ModuleType("editor.app")
    module.run_app = lambda path: calls.append(path) or 0
    monkeypatch.setitem(sys.modules, "editor.app", module)
    return calls


def test_main_without_arguments_opens_the_editor(fake_editor):
    assert main_module.main([]) == 0
    assert fake_editor == [None]


def test_main_with_an_image_opens_it(fake_editor, rgba_png):
    assert main_module.main([str(rgba_png)]) == 0
    assert fake_editor == [str(rgba_png)]


def test_main_refuses_a_missing_image_before_starting_qt(fake_editor, tmp_path, capsys):
    assert main_module.main([str(tmp_path / "nope.png")]) == 2
    assert fake_editor == []
    assert_one_error_line(capsys.readouterr().err, "does not exist")


def test_main_rejects_two_positional_arguments(fake_editor, capsys):
    assert main_module.main(["one.png", "two.png"]) == 2
    assert fake_editor == []
    assert_one_error_line(capsys.readouterr().err, "unknown command 'one.png'")


def test_main_routes_commands_to_the_cli(plugin_path, capsys):
    assert main_module.main(["filters", "--json"]) == 0
    assert any(entry["id"] == "test_blur" for entry in json.loads(capsys.readouterr().out))
    assert main_module.main(["--help"]) == 0
    assert "holst apply FILTER INPUT" in capsys.readouterr().out
