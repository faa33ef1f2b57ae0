"""The result viewer, driven with real wheel, mouse and key events on its viewport."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ideogram_studio.ui.widgets.viewer import ImageViewer
from ideogram_studio.ui.widgets.zoom_view import MAX_ZOOM, MIN_ZOOM, ZOOM_STEPS

RED = QColor(220, 30, 30)
BLUE = QColor(30, 60, 220)


def solid(w: int, h: int, color: QColor = RED) -> QImage:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(color)
    return image


def pixel_checker(w: int, h: int) -> QImage:
    """Black and white single pixels: any smoothing shows as grey."""
    data = bytes(0 if (x + y) % 2 else 255 for y in range(h) for x in range(w))
    return QImage(data, w, h, w, QImage.Format.Format_Grayscale8).convertToFormat(QImage.Format.Format_RGB32)


def gradient(w: int, h: int) -> QImage:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    p = QPainter(image)
    for x in range(0, w, 8):
        p.fillRect(x, 0, 8, h, QColor((x * 7) % 256, (x * 3) % 256, 128))
    p.end()
    return image


def wheel(viewer: ImageViewer, pos: QPointF, delta: int) -> None:
    global_pos = QPointF(viewer.viewport().mapToGlobal(pos.toPoint()))
    event = QWheelEvent(
        pos, global_pos, QPoint(0, 0), QPoint(0, delta), Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(viewer.viewport(), event)


def mouse(viewer: ImageViewer, kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton,
          buttons: Qt.MouseButton | None = None) -> None:
    held = button if buttons is None else buttons
    global_pos = QPointF(viewer.viewport().mapToGlobal(pos.toPoint()))
    event = QMouseEvent(kind, pos, global_pos, button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewer.viewport(), event)


def drag(viewer: ImageViewer, start: QPointF, end: QPointF, button: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    mouse(viewer, QEvent.Type.MouseButtonPress, start, button)
    for i in range(1, 5):
        mouse(viewer, QEvent.Type.MouseMove, start + (end - start) * (i / 4), Qt.MouseButton.NoButton, button)
    mouse(viewer, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)


def viewport_rect(viewer: ImageViewer) -> QRectF:
    return QRectF(viewer.viewport().rect())


def contains(outer: QRectF, inner: QRectF, tolerance: float = 0.5) -> bool:
    return outer.adjusted(-tolerance, -tolerance, tolerance, tolerance).contains(inner)


# ---- empty state ---------------------------------------------------------------------------------
def test_empty_state_is_friendly_and_drawn(viewer: ImageViewer) -> None:
    assert not viewer.has_image()
    assert viewer.image() is None
    assert viewer.empty_text() == ("Results appear here", "Ctrl+Enter to generate")
    shot = viewer.viewport().grab().toImage()
    backdrop = shot.pixelColor(5, 5)
    centre = viewer.viewport().rect().center()
    band = [shot.pixelColor(x, y) for x in range(centre.x() - 80, centre.x() + 80)
            for y in range(centre.y() - 5, centre.y() + 40)]
    assert any(c != backdrop for c in band), "the empty-state text is painted"

    viewer.set_image(solid(400, 300))
    assert viewer.has_image()
    viewer.set_image(None)
    assert not viewer.has_image() and viewer.is_fit_mode()
    viewer.set_empty_text("Generating…", "")
    assert viewer.empty_text() == ("Generating…", "")


# ---- fit and 100 % -------------------------------------------------------------------------------
def test_fit_shows_the_whole_image_and_refits_on_resize(viewer: ImageViewer, qtbot: QtBot) -> None:
    viewer.set_image(solid(1280, 800), caption="1280×800 · seed 1234")
    assert viewer.is_fit_mode()
    rect = viewer.image_rect_in_viewport()
    assert contains(viewport_rect(viewer), rect)
    assert rect.width() > viewport_rect(viewer).width() * 0.85, "fit fills the view's width"
    assert viewer.zoom_factor() < 1
    assert viewer.caption() == "1280×800 · seed 1234"

    viewer.resize(300, 520)
    qtbot.waitUntil(lambda: viewer.viewport().width() == 300)
    rect = viewer.image_rect_in_viewport()
    assert contains(viewport_rect(viewer), rect)
    assert rect.width() > 250


def test_fit_never_enlarges_a_small_image(viewer: ImageViewer) -> None:
    viewer.set_image(solid(100, 80))
    assert viewer.is_fit_mode()
    assert viewer.zoom_factor() == pytest.approx(viewer.devicePixelRatioF())
    rect = viewer.image_rect_in_viewport()
    assert rect.width() == pytest.approx(100) and rect.height() == pytest.approx(80)
    assert viewer.image_rect_in_viewport().center().x() == pytest.approx(viewport_rect(viewer).center().x(), abs=1)


def test_actual_size_is_one_image_pixel_per_device_pixel(viewer: ImageViewer) -> None:
    image = gradient(1024, 768)
    viewer.set_image(image)
    zooms: list[float] = []
    viewer.zoom_changed.connect(zooms.append)
    viewer.actual_size()
    assert not viewer.is_fit_mode()
    assert viewer.zoom_factor() == 1.0
    assert zooms[-1] == 1.0
    dpr = viewer.devicePixelRatioF()
    assert viewer.transform().m11() == pytest.approx(1 / dpr)
    # At 100 % the viewport shows the file's own pixels, unchanged.
    viewer.horizontalScrollBar().setValue(0)
    viewer.verticalScrollBar().setValue(0)
    shot = viewer.viewport().grab().toImage()
    origin = viewer.viewportTransform().map(QPointF(0, 0))
    ox, oy = round(origin.x()), round(origin.y())
    for x, y in ((0, 0), (17, 3), (100, 50), (333, 222), (500, 300)):
        assert shot.pixelColor(ox + x, oy + y) == image.pixelColor(x, y)


def test_hidpi_100_percent_means_device_pixels(viewer: ImageViewer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(viewer, "_dpr", lambda: 2.0)
    viewer.set_image(solid(2048, 1536))
    assert contains(viewport_rect(viewer), viewer.image_rect_in_viewport())
    viewer.actual_size()
    assert viewer.zoom_factor() == 1.0
    assert viewer.transform().m11() == pytest.approx(0.5)
    # A small image fits at one image pixel per logical pixel (zoom 2 on a 2x screen), not blown up further.
    viewer.set_image(solid(64, 64))
    assert viewer.zoom_factor() == pytest.approx(2.0)
    assert viewer.transform().m11() == pytest.approx(1.0)


def test_nearest_neighbour_when_zoomed_in(viewer: ImageViewer) -> None:
    viewer.set_image(pixel_checker(64, 64))
    viewer.set_zoom(8.0)
    shot = viewer.viewport().grab().toImage()
    rect = viewer.image_rect_in_viewport().intersected(viewport_rect(viewer)).adjusted(2, 2, -2, -2)
    colours = {
        shot.pixelColor(x, y).name()
        for x in range(int(rect.left()), int(rect.right()), 3)
        for y in range(int(rect.top()), int(rect.bottom()), 3)
    }
    assert colours <= {"#000000", "#ffffff"}, f"no smoothing above 200 %: {sorted(colours)[:5]}"


def test_zoomed_out_is_smooth(viewer: ImageViewer) -> None:
    viewer.set_image(pixel_checker(512, 512))
    viewer.set_zoom(0.25)
    shot = viewer.viewport().grab().toImage()
    centre = viewer.image_rect_in_viewport().center().toPoint()
    grey = shot.pixelColor(centre)
    assert 90 < grey.red() < 165, "a 1-px checker averages to grey when zoomed out, no aliasing"


# ---- wheel zoom around the cursor ----------------------------------------------------------------
def test_wheel_zooms_around_the_cursor(viewer: ImageViewer) -> None:
    viewer.set_image(gradient(1280, 800))
    zooms: list[float] = []
    viewer.zoom_changed.connect(zooms.append)
    pos = QPointF(410.0, 250.0)
    start = viewer.zoom_factor()
    assert start not in ZOOM_STEPS
    levels = [z for z in ZOOM_STEPS if z > start]  # the first notch lands on the table
    anchored = 0
    for step in range(1, 6):
        point = viewer.map_to_image(pos)
        wheel(viewer, pos, 120)
        QApplication.processEvents()  # scroll bars that appear with the zoom shrink the viewport
        assert viewer.zoom_factor() == pytest.approx(levels[step - 1])
        shown = viewer.image_rect_in_viewport()
        if shown.contains(viewport_rect(viewer)):
            back = viewer.viewportTransform().map(point)
            assert math.dist((back.x(), back.y()), (pos.x(), pos.y())) <= 1.5, f"step {step}: {back} vs {pos}"
            anchored += 1
        else:  # an image smaller than the view is centred: nothing to scroll
            assert shown.center().x() == pytest.approx(viewport_rect(viewer).center().x(), abs=1)
    assert anchored >= 4
    assert not viewer.is_fit_mode()
    assert len(zooms) == 5

    point = viewer.map_to_image(pos)
    wheel(viewer, pos, -240)
    QApplication.processEvents()
    assert viewer.zoom_factor() == pytest.approx(levels[2])
    back = viewer.viewportTransform().map(point)
    assert math.dist((back.x(), back.y()), (pos.x(), pos.y())) <= 1.5


def test_zoom_limits(viewer: ImageViewer) -> None:
    viewer.set_image(solid(512, 512))
    for _ in range(40):
        wheel(viewer, QPointF(300, 200), 360)
    assert viewer.zoom_factor() == pytest.approx(MAX_ZOOM)
    for _ in range(60):
        viewer.zoom_by(0.5)
    assert viewer.zoom_factor() == pytest.approx(MIN_ZOOM)


# ---- pan, double-click, keys ---------------------------------------------------------------------
@pytest.mark.parametrize("button", [Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton])
def test_drag_pans(viewer: ImageViewer, button: Qt.MouseButton) -> None:
    viewer.set_image(gradient(2000, 1500))
    viewer.actual_size()
    h, v = viewer.horizontalScrollBar(), viewer.verticalScrollBar()
    h.setValue(500)
    v.setValue(400)
    drag(viewer, QPointF(300, 200), QPointF(240, 170), button)
    assert (h.value(), v.value()) == (560, 430)
    assert viewer.zoom_factor() == 1.0


def test_double_click_toggles_fit_and_actual_size(viewer: ImageViewer) -> None:
    viewer.set_image(gradient(1600, 1000))
    pos = QPointF(200, 150)
    point = viewer.map_to_image(pos)
    QTest.mouseDClick(viewer.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos.toPoint())
    assert not viewer.is_fit_mode()
    assert viewer.zoom_factor() == 1.0
    back = viewer.viewportTransform().map(point)
    assert math.dist((back.x(), back.y()), (pos.x(), pos.y())) <= 1.5, "100 % opens where you double-clicked"
    QTest.mouseDClick(viewer.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos.toPoint())
    assert viewer.is_fit_mode()
    assert contains(viewport_rect(viewer), viewer.image_rect_in_viewport())


def test_keyboard_shortcuts(viewer: ImageViewer, qtbot: QtBot) -> None:
    viewer.set_image(gradient(1280, 800))
    viewer.setFocus()
    fit_zoom = viewer.zoom_factor()
    qtbot.keyClick(viewer, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom_factor() == 1.0 and not viewer.is_fit_mode()
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.zoom_factor() == pytest.approx(1.5)
    qtbot.keyClick(viewer, Qt.Key.Key_Equal)
    assert viewer.zoom_factor() == pytest.approx(2.0)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    assert viewer.zoom_factor() == pytest.approx(2 / 3)
    qtbot.keyClick(viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.is_fit_mode() and viewer.zoom_factor() == pytest.approx(fit_zoom)
    actions = viewer.actions_by_name()
    assert actions["fit"].shortcut().toString() == "Ctrl+0"
    assert actions["actual_size"].shortcut().toString() == "Ctrl+1"
    assert "Ctrl+1" in actions["actual_size"].toolTip()


def test_window_menu_shortcuts_and_actions_work_with_the_viewer(qtbot: QtBot) -> None:
    """A window that binds its own Ctrl+0 / Ctrl+1 (or the viewer's actions) to the viewer: the key
    still works while the viewer has focus (no ambiguous shortcut), and `triggered(checked)` is fine."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    viewer = ImageViewer(window)
    layout.addWidget(viewer)
    own = QAction("Actual size", window)
    own.setShortcut(QKeySequence("Ctrl+1"))
    own.triggered.connect(viewer.actual_size)  # passes checked=False: must not be taken as an anchor
    window.addAction(own)
    window.addAction(viewer.actions_by_name()["fit"])
    window.resize(640, 420)
    window.show()
    qtbot.waitExposed(window)
    viewer.set_image(gradient(1280, 800))
    viewer.setFocus()
    qtbot.keyClick(viewer, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom_factor() == 1.0
    qtbot.keyClick(viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.is_fit_mode()
    own.trigger()
    assert viewer.zoom_factor() == 1.0


def test_same_size_result_keeps_zoom_other_size_fits(viewer: ImageViewer) -> None:
    viewer.set_image(gradient(1024, 1024))
    viewer.set_zoom(3.0)
    viewer.horizontalScrollBar().setValue(700)
    viewer.set_image(solid(1024, 1024, BLUE), caption="next result")
    assert viewer.zoom_factor() == pytest.approx(3.0)
    assert viewer.horizontalScrollBar().value() == 700
    viewer.set_image(solid(1280, 800))
    assert viewer.is_fit_mode()


# ---- painting: checkerboard and caption ----------------------------------------------------------
def test_checkerboard_behind_transparent_pixels(viewer: ImageViewer) -> None:
    image = QImage(300, 200, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    viewer.set_image(image)
    shot = viewer.viewport().grab().toImage()
    rect = viewer.image_rect_in_viewport().toRect().adjusted(2, 2, -2, -2)
    colours = {shot.pixelColor(x, y).name() for x in range(rect.left(), rect.left() + 40) for y in (rect.top() + 4,)}
    assert len(colours) == 2, "two checker tones show through"
    backdrop = shot.pixelColor(2, 2).name()
    assert backdrop not in colours


def test_caption_badge_is_drawn(viewer: ImageViewer) -> None:
    viewer.set_image(solid(1280, 800, QColor(250, 250, 250)), caption="1280×800 · seed 1234")
    shot = viewer.viewport().grab().toImage()
    h = viewer.viewport().height()
    dark = [shot.pixelColor(x, h - 14) for x in range(12, 40)]
    assert any(c.lightness() < 90 for c in dark), "a dark badge in the bottom-left corner"


# ---- before/after compare ------------------------------------------------------------------------
def test_compare_divider_drags_and_splits(viewer: ImageViewer, qtbot: QtBot) -> None:
    viewer.set_compare(solid(800, 600, RED), solid(800, 600, BLUE), caption="Edit")
    assert viewer.is_comparing()
    assert viewer.split() == 0.5
    rect = viewer.image_rect_in_viewport()
    x = viewer.divider_x()
    assert x is not None and x == pytest.approx(rect.center().x())

    def colour_at(px: float) -> QColor:
        return viewer.viewport().grab().toImage().pixelColor(int(px), int(rect.top() + rect.height() * 0.75))

    assert colour_at(x - 30) == RED and colour_at(x + 30) == BLUE

    splits: list[float] = []
    viewer.split_changed.connect(splits.append)
    target = rect.left() + rect.width() * 0.25
    drag(viewer, QPointF(x, rect.center().y() + 40), QPointF(target, rect.center().y() + 10))
    assert viewer.split() == pytest.approx(0.25, abs=0.01)
    assert splits and splits[-1] == viewer.split()
    assert colour_at(target - 20) == RED and colour_at(target + 20) == BLUE

    # Dragging elsewhere pans (or does nothing at fit), the divider stays.
    drag(viewer, QPointF(rect.right() - 40, rect.center().y()), QPointF(rect.right() - 100, rect.center().y()))
    assert viewer.split() == pytest.approx(0.25, abs=0.01)

    viewer.setFocus()
    qtbot.keyClick(viewer, Qt.Key.Key_M)
    assert viewer.is_swapped()
    assert colour_at(target - 20) == BLUE and colour_at(target + 20) == RED

    viewer.set_image(solid(800, 600))
    assert not viewer.is_comparing() and viewer.divider_x() is None


def test_compare_before_of_another_size_is_fitted(viewer: ImageViewer) -> None:
    viewer.set_compare(solid(400, 300, RED), solid(1600, 1200, BLUE))
    viewer.set_split(1.0)
    rect = viewer.image_rect_in_viewport()
    shot = viewer.viewport().grab().toImage()
    assert shot.pixelColor(rect.center().toPoint()) == RED, "an upscale's source covers the same area"
    assert viewer.image().size().width() == 1600  # type: ignore[union-attr]
