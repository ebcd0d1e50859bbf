"""The sketch layer (issue 7, GUI half): pen strokes, eraser, edge extraction, sketch filters."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import (
    choose_filter,
    drag,
    open_image,
    plugins_on_path,
    run_apply,
    sample_pixels,
    wait_jobs,
    window_on_sample,
    write_png,
    write_sketch_invert_plugin,
)
from PySide6.QtCore import Qt

from plugins import registry


@pytest.fixture
def window(qtbot, tmp_path, fixture_plugin_dir, monkeypatch):
    extra = write_sketch_invert_plugin(tmp_path / "extra_plugins")
    with plugins_on_path(monkeypatch, fixture_plugin_dir, extra):
        yield window_on_sample(qtbot, tmp_path)


def test_pen_strokes_draw_black_lines_one_undo_step_each(qtbot, window):
    qtbot.keyClick(window.canvas, Qt.Key.Key_P)
    assert window.canvas.tool is window.tools["sketch_pen"]
    window.size_spin.setValue(3)
    drag(qtbot, window.canvas, [(10, 40), (50, 40), (90, 40)])
    sketch = window.doc.sketch
    assert sketch is not None and sketch[40, 50] > 0.9 and sketch[10, 50] == 0.0
    # shown over the photo as black ink (multiply)
    assert tuple(window.doc.flatten(with_sketch=True)[40, 50, :3]) == (0, 0, 0)
    assert np.array_equal(window.doc.flatten(), sample_pixels())   # export leaves the sketch out
    assert window.history.stack.count() == 1
    qtbot.keyClick(window.canvas, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    assert window.canvas.tool is window.tools["sketch_eraser"]
    window.size_spin.setValue(12)
    drag(qtbot, window.canvas, [(45, 40), (55, 40)])
    assert window.doc.sketch[40, 50] == 0.0
    assert window.history.stack.count() == 2
    window.act_undo.trigger()
    assert window.doc.sketch[40, 50] > 0.9


def test_sketch_filter_receives_the_drawing(qtbot, window):
    window.set_tool("sketch_pen")
    window.size_spin.setValue(4)
    drag(qtbot, window.canvas, [(10, 20), (80, 20)])
    choose_filter(window, "test_sketch_invert")
    with qtbot.waitSignal(window.filter_finished, timeout=20000) as blocker:
        qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window)
    assert blocker.args[0] == "done"
    result = window.doc.layers[1].pixels
    assert not window.doc.sketch_visible                 # the result is shown without the lines
    assert tuple(result[20, 40, :3]) == (255, 255, 255)   # the inverted line
    assert tuple(result[50, 40, :3]) == (0, 0, 0)         # inverted white paper


def test_extract_edges_from_the_photo(qtbot, window, tmp_path):
    """The Sketch panel's button comes from edges2photo's manifest ([[commands]]), not the editor."""
    photo = np.full((128, 192, 4), 255, np.uint8)
    photo[30:90, 50:140, :3] = 25          # a dark rectangle: four clear edges
    open_image(qtbot, window, write_png(tmp_path / "rect.png", photo))
    if window.sketch_panel.extract is None:
        pytest.skip("no installed plugin offers a sketch-from-photo command")
    (entry, command), _button, form = window.sketch_panel.commands[0]
    assert (entry.id, command.id) == ("edges2photo", "extract_edges")
    assert set(form.editors) == {"line_weight", "detail"}
    qtbot.mouseClick(window.sketch_panel.extract, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window)
    sketch = window.doc.sketch
    assert sketch is not None and sketch.shape == (128, 192)
    assert 0.0 < float((sketch > 0.5).mean()) < 0.3   # some lines, not a black page
    assert sketch[30, 95] > 0.5 or sketch[29, 95] > 0.5 or sketch[31, 95] > 0.5   # the top edge
    assert sketch[60, 95] < 0.5 and sketch[5, 5] < 0.5
    assert window.history.stack.count() == 1
    qtbot.mouseClick(window.sketch_panel.clear, Qt.MouseButton.LeftButton)
    assert not window.doc.sketch.any()


def test_a_plugin_command_appears_in_the_sketch_panel_and_runs(qtbot, window):
    """The fixture plugin's [[commands]] entry gets a button and a form built from its manifest."""
    found = {command.id: (button, form) for (_e, command), button, form in window.sketch_panel.commands}
    assert "middle_line" in found
    button, form = found["middle_line"]
    assert button.text() == "Test middle line" and set(form.editors) == {"darkness"}
    form.set_value("darkness", 0.75)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window)
    sketch = window.doc.sketch
    middle = sketch.shape[0] // 2
    assert np.allclose(sketch[middle], 0.75) and not sketch[:middle].any()
    assert window.history.stack.count() == 1
    errors: list[str] = []
    window.show_error = errors.append
    qtbot.mouseClick(found["faulty"][0], Qt.MouseButton.LeftButton)   # a plugin bug: one line, no change
    wait_jobs(qtbot, window)
    assert errors == ["command 'faulty' of 'test_sketch_invert' failed: ValueError: no lines today"]
    assert window.history.stack.count() == 1


