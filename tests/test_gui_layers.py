"""Layers panel, history panel, undo memory budget, compare view and canvas navigation."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import make_window, open_image, sample_pixels, settled_grab, wait_jobs, write_png
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from editor.document import Document, Layer
from editor.undo import TILE, AddLayer, History, edit_plane
from plugins.imageio import load_image

A = (200, 100, 40)
B = (128, 64, 220)


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path)
    open_image(qtbot, win, write_png(tmp_path / "in.png", sample_pixels()))
    return win


def solid(doc: Document, rgb, alpha=255) -> np.ndarray:
    out = np.empty((doc.height, doc.width, 4), np.uint8)
    out[..., :3] = rgb
    out[..., 3] = alpha
    return out


def two_layers(window):
    doc = window.doc
    window.history.push(edit_plane(doc, doc.layers[0].key, 0, 0, solid(doc, A), "fill"))
    window.history.push(AddLayer(Layer(solid(doc, B), "top"), 1, "add"), applied=False)
    assert window.layers_panel.list.count() == 2
    return doc


def expected_blend(mode: str) -> np.ndarray:
    a, b = np.array(A) / 255.0, np.array(B) / 255.0
    out = {"normal": b, "multiply": a * b, "screen": a + b - a * b,
           "overlay": np.where(a <= 0.5, 2 * a * b, 1 - 2 * (1 - a) * (1 - b))}[mode]
    return np.round(out * 255)


@pytest.mark.parametrize("mode", ["normal", "multiply", "screen", "overlay"])
def test_blend_modes_through_the_panel(qtbot, window, mode):
    doc = two_layers(window)
    combo = window.layers_panel.blend
    combo.setCurrentIndex(combo.findData(mode))
    assert doc.layers[1].blend == mode
    assert np.abs(doc.flatten()[5, 5, :3].astype(int) - expected_blend(mode)).max() <= 1
    assert doc.flatten()[5, 5, 3] == 255


def test_opacity_visibility_reorder_merge_and_undo(qtbot, window):
    doc = two_layers(window)
    panel = window.layers_panel
    panel.opacity.setValue(50)
    mixed = np.round(np.array(A) * 0.5 + np.array(B) * 0.5)
    assert np.abs(doc.flatten()[0, 0, :3].astype(int) - mixed).max() <= 1
    panel.opacity.setValue(25)
    steps = window.history.stack.count()
    panel.opacity.setValue(50)   # slider moves merge into one step
    assert window.history.stack.count() == steps
    # hide the top layer with its check box
    item = panel.list.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not doc.layers[1].visible
    assert tuple(doc.flatten()[0, 0, :3]) == A
    item = panel.list.item(0)
    item.setCheckState(Qt.CheckState.Checked)
    before_merge = doc.flatten()
    # reorder: top moves down, then back up
    qtbot.mouseClick(panel.buttons["down"], Qt.MouseButton.LeftButton)
    assert doc.layers[0].name == "top"
    qtbot.mouseClick(panel.buttons["up"], Qt.MouseButton.LeftButton)
    assert doc.layers[1].name == "top"
    qtbot.mouseClick(panel.buttons["merge"], Qt.MouseButton.LeftButton)
    assert len(doc.layers) == 1
    assert np.abs(doc.flatten().astype(int) - before_merge.astype(int)).max() <= 1
    window.act_undo.trigger()
    assert len(doc.layers) == 2 and doc.layers[1].opacity == pytest.approx(0.5)
    assert np.array_equal(doc.flatten(), before_merge)


def test_flatten_on_export(qtbot, window, tmp_path):
    doc = two_layers(window)
    combo = window.layers_panel.blend
    combo.setCurrentIndex(combo.findData("multiply"))
    out = tmp_path / "flat.png"
    assert window.files.save_to(str(out), wait=True)
    assert np.array_equal(load_image(out).pixels, doc.flatten())
    window.act_flatten.trigger()
    assert len(doc.layers) == 1
    assert np.array_equal(doc.layers[0].pixels, load_image(out).pixels)


def test_history_panel_lists_steps_and_clicking_goes_back(qtbot, window):
    two_layers(window)
    view = window.history_view
    assert view.model().rowCount() == window.history.stack.count() + 1
    first = view.model().index(0, 0)
    rect = view.visualRect(first)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.history.stack.index() == 0
    assert np.array_equal(window.doc.flatten(), sample_pixels())


def test_undo_stores_only_changed_tiles_and_respects_the_budget():
    app = QApplication.instance()
    assert app is not None
    doc = Document(np.zeros((1024, 1024, 4), np.uint8))
    history = History(doc, budget_bytes=3 * 2 * TILE * TILE * 4)
    patch = np.full((10, 10, 4), 255, np.uint8)
    op = edit_plane(doc, doc.layers[0].key, 300, 300, patch, "dot")
    assert op is not None and len(op.tiles) == 1
    assert op.nbytes() == 2 * TILE * TILE * 4
    history.push(op)
    for i in range(4):
        history.push(edit_plane(doc, doc.layers[0].key, 10 + 20 * i, 10, patch, f"dot {i}"))
    assert history.stack.count() == 3
    assert history.total_bytes() <= history.budget
    while history.stack.canUndo():
        history.stack.undo()
    # the two oldest steps were dropped: their pixels stay
    assert doc.layers[0].pixels[305, 305, 0] == 255
    assert doc.layers[0].pixels[15, 15, 0] == 255
    assert doc.layers[0].pixels[15, 55, 0] == 0


def test_compare_split_view_and_hold_backslash(qtbot, window):
    doc = window.doc
    window.history.push(edit_plane(doc, doc.layers[0].key, 0, 0, solid(doc, (0, 0, 0)), "black"))
    canvas = window.canvas
    canvas.set_compare(True)
    assert window.act_compare.isChecked()
    canvas.divider = 0.5
    canvas.update()
    left = canvas.to_widget(QPointF(4.5, 4.5)).toPoint()
    right = canvas.to_widget(QPointF(doc.width - 4.5, 4.5)).toPoint()
    assert left.x() < canvas.width() / 2 < right.x()
    img = settled_grab(canvas)
    assert img.pixelColor(left).blue() > 150            # original (blue checker cell)
    assert img.pixelColor(right).red() < 10             # edited (black)
    # drag the divider to the far left: everything shows the edit
    mid = QPoint(int(canvas.width() * 0.5), canvas.height() // 2)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=mid)
    qtbot.mouseMove(canvas, QPoint(2, mid.y()))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(2, mid.y()))
    assert canvas.divider < 0.05
    assert settled_grab(canvas).pixelColor(left).blue() < 10
    assert window.history.stack.count() == 1   # dragging the divider painted nothing
    canvas.set_compare(False)
    qtbot.keyPress(canvas, Qt.Key.Key_Backslash)
    assert settled_grab(canvas).pixelColor(right).red() > 150   # original: red ramp is high there
    qtbot.keyRelease(canvas, Qt.Key.Key_Backslash)
    assert settled_grab(canvas).pixelColor(right).red() < 10


def test_zoom_shortcuts_wheel_and_pan(qtbot, window):
    canvas = window.canvas
    qtbot.keyClick(canvas, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom == 1.0
    qtbot.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    fit = canvas.zoom
    assert fit > 1.0   # a 96×64 image is enlarged to fit
    assert canvas.doc.width * fit <= canvas.width() and canvas.doc.height * fit <= canvas.height()
    anchor = canvas.to_widget(QPointF(30, 20))
    event = QWheelEvent(anchor, canvas.mapToGlobal(anchor), QPoint(), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(canvas, event)
    assert canvas.zoom == pytest.approx(fit * 1.25)
    after = canvas.to_image(anchor)
    assert after.x() == pytest.approx(30, abs=1e-6) and after.y() == pytest.approx(20, abs=1e-6)
    # Space + drag pans without painting
    offset = QPointF(canvas.offset)
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(140, 130))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(140, 130))
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.offset - offset == QPointF(40, 30)
    assert window.history.stack.count() == 0
    # middle button pans too
    offset = QPointF(canvas.offset)
    qtbot.mousePress(canvas, Qt.MouseButton.MiddleButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(90, 95))
    qtbot.mouseRelease(canvas, Qt.MouseButton.MiddleButton, pos=QPoint(90, 95))
    assert canvas.offset - offset == QPointF(-10, -5)
    wait_jobs(qtbot, window)


def test_layer_thumbnail_follows_pixel_edits(qtbot, window):
    doc = window.doc
    before = window.layers_panel.list.item(0).icon().pixmap(40, 40).toImage()
    window.history.push(edit_plane(doc, doc.layers[0].key, 0, 0, solid(doc, (0, 0, 0)), "black"))
    qtbot.waitUntil(lambda: window.layers_panel.list.item(0).icon().pixmap(40, 40).toImage() != before,
                    timeout=3000)
    image = window.layers_panel.list.item(0).icon().pixmap(40, 40).toImage()
    assert image.pixelColor(20, 15).red() == 0


def test_backslash_shows_the_original_even_when_a_panel_has_focus(qtbot, window):
    doc = window.doc
    window.history.push(edit_plane(doc, doc.layers[0].key, 0, 0, solid(doc, (0, 0, 0)), "black"))
    button = window.layers_panel.buttons["add"]
    button.setFocus()
    qtbot.keyPress(button, Qt.Key.Key_Backslash)
    assert window.canvas.show_original
    qtbot.keyRelease(button, Qt.Key.Key_Backslash)
    assert not window.canvas.show_original


def test_dragging_a_row_reorders_the_layers(qtbot, window):
    doc = two_layers(window)
    window.layers_panel.do_add()                   # three layers: Background, top, Layer 3 (top row)
    names = [layer.name for layer in doc.layers]
    from PySide6.QtCore import QModelIndex

    model = window.layers_panel.list.model()
    assert model.moveRow(QModelIndex(), 0, QModelIndex(), 3)      # top row to the bottom
    qtbot.waitUntil(lambda: doc.layers[0].name == names[2], timeout=2000)
    assert [layer.name for layer in doc.layers] == [names[2], names[0], names[1]]
    assert window.layers_panel.list.item(2).text() == names[2]
    window.act_undo.trigger()
    assert [layer.name for layer in doc.layers] == names


def test_a_new_large_image_is_drawn_from_drafts_then_refined_exactly(qtbot, window, monkeypatch):
    import editor.canvas as canvas_module

    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (1500, 2400, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    monkeypatch.setattr(canvas_module, "PAINT_BUDGET_S", 0.0)   # a paint may render one tile only
    window.set_document(Document(pixels))
    canvas = window.canvas
    assert canvas.zoom < 0.5                                     # zoomed out: pyramid tiles
    first = canvas.grab().toImage()
    assert canvas.refining                                       # most tiles are drafts for now
    assert not first.isNull()
    final = settled_grab(canvas)
    assert not canvas.refining
    level = canvas._level()
    cache = canvas._images
    from editor.tiles import render_image_tile

    for key in list(cache.tiles)[:4]:                            # every shown tile is the exact one
        exact = render_image_tile(window.doc, *key, original=False)
        assert cache.tiles[key] == exact
    assert level > 0 and final.size() == first.size()


def test_edited_tiles_refine_progressively_without_stalling(qtbot, window, monkeypatch):
    import editor.canvas as canvas_module

    window.files.new_image(1024, 768)
    canvas = window.canvas
    canvas.actual_size()
    canvas.offset = QPointF(0, 0)
    settled_grab(canvas)
    monkeypatch.setattr(canvas_module, "PAINT_BUDGET_S", 0.0)   # a paint may render one tile only
    doc = window.doc
    window.history.push(edit_plane(doc, doc.layers[0].key, 0, 0, solid(doc, (0, 0, 0)), "black"))
    far = QPoint(600, 400)                                        # not in the first tile
    first = canvas.grab().toImage()
    assert canvas.refining
    assert first.pixelColor(far).red() == 255                     # still the stale (white) look
    final = settled_grab(canvas)
    assert not canvas.refining
    assert final.pixelColor(far).red() == 0
