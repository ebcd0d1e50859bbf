"""Issue 26, editor state: preferences clamped to the dialog's ranges, recovery that checks everything
before building a document (fuzzed with hypothesis), a painter never left active, Cancel that returns
from a filter that never checks for it, jobs that are freed, and a close that always ends the process."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import weakref
from pathlib import Path

import numpy as np
import pytest
from helpers_gui import choose_filter, make_window, open_image, run_apply, sample_pixels, wait_jobs, write_png
from hostile_plugins import write_looping
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings

from editor.app import start_session
from editor.document import Document, Layer
from editor.preferences import RANGES, Prefs
from editor.recovery import SESSION, RecoveryError, RecoveryStore, SessionInfo, snapshot

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(120)
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                      st.lists(st.one_of(st.text(max_size=8), st.integers(-2**63, 2**63 - 1)), max_size=4))


# -- preferences -------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.fixed_dictionaries({key: ANY_VALUE for key in ("provider", "tile", "memory_mb", "autosave_s",
                                                         "language", "theme", "recent")}))
def test_any_preferences_file_gives_values_the_dialog_allows(values):
    with tempfile.TemporaryDirectory() as folder:
        settings_file = QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat)
        for key, value in values.items():
            settings_file.setValue(key, value)
        settings_file.sync()
        prefs = Prefs(QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat))
        assert prefs.tile is None or 64 <= prefs.tile <= RANGES["tile"][1]
        low, high = RANGES["memory_mb"]
        assert low << 20 <= prefs.memory_bytes <= high << 20
        assert RANGES["autosave_s"][0] <= prefs.autosave_s <= RANGES["autosave_s"][1]
        assert prefs.provider in ("auto", "tensorrt", "cuda", "directml", "coreml", "cpu")
        assert prefs.theme in ("system", "light", "dark") and prefs.language in ("en", "ru")
        assert all(isinstance(p, str) and p for p in prefs.recent)


def test_a_hand_edited_preferences_file_does_not_stop_the_editor(qtbot, tmp_path):
    from editor.main_window import MainWindow

    ini = tmp_path / "settings.ini"
    ini.write_text("[General]\nautosave_s=3000000\ntile=1000000000\nmemory_mb=-5\nprovider=gpu!\n")
    window = MainWindow(QSettings(str(ini), QSettings.Format.IniFormat), RecoveryStore(tmp_path / "rec"))
    qtbot.addWidget(window)
    assert window.session.autosave_timer.interval() == RANGES["autosave_s"][1] * 1000
    assert window.prefs.tile == RANGES["tile"][1] and window.prefs.memory_bytes == 64 << 20
    wait_jobs(qtbot, window)


# -- recovery ----------------------------------------------------------------------------------------------
def _session(root: Path, width: int = 64, height: int = 48) -> Path:
    """A real autosave of a two-layer document, as a crashed process left it (dead pid in the name)."""
    doc = Document(sample_pixels(width, height), None, "/photos/a.png")
    doc.layers.append(Layer(np.zeros((height, width, 4), np.uint8), "Top"))
    doc.mask[:4, :4] = 1.0
    store = RecoveryStore(root)
    store.write(snapshot(doc))
    dead = _dead_pid()
    info = json.loads((store.folder / SESSION).read_text())
    info["pid"] = dead
    (store.folder / SESSION).write_text(json.dumps(info))
    return store.folder.rename(root / f"session-{dead}")


_DEAD: list[int] = []


def _dead_pid() -> int:
    if not _DEAD:
        _DEAD.append(int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                        capture_output=True, text=True, check=True).stdout))
    return _DEAD[0]


def _edit_info(folder: Path, change) -> None:
    info = json.loads((folder / SESSION).read_text())
    (folder / SESSION).write_text(json.dumps(change(info)))


def _npy_header_claiming(shape: tuple[int, ...]) -> bytes:
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|u1", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


DAMAGE = {
    "list instead of a session": lambda f: (f / SESSION).write_text("[]"),
    "not json": lambda f: (f / SESSION).write_text("{pid: "),
    "pid is not a number": lambda f: _edit_info(f, lambda i: {**i, "pid": "abc"}),
    "negative pid": lambda f: _edit_info(f, lambda i: {**i, "pid": -1}),
    "no layers": lambda f: _edit_info(f, lambda i: {**i, "layers": []}),
    "missing layer file": lambda f: (f / "layer1.npy").unlink(),
    "truncated layer file": lambda f: (f / "layer0.npy").write_bytes((f / "layer0.npy").read_bytes()[:500]),
    "odd dtype": lambda f: np.save(f / "layer0.npy", np.zeros((48, 64, 4), np.float64)),
    "huge shape header": lambda f: (f / "layer0.npy").write_bytes(_npy_header_claiming((100000, 100000, 4))),
    "layer of another size": lambda f: np.save(f / "layer1.npy", np.zeros((5, 7, 4), np.uint8)),
    "7x5 mask beside a 64x48 layer": lambda f: np.save(f / "mask.npy", np.zeros((5, 7), np.float32)),
    "path outside the folder": lambda f: _edit_info(f, lambda i: {**i, "layers": [
        {**i["layers"][0], "file": "../../etc/x.npy"}]}),
    "absolute path": lambda f: _edit_info(f, lambda i: {**i, "layers": [
        {**i["layers"][0], "file": str(f / "layer0.npy")}]}),
    "symlinked layer": lambda f: ((f / "layer1.npy").unlink(),
                                  (f / "layer1.npy").symlink_to(f / "layer0.npy")),
    "opacity nan": lambda f: _edit_info(f, lambda i: {**i, "layers": [
        {**i["layers"][0], "opacity": float("nan")}]}),
    "current out of range": lambda f: _edit_info(f, lambda i: {**i, "current": 7}),
    "size over the pixel limit": lambda f: _edit_info(f, lambda i: {**i, "width": 10**6, "height": 10**6}),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_session_is_refused_before_a_document_is_built(tmp_path, case):
    folder = _session(tmp_path)
    assert isinstance(RecoveryStore.restore(folder), Document)  # intact, it restores
    DAMAGE[case](folder)
    with pytest.raises(RecoveryError):
        RecoveryStore.restore(folder)


@pytest.mark.parametrize("case", ["pid is not a number", "truncated layer file",
                                  "7x5 mask beside a 64x48 layer"])
def test_the_editor_sets_a_damaged_session_aside_and_opens_the_image(qtbot, tmp_path, monkeypatch, case):
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or
                        QMessageBox.StandardButton.Yes)  # the user says yes: recover
    root = tmp_path / "recovery"
    folder = _session(root)
    DAMAGE[case](folder)
    window = make_window(qtbot, tmp_path, recovery=RecoveryStore(root))
    image = write_png(tmp_path / "asked.png", sample_pixels(40, 30))
    start_session(window, str(image))
    assert "set aside" in window.last_error
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path == str(image), timeout=20000)
    assert not folder.exists() and [p.name.startswith("damaged-") for p in root.iterdir()] == [True]
    assert window.recovery.sessions() == []  # not offered again at the next start
    wait_jobs(qtbot, window)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["pid", "width", "height", "layers", "current", "path", "time"]),
                       ANY_VALUE | st.lists(st.dictionaries(
                           st.sampled_from(["name", "visible", "opacity", "blend", "file"]), ANY_VALUE),
                           max_size=3)))
def test_fuzzed_session_descriptions_are_valid_or_refused(changes):
    with tempfile.TemporaryDirectory() as root:
        folder = _session(Path(root), 8, 6)
        _edit_info(folder, lambda info: {**info, **changes})
        try:
            info = RecoveryStore.describe(folder)
        except RecoveryError:
            return
        assert isinstance(info, SessionInfo)
        try:
            doc = RecoveryStore.restore(folder)
        except RecoveryError:
            return
        assert all(layer.pixels.shape == (6, 8, 4) for layer in doc.layers) and doc.mask.shape == (6, 8)


# -- painting ---------------------------------------------------------------------------------------------
def test_a_paint_error_never_leaves_the_painter_active(qtbot, qtlog, tmp_path, monkeypatch):
    """Left active, Qt warns "endPaint() called with active painter" and the process crashes on exit."""
    window = make_window(qtbot, tmp_path)
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    canvas = window.canvas

    def broken(*_args, **_kwargs):
        raise ValueError("drawing failed")

    monkeypatch.setattr(canvas, "_paint_tiles", broken)
    with qtbot.captureExceptions() as errors:  # as in the app, the error reaches sys.excepthook
        canvas.update()
        qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "drawing failed" in str(errors[0][1])
    assert not [r.message for r in qtlog.records if "active painter" in r.message]
    assert not canvas.paintingActive()
    monkeypatch.undo()
    assert not canvas.grab().isNull()


def test_the_editor_lists_a_plugin_that_fails_at_import_as_broken(qtbot, tmp_path, monkeypatch):
    from hostile_plugins import write_discovery

    from plugins import registry

    write_discovery(tmp_path / "plugins", {"h_import_exit", "h_import_interrupt", "h_fifo_model"})
    monkeypatch.setenv("HOLST_PLUGIN_PATH", str(tmp_path / "plugins"))
    try:
        window = make_window(qtbot, tmp_path)
        panel = window.filters_panel
        for plugin_id in ("h_import_exit", "h_import_interrupt", "h_fifo_model"):
            assert panel.select(plugin_id)
            assert panel.tree.currentItem().text(0).endswith("broken")
            assert not panel.apply_button.isEnabled()
        assert panel.select("stylize") and panel.apply_button.isEnabled()
    finally:
        monkeypatch.delenv("HOLST_PLUGIN_PATH")
        registry.all_filters(refresh=True)


# -- jobs: cancel, freeing, close --------------------------------------------------------------------------
@pytest.fixture
def looping(tmp_path, monkeypatch, fixture_plugin_dir):
    from plugins import registry

    root = tmp_path / "loop_plugins"
    write_looping(root)
    monkeypatch.setenv("HOLST_PLUGIN_PATH", os.pathsep.join([str(root), str(fixture_plugin_dir)]))
    registry.all_filters(refresh=True)
    yield root
    for entry in registry.all_filters():
        if entry.id == "h_loop" and entry.imported:
            entry.module().STOP.set()
    monkeypatch.delenv("HOLST_PLUGIN_PATH", raising=False)
    registry.all_filters(refresh=True)


def test_cancel_returns_within_2_s_from_a_filter_that_never_checks(qtbot, tmp_path, looping):
    from PySide6.QtCore import Qt

    window = make_window(qtbot, tmp_path)
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    choose_filter(window, "h_loop")
    qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.filters.job is not None and window.filters.job.thread is not None)
    qtbot.wait(300)
    started = time.monotonic()
    with qtbot.waitSignal(window.filter_finished, timeout=5000) as blocker:
        window.filters.cancel_filter()
    assert blocker.args == ["cancelled"] and time.monotonic() - started < 2.0
    assert "did not stop by itself" in window.message_label.text()
    assert window.filters.job is None and window.filters_panel.apply_button.isEnabled()
    layers = len(window.doc.layers)
    choose_filter(window, "test_blur")
    assert run_apply(qtbot, window) == "done"  # the editor is free for the next filter
    assert len(window.doc.layers) == layers + 1


def test_finished_and_cancelled_jobs_are_freed(qtbot, tmp_path, looping):
    """Nothing keeps a job, its closure or the image copy the window connected to it once it is over."""
    from plugins import registry

    window = make_window(qtbot, tmp_path)
    open_image(qtbot, window, write_png(tmp_path / "in.png", sample_pixels()))
    refs = []
    for filter_id, cancel in (("test_blur", False), ("h_loop", True)):
        job = window.filters.apply_filter(registry.get(filter_id), {})
        refs.append((weakref.ref(job), weakref.ref(window.filters.job_input)))
        if cancel:
            qtbot.waitUntil(lambda job=job: job.thread is not None)
            with qtbot.waitSignal(window.filter_finished, timeout=5000):
                window.filters.cancel_filter()
            registry.get(filter_id).module().STOP.set()  # the abandoned thread may now return
        else:
            qtbot.waitSignal(window.filter_finished, timeout=20000).wait()
        del job
    qtbot.waitUntil(lambda: window.runner.live_jobs() == 0, timeout=10000)
    qtbot.wait(50)
    gc.collect()
    assert [(job(), inp()) for job, inp in refs] == [(None, None), (None, None)]


_CLOSING_CHILD = textwrap.dedent('''
    import sys
    from PySide6.QtCore import QTimer
    import editor.app as app_module
    from plugins import registry

    class Window(app_module.MainWindow):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._step = QTimer(self)
            self._step.timeout.connect(self._drive)
            self._step.start(50)
            self._applied = False

        def _drive(self):
            if not self._applied:
                if self.doc is None or not self.filters_panel.entries or self.runner.busy():
                    return
                self._applied = self.filters.apply_filter(registry.get("h_loop"), {}) is not None
            elif self.filters.job is not None and self.filters.job.thread is not None:
                self._step.stop()
                print("CLOSING", flush=True)
                self.close()

    app_module.MainWindow = Window
    sys.exit(app_module.run_app(sys.argv[1]))
    ''')


def test_closing_the_window_ends_the_process_within_5_s(tmp_path, looping):
    image = write_png(tmp_path / "in.png", sample_pixels())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOLST_PLUGIN_PATH=str(looping),
               HOLST_RECOVERY_DIR=str(tmp_path / "recovery"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", _CLOSING_CHILD, str(image)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "CLOSING", child.stderr.read()
        closed = time.monotonic()
        child.wait(timeout=30)
        assert time.monotonic() - closed < 5.0
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0