def test_paper_view_and_loading_a_drawing(qtbot, window, tmp_path):
    drawing = np.full((32, 48, 4), 255, np.uint8)
    drawing[16, :, :3] = 0                       # one dark horizontal line, half the image's size
    window.filters.load_drawing(str(write_png(tmp_path / "drawing.png", drawing)))
    wait_jobs(qtbot, window)
    sketch = window.doc.sketch
    assert sketch.shape == (64, 96)
    assert sketch[32:34, 10:80].max() > 0.5 and sketch[5:20].max() < 0.1
    assert window.history.stack.count() == 1
    window.sketch_panel.paper.setChecked(True)
    shown = window.doc.flatten(with_sketch=True)
    assert tuple(shown[5, 5, :3]) == (255, 255, 255)      # paper, not the photo
    assert np.array_equal(window.doc.flatten(), sample_pixels())


def test_edges2photo_colour_reference_typed_into_the_panel(qtbot, window, tmp_path):
    """Draw, render with the shipped network, then again with a warm reference picture: warmer."""
    if registry.get("edges2photo").status != "ok":
        pytest.skip("edges2photo is not trained")
    window.set_tool("sketch_pen")
    window.size_spin.setValue(3)
    drag(qtbot, window.canvas, [(5, 45), (90, 40)])
    drag(qtbot, window.canvas, [(30, 10), (30, 60)])
    choose_filter(window, "edges2photo")
    assert run_apply(qtbot, window, timeout=60000) == "done"
    plain = window.doc.layers[-1].pixels[:, :, :3].astype(np.float32)
    window.act_undo.trigger()

    sunset = np.zeros((32, 32, 4), np.uint8)
    sunset[..., :3] = (240, 110, 40)
    sunset[16:, :, :3] = (130, 30, 50)
    sunset[..., 3] = 255
    reference = write_png(tmp_path / "sunset.png", sunset)
    editor = window.filters_panel.form.editors["palette"]
    editor.edit.clear()
    qtbot.keyClicks(editor.edit, str(reference))
    assert run_apply(qtbot, window, timeout=60000) == "done"
    warm = window.doc.layers[-1].pixels[:, :, :3].astype(np.float32)
    red_minus_blue = lambda rgb: float((rgb[..., 0] - rgb[..., 2]).mean())  # noqa: E731
    assert red_minus_blue(warm) > red_minus_blue(plain) + 20

    window.act_undo.trigger()
    editor.edit.setText(str(tmp_path / "missing.jpg"))
    layers_before = [layer.pixels.copy() for layer in window.doc.layers]
    assert run_apply(qtbot, window, timeout=60000) == "failed"
    assert "colour reference" in window.last_error and "not a file" in window.last_error
    assert all(np.array_equal(a.pixels, b) for a, b in zip(window.doc.layers, layers_before))
