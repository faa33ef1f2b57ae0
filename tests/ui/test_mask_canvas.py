"""The mask canvas, driven with real mouse, key, wheel, tablet and drop events on its viewport."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
import itertools
import json
import math
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QInputDevice,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPointingDevice,
    QTabletEvent,
    QWheelEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ideogram_studio.api.requests import EditRequest
from ideogram_studio.imaging.mask_export import EMPTY_MASK, FULL_MASK, MaskRule
from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.editor import MaskEditor
from ideogram_studio.ui.mask.layer import PatchCommand, coverage_to_pil

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier
W, H = 400, 300


# ---- helpers ----------------------------------------------------------------------------------


def photo(width: int = W, height: int = H, fmt: QImage.Format = QImage.Format.Format_RGB32) -> QImage:
    img = QImage(width, height, fmt)
    painter = QPainter(img)
    gradient = QLinearGradient(0, 0, width, height)
    gradient.setColorAt(0, QColor(40, 90, 160))
    gradient.setColorAt(1, QColor(220, 190, 120))
    painter.fillRect(img.rect(), gradient)
    painter.fillRect(width // 4, height // 4, width // 3, height // 3, QColor(150, 60, 40))
    painter.end()
    return img


def coverage(canvas: MaskCanvas) -> Image.Image:
    return coverage_to_pil(canvas.mask_qimage())


def mask_bytes(canvas: MaskCanvas) -> bytes:
    img = canvas.mask_qimage()
    return bytes(img.constBits())


def vp(canvas: MaskCanvas, x: float, y: float) -> QPoint:
    p = canvas.map_from_image(QPointF(x, y))
    return QPoint(round(p.x()), round(p.y()))


def drag(
    canvas: MaskCanvas,
    points: Sequence[tuple[float, float]],
    modifiers: Qt.KeyboardModifier = NO_MOD,
    button: Qt.MouseButton = LEFT,
) -> list[QPointF]:
    """Press at the first point, move through the rest, release at the last (image coordinates).

    Returns the image points the events really hit (viewport positions are whole pixels)."""
    viewport = canvas.viewport()
    hits = [vp(canvas, x, y) for x, y in points]
    QTest.mousePress(viewport, button, modifiers, hits[0])
    for p in hits[1:]:
        QTest.mouseMove(viewport, p)
    QTest.mouseRelease(viewport, button, modifiers, hits[-1])
    return [canvas.map_to_image(QPointF(p)) for p in hits]


def line(a: tuple[float, float], b: tuple[float, float], n: int) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


def make_canvas(qtbot, image: QImage | None = None, zoom: float | None = 1.0) -> MaskCanvas:
    canvas = MaskCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(640, 480)
    canvas.show()
    qtbot.waitExposed(canvas)
    assert canvas.set_image(image if image is not None else photo())
    if zoom is not None:
        canvas.set_zoom(zoom)
    canvas.setFocus()
    return canvas


@pytest.fixture
def canvas(qtbot) -> MaskCanvas:
    c = make_canvas(qtbot)
    c.set_brush_size(10)
    c.set_hardness(1.0)
    return c


class PaintRecorder(QObject):
    """Records the rects of the viewport's paint events."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.rects: list = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())
        return False


# ---- strokes ----------------------------------------------------------------------------------


def test_stroke_paints_along_its_path_and_only_there(canvas: MaskCanvas) -> None:
    hits = drag(canvas, line((60, 100), (300, 100), 12))
    cov = coverage(canvas)
    y = round(hits[0].y())
    for x in range(round(hits[0].x()), round(hits[-1].x()) + 1, 3):
        assert cov.getpixel((x, y)) >= 128, f"gap at {x},{y}"
    left, top, right, bottom = cov.getbbox()
    assert left >= hits[0].x() - 5 - 2 and right <= hits[-1].x() + 5 + 2
    assert top >= y - 5 - 2 and bottom <= y + 5 + 2
    assert cov.getpixel((180, y + 12)) == 0
    assert cov.getpixel((20, 20)) == 0


@pytest.mark.parametrize("hardness", [1.0, 0.3])
def test_fast_stroke_leaves_no_gaps(canvas: MaskCanvas, hardness: float) -> None:
    canvas.set_hardness(hardness)
    canvas.set_brush_size(8)
    # Three events only, far apart: the canvas must interpolate between them.
    hits = drag(canvas, [(20, 20), (380, 280), (30, 270)])
    cov = coverage(canvas)
    for a, b in itertools.pairwise(hits):
        n = math.ceil(math.hypot(b.x() - a.x(), b.y() - a.y()))
        for i in range(n + 1):
            x = a.x() + (b.x() - a.x()) * i / n
            y = a.y() + (b.y() - a.y()) * i / n
            assert cov.getpixel((int(x), int(y))) >= 128, f"gap at {x:.1f},{y:.1f}"


