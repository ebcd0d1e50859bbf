"""Mask tools (issue 5, GUI half): strokes painted with the mouse, one undo step each, mask panel
operations, and the painted mask reaching a filter that requires one."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import (
    choose_filter,
    drag,
    plugins_on_path,
    sample_pixels,
    settled_grab,
    wait_jobs,
    window_on_sample,
    write_mask_fill_plugin,
)
from PySide6.QtCore import QPointF, Qt

from editor.filter_apply import REPLACE
from plugins.imageio import load_mask


@pytest.fixture
def window(qtbot, tmp_path, fixture_plugin_dir, monkeypatch):
    with plugins_on_path(monkeypatch, fixture_plugin_dir, write_mask_fill_plugin(tmp_path / "extra_plugins")):
        yield window_on_sample(qtbot, tmp_path)


def test_a_mask_stroke_paints_the_mask_and_is_one_undo_step(qtbot, window):
    qtbot.keyClick(window.canvas, Qt.Key.Key_B)
    assert window.canvas.tool is window.tools["mask_brush"]
    window.size_spin.setValue(8)
    window.hard_spin.setValue(1.0)
    drag(qtbot, window.canvas, [(10, 30), (30, 30), (50, 30), (70, 30)])
    mask = window.doc.mask
    assert mask[30, 40] == pytest.approx(1.0)
    assert mask[30, 10] > 0.5 and mask[30, 70] > 0.5
    assert mask[5, 40] == 0.0 and mask[60, 40] == 0.0
    assert window.history.stack.count() == 1
    # the overlay is drawn: the canvas shows red where the mask is
    image = settled_grab(window.canvas)
    p = window.canvas.to_widget(QPointF(40.5, 30.5)).toPoint()
    colour = image.pixelColor(p)
    assert colour.red() > colour.green() + 40
    window.act_undo.trigger()
    assert not window.doc.mask.any()
    window.act_redo.trigger()
    assert window.doc.mask[30, 40] == pytest.approx(1.0)


def test_eraser_and_opacity(qtbot, window):
    window.set_tool("mask_brush")
    window.size_spin.setValue(20)
    window.hard_spin.setValue(1.0)
    window.opacity_spin.setValue(0.5)
    drag(qtbot, window.canvas, [(20, 20), (22, 20), (24, 20), (26, 20)])
    # overlapping dabs within one stroke do not build up past the stroke's opacity
    assert window.doc.mask[20, 23] == pytest.approx(0.5, abs=0.01)
    qtbot.keyClick(window.canvas, Qt.Key.Key_E)
    assert window.canvas.tool is window.tools["mask_eraser"]
    window.opacity_spin.setValue(1.0)
    drag(qtbot, window.canvas, [(20, 20), (26, 20)])
    assert window.doc.mask[20, 23] == 0.0
    assert window.history.stack.count() == 2


def test_bracket_keys_resize_the_brush(qtbot, window):
    window.set_tool("mask_brush")
    window.size_spin.setValue(50)
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketRight)
    assert window.mask_settings.size == 60
    assert window.size_spin.value() == 60
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    assert window.mask_settings.size == 42


def test_mask_panel_operations(qtbot, window, tmp_path):
    panel = window.mask_panel
    window.doc.mask[20:30, 40:50] = 1.0
    panel.amount.setValue(3)
    qtbot.mouseClick(panel.buttons["grow"], Qt.MouseButton.LeftButton)
    assert window.doc.mask[17, 37] == 1.0 and window.doc.mask[16, 36] == 0.0
    qtbot.mouseClick(panel.buttons["shrink"], Qt.MouseButton.LeftButton)
    assert window.doc.mask[20, 40] == 1.0 and window.doc.mask[19, 39] == 0.0
    qtbot.mouseClick(panel.buttons["feather"], Qt.MouseButton.LeftButton)
    assert 0.0 < window.doc.mask[20, 40] < 1.0
    qtbot.mouseClick(panel.buttons["invert"], Qt.MouseButton.LeftButton)
    assert window.doc.mask[0, 0] == 1.0
    out = tmp_path / "mask.png"
    window.files.save_mask(str(out))
    wait_jobs(qtbot, window)
    assert np.allclose(load_mask(out), window.doc.mask, atol=1 / 255)
    qtbot.mouseClick(panel.buttons["clear"], Qt.MouseButton.LeftButton)
    assert not window.doc.mask.any()
    window.files.load_mask(str(out))
    wait_jobs(qtbot, window)
    assert window.doc.mask[0, 0] == 1.0
    steps = window.history.stack.count()
    assert steps == 6
    for _ in range(steps):
        window.act_undo.trigger()
    expected = np.zeros_like(window.doc.mask)
    expected[20:30, 40:50] = 1.0
    assert np.array_equal(window.doc.mask, expected)


def test_mask_from_selection(qtbot, window):
    window.set_tool("rect_select")
    drag(qtbot, window.canvas, [(10, 10), (30, 20), (50, 40)])
    assert window.doc.selection is not None
    qtbot.mouseClick(window.mask_panel.buttons["from_selection"], Qt.MouseButton.LeftButton)
    assert window.doc.mask[25, 30] == pytest.approx(1.0)
    assert window.doc.mask[45, 30] == 0.0


def test_filter_that_requires_a_mask_uses_the_painted_mask(qtbot, window):
    choose_filter(window, "test_fill_red", REPLACE)
    qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    assert "mask" in window.last_error
    assert window.history.stack.count() == 0

    window.set_tool("mask_brush")
    window.size_spin.setValue(10)
    window.hard_spin.setValue(1.0)
    drag(qtbot, window.canvas, [(20, 32), (40, 32), (60, 32)])
    with qtbot.waitSignal(window.filter_finished, timeout=20000) as blocker:
        qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "done"
    wait_jobs(qtbot, window)
    pixels = window.doc.layers[0].pixels
    assert not window.canvas.show_mask                 # the result is shown without the overlay
    window.set_tool("mask_eraser")
    assert window.canvas.show_mask                     # mask tools bring it back
    assert tuple(pixels[32, 40, :3]) == (255, 0, 0)
    assert np.array_equal(pixels[5, 40], sample_pixels()[5, 40])
    assert window.history.stack.count() == 2


def test_overlay_check_box_and_menu_action_stay_in_step(qtbot, window):
    window.mask_panel.overlay.setChecked(False)
    assert not window.act_mask_overlay.isChecked() and not window.canvas.show_mask
    window.act_mask_overlay.trigger()
    assert window.mask_panel.overlay.isChecked() and window.canvas.show_mask
