"""ZoomView: the viewer and the mask canvas zoom, fit and pan alike, at device pixel ratio 1 and 2.

Both views are driven with real wheel, key and mouse events; 100 % means one image pixel per
device pixel in both (checked with a mocked ratio here and with QT_SCALE_FACTOR=2 in a child
process, where the grabbed device pixels are compared with the image's).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import json
import math
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QHBoxLayout, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.widgets.viewer import ImageViewer
from ideogram_studio.ui.widgets.zoom_view import MAX_ZOOM, MIN_ZOOM, ZOOM_KEYS, ZOOM_STEPS, ZoomView, next_zoom_step

NO_MOD = Qt.KeyboardModifier.NoModifier
VIEW_W, VIEW_H = 640, 420


def stripes(w: int, h: int) -> QImage:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    p = QPainter(image)
    for x in range(0, w, 8):
        p.fillRect(x, 0, 8, h, QColor((x * 7) % 256, (x * 3) % 256, 128))
    p.end()
    return image


def make_view(qtbot: QtBot, kind: type[ZoomView], image: QImage, dpr: float | None = None) -> ZoomView:
    view = kind()
    qtbot.addWidget(view)
    if dpr is not None:  # a mocked device pixel ratio: the one place ZoomView reads it
        view._dpr = lambda: dpr  # type: ignore[method-assign]
    view.resize(VIEW_W, VIEW_H)
    view.show()
    qtbot.waitExposed(view)
    if isinstance(view, ImageViewer):
        view.set_image(image)
    else:
        assert isinstance(view, MaskCanvas)
        assert view.set_image(image)
    view.setFocus()
    return view


def both(qtbot: QtBot, image: QImage, dpr: float | None = None) -> list[ZoomView]:
    return [make_view(qtbot, ImageViewer, image, dpr), make_view(qtbot, MaskCanvas, image, dpr)]


def wheel(view: ZoomView, pos: QPoint, delta: int) -> None:
    viewport = view.viewport()
    event = QWheelEvent(
        QPointF(pos), QPointF(viewport.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, delta),
        Qt.MouseButton.NoButton, NO_MOD, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(viewport, event)
    QApplication.processEvents()  # scroll bars that come with the zoom resize the viewport


def drift(view: ZoomView, image_point: QPointF, pos: QPoint) -> float:
    back = view.map_from_image(image_point)
    return math.dist((back.x(), back.y()), (pos.x(), pos.y()))


# ---- the table -----------------------------------------------------------------------------------
def test_zoom_table_is_sorted_round_and_holds_every_power_of_two() -> None:
    assert list(ZOOM_STEPS) == sorted(set(ZOOM_STEPS))
    assert (ZOOM_STEPS[0], ZOOM_STEPS[-1]) == (MIN_ZOOM, MAX_ZOOM)
    for k in range(-5, 6):
        assert any(z == pytest.approx(2.0**k) for z in ZOOM_STEPS), f"{2.0**k:.4g} is a step"
    for a, b in itertools.pairwise(ZOOM_STEPS):
        assert 1.3 < b / a <= 1.5 + 1e-9
    assert next_zoom_step(1.0, 1) == 1.5 and next_zoom_step(1.0, -1) == pytest.approx(2 / 3)
    assert next_zoom_step(0.47, 1) == 0.5 and next_zoom_step(0.47, -1) == pytest.approx(1 / 3)
    assert next_zoom_step(MAX_ZOOM, 1) == MAX_ZOOM and next_zoom_step(MIN_ZOOM, -1) == MIN_ZOOM


# ---- one 100 %, one fit ----------------------------------------------------------------------------
@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_both_views_agree_on_fit_and_100_percent(qtbot: QtBot, dpr: float) -> None:
    viewer, canvas = both(qtbot, stripes(1600, 1000), dpr)
    assert viewer.is_fit_mode() and canvas.is_fit_mode()
    assert canvas.zoom_factor() == pytest.approx(viewer.zoom_factor())
    assert canvas.transform().m11() == pytest.approx(viewer.transform().m11())
    assert canvas.image_rect_in_viewport().size().toSize() == viewer.image_rect_in_viewport().size().toSize()
    for view in (viewer, canvas):
        view.actual_size()
        assert view.zoom_factor() == 1.0
        assert view.transform().m11() == pytest.approx(1 / dpr), "100 % = one image pixel per device pixel"
        assert view.view_scale() == pytest.approx(1 / dpr)
        # 1600 image pixels span 1600 device pixels = 1600 / dpr logical pixels.
        assert view.image_rect_in_viewport().width() == pytest.approx(1600 / dpr)


@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_fit_never_blows_a_small_image_up_beyond_logical_pixels(qtbot: QtBot, dpr: float) -> None:
    for view in both(qtbot, stripes(120, 90), dpr):
        assert view.is_fit_mode()
        assert view.zoom_factor() == pytest.approx(dpr), type(view).__name__
        assert view.image_rect_in_viewport().width() == pytest.approx(120)


# ---- one step table, the same keys -----------------------------------------------------------------
def test_both_views_step_through_the_same_levels(qtbot: QtBot) -> None:
    viewer, canvas = both(qtbot, stripes(1600, 1000))
    pos = QPoint(300, 200)
    seen: dict[str, list[float]] = {}
    for view in (viewer, canvas):
        levels: list[float] = []
        view.zoom_changed.connect(levels.append)
        for _ in range(4):
            wheel(view, pos, 120)
        for _ in range(2):
            wheel(view, pos, -120)
        for _ in range(3):
            wheel(view, pos, 40)  # a high-resolution wheel: three small deltas make one notch
        seen[type(view).__name__] = levels
    assert seen["ImageViewer"] == pytest.approx(seen["MaskCanvas"])
    fitted = viewer.fit_zoom()
    above = [z for z in ZOOM_STEPS if z > fitted]
    assert seen["ImageViewer"] == pytest.approx([*above[:4], above[2], above[1], above[2]])


@pytest.mark.parametrize(
    ("key", "modifiers", "expected"),
    [
        (Qt.Key.Key_Plus, NO_MOD, 1.5),
        (Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier, 1.5),  # "+" typed as Shift+= on many layouts
        (Qt.Key.Key_Plus, Qt.KeyboardModifier.KeypadModifier, 1.5),
        (Qt.Key.Key_Equal, NO_MOD, 1.5),
        (Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier, 1.5),
        (Qt.Key.Key_Minus, NO_MOD, 2 / 3),
        (Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier, 2 / 3),
    ],
)
def test_both_views_answer_the_same_zoom_keys(
    qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier, expected: float
) -> None:
    for view in both(qtbot, stripes(1600, 1000)):
        qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert view.zoom_factor() == 1.0 and not view.is_fit_mode()
        qtbot.keyClick(view, key, modifiers)
        assert view.zoom_factor() == pytest.approx(expected), type(view).__name__
        qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
        assert view.is_fit_mode() and view.zoom_factor() == pytest.approx(view.fit_zoom())


def test_both_views_offer_the_same_zoom_actions(qtbot: QtBot) -> None:
    viewer, canvas = both(qtbot, stripes(400, 300))
    assert isinstance(viewer, ImageViewer) and isinstance(canvas, MaskCanvas)
    for name, keys in ZOOM_KEYS.items():
        for actions in (viewer.actions_by_name(), canvas.actions_by_name()):
            assert [s.toString() for s in actions[name].shortcuts()] == list(keys)


def test_zoom_keys_reach_the_focused_view_in_a_window_with_the_same_menu_keys(qtbot: QtBot) -> None:
    """The main window's View menu has Ctrl+0 / Ctrl+1 for the result viewer: with a view focused the
    keys are the view's own (before, the mask canvas's Ctrl+1 was an ambiguous shortcut: nothing ran)."""
    window = QMainWindow()
    qtbot.addWidget(window)
    menu_hits: list[str] = []
    menu = window.menuBar().addMenu("View")
    for keys in ("Ctrl+0", "Ctrl+1"):
        action = QAction(keys, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False, k=keys: menu_hits.append(k))
        menu.addAction(action)
    centre = QWidget(window)
    row = QHBoxLayout(centre)
    viewer, canvas = ImageViewer(centre), MaskCanvas(centre)
    row.addWidget(viewer)
    row.addWidget(canvas)
    window.setCentralWidget(centre)
    window.resize(1200, 500)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    image = stripes(1600, 1000)
    viewer.set_image(image)
    assert canvas.set_image(image)
    for view in (viewer, canvas):
        view.setFocus()
        qtbot.waitUntil(view.hasFocus)
        QTest.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert view.zoom_factor() == 1.0, type(view).__name__
        QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
        assert view.is_fit_mode(), type(view).__name__
    assert menu_hits == []


# ---- zoom around the cursor ------------------------------------------------------------------------
@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("kind", [ImageViewer, MaskCanvas])
def test_zoom_keeps_the_point_under_the_cursor(qtbot: QtBot, kind: type[ZoomView], dpr: float) -> None:
    view = make_view(qtbot, kind, stripes(3000, 2000), dpr)
    view.set_zoom(0.5 * dpr)  # larger than the view: there is room to scroll both ways
    for pos in (QPoint(100, 80), QPoint(500, 330), QPoint(320, 210)):
        for delta in (120, 120, 240, -120, -360, 120):
            point = view.map_to_image(QPointF(pos))
            wheel(view, pos, delta)
            assert drift(view, point, pos) <= 1.0, f"{kind.__name__} at {pos}, {delta}: zoom {view.zoom_factor()}"


@pytest.mark.parametrize("kind", [ImageViewer, MaskCanvas])
def test_zoom_that_brings_scroll_bars_keeps_the_point(qtbot: QtBot, kind: type[ZoomView]) -> None:
    """From "fit" (no scroll bars) into a zoom with scroll bars: the viewport shrinks a moment later,
    and the point under the cursor must stay there anyway."""
    view = make_view(qtbot, kind, stripes(1280, 800))
    pos = QPoint(410, 250)
    view.set_zoom(0.5)  # fits: no scroll bars
    point = view.map_to_image(QPointF(pos))
    wheel(view, pos, 120)
    assert view.zoom_factor() == pytest.approx(2 / 3)
    assert view.viewport().width() < VIEW_W, "scroll bars appeared"
    assert drift(view, point, pos) <= 1.0


# ---- pan ---------------------------------------------------------------------------------------------
def _press_move_release(view: ZoomView, button: Qt.MouseButton, a: QPoint, b: QPoint) -> None:
    viewport = view.viewport()

    def send(kind: QEvent.Type, pos: QPoint, which: Qt.MouseButton, held: Qt.MouseButton) -> None:
        global_pos = QPointF(viewport.mapToGlobal(pos))
        QApplication.sendEvent(viewport, QMouseEvent(kind, QPointF(pos), global_pos, which, held, NO_MOD))

    send(QEvent.Type.MouseButtonPress, a, button, button)
    send(QEvent.Type.MouseMove, (a + b) / 2, Qt.MouseButton.NoButton, button)
    send(QEvent.Type.MouseMove, b, Qt.MouseButton.NoButton, button)
    send(QEvent.Type.MouseButtonRelease, b, button, Qt.MouseButton.NoButton)


@pytest.mark.parametrize("kind", [ImageViewer, MaskCanvas])
@pytest.mark.parametrize("space", [False, True])
def test_middle_button_and_space_drag_pan(qtbot: QtBot, kind: type[ZoomView], space: bool) -> None:
    view = make_view(qtbot, kind, stripes(3000, 2000))
    view.actual_size()
    h, v = view.horizontalScrollBar(), view.verticalScrollBar()
    h.setValue(900)
    v.setValue(700)
    button = Qt.MouseButton.LeftButton if space else Qt.MouseButton.MiddleButton
    if space:
        QTest.keyPress(view, Qt.Key.Key_Space)
        assert view.viewport().cursor().shape() == Qt.CursorShape.OpenHandCursor
    _press_move_release(view, button, QPoint(300, 200), QPoint(220, 150))
    if space:
        QTest.keyRelease(view, Qt.Key.Key_Space)
    assert (h.value(), v.value()) == (980, 750)
    assert view.zoom_factor() == 1.0
    if isinstance(view, MaskCanvas):
        assert view.undo_stack().count() == 0, "panning paints nothing"


# ---- a real 200 % screen -----------------------------------------------------------------------------
_HIDPI_SCRIPT = textwrap.dedent(
    """
    import json
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from ideogram_studio.ui.mask.canvas import MaskCanvas
    from ideogram_studio.ui.widgets.viewer import ImageViewer
    app = QApplication([])
    image = QImage(900, 700, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 20, 20))
    for y in range(700):
        for x in range(0, 900, 3):
            image.setPixelColor(x, y, QColor((x * 5) % 256, (y * 3) % 256, (x + y) % 256))
    out = {}
    for kind in (ImageViewer, MaskCanvas):
        view = kind()
        view.resize(400, 300)
        view.show()
        QTest.qWaitForWindowExposed(view)
        view.set_image(image)
        fit = view.zoom_factor()
        view.actual_size()
        app.processEvents()  # the scroll bars that come with 100 %
        view.horizontalScrollBar().setValue(0)
        view.verticalScrollBar().setValue(0)
        app.processEvents()
        shot = view.viewport().grab().toImage()  # device pixels
        origin = view.map_from_image(QPointF(0, 0)) * view.devicePixelRatioF()
        ox, oy = round(origin.x()), round(origin.y())
        same = sum(
            shot.pixelColor(ox + x, oy + y) == image.pixelColor(x, y)
            for x in range(0, 300, 7) for y in range(0, 200, 5)
        )
        out[kind.__name__] = {
            "dpr": view.devicePixelRatioF(), "fit": fit, "zoom": view.zoom_factor(),
            "m11": view.transform().m11(), "shot": [shot.width(), shot.height()],
            "same": same, "checked": len(range(0, 300, 7)) * len(range(0, 200, 5)),
        }
    print(json.dumps(out))
    """
)


def test_100_percent_on_a_real_200_percent_screen() -> None:
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", _HIDPI_SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    viewer, canvas = data["ImageViewer"], data["MaskCanvas"]
    for view in (viewer, canvas):
        assert view["dpr"] == 2.0
        assert view["zoom"] == 1.0 and view["m11"] == pytest.approx(0.5)
        # The grab is in device pixels: at 100 % they are the image's own pixels, not resampled.
        assert view["same"] == view["checked"], view
    assert viewer["fit"] == pytest.approx(canvas["fit"])