def test_one_pixel_brush_is_continuous_and_binary(canvas: MaskCanvas) -> None:
    canvas.set_brush_size(1)
    canvas.set_zoom(4)
    center = canvas.map_to_image(QPointF(canvas.viewport().rect().center()))
    hits = drag(canvas, [(center.x() - 30, center.y() - 20), (center.x() + 30, center.y() + 15)])
    cov = coverage(canvas)
    assert set(v for v, n in enumerate(cov.histogram()) if n) <= {0, 255}
    a, b = hits
    for i in range(61):
        x = a.x() + (b.x() - a.x()) * i / 60
        y = a.y() + (b.y() - a.y()) * i / 60
        near = [cov.getpixel((int(x) + dx, int(y) + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        assert max(near) == 255, f"gap near {x:.1f},{y:.1f}"


def test_eraser_removes_paint(canvas: MaskCanvas) -> None:
    canvas.set_brush_size(30)
    drag(canvas, line((50, 150), (350, 150), 10))
    assert coverage(canvas).getpixel((200, 150)) == 255
    canvas.set_tool("eraser")
    canvas.set_brush_size(40)
    drag(canvas, line((200, 100), (200, 200), 5))
    cov = coverage(canvas)
    assert cov.getpixel((200, 150)) == 0
    assert cov.getpixel((100, 150)) == 255 and cov.getpixel((300, 150)) == 255


def test_rectangle_adds_and_alt_or_mode_subtracts(canvas: MaskCanvas) -> None:
    canvas.set_tool("rect")
    drag(canvas, line((100, 80), (260, 200), 4))
    cov = coverage(canvas)
    assert cov.getpixel((180, 140)) == 255 and cov.getpixel((101, 81)) == 255
    assert cov.getpixel((90, 140)) == 0 and cov.getpixel((180, 215)) == 0
    assert canvas.undo_stack().count() == 1
    drag(canvas, line((140, 120), (180, 160), 3), modifiers=Qt.KeyboardModifier.AltModifier)
    cov = coverage(canvas)
    assert cov.getpixel((160, 140)) == 0 and cov.getpixel((220, 140)) == 255
    canvas.set_subtract_mode(True)
    drag(canvas, line((200, 90), (250, 110), 3))
    assert coverage(canvas).getpixel((225, 100)) == 0
    assert canvas.undo_stack().count() == 3


def test_lasso_adds_and_subtracts(canvas: MaskCanvas) -> None:
    canvas.set_tool("lasso")
    triangle = [(100, 250), (200, 50), (300, 250), (100, 250)]
    drag(canvas, [p for a, b in itertools.pairwise(triangle) for p in line(a, b, 8)])
    cov = coverage(canvas)
    assert cov.getpixel((200, 200)) == 255
    assert cov.getpixel((110, 60)) == 0 and cov.getpixel((290, 60)) == 0
    square = [(170, 170), (230, 170), (230, 230), (170, 230)]
    drag(canvas, [p for a, b in itertools.pairwise(square) for p in line(a, b, 4)],
         modifiers=Qt.KeyboardModifier.AltModifier)
    cov = coverage(canvas)
    assert cov.getpixel((200, 200)) == 0 and cov.getpixel((200, 150)) == 255
    assert canvas.undo_stack().count() == 2


def test_a_long_lasso_fills_its_ring(canvas: MaskCanvas) -> None:
    """3,000 points in one lasso (its speed: tests/benchmarks/bench_edit_responsiveness.py)."""
    canvas.set_tool("lasso")
    n = 3000
    ring = [(200 + 120 * math.cos(2 * math.pi * i / n), 150 + 120 * math.sin(2 * math.pi * i / n)) for i in range(n)]
    drag(canvas, ring)
    cov = coverage(canvas)
    assert cov.getpixel((200, 150)) == 255 and cov.getpixel((200, 20)) == 0


# ---- undo -------------------------------------------------------------------------------------


def test_undo_redo_restore_exact_pixels(canvas: MaskCanvas) -> None:
    canvas.set_hardness(0.4)  # grey edges too
    canvas.set_brush_size(25)
    states = [mask_bytes(canvas)]
    drag(canvas, line((40, 40), (360, 260), 9))
    states.append(mask_bytes(canvas))
    canvas.set_tool("eraser")
    drag(canvas, line((40, 260), (360, 40), 7))
    states.append(mask_bytes(canvas))
    canvas.set_tool("lasso")
    drag(canvas, [(150, 100), (250, 100), (250, 200), (150, 200)])
    states.append(mask_bytes(canvas))
    canvas.invert()
    states.append(mask_bytes(canvas))
    assert len(set(states)) == len(states)
    stack = canvas.undo_stack()
    assert stack.count() == 4
    for expected in reversed(states[:-1]):
        stack.undo()
        assert mask_bytes(canvas) == expected
    for expected in states[1:]:
        stack.redo()
        assert mask_bytes(canvas) == expected


def test_one_undo_step_per_stroke_and_keyboard_undo_redo(canvas: MaskCanvas, qtbot) -> None:
    stack = canvas.undo_stack()
    drag(canvas, line((30, 30), (370, 270), 40))
    assert stack.count() == 1 and stack.command(0).text() == "Brush stroke"
    drag(canvas, line((30, 270), (370, 30), 40))
    assert stack.count() == 2
    painted = mask_bytes(canvas)
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stack.index() == 1
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stack.index() == 0 and coverage(canvas).getextrema() == (0, 0)
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stack.index() == 1
    qtbot.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert stack.index() == 2 and mask_bytes(canvas) == painted


def test_pushing_a_stroke_does_not_apply_it_again(canvas: MaskCanvas, monkeypatch) -> None:
    layer = canvas._layer
    assert layer is not None
    calls = []
    original = layer.apply
    monkeypatch.setattr(layer, "apply", lambda patches: calls.append(1) or original(patches))
    drag(canvas, line((50, 50), (200, 80), 5))
    assert canvas.undo_stack().count() == 1 and calls == []
    canvas.undo_stack().undo()
    canvas.undo_stack().redo()
    assert len(calls) == 2


def test_a_stroke_that_changes_nothing_adds_no_undo_step(canvas: MaskCanvas) -> None:
    canvas.set_tool("eraser")
    drag(canvas, line((50, 50), (200, 80), 5))
    assert canvas.undo_stack().count() == 0


def test_clear_and_load_keep_only_the_changed_box_for_undo(canvas: MaskCanvas, tmp_path: Path) -> None:
    drag(canvas, line((100, 100), (140, 110), 3))
    painted = mask_bytes(canvas)
    canvas.clear()
    cmd = canvas.undo_stack().command(1)
    assert cmd.stored_pixels() < 60 * 30
    canvas.undo_stack().undo()
    assert mask_bytes(canvas) == painted
    path = tmp_path / "m.png"
    img = Image.new("L", (W, H), 255)
    img.paste(0, (10, 10, 30, 20))
    img.save(path)
    canvas.undo_stack().redo()  # cleared again
    assert canvas.load_mask_file(path)
    load = canvas.undo_stack().command(2)
    assert load.rect().width() == 20 and load.rect().height() == 10
    canvas.undo_stack().undo()
    assert coverage(canvas).getextrema() == (0, 0)


def test_mask_changed_once_per_stroke(canvas: MaskCanvas, qtbot) -> None:
    seen = []
    canvas.mask_changed.connect(lambda: seen.append(1))
    drag(canvas, line((50, 50), (300, 200), 30))
    assert len(seen) == 1
    canvas.undo_stack().undo()
    assert len(seen) == 2


# ---- keys -------------------------------------------------------------------------------------


def test_keys_change_size_tool_and_invert(canvas: MaskCanvas, qtbot) -> None:
    canvas.set_brush_size(40)
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert canvas.brush_size() > 40
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert canvas.brush_size() < 40
    canvas.set_brush_size(1)
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert canvas.brush_size() == 1
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert canvas.brush_size() == 2

    for key, tool in ((Qt.Key.Key_E, "eraser"), (Qt.Key.Key_L, "lasso"), (Qt.Key.Key_R, "rect"),
                      (Qt.Key.Key_B, "brush")):
        qtbot.keyClick(canvas, key)
        assert canvas.tool() == tool

    canvas.set_brush_size(20)
    drag(canvas, line((50, 50), (150, 50), 4))
    assert coverage(canvas).getpixel((100, 50)) == 255
    qtbot.keyClick(canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    cov = coverage(canvas)
    assert cov.getpixel((100, 50)) == 0 and cov.getpixel((300, 250)) == 255
    assert canvas.undo_stack().count() == 2
    qtbot.keyClick(canvas, Qt.Key.Key_H)
    assert not canvas.is_mask_visible()


def test_fit_and_actual_size_shortcuts(qtbot) -> None:
    big = make_canvas(qtbot, photo(1600, 1200), zoom=None)
    fitted = big.zoom_factor()
    assert fitted < 0.5
    qtbot.keyClick(big, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert big.zoom_factor() == pytest.approx(1.0)
    qtbot.keyClick(big, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert big.zoom_factor() == pytest.approx(fitted)
    vp_rect = big.viewport().rect()
    shown = big.map_from_image(QPointF(1600, 1200)) - big.map_from_image(QPointF(0, 0))
    assert shown.x() <= vp_rect.width() and shown.y() <= vp_rect.height()


# ---- pan and zoom ----------------------------------------------------------------------------


def _wheel(canvas: MaskCanvas, pos: QPoint, delta: int) -> None:
    viewport = canvas.viewport()
    event = QWheelEvent(
        QPointF(pos), QPointF(viewport.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, delta),
        Qt.MouseButton.NoButton, NO_MOD, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(viewport, event)


def test_wheel_zooms_around_the_cursor(canvas: MaskCanvas) -> None:
    canvas.set_zoom(2.0)
    pos = QPoint(200, 150)
    before = canvas.map_to_image(QPointF(pos))
    zooms = []
    canvas.zoom_changed.connect(zooms.append)
    _wheel(canvas, pos, 120)  # one notch: the next level of the zoom table
    QApplication.processEvents()
    assert canvas.zoom_factor() == pytest.approx(3.0)
    after = canvas.map_to_image(QPointF(pos))
    assert abs(after.x() - before.x()) < 1 and abs(after.y() - before.y()) < 1
    _wheel(canvas, pos, -240)  # two notches back
    assert canvas.zoom_factor() == pytest.approx(1.5)
    assert zooms == pytest.approx([3.0, 1.5])


def test_middle_button_and_space_drag_pan_without_painting(canvas: MaskCanvas, qtbot) -> None:
    canvas.set_zoom(3.0)
    h, v = canvas.horizontalScrollBar(), canvas.verticalScrollBar()
    start = (h.value(), v.value())
    viewport = canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, NO_MOD, QPoint(300, 200))
    QTest.mouseMove(viewport, QPoint(250, 170))
    QTest.mouseMove(viewport, QPoint(200, 140))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, NO_MOD, QPoint(200, 140))
    assert (h.value(), v.value()) == (start[0] + 100, start[1] + 60)

    QTest.keyPress(canvas, Qt.Key.Key_Space)
    QTest.mousePress(viewport, LEFT, NO_MOD, QPoint(200, 140))
    QTest.mouseMove(viewport, QPoint(260, 180))
    QTest.mouseRelease(viewport, LEFT, NO_MOD, QPoint(260, 180))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    assert (h.value(), v.value()) == (start[0] + 40, start[1] + 20)
    assert coverage(canvas).getextrema() == (0, 0)
    assert canvas.undo_stack().count() == 0


# ---- tablet -----------------------------------------------------------------------------------


def _pen() -> QPointingDevice:
    caps = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    return QPointingDevice("test pen", 4242, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                           caps, 1, 3)


def _tablet(canvas: MaskCanvas, device: QPointingDevice, kind: QEvent.Type, pos: QPoint, pressure: float,
            buttons: Qt.MouseButton) -> None:
    viewport = canvas.viewport()
    button = LEFT if kind != QEvent.Type.TabletMove else Qt.MouseButton.NoButton
    event = QTabletEvent(kind, device, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), pressure, 0, 0, 0, 0, 0,
                         NO_MOD, button, buttons)
    QApplication.sendEvent(viewport, event)


def test_tablet_pressure_sets_size_and_synthesised_mouse_is_ignored(canvas: MaskCanvas) -> None:
    canvas.set_brush_size(40)
    pen = _pen()
    viewport = canvas.viewport()
    y = 100
    _tablet(canvas, pen, QEvent.Type.TabletPress, vp(canvas, 60, y), 0.5, LEFT)
    for x in range(80, 341, 20):
        _tablet(canvas, pen, QEvent.Type.TabletMove, vp(canvas, x, y), 0.5, LEFT)
        # A platform may also send mouse events for the pen: they must not paint elsewhere.
        QTest.mouseMove(viewport, vp(canvas, x, 250))
    QTest.mousePress(viewport, LEFT, NO_MOD, vp(canvas, 200, 250))
    QTest.mouseRelease(viewport, LEFT, NO_MOD, vp(canvas, 200, 250))
    _tablet(canvas, pen, QEvent.Type.TabletRelease, vp(canvas, 340, y), 0.5, Qt.MouseButton.NoButton)
    cov = coverage(canvas)
    column = [cov.getpixel((200, yy)) for yy in range(60, 141)]
    painted = sum(1 for v in column if v >= 128)
    assert 17 <= painted <= 23  # half of 40 px at pressure 0.5
    assert max(cov.getpixel((x, 250)) for x in range(0, W)) == 0
    assert canvas.undo_stack().count() == 1
    # after the pen lifts, the mouse paints again
    drag(canvas, line((60, 250), (200, 250), 4))
    assert coverage(canvas).getpixel((120, 250)) == 255


# ---- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("zoom", [0.25, 1.0, 3.7])
def test_export_size_and_polarity_at_any_zoom(qtbot, zoom: float) -> None:
    canvas = make_canvas(qtbot, photo(W, H), zoom=zoom)
    canvas.set_brush_size(12)
    center = canvas.map_to_image(QPointF(canvas.viewport().rect().center()))
    cx, cy = center.x(), center.y()
    hits = drag(canvas, line((cx - 40, cy), (cx + 40, cy), 8))
    img = Image.open(io.BytesIO(canvas.export_mask()))
    img.load()
    assert img.format == "PNG" and img.mode == "L" and img.size == (W, H)
    assert {v for v, n in enumerate(img.histogram()) if n} == {0, 255}
    y = round(hits[0].y())
    assert img.getpixel((round(cx), y)) == 0  # painted -> black = change
    assert img.getpixel((round(cx), min(H - 1, y + 30))) == 255  # untouched -> white = keep
    assert img.getpixel((0, 0)) == 255


def test_export_ignores_the_view_transform(qtbot) -> None:
    """The same image-space stroke painted at zoom 2 and at zoom 0.5 exports the same bytes."""
    exports = []
    for zoom in (2.0, 0.5):
        canvas = make_canvas(qtbot, photo(W, H), zoom=zoom)
        canvas.centerOn(W / 2, H / 2)
        canvas.set_brush_size(16)
        points = [(180.0, 140.0), (200.0, 150.0), (220.0, 160.0)]
        hits = drag(canvas, points)
        assert [(p.x(), p.y()) for p in hits] == points, "the test points must map to whole viewport pixels"
        exports.append(canvas.export_mask())
    assert exports[0] == exports[1]


_DPR_SCRIPT = textwrap.dedent(
    """
    import io, json, os, sys
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QImage, QColor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from PIL import Image
    from ideogram_studio.ui.mask.canvas import MaskCanvas
    app = QApplication([])
    c = MaskCanvas()
    c.resize(500, 400)
    c.show()
    QTest.qWaitForWindowExposed(c)
    img = QImage(300, 200, QImage.Format.Format_RGB32)
    img.fill(QColor(90, 120, 150))
    c.set_image(img)
    c.set_zoom(1.0)
    c.set_brush_size(10)
    vp = c.viewport()
    a = c.map_from_image(QPointF(50, 100)); b = c.map_from_image(QPointF(250, 100))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a.toPoint())
    for i in range(1, 11):
        QTest.mouseMove(vp, (a + (b - a) * (i / 10)).toPoint())
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b.toPoint())
    out = Image.open(io.BytesIO(c.export_mask()))
    out.load()
    print(json.dumps({
        "dpr": c.devicePixelRatioF(),
        "size": list(out.size),
        "mode": out.mode,
        "values": [v for v, n in enumerate(out.histogram()) if n],
        "on_path": [out.getpixel((x, 100)) for x in range(60, 241, 20)],
        "off_path": [out.getpixel((150, 120)), out.getpixel((150, 80)), out.getpixel((20, 100))],
        "painted_rows": [y for y in range(200) if out.getpixel((150, y)) == 0],
    }))
    """
)


def test_export_with_device_pixel_ratio_2() -> None:
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", _DPR_SCRIPT], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["dpr"] == 2.0
    assert data["size"] == [300, 200] and data["mode"] == "L" and data["values"] == [0, 255]
    assert data["on_path"] == [0] * 10
    assert data["off_path"] == [255, 255, 255]
    rows = data["painted_rows"]
    assert 9 <= len(rows) <= 11 and rows[0] >= 94 and rows[-1] <= 105  # 10 image px, not 20


def test_check_mask_refuses_empty_and_full(canvas: MaskCanvas) -> None:
    assert canvas.check_mask() == EMPTY_MASK
    canvas.fill()
    assert canvas.check_mask() == FULL_MASK
    assert canvas.coverage_ratio() == 1.0
    canvas.clear()
    assert canvas.check_mask() == EMPTY_MASK
    drag(canvas, line((50, 50), (150, 50), 3))
    assert canvas.check_mask() is None
    assert 0 < canvas.coverage_ratio() < 0.05


def test_mask_image_file_passes_the_edit_request_rules(canvas: MaskCanvas, tmp_path: Path) -> None:
    from ideogram_studio.api.images import ImageFile

    drag(canvas, line((50, 50), (150, 80), 3))
    mask = canvas.mask_image_file()
    assert (mask.width, mask.height, mask.format, mask.mode) == (W, H, "PNG", "L")
    photo_path = tmp_path / "photo.png"
    photo().save(str(photo_path))
    request = EditRequest(image=ImageFile.from_path(photo_path), mask=mask, prompt="a cat")
    request.check_rules()


def test_grow_and_feather_keep_the_export_binary(canvas: MaskCanvas) -> None:
    drag(canvas, line((100, 150), (300, 150), 4))
    plain = Image.open(io.BytesIO(canvas.export_mask()))
    canvas.set_export_options(grow=6, feather=3)
    grown = Image.open(io.BytesIO(canvas.export_mask()))
    assert {v for v, n in enumerate(grown.histogram()) if n} == {0, 255}
    assert grown.histogram()[0] > plain.histogram()[0]
    assert plain.getpixel((200, 160)) == 255 and grown.getpixel((200, 160)) == 0


# ---- files -----------------------------------------------------------------------------------


def _messages(canvas: MaskCanvas) -> list[str]:
    seen: list[str] = []
    canvas.message.connect(seen.append)
    return seen


def test_load_mask_of_the_wrong_size_is_refused_with_a_message(canvas: MaskCanvas, tmp_path: Path) -> None:
    drag(canvas, line((50, 50), (150, 50), 3))
    before = mask_bytes(canvas)
    path = tmp_path / "small.png"
    Image.new("L", (50, 40), 0).save(path)
    seen = _messages(canvas)
    assert canvas.load_mask_file(path) is False
    assert seen and "50×40" in seen[-1] and f"{W}×{H}" in seen[-1]
    assert mask_bytes(canvas) == before and canvas.undo_stack().count() == 1
    asked = []
    canvas.scale_prompt = lambda mask_size, image_size: asked.append((mask_size, image_size)) or True
    assert canvas.load_mask_file(path) is True
    assert asked and canvas.coverage_ratio() == 1.0  # all black = change everything
    assert "scaled" in seen[-1]


@pytest.mark.parametrize("content", [b"this is not an image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"])
def test_load_corrupt_mask_keeps_what_was_painted(canvas: MaskCanvas, tmp_path: Path, content: bytes) -> None:
    drag(canvas, line((50, 50), (150, 50), 3))
    before = mask_bytes(canvas)
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    seen = _messages(canvas)
    assert canvas.load_mask_file(path) is False
    assert seen and "bad.png" in seen[-1]
    assert mask_bytes(canvas) == before and canvas.undo_stack().count() == 1
    assert canvas.load_mask_file(tmp_path / "missing.png") is False
    assert "does not exist" in seen[-1]


def test_load_mask_rules(canvas: MaskCanvas, tmp_path: Path) -> None:
    api = Image.new("L", (W, H), 255)
    api.paste(0, (100, 100, 200, 150))  # black = change
    api.save(tmp_path / "api.png")
    assert canvas.load_mask_file(tmp_path / "api.png")
    cov = coverage(canvas)
    assert cov.getpixel((150, 120)) == 255 and cov.getpixel((50, 50)) == 0
    assert canvas.undo_stack().count() == 1

    painted = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    painted.paste((255, 0, 0, 255), (10, 10, 60, 60))  # opaque = change
    painted.save(tmp_path / "painted.png")
    canvas.set_mask_file_rule(MaskRule.PAINTED)
    assert canvas.load_mask_file(tmp_path / "painted.png")
    cov = coverage(canvas)
    assert cov.getpixel((30, 30)) == 255 and cov.getpixel((150, 120)) == 0
    canvas.undo_stack().undo()
    assert coverage(canvas).getpixel((150, 120)) == 255


def test_save_and_load_round_trip(canvas: MaskCanvas, tmp_path: Path) -> None:
    drag(canvas, line((50, 50), (300, 220), 6))
    path = tmp_path / "mask.png"
    assert canvas.save_mask_file(path)
    with Image.open(path) as saved:
        assert saved.mode == "L" and saved.size == (W, H)
    expected = coverage(canvas).point([255 if v >= 128 else 0 for v in range(256)])
    canvas.clear()
    assert canvas.load_mask_file(path)
    assert coverage(canvas).tobytes() == expected.tobytes()


def test_drop_a_mask_file(canvas: MaskCanvas, tmp_path: Path, qtbot) -> None:
    path = tmp_path / "drop.png"
    img = Image.new("L", (W, H), 255)
    img.paste(0, (0, 0, 100, 100))
    img.save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    viewport = canvas.viewport()


    def make(cls):  # PySide6 >= 6.12 takes a QPointF (QPoint deprecated), older ones only a QPoint
        try:
            return cls(QPointF(100, 100), Qt.DropAction.CopyAction, mime, LEFT, NO_MOD)
        except TypeError:
            return cls(QPoint(100, 100), Qt.DropAction.CopyAction, mime, LEFT, NO_MOD)

    enter = make(QDragEnterEvent)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = make(QDragMoveEvent)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, LEFT, NO_MOD)
    with qtbot.waitSignal(canvas.mask_changed, timeout=10_000):  # (the file is read in a worker)
        QApplication.sendEvent(viewport, drop)
        assert drop.isAccepted()
    assert coverage(canvas).getpixel((50, 50)) == 255 and coverage(canvas).getpixel((150, 150)) == 0
    assert canvas.undo_stack().count() == 1


# ---- images -----------------------------------------------------------------------------------


def test_bad_image_path_keeps_the_current_image(canvas: MaskCanvas, tmp_path: Path) -> None:
    drag(canvas, line((50, 50), (150, 50), 3))
    before = mask_bytes(canvas)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a jpeg")
    seen = _messages(canvas)
    assert canvas.set_image(bad) is False
    assert seen and "bad.jpg" in seen[-1]
    assert mask_bytes(canvas) == before and canvas.image_size().width() == W


def test_image_with_alpha_shows_a_checkerboard_and_odd_formats_load(qtbot, tmp_path: Path) -> None:
    img = QImage(200, 100, QImage.Format.Format_ARGB32)
    img.fill(QColor(0, 0, 0, 0))
    canvas = make_canvas(qtbot, img, zoom=1.0)
    shot = canvas.viewport().grab().toImage()
    center = canvas.map_from_image(QPointF(100, 50)).toPoint()
    colours = {shot.pixelColor(center + QPoint(dx, 0)).red() for dx in range(0, 16)}
    assert colours == {153, 204}
    for fmt in (QImage.Format.Format_Indexed8, QImage.Format.Format_Grayscale16, QImage.Format.Format_Mono,
                QImage.Format.Format_RGBA64):
        odd = photo(120, 80).convertToFormat(fmt)
        assert canvas.set_image(odd)
        assert canvas.mask_qimage().size() == odd.size()
        assert Image.open(io.BytesIO(canvas.export_mask())).size == (120, 80)
    path = tmp_path / "photo.png"
    photo(120, 90).save(str(path))
    assert canvas.set_image(path) and canvas.image_size().height() == 90


def test_overlay_colour_opacity_and_visibility(canvas: MaskCanvas) -> None:
    canvas.set_brush_size(40)
    drag(canvas, line((100, 150), (300, 150), 4))
    canvas.set_overlay(QColor(0, 0, 255), 1.0)
    QApplication.processEvents()
    where = vp(canvas, 200, 150)
    shown = canvas.viewport().grab().toImage().pixelColor(where)
    assert (shown.red(), shown.green(), shown.blue()) == (0, 0, 255)
    canvas.set_mask_visible(False)
    hidden = canvas.viewport().grab().toImage().pixelColor(where)
    assert hidden.blue() != 255
    assert canvas.coverage_ratio() > 0  # hiding changes only the display


def test_a_stroke_repaints_only_its_own_region(canvas: MaskCanvas, qtbot) -> None:
    canvas.set_brush_size(10)
    QApplication.processEvents()
    recorder = PaintRecorder(canvas.viewport())
    viewport = canvas.viewport()
    QTest.mousePress(viewport, LEFT, NO_MOD, vp(canvas, 100, 100))
    QApplication.processEvents()
    for x in range(105, 200, 5):
        QTest.mouseMove(viewport, vp(canvas, x, 100))
        QApplication.processEvents()
    QTest.mouseRelease(viewport, LEFT, NO_MOD, vp(canvas, 200, 100))
    QApplication.processEvents()
    assert recorder.rects, "no repaint happened"
    area = viewport.width() * viewport.height()
    assert max(r.width() * r.height() for r in recorder.rects) < area / 20


def test_4096_image_stroke_keeps_the_undo_patch_small(qtbot, monkeypatch) -> None:
    big = QImage(4096, 4096, QImage.Format.Format_RGB32)
    big.fill(QColor(120, 130, 140))
    canvas = make_canvas(qtbot, big, zoom=1.0)
    canvas.set_brush_size(20)
    changes = []
    item = canvas._mask_item
    paint_live = item.paint_live
    monkeypatch.setattr(item, "paint_live", lambda rect, *a: changes.append(rect.width() * rect.height())
                        or paint_live(rect, *a))
    center = canvas.map_to_image(QPointF(canvas.viewport().rect().center()))
    # (The stroke's speed at 4096 px: tests/benchmarks/bench_mask_canvas.py.)
    drag(canvas, line((center.x() - 100, center.y()), (center.x() + 100, center.y() + 20), 40))
    cmd = canvas.undo_stack().command(0)
    assert isinstance(cmd, PatchCommand)
    rect = cmd.rect()
    assert rect.width() <= 240 and rect.height() <= 70
    assert cmd.stored_pixels() < 4096 * 4096 / 100
    assert len(changes) >= 40 and max(changes) < 60 * 60  # each move paints only its segment
    assert canvas.mask_qimage().size().width() == 4096


# ---- editor -----------------------------------------------------------------------------------


@pytest.fixture
def editor(qtbot) -> Iterator[MaskEditor]:
    ed = MaskEditor()
    qtbot.addWidget(ed)
    ed.resize(1100, 760)
    ed.show()
    qtbot.waitExposed(ed)
    ed.set_image(photo())
    yield ed


def test_editor_actions_show_their_shortcuts(editor: MaskEditor) -> None:
    actions = editor.canvas().actions_by_name()
    for name in ("brush", "eraser", "rect", "lasso", "size_down", "size_up", "invert", "fit", "actual_size", "undo",
                 "redo", "show"):
        action = actions[name]
        assert action.shortcuts(), name
        for seq in action.shortcuts():
            assert seq.toString() in action.toolTip() or seq.toString(seq.SequenceFormat.NativeText) in action.toolTip()
    assert "Ctrl+Y" in actions["redo"].toolTip() and "Ctrl+Shift+Z" in actions["redo"].toolTip()


def test_editor_controls_drive_the_canvas(editor: MaskEditor, qtbot) -> None:
    canvas = editor.canvas()
    editor._size_spin.setValue(123)
    assert canvas.brush_size() == 123
    canvas.set_brush_size(7)
    assert editor._size_spin.value() == 7
    editor._hardness_slider.setValue(25)
    assert canvas.hardness() == pytest.approx(0.25)
    editor._opacity_slider.setValue(80)
    assert canvas.overlay_opacity() == pytest.approx(0.8)
    editor._grow_spin.setValue(4)
    assert canvas.export_options() == (4, 0)
    # shortcuts work with the focus on a slider of the editor
    editor._hardness_slider.setFocus()
    qtbot.keyClick(editor._hardness_slider, Qt.Key.Key_E)
    assert canvas.tool() == "eraser"
    editor._painted_rule_action.setChecked(True)
    assert canvas.mask_file_rule() is MaskRule.PAINTED


def test_editor_shows_messages(editor: MaskEditor, tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"garbage")
    editor.canvas().load_mask_file(bad)
    assert "x.png" in editor.status_text()


def test_real_mouse_event_objects_reach_the_canvas(canvas: MaskCanvas) -> None:
    """QMouseEvent built by hand (as a platform would deliver it), not only QTest's."""
    viewport = canvas.viewport()

    def send(kind: QEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
        pos = QPointF(vp(canvas, x, y))
        button = LEFT if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
        QApplication.sendEvent(viewport, QMouseEvent(kind, pos, pos, QPointF(viewport.mapToGlobal(pos.toPoint())),
                                                     button, buttons, NO_MOD))

    send(QEvent.Type.MouseButtonPress, 100, 200, LEFT)
    send(QEvent.Type.MouseMove, 200, 200, LEFT)
    send(QEvent.Type.MouseMove, 300, 200, LEFT)
    send(QEvent.Type.MouseButtonRelease, 300, 200, Qt.MouseButton.NoButton)
    assert coverage(canvas).getpixel((250, 200)) == 255


def test_editor_status_shows_coverage_and_zoom(editor: MaskEditor, qtbot) -> None:
    canvas = editor.canvas()
    qtbot.waitUntil(lambda: editor._coverage_label.text() == "Nothing painted")
    canvas.set_zoom(1.0)
    canvas.set_brush_size(60)
    drag(canvas, line((50, 150), (350, 150), 6))
    qtbot.waitUntil(lambda: editor._coverage_label.text().endswith("% to change"))
    assert editor._zoom_label.text() == "100 %"


def test_the_canvas_module_does_not_import_the_editor() -> None:
    """No cycle: the editor imports the canvas, never the other way round (the old shim is gone)."""
    probe = (
        "import sys, ideogram_studio.ui.mask.canvas as canvas; "
        "print('ideogram_studio.ui.mask.editor' in sys.modules, hasattr(canvas, 'MaskEditor'))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
