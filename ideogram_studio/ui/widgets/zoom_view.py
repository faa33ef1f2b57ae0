"""ZoomView: the one zoom/pan view for images, the base of the result viewer and the mask canvas.

What "100 %" means
------------------
Zoom is measured in **device pixels per image pixel**. At 100 % one image pixel covers exactly one
physical screen pixel, also on a 200 % (HiDPI) screen, where the view's QTransform is then 0.5
(Qt's scene-to-viewport transform is in logical pixels; ``zoom / devicePixelRatio`` is the scale).
Why this and not "one image pixel per logical pixel":

* it is what "100 %" / "Actual pixels" means in the tools designers know: Photoshop's 100 % shows
  every image pixel on one screen pixel, and Krita in pixel mode divides the image resolution by
  the device pixel ratio for the same effect (``KDE/krita: libs/ui/canvas/kis_canvas_controller.cpp``,
  ``effectiveCanvasResolutionX``);
* 100 % is where a designer checks sharpness, noise, a seam or a mask's edge: the file's own
  pixels, not resampled. In logical pixels a 2× screen would show every image pixel as a 2×2
  block, upsampled and soft: exactly what a 100 % view is for avoiding;
* one number means the same on every screen: the zoom badge, the mask editor's zoom label and the
  step table below read alike on a 100 % and a 200 % screen, and moving a window to a screen with
  another ratio keeps the zoom (``DevicePixelRatioChange``).

"Fit" shows the whole image with a margin and never enlarges it beyond one image pixel per
*logical* pixel (zoom = devicePixelRatio): a small image looks the size it looks in any other app,
neither blown up into blur nor postage-stamp small on a HiDPI screen. The margin is taller at the top
and bottom, room for the badges a view draws in its bottom corners (kept symmetric so the image
stays centred); the viewer and the mask canvas use the same rule, so they fit an image alike.

Zoom steps
----------
``ZOOM_STEPS`` is the one table of zoom levels: every power of two (where pixels map to whole
screen pixels: 25 %, 50 %, 100 %, 200 %, 400 %…) with one step of 1.5× (or 4/3) between two of them,
√2 per step on average as in Krita (``KDE/krita: libs/widgets/KoZoomAction.cpp``) but on round
numbers. Zoom in/out goes to the next level of the table from wherever the zoom is (after "fit",
the first step lands on a table level). One wheel notch (120 eighths of a degree) is one step;
smaller deltas from high-resolution wheels and trackpads add up to a notch. ``set_zoom`` /
``zoom_by`` take any factor within ``MIN_ZOOM``..``MAX_ZOOM``.

Input, the same in every view
-----------------------------
Wheel: zoom around the cursor (a horizontal wheel scrolls). Middle button drag, or Space + left
drag: pan (a subclass may also pan on a plain left drag, as the viewer does). Keys (``ZOOM_KEYS``):
Ctrl+0 fit, Ctrl+1 100 %, + / = / Ctrl++ / Ctrl+= zoom in, - / Ctrl+- zoom out. The same keys are on
the ``zoom_actions()`` for menus and tool bars.

Scene coordinates are image pixels; a subclass says where its image is with ``_content_rect()``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QKeyCombination, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

__all__ = [
    "BADGE_PAD",
    "FIT_MARGIN",
    "MAX_ZOOM",
    "MIN_ZOOM",
    "ZOOM_KEYS",
    "ZOOM_STEPS",
    "ZoomView",
    "next_zoom_step",
]

#: The zoom levels (device pixels per image pixel) that zoom in/out and the wheel step through.
ZOOM_STEPS: tuple[float, ...] = (
    1 / 32, 1 / 24, 1 / 16, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3,
    1.0,
    1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0,
)  # fmt: skip
MIN_ZOOM = ZOOM_STEPS[0]
MAX_ZOOM = ZOOM_STEPS[-1]
#: Margin around a fitted image, in logical pixels.
FIT_MARGIN = 12
#: Distance of the badges a view draws from the viewport's edges (also sizes the fit margin).
BADGE_PAD = 8
#: Angle delta of one wheel notch.
WHEEL_NOTCH = 120
#: The keys of the zoom commands, in every view (QKeySequence strings, portable format).
ZOOM_KEYS: dict[str, tuple[str, ...]] = {
    "fit": ("Ctrl+0",),
    "actual_size": ("Ctrl+1",),
    "zoom_in": ("+", "=", "Ctrl++", "Ctrl+="),
    "zoom_out": ("-", "Ctrl+-"),
}
_EPS = 1e-6


def next_zoom_step(zoom: float, direction: int) -> float:
    """The next level of ``ZOOM_STEPS`` above (``direction`` > 0) or below ``zoom``; the table's end
    when there is none."""
    if direction > 0:
        return next((z for z in ZOOM_STEPS if z > zoom * (1 + _EPS)), MAX_ZOOM)
    return next((z for z in reversed(ZOOM_STEPS) if z < zoom * (1 - _EPS)), MIN_ZOOM)


def clamp_zoom(zoom: float) -> float:
    return max(MIN_ZOOM, min(MAX_ZOOM, float(zoom)))


class ZoomView(QGraphicsView):
    """A QGraphicsView whose scene is one image in image pixels: zoom, fit, pan and their keys.

    Subclasses implement ``_content_rect()`` and may override the hooks ``_zoom_applied()`` (after
    every zoom change), ``_pan_started()`` and ``_refresh_cursor()``."""

    #: The new zoom factor (device pixels per image pixel; 1.0 = 100 %).
    zoom_changed = Signal(float)
    #: Fit mode switched on (True) or off (False).
    fit_mode_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._fit_mode = True
        self._wheel_rest = 0  # eighths of a degree not yet turned into a zoom step
        self._pan_from: QPointF | None = None
        self._pan_scroll = (0, 0)
        self._pan_button = Qt.MouseButton.NoButton
        self._space_held = False
        # The image point and viewport position of the last zoom, until the event loop has run or
        # something else scrolls: a zoom that makes scroll bars appear shrinks the viewport a moment
        # later (Qt shows them from a queued call), and that resize must keep the point under the
        # cursor, not the centre.
        self._zoom_anchor: tuple[QPointF, QPointF] | None = None
        self._scrolling_to_anchor = False
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Zoom anchoring is ours (to the exact image point under the cursor); a resize keeps the centre.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self._zoom_actions = self._make_zoom_actions()
        self.horizontalScrollBar().valueChanged.connect(self._on_scrolled)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # ---- public: zoom ----------------------------------------------------------------------
    def zoom_factor(self) -> float:
        """Device pixels per image pixel (1.0 = 100 %), on any screen."""
        return self._zoom

    def view_scale(self) -> float:
        """Logical (viewport) pixels per image pixel: what the view's transform scales by."""
        return self._zoom / self._dpr()

    def is_fit_mode(self) -> bool:
        return self._fit_mode

    def fit(self) -> None:
        """Fit the whole image in the view (see the module doc); stays fitted while the view is resized."""
        was = self._fit_mode
        self._fit_mode = True
        if self._has_content():
            self._apply_zoom(self.fit_zoom(), None)
            self.centerOn(self._content_rect().center())
        if not was:
            self.fit_mode_changed.emit(True)

    def fit_zoom(self) -> float:
        """The zoom that "fit" gives at the view's current size."""
        rect = self._content_rect()
        if rect.isEmpty():
            return 1.0
        vp = self.maximumViewportSize()  # a fitted image needs no scroll bars: use the whole area
        band = QFontMetrics(self._overlay_font()).height() + 6 + 2 * BADGE_PAD
        w = max(1, vp.width() - 2 * FIT_MARGIN)
        h = max(1, vp.height() - 2 * max(FIT_MARGIN, band))
        logical = min(w / rect.width(), h / rect.height(), 1.0)
        return clamp_zoom(logical * self._dpr())

    def actual_size(self, anchor: QPointF | None = None) -> None:
        """100 %: one image pixel per device pixel; ``anchor`` (a viewport position) stays put."""
        self.set_zoom(1.0, anchor)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Set the zoom (clamped to MIN_ZOOM..MAX_ZOOM), leaving fit mode; the image point under
        ``anchor`` (a viewport position; the view's centre when None) stays there."""
        if not self._has_content():
            return
        was = self._fit_mode
        self._fit_mode = False
        self._apply_zoom(zoom, anchor)
        if was:
            self.fit_mode_changed.emit(False)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Multiply the zoom; the image point under ``anchor`` (default: the view centre) stays there."""
        self.set_zoom(self._zoom * factor, anchor)

    def step_zoom(self, steps: int, anchor: QPointF | None = None) -> None:
        """Go ``steps`` levels of ``ZOOM_STEPS`` in (> 0) or out (< 0)."""
        zoom = self._zoom
        for _ in range(abs(steps)):
            zoom = next_zoom_step(zoom, steps)
        if steps:
            self.set_zoom(zoom, anchor)

    def zoom_in(self, anchor: QPointF | None = None) -> None:
        self.step_zoom(1, anchor)

    def zoom_out(self, anchor: QPointF | None = None) -> None:
        self.step_zoom(-1, anchor)

    def toggle_fit(self, anchor: QPointF | None = None) -> None:
        """Fit ↔ 100 % (a double-click)."""
        if self._fit_mode and abs(self._zoom - 1.0) > _EPS:
            self.actual_size(anchor)
        elif self._fit_mode:
            # The image already fits at 100 %: go one step in so the toggle still does something.
            self.zoom_in(anchor)
        else:
            self.fit()

    # ---- public: coordinates ---------------------------------------------------------------
    def map_to_image(self, viewport_pos: QPointF | QPoint) -> QPointF:
        """Image pixel coordinates (fractional) of a viewport position."""
        inverse, _ = self.viewportTransform().inverted()
        return inverse.map(QPointF(viewport_pos))

    def map_from_image(self, image_pos: QPointF | QPoint) -> QPointF:
        """The viewport position (logical pixels) of an image point."""
        return self.viewportTransform().map(QPointF(image_pos))

    def image_rect_in_viewport(self) -> QRectF:
        """Where the image is drawn, in viewport coordinates (logical pixels)."""
        return self.viewportTransform().mapRect(self._content_rect())

    def zoom_actions(self) -> dict[str, QAction]:
        """QActions "fit", "actual_size", "zoom_in", "zoom_out" with ``ZOOM_KEYS``, for menus and tool
        bars. Not added to the view: its keyPressEvent handles the keys (a subclass may add them)."""
        return dict(self._zoom_actions)

    # ---- for subclasses --------------------------------------------------------------------
    def _content_rect(self) -> QRectF:
        """The image's rectangle in scene coordinates (image pixels); empty when there is none."""
        raise NotImplementedError

    def _has_content(self) -> bool:
        return not self._content_rect().isEmpty()

    def _zoom_applied(self) -> None:
        """Called after every change of the view's transform by zoom or fit."""

    def _pan_started(self) -> None:
        """Called when a pan drag begins."""

    def _refresh_cursor(self) -> None:
        """Set the viewport's cursor for the current state (default: the pan hand, else an arrow)."""
        self.viewport().setCursor(self._pan_cursor() or Qt.CursorShape.ArrowCursor)

    def _pan_cursor(self) -> Qt.CursorShape | None:
        """The hand while panning (closed) or while Space is held (open); None otherwise."""
        if self._pan_from is not None:
            return Qt.CursorShape.ClosedHandCursor
        if self._space_held:
            return Qt.CursorShape.OpenHandCursor
        return None

    def _dpr(self) -> float:
        return float(self.devicePixelRatioF()) or 1.0

    def _overlay_font(self) -> QFont:
        """The font of the badges drawn over the view (also sizes the fit margin)."""
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        return font

    def _reset_zoom(self) -> None:
        """No image: identity transform, zoom 1.0, fit mode on (what the next image starts with)."""
        self.resetTransform()
        was = self._fit_mode
        self._fit_mode = True
        self._set_zoom_value(1.0)
        if not was:
            self.fit_mode_changed.emit(True)

    def _apply_zoom(self, zoom: float, anchor: QPointF | QPoint | None) -> None:
        zoom = clamp_zoom(zoom)
        # Anything but a point (e.g. `checked` from a QAction's triggered signal) means the centre.
        anchor = QPointF(anchor) if isinstance(anchor, (QPointF, QPoint)) else QPointF(self.viewport().rect().center())
        image_point = self.map_to_image(anchor)
        scale = zoom / self._dpr()
        self._scrolling_to_anchor = True
        try:
            self.setTransform(QTransform.fromScale(scale, scale))
            self._scroll_to_anchor(image_point, anchor)
        finally:
            self._scrolling_to_anchor = False
        if self._zoom_anchor is None:
            QTimer.singleShot(0, self, self._forget_zoom_anchor)
        self._zoom_anchor = (image_point, anchor)
        self._set_zoom_value(zoom)
        self._zoom_applied()
        self.viewport().update()

    def _scroll_to_anchor(self, image_point: QPointF, anchor: QPointF) -> None:
        """Scroll so ``image_point`` is under the viewport position ``anchor`` again (to within a
        pixel: scroll positions are whole logical pixels)."""
        moved = self.map_from_image(image_point) - anchor
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        hbar.setValue(hbar.value() + round(moved.x()))
        vbar.setValue(vbar.value() + round(moved.y()))

    def _forget_zoom_anchor(self) -> None:
        self._zoom_anchor = None

    def _on_scrolled(self, _value: int) -> None:
        if not self._scrolling_to_anchor:
            self._zoom_anchor = None  # scrolled by hand or by code: that position wins

    def _set_zoom_value(self, zoom: float) -> None:
        if abs(zoom - self._zoom) > 1e-9:
            self._zoom = zoom
            self.zoom_changed.emit(zoom)

    def _can_pan(self) -> bool:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        return h.maximum() > h.minimum() or v.maximum() > v.minimum()

    # ---- pan -------------------------------------------------------------------------------
    def _is_pan_button(self, button: Qt.MouseButton) -> bool:
        """Middle button, or the left button while Space is held."""
        return button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space_held)

    def _start_pan(self, pos: QPointF, button: Qt.MouseButton) -> None:
        self._pan_from = QPointF(pos)
        self._pan_button = button
        self._pan_scroll = (self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        self._pan_started()
        self._refresh_cursor()

    def _pan_to(self, pos: QPointF) -> None:
        assert self._pan_from is not None
        delta = pos - self._pan_from  # from the press: no rounding error adds up
        self.horizontalScrollBar().setValue(self._pan_scroll[0] - round(delta.x()))
        self.verticalScrollBar().setValue(self._pan_scroll[1] - round(delta.y()))

    def _end_pan(self, button: Qt.MouseButton) -> bool:
        """End the pan if ``button`` started it; True when it did."""
        if self._pan_from is None or button != self._pan_button:
            return False
        self._pan_from = None
        self._pan_button = Qt.MouseButton.NoButton
        self._refresh_cursor()
        return True

    def _is_panning(self) -> bool:
        return self._pan_from is not None

    # ---- keys ------------------------------------------------------------------------------
    def _make_zoom_actions(self) -> dict[str, QAction]:
        actions: dict[str, QAction] = {}

        def make(name: str, text: str, tip: str, slot: Callable[[], None]) -> None:
            action = QAction(text, self)
            keys = [QKeySequence(k) for k in ZOOM_KEYS[name]]
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            action.setToolTip(f"{tip} ({shown})")
            action.triggered.connect(slot)
            actions[name] = action

        # Lambdas: `triggered` passes `checked`, which must not land in an optional anchor parameter.
        make("fit", "Fit", "Fit the image in the view", lambda: self.fit())
        make("actual_size", "100 %", "Actual pixels: one image pixel per screen pixel", lambda: self.actual_size())
        make("zoom_in", "Zoom in", "Zoom in", lambda: self.zoom_in())
        make("zoom_out", "Zoom out", "Zoom out", lambda: self.zoom_out())
        return actions

    def _zoom_action_for(self, event: QKeyEvent) -> QAction | None:
        """The zoom action bound to this key press (``ZOOM_KEYS``), if any."""
        pressed = [QKeySequence(event.keyCombination())]
        mods = event.modifiers()
        # "+" is Shift+= on many layouts and the keypad's keys carry KeypadModifier: try without them,
        # as Qt's own shortcut map does.
        loose = mods & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
        if loose != mods:
            pressed.append(QKeySequence(QKeyCombination(loose, Qt.Key(event.key()))))
        for action in self._zoom_actions.values():
            if any(s.matches(p) == QKeySequence.SequenceMatch.ExactMatch for s in action.shortcuts() for p in pressed):
                return action
        return None

    # ---- events ----------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        anchor = self._zoom_anchor
        self._scrolling_to_anchor = True  # QGraphicsView keeps the centre (resize anchor): not a scroll
        try:
            super().resizeEvent(event)
            if anchor is not None and not self._fit_mode:
                self._scroll_to_anchor(*anchor)  # scroll bars just appeared or went
        finally:
            self._scrolling_to_anchor = False
        if self._fit_mode and self._has_content():
            self._apply_zoom(self.fit_zoom(), None)
            self.centerOn(self._content_rect().center())

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._zoom_action_for(event) is not None
        ):
            # While the view has the focus its zoom keys are its own: a window's menu action with the
            # same keys (the main window's View > Fit / Actual size) would otherwise make the shortcut
            # ambiguous, and Qt would run neither.
            event.accept()
            return True
        if event.type() == QEvent.Type.DevicePixelRatioChange and self._has_content():
            # Moved to a screen with another scale: 100 % stays one image pixel per device pixel.
            result = super().event(event)
            self._apply_zoom(self.fit_zoom() if self._fit_mode else self._zoom, None)
            return result
        return super().event(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if not self._has_content() or delta == 0:
            super().wheelEvent(event)  # a horizontal wheel or trackpad swipe scrolls
            return
        if (delta > 0) != (self._wheel_rest > 0):
            self._wheel_rest = 0  # the direction changed: start a new notch
        self._wheel_rest += delta
        steps = int(self._wheel_rest / WHEEL_NOTCH)
        self._wheel_rest -= steps * WHEEL_NOTCH
        self.step_zoom(steps, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._has_content() and self._is_pan_button(event.button()):
            self._start_pan(event.position(), event.button())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._is_panning():
            self._pan_to(event.position())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._end_pan(event.button()):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and self._has_content():
            if not event.isAutoRepeat():
                self._space_held = True
                self._refresh_cursor()
            event.accept()
            return
        action = self._zoom_action_for(event)
        if action is not None:
            action.trigger()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space_held:
            self._space_held = False
            self._refresh_cursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._space_held:
            self._space_held = False
            self._refresh_cursor()
        super().focusOutEvent(event)
