"""Measure the canvas and brush on big images (offscreen):  python -m editor.perf

Prints: time to show an 8K (7680×4320) image, repaint time per frame at fit / 100 % / 37 % zoom
and while panning, the frame time while dragging a layer's opacity on a 2-layer 8K image, and the
time per mouse move of a 120 px mask-brush stroke on a 4K image
(event handling + dab + repaint of the changed area), with the stroke's stored undo size.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from editor.document import Document  # noqa: E402
from editor.main_window import MainWindow  # noqa: E402
from editor.recovery import RecoveryStore  # noqa: E402


def _random_image(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[..., :3] = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    pixels[..., 3] = 255
    return pixels


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = tempfile.mkdtemp(prefix="holst-perf-")
    window = MainWindow(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat),
                        RecoveryStore(Path(tmp) / "recovery"))
    window.resize(1600, 1000)
    window.show()
    window.runner.wait()
    app.processEvents()
    canvas = window.canvas

    def per_frame(n: int = 20, pan: bool = False) -> float:
        start = time.perf_counter()
        for _ in range(n):
            if pan:
                canvas.offset += QPointF(37, 23)
            canvas.repaint()
        return (time.perf_counter() - start) / n * 1000

    big = _random_image(4320, 7680)
    start = time.perf_counter()
    window.set_document(Document(big))
    canvas.repaint()
    print(f"8K: show a new document (first paint at fit): {time.perf_counter() - start:.2f} s")
    print(f"8K: repaint at fit ({canvas.zoom * 100:.0f} %): {per_frame():.1f} ms/frame")
    canvas.actual_size()
    canvas.repaint()
    print(f"8K: repaint at 100 %: {per_frame():.1f} ms/frame")
    print(f"8K: panning at 100 % (new tiles each frame): {per_frame(pan=True):.1f} ms/frame")
    canvas.set_zoom(0.37)
    canvas.repaint()
    print(f"8K: repaint at 37 %: {per_frame():.1f} ms/frame")

    # two layers in Screen mode: an opacity change re-renders every visible tile
    canvas.fit()
    window.layers_panel.do_duplicate()
    panel = window.layers_panel
    panel.blend.setCurrentIndex(panel.blend.findData("screen"))
    canvas.repaint()
    while canvas.refining:
        canvas.repaint()
    frames, start = [], time.perf_counter()
    for value in range(90, 40, -5):
        t = time.perf_counter()
        panel.opacity.setValue(value)
        canvas.repaint()
        frames.append(time.perf_counter() - t)
    while canvas.refining:
        canvas.repaint()
    print(f"8K, 2 layers at fit: opacity slider step {np.mean(frames) * 1000:.0f} ms/frame (longest "
          f"{max(frames) * 1000:.0f} ms); last change fully drawn after "
          f"{(time.perf_counter() - start) * 1000:.0f} ms for 10 steps")

    window.set_document(Document(big[:2160, :3840].copy()))
    canvas.fit()
    canvas.repaint()
    window.set_tool("mask_brush")
    window.size_spin.setValue(120)
    path = [QPointF(200 + 10 * i, 1000 + 300 * np.sin(i / 20)) for i in range(300)]
    points = [canvas.to_widget(p).toPoint() for p in path]
    start = time.perf_counter()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for p in points[1:]:
        QTest.mouseMove(canvas, p)
        app.processEvents()
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])
    elapsed = time.perf_counter() - start
    print(f"4K: 120 px mask stroke: {elapsed / len(points) * 1000:.1f} ms per mouse move; "
          f"{window.history.stack.count()} undo step storing {window.history.total_bytes() / 1e6:.1f} MB")
    window.history.stack.clear()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
