"""Filters ▸ Run chain… in the real window: the restoration preset with the shipped filters, a chain
built by hand, one progress bar over the chain, Cancel, one undo step, the Russian interface."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import drag, make_window, open_image, wait_jobs, write_png
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from editor.i18n import install_translation, remove_translation
from plugins import chain, registry


@pytest.fixture
def window(qtbot, tmp_path, test_plugins):
    return make_window(qtbot, tmp_path)


def photo(width: int = 72, height: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., 0] = (x * 3) % 256
    rgba[..., 1] = (y * 5) % 256
    rgba[..., 2] = np.where((x // 6 + y // 6) % 2 == 0, 200, 40)
    rgba[..., 3] = 255
    return rgba


def open_chain_dialog(qtbot, window):
    action = next(a for a in window.filters_menu.actions() if a.objectName() == "act_run_chain")
    action.trigger()
    dialog = window.chain.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def choose_preset(dialog, name: str) -> None:
    index = dialog.preset.findData(name)
    assert index > 0, f"preset {name} not offered"
    dialog.preset.setCurrentIndex(index)
    dialog.preset.activated.emit(index)


def add_step(qtbot, dialog, filter_id: str):
    dialog.add_choice.setCurrentIndex(dialog.add_choice.findData(filter_id))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    return dialog.form(dialog.steps.count() - 1)


def run_dialog(qtbot, window, dialog, timeout: int = 60000) -> tuple[str, list[int]]:
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(window.filter_finished, timeout=timeout) as blocker:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window, timeout=timeout)
    return blocker.args[0], seen


def test_restoration_preset_runs_as_one_undo_step(qtbot, window, tmp_path):
    registry.all_filters(refresh=True)
    for fid in ("inpaint", "colorize", "upscale"):
        if not registry.get(fid).usable:
            pytest.skip(f"{fid} is not trained here")
    original = photo()
    open_image(qtbot, window, write_png(tmp_path / "old.png", original))
    window.set_tool("mask_brush")
    window.size_spin.setValue(6)
    drag(qtbot, window.canvas, [(8, 20), (40, 24), (64, 22)])          # a scratch
    mask = window.doc.mask.copy()
    assert mask.any()
    steps_before = window.history.stack.count()                       # the brush stroke

    dialog = open_chain_dialog(qtbot, window)
    choose_preset(dialog, "restore-old-photo")
    assert [dialog.steps.item(i).text() for i in range(3)] == ["Inpaint", "Colorize", "Upscale"]
    assert dialog.form(2).values()["scale"] == "2"
    assert not dialog.target.isEnabled()           # the size changes: the result replaces the document
    outcome, progress = run_dialog(qtbot, window, dialog)
    assert outcome == "done" and not dialog.isVisible()
    assert window.history.stack.count() == steps_before + 1
    assert (window.doc.width, window.doc.height) == (144, 96)
    expected = chain.run(chain.build("restore-old-photo"), original, mask=mask)
    assert np.array_equal(window.doc.layers[0].pixels, expected)
    progress = progress[:progress.index(max(progress)) + 1]           # then the bar is reset for next time
    assert progress == sorted(progress) and max(progress) == 1000
    assert any(300 < v < 400 for v in progress) and any(600 < v < 700 for v in progress)

    window.act_undo.trigger()                                          # Edit ▸ Undo, once
    assert (window.doc.width, window.doc.height) == (72, 48)
    assert np.array_equal(window.doc.layers[0].pixels, original)


def test_a_chain_built_by_hand_gives_the_pixels_of_the_filters_in_turn(qtbot, window, tmp_path):
    original = photo(64, 40)
    open_image(qtbot, window, write_png(tmp_path / "in.png", original))
    dialog = open_chain_dialog(qtbot, window)
    add_step(qtbot, dialog, "test_double")
    blur_form = add_step(qtbot, dialog, "test_blur")
    blur_form.set_value("strength", 0.4)
    assert dialog.preset.currentData() == ""                      # a custom chain
    dialog.steps.setCurrentRow(1)
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)  # blur first, then double
    assert dialog.step_ids() == ["test_blur", "test_double"]
    outcome, _ = run_dialog(qtbot, window, dialog)
    assert outcome == "done" and window.history.stack.count() == 1
    blurred = chain.run(chain.build("test_blur", {"strength": "0.4"}), original)
    expected = chain.run(chain.build("test_double"), blurred)
    assert np.array_equal(window.doc.layers[0].pixels, expected)
    assert window.history.stack.undoText() == "Test blur → Test double"


def test_cancel_stops_the_chain_and_leaves_the_image_alone(qtbot, window, tmp_path):
    original = photo(48, 32)
    open_image(qtbot, window, write_png(tmp_path / "in.png", original))
    dialog = open_chain_dialog(qtbot, window)
    add_step(qtbot, dialog, "test_blur")
    add_step(qtbot, dialog, "test_hangs")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.running and window.filters.job is not None, timeout=10000)
    assert dialog.cancel_button.text() == "Cancel" and not dialog.steps.isEnabled()
    with qtbot.waitSignal(window.filter_finished, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, window)
    assert blocker.args[0] == "cancelled"
    assert dialog.isVisible() and not dialog.running and "Cancelled" in dialog.status.text()
    assert window.history.stack.count() == 0
    assert np.array_equal(window.doc.layers[0].pixels, original)


def test_a_chain_that_needs_a_mask_says_so(qtbot, window, tmp_path):
    if not registry.get("inpaint").usable:
        pytest.skip("inpaint is not trained here")
    open_image(qtbot, window, write_png(tmp_path / "in.png", photo()))
    dialog = open_chain_dialog(qtbot, window)
    choose_preset(dialog, "restore-old-photo")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert "needs a mask" in window.last_error and window.filters.job is None
    assert window.history.stack.count() == 0


def test_the_dialog_speaks_russian(qtbot, tmp_path, test_plugins):
    app = QApplication.instance()
    translators = install_translation(app, "ru")
    try:
        assert translators
        window = make_window(qtbot, tmp_path)
        action = next(a for a in window.filters_menu.actions() if a.objectName() == "act_run_chain")
        assert action.text() == "Запустить &цепочку…"
        dialog = open_chain_dialog(qtbot, window)
        assert dialog.windowTitle() == "Запуск цепочки фильтров"
        assert dialog.run_button.text() == "Запустить"
        if dialog.preset.findData("restore-old-photo") > 0:
            assert dialog.preset.itemText(dialog.preset.findData("restore-old-photo")) == \
                "Восстановить старое фото"
        dialog.close()
    finally:
        remove_translation(app, translators)
