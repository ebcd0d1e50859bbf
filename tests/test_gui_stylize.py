"""Stylize in the window: repaint the photo after the user's own painting, typed into the panel."""

from __future__ import annotations

import numpy as np
import pytest
from helpers_gui import choose_filter, make_window, open_image, run_apply, sample_pixels, write_png

from plugins import registry


@pytest.fixture
def window(qtbot, tmp_path):
    registry.all_filters(refresh=True)
    win = make_window(qtbot, tmp_path)
    open_image(qtbot, win, write_png(tmp_path / "in.png", sample_pixels()))
    return win


def test_own_painting_repaints_the_photo_and_undo_removes_it(qtbot, window, tmp_path):
    if registry.get("stylize").status != "ok":
        pytest.skip("stylize is not available")
    y, x = np.mgrid[0:64, 0:64]
    stripes = np.zeros((64, 64, 4), np.uint8)
    stripes[..., :3] = np.where(((x + y) // 8 % 2)[..., None] == 1, (250, 240, 200), (230, 100, 20))
    stripes[..., 3] = 255
    painting = write_png(tmp_path / "stripes.png", stripes)
    choose_filter(window, "stylize")
    form = window.filters_panel.form
    assert form.editors["style"].isEnabled() and not form.editors["working_size"].isEnabled()
    qtbot.keyClicks(form.editors["own_painting"].edit, str(painting))
    # The painting replaces the network: its styles grey out, the optimisation's settings come alive.
    assert not form.editors["style"].isEnabled() and not form.editors["blend"].isEnabled()
    assert form.editors["working_size"].isEnabled() and form.editors["photo_fidelity"].isEnabled()
    form.editors["working_size"].setValue(256)
    layers = len(window.doc.layers)
    assert run_apply(qtbot, window, timeout=120000) == "done"
    result = window.doc.layers[-1].pixels[:, :, :3].astype(np.float32)
    original = sample_pixels()[:, :, :3].astype(np.float32)
    red_minus_blue = lambda rgb: float((rgb[..., 0] - rgb[..., 2]).mean())  # noqa: E731
    assert red_minus_blue(result) > red_minus_blue(original) + 30
    window.act_undo.trigger()
    assert len(window.doc.layers) == layers

    form.editors["own_painting"].edit.setText(str(tmp_path / "missing.png"))
    before = [layer.pixels.copy() for layer in window.doc.layers]
    assert run_apply(qtbot, window, timeout=120000) == "failed"
    assert "painting" in window.last_error and "not a file" in window.last_error
    assert all(np.array_equal(a.pixels, b) for a, b in zip(window.doc.layers, before, strict=True))
