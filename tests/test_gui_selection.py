"""Selections (rectangle, lasso) drawn with the mouse limit a filter, with feathered edges."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import choose_filter, drag, make_window, open_image, sample_pixels, wait_jobs, write_png
from PySide6.QtCore import Qt

from editor.filter_apply import REPLACE
from plugins import registry
from plugins.pipeline import apply_filter


@pytest.fixture
def window(qtbot, tmp_path, test_plugins):
    from PIL import Image

    big = np.asarray(Image.fromarray(sample_pixels()).resize((192, 128), Image.Resampling.NEAREST))
    win = make_window(qtbot, tmp_path)
    open_image(qtbot, win, write_png(tmp_path / "in.png", np.ascontiguousarray(big)))
    return win


def apply(qtbot, window):
    with qtbot.waitSignal(window.filter_finished, timeout=20000) as blocker:
        qtbot.mouseClick(window.filters_panel.apply_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window)
    assert blocker.args[0] == "done"


def test_rectangle_selection_limits_the_filter_with_a_soft_edge(qtbot, window):
    original = window.doc.layers[0].pixels.copy()
    full = apply_filter(registry.get("test_blur"), original)
    qtbot.keyClick(window.canvas, Qt.Key.Key_M)
    assert window.canvas.tool is window.tools["rect_select"]
    drag(qtbot, window.canvas, [(40, 30), (100, 60), (140, 100)])
    assert window.doc.selection is not None
    assert window.selection_rect() == (40, 30, 100, 70)
    choose_filter(window, "test_blur", REPLACE)
    apply(qtbot, window)
    out = window.doc.layers[0].pixels
    # well inside: exactly the full-image result; well outside: untouched
    assert np.array_equal(out[50:80, 60:120], full[50:80, 60:120])
    assert np.array_equal(out[:20], original[:20])
    assert np.array_equal(out[:, :28], original[:, :28])
    # on the edge: in between (feathered)
    edge = out[60, 38:43, :3].astype(int)
    lo = np.minimum(original[60, 38:43, :3], full[60, 38:43, :3]).astype(int)
    hi = np.maximum(original[60, 38:43, :3], full[60, 38:43, :3]).astype(int)
    assert ((edge >= lo - 1) & (edge <= hi + 1)).all()
    assert not np.array_equal(out[60, 36:44], full[60, 36:44])
    assert not np.array_equal(out[60, 36:44], original[60, 36:44])


def test_lasso_selection_and_new_layer_result(qtbot, window):
    qtbot.keyClick(window.canvas, Qt.Key.Key_L)
    drag(qtbot, window.canvas, [(20, 20), (170, 20), (170, 110), (20, 20)])   # a triangle
    sel = window.doc.selection
    assert sel is not None
    assert sel.raster[30, 150] > 0.99 and sel.raster[100, 40] < 0.01
    choose_filter(window, "test_blur")
    apply(qtbot, window)
    top = window.doc.layers[1].pixels
    assert top[40, 150, 3] == 255          # inside the lasso: opaque result
    assert top[100, 40, 3] == 0            # outside: transparent, the photo shows through


def test_select_all_invert_and_deselect_shortcuts(qtbot, window):
    qtbot.keyClick(window.canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert window.selection_rect() == (0, 0, 192, 128)
    qtbot.keyClick(window.canvas, Qt.Key.Key_I,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.doc.selection is not None and window.doc.selection.is_empty()
    qtbot.keyClick(window.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.selection is None
    # a click without a drag clears a selection too
    window.select_all()
    window.set_tool("rect_select")
    drag(qtbot, window.canvas, [(50, 50), (50, 50)])
    assert window.doc.selection is None


def test_preview_samples_the_view_and_respects_the_selection(qtbot, window):
    from editor.preview import finish_preview, prepare_preview

    window.set_tool("rect_select")
    drag(qtbot, window.canvas, [(0, 0), (96, 128)])        # left half selected
    entry = registry.get("test_blur")
    inp = prepare_preview(window.doc, entry, {}, (0, 0, 192, 128), zoom=0.25)
    assert inp is not None and inp.pixels.shape == (32, 48, 4)    # one sample per 4 pixels
    result = apply_filter(entry, inp.pixels)
    shown = finish_preview(inp, result)
    assert np.array_equal(shown[:, 30:], inp.pixels[:, 30:])        # outside the selection: as is
    assert np.array_equal(shown[5:27, 5:20], result[5:27, 5:20])   # inside: the filter's result
