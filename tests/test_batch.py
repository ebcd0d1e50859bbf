"""Batches on the command line (plugins/batch.py): files, folders and globs into -o OUTDIR/, names,
no overwriting, bad inputs reported while the others go on, exit codes, progress, worker processes and
Ctrl+C leaving only complete files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from helpers_cli import gradient, interrupt_once_started, run_cli, start_main
from PIL import Image

from plugins import batch
from plugins.imageio import load_image


@pytest.fixture
def shoot(tmp_path) -> Path:
    """A folder of four good pictures (PNG and JPEG), one corrupt JPEG and a text file."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(gradient(40 + 8 * i, 30, 4, seed=i), "RGBA").save(folder / f"img{i}.png")
    Image.fromarray(gradient(36, 28, 3, seed=9), "RGB").save(folder / "photo.jpg", quality=90)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    (folder / "notes.txt").write_text("not an image")
    return folder


def summary_line(err: str) -> str:
    line = err.strip().splitlines()[-1]
    assert line.startswith("holst: ")
    return line


def test_folder_with_a_corrupt_file_gives_every_good_output_and_exit_2(all_test_plugins, shoot, tmp_path):
    out = tmp_path / "out"
    code, _, err = run_cli("apply", "test_blur", shoot, "-o", f"{out}/")
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == ["img0.png", "img1.png", "img2.png", "photo.jpg"]
    line = summary_line(err)
    assert "4 done" in line and "1 bad input" in line and "broken.jpg" in line
    assert f"holst: error: {shoot / 'broken.jpg'}: " in err        # reported when it happened, too
    for name in ("img0.png", "img1.png", "img2.png"):                # the same pixels as one at a time
        assert run_cli("apply", "test_blur", shoot / name, "-o", tmp_path / "single.png")[0] == 0
        assert np.array_equal(load_image(out / name).pixels, load_image(tmp_path / "single.png").pixels)


def test_names_from_suffix_and_format_and_globs(all_test_plugins, shoot, tmp_path):
    out = tmp_path / "x2"
    code, _, err = run_cli("apply", "test_double", str(shoot / "img*.png"), shoot / "photo.jpg",
                           "-o", f"{out}/", "--suffix", "_x2", "--format", "webp")
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["img0_x2.webp", "img1_x2.webp", "img2_x2.webp", "photo_x2.webp"]
    assert load_image(out / "img1_x2.webp").size == (96, 60)
    assert "4 done" in summary_line(err)
    code, _, err = run_cli("apply", "test_double", str(shoot / "*.gif"), "-o", f"{out}/")
    assert code == 2 and "matches no file" in err


def test_existing_outputs_are_kept_unless_overwrite(all_test_plugins, shoot, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "img0.png").write_bytes(b"keep me")
    code, _, err = run_cli("apply", "test_blur", shoot / "img0.png", shoot / "img1.png", "-o", out)
    assert code == 0 and (out / "img0.png").read_bytes() == b"keep me" and (out / "img1.png").exists()
    assert "skipped" in err and "--overwrite" in err and "1 skipped" in summary_line(err)
    code, _, err = run_cli("apply", "test_blur", shoot / "img0.png", shoot / "img1.png", "-o", out,
                           "--overwrite")
    assert code == 0 and load_image(out / "img0.png").size == (40, 30)


def test_two_inputs_with_one_output_name_are_one_bad_input(all_test_plugins, tmp_path):
    for ext in ("png", "bmp"):
        Image.fromarray(gradient(20, 20, 3), "RGB").save(tmp_path / f"same.{ext}")
    code, _, err = run_cli("apply", "test_blur", tmp_path / "same.png", tmp_path / "same.bmp", "-o",
                           f"{tmp_path}/out/", "--format", "png")
    assert code == 2 and "would also be that of" in err and "1 done" in summary_line(err)


def test_a_failing_filter_is_exit_1_and_bad_input_outranks_it(all_test_plugins, shoot, tmp_path):
    code, _, err = run_cli("apply", "test_raises", shoot / "img0.png", shoot / "img1.png",
                           "-o", f"{tmp_path}/o/")
    assert code == 1 and "2 failed" in summary_line(err) and "boom" in err
    code, _, err = run_cli("apply", "test_raises", shoot, "-o", f"{tmp_path}/p/")
    assert code == 2


