"""Files: export options, metadata kept, drag and drop, clipboard, recent files, unsaved-changes
prompt, autosave and crash recovery, preferences."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from helpers_gui import make_window, open_image, sample_pixels, wait_jobs, write_png
from PIL import Image, ImageCms
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage

from editor.document import MASK
from editor.preferences import PreferencesDialog
from editor.recovery import RecoveryStore, snapshot
from editor.undo import edit_plane
from plugins.imageio import load_image


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


def touch(window):
    """One undoable change so the document counts as modified."""
    doc = window.doc
    window.history.push(edit_plane(doc, MASK, 0, 0, np.ones((4, 4), np.float32), "mask"))


def test_export_jpeg_quality_and_16_bit_png(qtbot, window, tmp_path):
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    hi, lo = tmp_path / "hi.jpg", tmp_path / "lo.jpg"
    assert window.files.save_to(str(hi), fmt="JPEG", quality=95, export=True, wait=True)
    assert window.files.save_to(str(lo), fmt="JPEG", quality=10, export=True, wait=True)
    assert Image.open(hi).format == "JPEG" and hi.stat().st_size > lo.stat().st_size
    assert window.doc.path == str(tmp_path / "in.png")     # exporting keeps the document's own file
    deep = tmp_path / "deep.png"
    assert window.files.save_to(str(deep), bit_depth=16, export=True, wait=True)
    header = deep.read_bytes()[:26]
    assert header[12:16] == b"IHDR" and header[24] == 16     # bit depth field of the PNG header


def test_icc_profile_and_exif_are_kept(qtbot, window, tmp_path):
    src = tmp_path / "photo.jpg"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x010F] = "HolstCam"
    Image.fromarray(sample_pixels()[..., :3]).save(src, quality=95, icc_profile=icc, exif=exif.tobytes())
    open_image(qtbot, window, src)
    out = tmp_path / "out.jpg"
    assert window.files.save_to(str(out), wait=True)
    with Image.open(out) as im:
        assert im.info.get("icc_profile") == icc
        assert im.getexif().get(0x010F) == "HolstCam"


def test_unreadable_file_gives_one_clear_message(qtbot, window, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    before = window.doc
    window.files.open_file(str(bad), ask=False)
    wait_jobs(qtbot, window)
    assert window.doc is before
    assert "broken.png" in window.last_error and "\n" not in window.last_error


def test_drop_a_file_opens_it(qtbot, window, tmp_path):
    path = write_png(tmp_path / "dropped.png", sample_pixels())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    # Qt ignores synthetic drops without a real drag in progress, so call the handler directly
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.doc.path == str(path), timeout=10000)
    wait_jobs(qtbot, window)
    assert np.array_equal(window.doc.layers[0].pixels, sample_pixels())


def test_paste_from_clipboard_as_layer_and_as_new_image(qtbot, window, tmp_path):
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    image = QImage(20, 10, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.red)
    QGuiApplication.clipboard().setImage(image)
    qtbot.keyClick(window.canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(window.doc.layers) == 2
    assert tuple(window.doc.layers[1].pixels[5, 5]) == (255, 0, 0, 255)
    assert window.doc.layers[1].pixels[30, 30, 3] == 0
    window.act_undo.trigger()
    assert len(window.doc.layers) == 1
    window.act_paste_new.trigger()
    assert (window.doc.width, window.doc.height) == (20, 10)
    assert window.isWindowModified()


def test_recent_files_menu(qtbot, window, tmp_path):
    a = write_png(tmp_path / "a.png", sample_pixels())
    b = write_png(tmp_path / "b.png", sample_pixels(40, 30))
    open_image(qtbot, window, a)
    open_image(qtbot, window, b)
    assert window.prefs.recent[:2] == [str(b), str(a)]
    window.files.fill_recent(window.recent_menu)
    actions = window.recent_menu.actions()
    assert [act.text() for act in actions[:2]] == [str(b), str(a)]
    actions[1].trigger()
    qtbot.waitUntil(lambda: window.doc.path == str(a), timeout=10000)
    wait_jobs(qtbot, window)


def test_unsaved_changes_prompt_on_close_and_open(qtbot, window, tmp_path):
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    touch(window)
    asked = []
    window.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    assert not window.close()
    assert window.isVisible() and asked
    assert window.files.open_file(str(tmp_path / "in.png")) is None     # cancelled: nothing opened
    window.files.ask_unsaved = lambda: "save"
    assert window.close()
    saved = load_image(tmp_path / "in.png").pixels
    assert np.array_equal(saved, sample_pixels())


def test_autosave_and_recovery_after_a_crash(qtbot, window, tmp_path):
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    touch(window)
    window.layers_panel.do_add()
    assert window.session.autosave() is not None
    wait_jobs(qtbot, window)
    folder = window.recovery.folder
    info = json.loads((folder / "session.json").read_text())
    assert len(info["layers"]) == 2
    # pretend the process that wrote it died: give the folder the pid of a finished process
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    info["pid"] = int(dead)
    (folder / "session.json").write_text(json.dumps(info))
    crashed = folder.rename(folder.parent / f"session-{dead}")
    store = RecoveryStore(tmp_path / "recovery")
    assert store.orphans() == [crashed]
    assert_second_window_recovers(qtbot, tmp_path, store)


def assert_second_window_recovers(qtbot, tmp_path, store: RecoveryStore) -> None:
    """A new window restores the crashed session: two layers, the sample, the touched mask, modified."""
    other = make_window(qtbot, tmp_path / "second", recovery=store)
    assert other.session.offer_recovery(ask=lambda _info: True)
    assert len(other.doc.layers) == 2
    assert np.array_equal(other.doc.layers[0].pixels, sample_pixels())
    assert other.doc.mask[:4, :4].all()
    assert other.isWindowModified()
    assert store.orphans() == []


def test_snapshot_is_independent_of_later_edits(qtbot, window):
    snap = snapshot(window.doc)
    window.doc.layers[0].pixels[:] = 0
    assert snap.arrays["layer0"].max() == 255


def test_preferences_dialog_stores_settings(qtbot, window):
    dialog = PreferencesDialog(window.prefs, window)
    qtbot.addWidget(dialog)
    dialog.provider.setCurrentIndex(dialog.provider.findData("cpu"))
    dialog.tile.setValue(256)
    dialog.memory.setValue(512)
    dialog.language.setCurrentIndex(dialog.language.findData("ru"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.store()
    window.session.apply_preferences()
    prefs = window.prefs
    assert (prefs.provider, prefs.tile, prefs.memory_bytes, prefs.language, prefs.theme) == (
        "cpu", 256, 512 * 1024 * 1024, "ru", "light")
    assert window.history.budget == 512 * 1024 * 1024


def test_save_error_is_reported_and_document_stays_modified(qtbot, window, tmp_path):
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    touch(window)
    assert not window.files.save_to(str(tmp_path / "no_such_dir" / "x.png"), wait=True)
    assert "no_such_dir" in window.last_error
    assert window.isWindowModified()


def test_status_bar_shows_the_cursor_position(qtbot, window):
    canvas = window.canvas
    qtbot.mouseMove(canvas, canvas.to_widget(QPointF(10.5, 20.5)).toPoint())
    assert window.pos_label.text() == "10, 20"
    qtbot.mouseMove(canvas, QPoint(1, 1))
    assert window.pos_label.text() == ""


def test_save_never_overwrites_a_protected_file(qtbot, window, tmp_path, monkeypatch):
    path = write_png(tmp_path / "sample.png", sample_pixels())
    open_image(qtbot, window, path)
    window.files.protected_paths.add(str(path.resolve()))
    touch(window)
    asked = []
    monkeypatch.setattr(window.files, "save_as", lambda wait=False: asked.append(wait) or False)
    assert not window.files.save()
    assert asked == [False]
    assert np.array_equal(load_image(path).pixels, sample_pixels())


def test_new_image_asks_about_unsaved_changes(qtbot, window, tmp_path):
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    touch(window)
    window.files.ask_unsaved = lambda: "cancel"
    assert not window.files.new_image(300, 200)
    assert window.doc.width == 96
    window.files.ask_unsaved = lambda: "discard"
    assert window.files.new_image(300, 200, transparent=True)
    assert (window.doc.width, window.doc.height) == (300, 200) and window.doc.path is None
    assert not window.doc.layers[0].pixels.any()
    assert not window.isWindowModified()


def test_export_dialog_options_follow_the_format(qtbot, tmp_path):
    from editor.export_dialog import ExportDialog

    dialog = ExportDialog(str(tmp_path / "photo.png"), 16)
    qtbot.addWidget(dialog)
    assert dialog.format.currentText() == "PNG" and dialog.depth.isEnabled()
    assert not dialog.quality.isEnabled() and dialog.depth.currentData() == 16
    dialog.format.setCurrentIndex(dialog.format.findText("JPEG"))
    assert dialog.path.text().endswith("photo.jpg")
    assert dialog.quality.isEnabled() and not dialog.depth.isEnabled()
    dialog.quality.setValue(70)
    assert dialog.options() == {"path": str(tmp_path / "photo.jpg"), "fmt": "JPEG", "quality": 70,
                                "bit_depth": 8, "metadata": True}


_EDITING_CHILD = """
import sys, time
from pathlib import Path
import numpy as np
from PySide6.QtCore import QSettings
from editor.app import make_app
from editor.main_window import MainWindow
from editor.recovery import RecoveryStore
from editor.undo import edit_plane
from editor.document import MASK

