"""Issue 26, outputs: targets that are not writable regular files are refused before any work, temporary
names fit in 255 bytes, SIGTERM and SIGHUP clean up like Ctrl+C, and leftovers of a killed run go."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from helpers_cli import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from plugins import registry
from plugins.errors import ImageSaveError
from plugins.imageio import save as save_module
from plugins.imageio import save_image
from plugins.imageio.atomic import NAME_MAX, remove_leftovers, temp_prefix

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.timeout(120), pytest.mark.skipif(os.name != "posix", reason="POSIX file kinds")]


@pytest.fixture
def blur(test_plugins) -> str:
    return "test_blur"


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(path)
    return path


def refused_before_running(monkeypatch) -> list[int]:
    """Count filter runs: a refused output must be refused before the filter runs at all."""
    from plugins import pipeline

    runs: list[int] = []
    real = pipeline.apply_filter
    monkeypatch.setattr(pipeline, "apply_filter", lambda *a, **k: runs.append(1) or real(*a, **k))
    return runs


# -- targets that must not be replaced ------------------------------------------------------------------
def test_fifo_target_is_exit_2_and_stays_a_fifo(blur, photo, tmp_path, monkeypatch):
    runs = refused_before_running(monkeypatch)
    target = tmp_path / "out.png"
    os.mkfifo(target)
    code, _, err = run_cli("apply", blur, photo, "-o", target)
    assert code == 2 and "named pipe" in err and runs == []
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_link_to_a_device_is_exit_2_and_the_device_is_untouched(blur, photo, tmp_path, monkeypatch):
    runs = refused_before_running(monkeypatch)
    target = tmp_path / "out.png"
    target.symlink_to(os.devnull)
    code, _, err = run_cli("apply", blur, photo, "-o", target)
    assert code == 2 and "device" in err and runs == []
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode) and target.is_symlink()


def test_read_only_target_is_exit_2_and_unchanged(blur, photo, tmp_path, monkeypatch):
    runs = refused_before_running(monkeypatch)
    target = tmp_path / "out.png"
    target.write_bytes(b"keep me")
    target.chmod(0o444)
    try:
        code, _, err = run_cli("apply", blur, photo, "-o", target)
        assert code == 2 and "read-only" in err and runs == []
        assert target.read_bytes() == b"keep me"
    finally:
        target.chmod(0o644)


def test_save_image_refuses_the_same_targets(tmp_path):
    """The editor saves through save_image: it refuses them too, with one sentence."""
    pixels = np.zeros((4, 4, 4), np.uint8)
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    read_only = tmp_path / "ro.png"
    read_only.write_bytes(b"x")
    read_only.chmod(0o444)
    device = tmp_path / "dev.png"
    device.symlink_to(os.devnull)
    try:
        for target, words in ((fifo, "named pipe"), (read_only, "read-only"), (device, "device")):
            with pytest.raises(ImageSaveError, match=words):
                save_image(target, pixels)
        assert read_only.read_bytes() == b"x"
    finally:
        read_only.chmod(0o644)


def test_a_254_byte_file_name_is_written(blur, photo, tmp_path):
    target = tmp_path / ("n" * 250 + ".png")
    assert len(target.name.encode()) == 254
    code, _, err = run_cli("apply", blur, photo, "-o", target)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.png", target.name])


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=260).filter(lambda n: "/" not in n and "\0" not in n))
def test_temporary_names_fit_in_255_bytes(name):
    longest = temp_prefix(name) + "9" * 10 + "-" + "a" * 8 + ".part"
    assert len(os.fsencode(longest)) <= NAME_MAX
    assert temp_prefix(name).startswith(".")


# -- leftovers of killed runs ------------------------------------------------------------------------------
def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)


def test_only_our_leftovers_of_dead_processes_beside_the_target_are_removed(tmp_path):
    target = tmp_path / "out.png"
    prefix = temp_prefix(target.name)
    dead = _dead_pid()
    ours = tmp_path / f"{prefix}{dead}-abcd1234.part"
    running = tmp_path / f"{prefix}{os.getpid()}-abcd1234.part"
    other_target = tmp_path / f"{temp_prefix('other.png')}{dead}-abcd1234.part"
    not_ours = tmp_path / f".out.png.{dead}-abcd1234.part"
    odd = tmp_path / f"{prefix}{dead}-abc.part"
    for path in (ours, running, other_target, not_ours, odd):
        path.write_bytes(b"partial")
    folder_like = tmp_path / f"{prefix}{dead}-zzzz9999.part"
    folder_like.mkdir()
    save_image(target, np.zeros((4, 4, 4), np.uint8))
    left = {p.name for p in tmp_path.iterdir()}
    assert ours.name not in left
    assert {running.name, other_target.name, not_ours.name, odd.name, folder_like.name, "out.png"} == left
    assert remove_leftovers(target) == []


_CHILD = textwrap.dedent('''
    import os, sys, time
    from pathlib import Path
    from plugins import cli
    from plugins.imageio import save

    marker = Path(sys.argv[1])

    def slow_encode(fh, **kwargs):
        fh.write(b"x" * 4096)
        fh.flush()
        marker.write_text("writing")
        time.sleep(60)

    save._encode = slow_encode
    sys.exit(cli.run(sys.argv[2:]))
    ''')


def _start_slow_save(photo: Path, out: Path, marker: Path, plugin_path: str) -> subprocess.Popen:
    env = dict(os.environ, HOLST_PLUGIN_PATH=plugin_path, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-c", _CHILD, str(marker), "apply", "test_blur", str(photo), "-o", str(out)]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the save never started"
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_termination_during_the_write_cleans_up_like_ctrl_c(test_plugins, photo, tmp_path, signum):
    out = tmp_path / "out.png"
    out.write_bytes(b"old")
    marker = tmp_path / "writing"
    proc = _start_slow_save(photo, out, marker, str(test_plugins))
    try:
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == (130 if signum == signal.SIGINT else 128 + signum), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "out.png", "writing"]


def test_leftover_of_a_killed_run_is_removed_by_the_next_run(test_plugins, photo, tmp_path):
    out = tmp_path / "out.png"
    marker = tmp_path / "writing"
    proc = _start_slow_save(photo, out, marker, str(test_plugins))
    proc.kill()
    proc.communicate(timeout=30)
    parts = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(parts) == 1  # kill -9 cannot be cleaned up by the run itself
    code, _, err = run_cli("apply", "test_blur", photo, "-o", out)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "out.png", "writing"]


# -- files the format cannot hold ----------------------------------------------------------------------------
def test_tiff_over_4_gib_is_refused(tmp_path):
    with pytest.raises(ImageSaveError, match="at most 4 GiB"):
        save_module.check_file_size(str(tmp_path / "x.tif"), "TIFF", 40000, 30000, 3, 16)
    save_module.check_file_size(str(tmp_path / "x.tif"), "TIFF", 20000, 15000, 3, 16)  # 1.7 GiB: fine
    save_module.check_file_size(str(tmp_path / "x.png"), "PNG", 40000, 30000, 4, 16)   # PNG has no limit


def test_cli_refuses_an_oversized_tiff_before_the_run(blur, photo, tmp_path, monkeypatch):
    runs = refused_before_running(monkeypatch)
    monkeypatch.setattr(save_module, "_TIFF_MAX_BYTES", 1000)  # the 24×32 input stands for a huge one
    code, _, err = run_cli("apply", blur, photo, "-o", tmp_path / "out.tif")
    assert code == 2 and "at most 4 GiB" in err and "PNG" in err and runs == []
    assert not (tmp_path / "out.tif").exists()
    assert registry.get(blur).usable
