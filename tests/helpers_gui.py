"""Helpers for the GUI tests: a main window with isolated settings, waiting for background jobs,
a test image, and a mask-driven fixture filter (no ONNX) to prove the editor passes its mask."""

from __future__ import annotations

import contextlib
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np


def sample_pixels(width: int = 96, height: int = 64) -> np.ndarray:
    """A deterministic RGBA image with edges in it (so a blur visibly changes it)."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 4), np.uint8)
    img[..., 0] = (x * 255 // max(1, width - 1)).astype(np.uint8)
    img[..., 1] = (y * 255 // max(1, height - 1)).astype(np.uint8)
    img[..., 2] = np.where((x // 8 + y // 8) % 2 == 0, 230, 20).astype(np.uint8)
    img[..., 3] = 255
    return img


def write_png(path: Path, pixels: np.ndarray) -> Path:
    from PIL import Image

    Image.fromarray(pixels, "RGBA").save(path)
    return path


def write_plugin(root: Path, folder: str, manifest: str, files: dict[str, str]) -> Path:
    """A plugin folder ``root/folder``: ``manifest.toml`` and the other ``files`` (dedented); returns root."""
    path = root / folder
    path.mkdir(parents=True, exist_ok=True)
    for name, text in {"manifest.toml": manifest, **files}.items():
        (path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@contextlib.contextmanager
def plugins_on_path(monkeypatch, *folders: Path) -> Iterator[None]:
    """Only the plugins in ``folders`` discoverable (HOLST_PLUGIN_PATH, fresh registry) for the block."""
    from plugins import registry

    monkeypatch.setenv("HOLST_PLUGIN_PATH", os.pathsep.join(str(f) for f in folders))
    registry.all_filters(refresh=True)
    try:
        yield
    finally:
        monkeypatch.delenv("HOLST_PLUGIN_PATH", raising=False)
        registry.all_filters(refresh=True)


def write_mask_fill_plugin(root: Path) -> Path:
    """A filter that requires a mask and paints the masked pixels pure red."""
    return write_plugin(root, "fill_red", '''
        id = "test_fill_red"
        name = "Test fill red"
        category = "Test"
        version = "1"
        input = "image+mask"
        output = "same"
        requires_mask = true
        ''', {"filter.py": '''
        import numpy as np

        def run(ctx, image, mask, params):
            out = image.copy()
            m = mask[..., None]
            red = np.zeros_like(image)
            red[..., 0] = 1.0
            return out * (1 - m) + red * m
        '''})


def make_window(qtbot, tmp_path: Path, recovery=None):
    """A shown MainWindow with settings in ``tmp_path`` and filters discovered; autosaves go to
    ``recovery`` (a RecoveryStore), by default one in ``tmp_path``."""
    from PySide6.QtCore import QSettings

    from editor.main_window import MainWindow
    from editor.recovery import RecoveryStore

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("autosave_s", 0)
    window = MainWindow(settings, recovery or RecoveryStore(tmp_path / "recovery"))
    window.files.ask_unsaved = lambda: "discard"
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    wait_jobs(qtbot, window)
    return window


def window_on_sample(qtbot, tmp_path: Path):
    """:func:`make_window` showing ``sample_pixels()`` opened from ``tmp_path/in.png``."""
    window = make_window(qtbot, tmp_path)
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    return window


def wait_jobs(qtbot, window, timeout: int = 20000) -> None:
    """Wait until no background job runs and their result signals have been delivered."""
    qtbot.waitUntil(lambda: not window.runner.busy(), timeout=timeout)
    qtbot.wait(20)


def run_apply(qtbot, window, timeout: int = 20000) -> str:
    """Click Apply, wait for the job to finish; returns the outcome ("done", "failed", "cancelled")."""
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(window.filter_finished, timeout=timeout) as blocker:
        qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window, timeout=timeout)
    return blocker.args[0]


def open_image(qtbot, window, path: Path) -> None:
    window.files.open_file(str(path), ask=False)
    qtbot.waitUntil(lambda: window.doc.path == os.path.abspath(path), timeout=20000)
    wait_jobs(qtbot, window)


def choose_filter(window, filter_id: str, target: str | None = None) -> None:
    assert window.filters_panel.select(filter_id), f"{filter_id} not listed"
    if target is not None:
        combo = window.filters_panel.target
        combo.setCurrentIndex(combo.findData(target))


def write_sketch_invert_plugin(root: Path) -> Path:
    """A sketch-input filter that returns its input inverted (white lines on black), contributing a
    "sketch-from-photo" command that draws one line across the middle row at ``darkness`` and one that
    raises."""
    return write_plugin(root, "sketch_invert", '''
        id = "test_sketch_invert"
        name = "Test sketch invert"
        category = "Test"
        version = "1"
        input = "sketch"
        output = "same"

        [[commands]]
        id = "middle_line"
        role = "sketch-from-photo"
        call = "lines.py:middle_line"
        label = "Test middle line"

        [[commands.params]]
        name = "darkness"
        type = "float"
        min = 0.0
        max = 1.0
        default = 1.0

        [[commands]]
        id = "faulty"
        role = "sketch-from-photo"
        call = "lines.py:faulty"
        label = "Test faulty command"
        ''', {"filter.py": "def run(ctx, image, mask, params):\n    return 1.0 - image\n", "lines.py": '''
        import numpy as np

        def middle_line(image, darkness):
            paper = np.ones(image.shape[:2], np.float32)
            paper[image.shape[0] // 2] = 1.0 - darkness
            return paper

        def faulty(image):
            raise ValueError("no lines today")
        '''})


def drag(qtbot, canvas, points, modifier=None) -> None:
    """Press at the first image point (holding ``modifier``, if any), move through the others, release
    at the last."""
    from PySide6.QtCore import QPointF, Qt

    modifier = Qt.KeyboardModifier.NoModifier if modifier is None else modifier
    wpts = [canvas.to_widget(QPointF(*p)).toPoint() for p in points]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, modifier, wpts[0])
    for p in wpts[1:]:
        qtbot.mouseMove(canvas, p)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, modifier, wpts[-1])


def write_tile_plugin(root: Path) -> Path:
    """A ``new-layer`` filter returning a 10×6 tile, with a choice parameter that has thumbnails."""
    from PIL import Image

    (root / "tile" / "thumbs").mkdir(parents=True, exist_ok=True)
    for name, colour in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
        Image.new("RGB", (32, 32), colour).save(root / "tile" / "thumbs" / f"{name}.png")
    return write_plugin(root, "tile", '''
        id = "test_tile"
        name = "Test tile"
        category = "Test"
        version = "1"
        output = "new-layer"

        [[params]]
        name = "colour"
        type = "choice"
        choices = ["red", "blue"]
        labels = ["Red", "Blue"]
        thumbnails = ["thumbs/red.png", "thumbs/blue.png"]
        default = "red"
        label = "Colour"
        ''', {"filter.py": '''
        import numpy as np

        def run(ctx, image, mask, params):
            tile = np.zeros((6, 10, 3), np.float32)
            tile[:, :, 0 if params["colour"] == "red" else 2] = 1.0
            tile[0, 0] = 1.0
            return tile
        '''})


def settled_grab(canvas):
    """The canvas as a QImage once every visible tile shows the current document."""
    image = canvas.grab().toImage()
    for _ in range(100):
        if not canvas.refining:
            break
        image = canvas.grab().toImage()
    return image