root, image = Path(sys.argv[1]), sys.argv[2]
app = make_app()
settings = QSettings(str(root / "settings.ini"), QSettings.Format.IniFormat)
settings.setValue("autosave_s", 0)
window = MainWindow(settings, RecoveryStore(root / "recovery"))
window.show()
window.files.open_file(image, ask=False)
deadline = time.time() + 60
while (window.doc is None or window.doc.path is None or window.runner.busy()) and time.time() < deadline:
    app.processEvents()
doc = window.doc
window.history.push(edit_plane(doc, MASK, 0, 0, np.ones((4, 4), np.float32), "mask"))
window.layers_panel.do_add()
job = window.session.autosave()
while window.runner.busy() and time.time() < deadline:
    app.processEvents()
print("AUTOSAVED", flush=True)
while True:            # keep editing until the parent kills us
    app.processEvents()
    time.sleep(0.01)
"""


def test_killing_the_editor_while_editing_offers_the_work_back(qtbot, tmp_path):
    """A real editor process autosaves, is killed with SIGKILL, and the next start restores its work."""
    image = write_png(tmp_path / "in.png", sample_pixels())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", _EDITING_CHILD, str(tmp_path), str(image)],
                             stdout=subprocess.PIPE, text=True, env=env,
                             cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        line = child.stdout.readline()
        assert line.strip() == "AUTOSAVED", line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    store = RecoveryStore(tmp_path / "recovery")
    assert len(store.orphans()) == 1
    assert_second_window_recovers(qtbot, tmp_path, store)