def test_usage_errors_stop_before_any_work(all_test_plugins, shoot, tmp_path):
    for argv, needle in (
        ((shoot / "img0.png", shoot / "img1.png", "-o", tmp_path / "one.png"), "names a folder"),
        ((shoot, "-o", f"{tmp_path}/o/", "--jobs", "0"), "--jobs must be at least 1"),
        ((shoot, "-o", f"{tmp_path}/o/", "--format", "gif"), "--format gif is not supported"),
        ((shoot, "-o", f"{tmp_path}/o/", "--set", "nope=1"), "has no parameter 'nope'"),
        ((shoot / "img0.png", "-o", tmp_path / "one.png", "--suffix", "_a"), "--suffix and --format"),
    ):
        code, _, err = run_cli("apply", "test_blur", *argv)
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_progress_bar_on_a_terminal_plain_lines_otherwise(all_test_plugins, shoot, tmp_path):
    code, _, err = run_cli("apply", "test_blur", shoot, "-o", f"{tmp_path}/a/", tty=True)
    assert "\rtest_blur [" in err and "5/5" in err and "img/s" in err and "ETA" in err
    code, _, err = run_cli("apply", "test_blur", shoot, "-o", f"{tmp_path}/b/")
    assert "\r" not in err and "[5/5] " in err and "→" in err


def test_expand_takes_images_of_a_folder_in_order_each_once(shoot):
    files, problems = batch.expand([str(shoot), str(shoot / "img0.png"), str(shoot / "*.txt")])
    assert [Path(f).name for f in files] == ["broken.jpg", "img0.png", "img1.png", "img2.png", "photo.jpg",
                                             "notes.txt"]
    assert problems == []
    assert batch.output_name("a/b/photo.jpeg", "out", "_s", None) == os.path.join("out", "photo_s.jpeg")
    assert batch.output_name("scan.tiff", "out", "", "png") == os.path.join("out", "scan.png")


# -- real processes: worker pool and Ctrl+C ------------------------------------------------------------
def test_two_worker_processes_give_the_same_files(all_test_plugins, shoot, tmp_path):
    proc = start_main("apply", "test_blur", shoot, "-o", f"{tmp_path}/jobs2/", "--jobs", "2",
                 env_path=all_test_plugins)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "broken.jpg" in summary_line(err), err
    assert run_cli("apply", "test_blur", shoot, "-o", f"{tmp_path}/jobs1/")[0] == 2
    for name in ("img0.png", "img1.png", "img2.png", "photo.jpg"):
        a, b = (load_image(tmp_path / d / name).pixels for d in ("jobs1", "jobs2"))
        assert np.array_equal(a, b)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_is_130_and_leaves_only_complete_files(all_test_plugins, shoot, tmp_path, jobs):
    marker = tmp_path / "started"
    out = tmp_path / "out"
    proc = start_main("apply", "cli_slow", shoot / "img0.png", shoot / "img1.png", shoot / "img2.png",
                 "-o", f"{out}/", "--jobs", jobs, env_path=all_test_plugins,
                 env={"HOLST_TEST_MARKER": str(marker)})
    err = interrupt_once_started(proc, marker, timeout=60)
    assert proc.returncode == 130, err
    assert "cancelled: 0 done" in summary_line(err) and "Traceback" not in err
    assert list(out.iterdir()) == []          # no output, no temporary .part file


def test_a_worker_makes_its_onnx_session_once_for_all_its_images(all_test_plugins, shoot, tmp_path,
                                                                  monkeypatch):
    from plugins.runtime import Runtime

    made: list[str] = []
    create = Runtime._create
    monkeypatch.setattr(Runtime, "_create", lambda self, path, provider: made.append(path.name)
                        or create(self, path, provider))
    worker = batch.Worker(batch.Settings("test_blur+test_double", {}, None))
    tasks = [batch.Task(str(shoot / f"img{i}.png"), str(tmp_path / f"o{i}.png")) for i in range(3)]
    assert [worker.process(task).status for task in tasks] == [batch.DONE] * 3
    assert sorted(made) == ["blur.onnx", "double.onnx"]
