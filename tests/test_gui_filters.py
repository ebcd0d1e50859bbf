"""Issue 2's usable window, driven through real widgets: open → apply → undo/redo → save, cancel, errors."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import (
    choose_filter,
    drag,
    make_window,
    open_image,
    run_apply,
    sample_pixels,
    settled_grab,
    wait_jobs,
    write_png,
)
from PySide6.QtCore import QPointF, Qt

from editor.filter_apply import NEW_LAYER, REPLACE
from plugins import registry
from plugins.imageio import load_image
from plugins.pipeline import apply_filter


@pytest.fixture
def window(qtbot, tmp_path, test_plugins):
    return make_window(qtbot, tmp_path)


@pytest.fixture
def image_path(tmp_path):
    return write_png(tmp_path / "in.png", sample_pixels())


def test_open_apply_undo_redo_save_round_trip(qtbot, window, image_path, tmp_path):
    open_image(qtbot, window, image_path)
    original = window.doc.layers[0].pixels.copy()
    assert np.array_equal(original, sample_pixels())
    choose_filter(window, "test_blur", REPLACE)
    assert run_apply(qtbot, window) == "done"
    expected = apply_filter(registry.get("test_blur"), original)
    assert not np.array_equal(expected, original)
    assert np.array_equal(window.doc.layers[0].pixels, expected)
    assert window.history.stack.count() == 1
    assert window.isWindowModified()

    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(window.doc.layers[0].pixels, original)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert np.array_equal(window.doc.layers[0].pixels, expected)

    out = tmp_path / "out.png"
    assert window.files.save_to(str(out), wait=True)
    assert np.array_equal(load_image(out).pixels, expected)
    assert not window.isWindowModified()
    assert window.doc.path == str(out)


def test_result_goes_to_a_new_layer_by_default(qtbot, window, image_path):
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_blur")
    assert window.filters_panel.target.currentData() == NEW_LAYER
    assert run_apply(qtbot, window) == "done"
    assert len(window.doc.layers) == 2
    assert np.array_equal(window.doc.layers[0].pixels, sample_pixels())
    assert np.array_equal(window.doc.flatten(), apply_filter(registry.get("test_blur"), sample_pixels()))
    assert window.layers_panel.list.count() == 2
    window.act_undo.trigger()
    assert len(window.doc.layers) == 1


def test_cancel_mid_run_leaves_the_document_untouched(qtbot, window, image_path):
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_hangs", REPLACE)
    with qtbot.waitSignal(window.filter_finished, timeout=10000) as blocker:
        qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.filters_panel.cancel_button.isEnabled())
        assert not window.filters_panel.apply_button.isEnabled()
        qtbot.wait(100)
        qtbot.mouseClick(window.filters_panel.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "cancelled"
    wait_jobs(qtbot, window)
    assert np.array_equal(window.doc.layers[0].pixels, sample_pixels())
    assert len(window.doc.layers) == 1
    assert window.history.stack.count() == 0
    assert window.filters_panel.apply_button.isEnabled()


def test_plugin_error_is_one_clear_message(qtbot, window, image_path):
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_raises", REPLACE)
    assert run_apply(qtbot, window) == "failed"
    assert "boom" in window.last_error
    assert "\n" not in window.last_error
    assert np.array_equal(window.doc.layers[0].pixels, sample_pixels())
    assert window.history.stack.count() == 0


def test_scaled_filter_resizes_the_document_and_undo_restores_it(qtbot, window, image_path):
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_double")
    assert run_apply(qtbot, window) == "done"
    assert (window.doc.width, window.doc.height) == (192, 128)
    assert window.doc.mask.shape == (128, 192)
    canvas = window.canvas
    assert canvas.doc.width * canvas.zoom <= canvas.width()        # re-fitted to the new size
    # compare: "before" is the original, enlarged pixel for pixel
    before = window.doc.original_region(0, 0, 192, 128)
    assert before.shape == (128, 192, 4)
    assert np.array_equal(before[::2, ::2], sample_pixels()) and np.array_equal(before[1::2, 1::2],
                                                                                 sample_pixels())
    window.act_undo.trigger()
    assert (window.doc.width, window.doc.height) == (96, 64)
    assert np.array_equal(window.doc.layers[0].pixels, sample_pixels())
    assert np.array_equal(window.doc.original_region(0, 0, 96, 64), sample_pixels())


def test_scaled_filter_carries_the_painted_mask_and_sketch_along(qtbot, window, image_path):
    open_image(qtbot, window, image_path)
    window.set_tool("mask_brush")
    window.size_spin.setValue(8)
    window.hard_spin.setValue(1.0)
    drag(qtbot, window.canvas, [(20, 32), (40, 32), (60, 32)])
    mask_before = window.doc.mask.copy()
    sketch_before = np.zeros_like(mask_before)
    sketch_before[10:20, 10:20] = 1.0
    window.doc.sketch = sketch_before.copy()
    choose_filter(window, "test_double")
    assert run_apply(qtbot, window) == "done"
    mask, sketch = window.doc.mask, window.doc.sketch
    assert mask.shape == sketch.shape == (128, 192)
    assert mask[64, 80] == pytest.approx(1.0) and mask[10, 80] == 0.0      # the stroke, twice as big
    assert sketch[30, 30] == pytest.approx(1.0) and sketch[60, 60] == 0.0
    window.act_undo.trigger()
    assert np.array_equal(window.doc.mask, mask_before)
    assert np.array_equal(window.doc.sketch, sketch_before)


def test_runtime_is_warmed_up_in_the_background_and_shows_its_provider(qtbot, window):
    from plugins.runtime import default_runtime

    qtbot.waitUntil(lambda: window.provider_label.text() != "", timeout=20000)
    active = default_runtime(window.prefs.provider).active_provider
    assert window.provider_label.text().endswith(active.upper())


def test_parameter_form_is_generated_from_the_schema(qtbot, window):
    choose_filter(window, "test_blur")
    form = window.filters_panel.form
    assert form is not None and set(form.editors) == {"strength"}
    form.set_value("strength", 0.25)
    assert form.values() == {"strength": pytest.approx(0.25)}
    form.reset()
    assert form.values() == {"strength": pytest.approx(1.0)}


def test_untrained_filters_are_listed_but_not_applicable(qtbot, window):
    entries = {e.id: e for e in window.filters_panel.entries}
    untrained = [e for e in entries.values() if e.status == "untrained"]
    if not untrained:
        pytest.skip("every built-in filter is trained")
    window.filters_panel.select(untrained[0].id)
    assert not window.filters_panel.apply_button.isEnabled()


@pytest.fixture
def tile_window(qtbot, tmp_path, fixture_plugin_dir, monkeypatch):
    from helpers_gui import plugins_on_path, write_tile_plugin

    with plugins_on_path(monkeypatch, fixture_plugin_dir, write_tile_plugin(tmp_path / "extra_plugins")):
        yield make_window(qtbot, tmp_path)


def test_choice_thumbnails_and_new_layer_tiles(qtbot, tile_window, image_path):
    window = tile_window
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_tile")
    combo = window.filters_panel.form.editors["colour"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["Red", "Blue"]
    assert not combo.itemIcon(0).isNull() and not combo.itemIcon(1).isNull()
    combo.setCurrentIndex(1)
    assert run_apply(qtbot, window) == "done"
    layer = window.doc.layers[1].pixels
    assert layer.shape == (64, 96, 4)
    assert tuple(layer[3, 3, :3]) == (0, 0, 255)
    assert tuple(layer[6, 10, :3]) == (255, 255, 255)    # the tile's marked corner repeats
    assert tuple(layer[12, 20, :3]) == (255, 255, 255)


def test_live_preview_shows_the_filter_without_changing_the_document(qtbot, window, image_path):
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_blur", REPLACE)
    canvas = window.canvas
    qtbot.mouseClick(window.filters_panel.preview, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: canvas.preview is not None, timeout=10000)
    wait_jobs(qtbot, window)
    assert canvas.preview_rect.width() == 96 and canvas.preview_rect.height() == 64
    expected = apply_filter(registry.get("test_blur"), sample_pixels())
    p = canvas.to_widget(QPointF(44.5, 36.5)).toPoint()     # inside a flat checker cell
    colour = settled_grab(canvas).pixelColor(p)
    e = expected[36, 44]
    assert abs(colour.red() - int(e[0])) <= 3 and abs(colour.blue() - int(e[2])) <= 3
    assert np.array_equal(window.doc.layers[0].pixels, sample_pixels())
    assert window.history.stack.count() == 0
    # a parameter change re-runs it; switching it off removes it
    window.filters_panel.form.set_value("strength", 0.5)
    wait_jobs(qtbot, window)
    qtbot.mouseClick(window.filters_panel.preview, Qt.MouseButton.LeftButton)
    assert canvas.preview is None


def test_scaled_result_over_the_pixel_limit_is_refused_before_running(qtbot, window, monkeypatch):
    import editor.filter_apply as fa

    monkeypatch.setattr(fa, "MAX_PIXELS", 96 * 64 * 3)
    window.files.new_image(96, 64)
    choose_filter(window, "test_double")
    qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    assert "192×128" in window.last_error
    assert window.filters.job is None and window.history.stack.count() == 0


def test_form_covers_every_parameter_type(qtbot, tmp_path):
    from editor.panels.params import ParamForm
    from plugins.contract import load_manifest

    manifest = tmp_path / "manifest.toml"
    manifest.write_text('''
id = "every_type"
name = "Every type"
category = "Test"
version = "1"

[[params]]
name = "f"
type = "float"
min = 0.0
max = 2.0
default = 0.5
label = "F"

[[params]]
name = "n"
type = "int"
min = 1
max = 9
default = 3
label = "N"

[[params]]
name = "c"
type = "choice"
choices = ["a", "b"]
default = "b"
label = "C"

[[params]]
name = "b"
type = "bool"
default = true
label = "B"

[[params]]
name = "col"
type = "colour"
default = "#112233"
label = "Colour"

[[params]]
name = "img"
type = "image"
default = ""
label = "Image"

[[params]]
name = "r"
type = "rect"
default = ""
label = "Rect"

[[params]]
name = "t"
type = "text"
default = "hello"
label = "Text"
''', encoding="utf-8")
    spec = load_manifest(manifest)
    form = ParamForm(spec, tmp_path, selection_rect=lambda: (1, 2, 30, 40))
    qtbot.addWidget(form)
    assert spec.coerce_params(form.values()) == spec.defaults() | {"r": None}
    form.set_value("f", 1.25)
    form.set_value("n", 7)
    form.set_value("c", "a")
    form.set_value("b", False)
    form.set_value("col", "#abcdef")
    form.set_value("t", "world")
    from PySide6.QtWidgets import QPushButton

    from_selection = form.editors["r"].findChild(QPushButton)
    qtbot.mouseClick(from_selection, Qt.MouseButton.LeftButton)
    values = spec.coerce_params(form.values())
    assert values == {"f": 1.25, "n": 7, "c": "a", "b": False, "col": "#abcdef", "img": "",
                      "r": (1, 2, 30, 40), "t": "world"}


def test_preview_runs_with_the_preferred_tile_size_and_untiled_filters_say_so(qtbot, window, image_path,
                                                                             monkeypatch):
    from plugins import pipeline

    seen: list[int | None] = []
    real = pipeline.apply_filter

    def recording(*args, **kwargs):
        seen.append(kwargs.get("tile"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "apply_filter", recording)
    window.prefs.set("tile", 128)
    open_image(qtbot, window, image_path)
    choose_filter(window, "test_blur", REPLACE)
    assert "Not tiled" not in window.filters_panel.description.text()
    qtbot.mouseClick(window.filters_panel.preview, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.canvas.preview is not None, timeout=10000)
    wait_jobs(qtbot, window)
    assert seen and set(seen) == {128}
    choose_filter(window, "colorize")
    assert "Not tiled" in window.filters_panel.description.text()
