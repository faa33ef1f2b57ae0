"""The central result viewer: fit / 100 % / zoom around the cursor / pan, and a before/after slider.

Zoom is measured in **device pixels per image pixel**: at 100 % (`actual_size()`) one image pixel
covers exactly one physical screen pixel, also on HiDPI screens, so what a designer inspects is
the file's real pixels, sharp. On a 2× screen the view's transform is therefore 0.5 at 100 %;
`zoom_factor()` reports 1.0. "Fit" never enlarges an image beyond one image pixel per logical
pixel (so small images are not blown up into blur, yet fill a HiDPI screen like any other app).

Scene coordinates are image pixels. Painting: below 100 % the image is drawn smoothly from a
half-size pyramid (no aliasing at 10 %); at exactly 100 % and above 200 % nearest-neighbour
(pixels stay crisp for inspection); between, smooth. A checkerboard shows behind alpha.

Compare mode (`set_compare(before, after)`): the "before" image is shown left of a divider and
the "after" image right of it; drag the divider, or press M to swap sides. A "before" of another
size (reframe, upscale) is fitted into the "after" image's rectangle, keeping its aspect ratio.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

__all__ = ["MAX_ZOOM", "MIN_ZOOM", "ImageViewer"]

MIN_ZOOM = 1 / 32
MAX_ZOOM = 32.0
#: Zoom step of one wheel notch (120 units) and of the +/- keys.
ZOOM_STEP = 1.25
#: Margin around a fitted image, in logical pixels.
FIT_MARGIN = 12
#: Distance of the caption and zoom badges from the viewport's edges.
BADGE_PAD = 8
#: How close (logical px) the pointer must be to grab the compare divider.
DIVIDER_GRAB = 8
#: Above this zoom pixels are drawn nearest-neighbour.
NEAREST_ABOVE = 2.0
CHECKER = 8


def _checker_brush() -> QBrush:
    tile = QPixmap(2 * CHECKER, 2 * CHECKER)
    tile.fill(QColor(214, 214, 214))
    p = QPainter(tile)
    dark = QColor(168, 168, 168)
    p.fillRect(0, 0, CHECKER, CHECKER, dark)
    p.fillRect(CHECKER, CHECKER, CHECKER, CHECKER, dark)
    p.end()
    return QBrush(tile)


class _Pyramid:
    """An image as a pixmap plus half-size levels made on demand, for smooth zoomed-out drawing."""

    def __init__(self, image: QImage) -> None:
        self.size = image.size()
        self.has_alpha = image.hasAlphaChannel()
        self._levels: list[QPixmap] = [QPixmap.fromImage(image)]

    def level_for(self, scale: float) -> tuple[QPixmap, float]:
        """The smallest level still at least `scale` × the image, and its own scale (1, 1/2, 1/4…)."""
        k = 0 if scale >= 1 else math.floor(math.log2(1 / scale))
        while len(self._levels) <= k:
            last = self._levels[-1]
            if last.width() <= 16 or last.height() <= 16:
                break
            self._levels.append(
                last.scaled(
                    QSize(max(1, last.width() // 2), max(1, last.height() // 2)),
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        k = min(k, len(self._levels) - 1)
        pix = self._levels[k]
        return pix, pix.width() / self.size.width()


class _ImageItem(QGraphicsItem):
    """The image (or the before/after pair) at scene (0, 0), one scene unit per image pixel."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._after: _Pyramid | None = None
        self._before: _Pyramid | None = None
        self._split = 0.5
        self._swapped = False
        self._checker = _checker_brush()

    def set_images(self, after: QImage | None, before: QImage | None = None) -> None:
        self.prepareGeometryChange()
        self._after = _Pyramid(after) if after is not None and not after.isNull() else None
        self._before = _Pyramid(before) if before is not None and not before.isNull() and self._after else None
        self.update()

    def set_split(self, split: float, swapped: bool) -> None:
        self._split = split
        self._swapped = swapped
        self.update()

    def boundingRect(self) -> QRectF:
        if self._after is None:
            return QRectF()
        return QRectF(0, 0, self._after.size.width(), self._after.size.height())

    def before_rect(self) -> QRectF:
        """Where the "before" image is drawn: fitted into the "after" rectangle, centred."""
        rect = self.boundingRect()
        if self._before is None or rect.isEmpty():
            return rect
        bw, bh = self._before.size.width(), self._before.size.height()
        s = min(rect.width() / bw, rect.height() / bh)
        w, h = bw * s, bh * s
        return QRectF(rect.x() + (rect.width() - w) / 2, rect.y() + (rect.height() - h) / 2, w, h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._after is None:
            return
        rect = self.boundingRect()
        exposed = option.exposedRect.intersected(rect)
        if exposed.isEmpty():
            return
        world = painter.worldTransform()
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        scale = math.hypot(world.m11(), world.m12()) * dpr  # device pixels per image pixel
        if self._before is None:
            self._draw(painter, self._after, rect, exposed, scale, world)
            return
        split_x = rect.width() * self._split
        left = QRectF(rect.x(), rect.y(), split_x, rect.height())
        right = QRectF(split_x, rect.y(), rect.width() - split_x, rect.height())
        first, second = (self._after, self._before) if self._swapped else (self._before, self._after)
        first_rect = rect if first is self._after else self.before_rect()
        second_rect = rect if second is self._after else self.before_rect()
        for pyramid, target, clip in ((first, first_rect, left), (second, second_rect, right)):
            area = exposed.intersected(clip)
            if area.isEmpty():
                continue
            painter.save()
            painter.setClipRect(area, Qt.ClipOperation.IntersectClip)
            if target != rect:  # letterbox of a "before" with another aspect ratio
                painter.fillRect(area, QColor(0, 0, 0, 40))
            level_scale = scale * (target.width() / pyramid.size.width())
            self._draw(painter, pyramid, target, area.intersected(target), level_scale, world)
            painter.restore()

    def _draw(
        self, painter: QPainter, pyramid: _Pyramid, target: QRectF, exposed: QRectF, scale: float, world: QTransform
    ) -> None:
        """Draw the part of `pyramid` (shown in `target`) that falls in `exposed`."""
        if exposed.isEmpty():
            return
        if pyramid.has_alpha:
            painter.save()
            device_rect = world.mapRect(exposed)
            painter.setWorldTransform(QTransform())
            origin = world.map(target.topLeft())
            painter.setBrushOrigin(QPointF(round(origin.x()), round(origin.y())))
            painter.fillRect(device_rect, self._checker)
            painter.restore()
        pix, level_scale = pyramid.level_for(scale)
        # Image pixels per target unit, then the exposed part in level pixels, widened to whole pixels.
        per_unit = pyramid.size.width() / target.width()
        k = per_unit * level_scale
        src = QRectF(
            (exposed.left() - target.left()) * k,
            (exposed.top() - target.top()) * k,
            exposed.width() * k,
            exposed.height() * k,
        )
        left, top = math.floor(src.left()), math.floor(src.top())
        right = min(pix.width(), math.ceil(src.right()))
        bottom = min(pix.height(), math.ceil(src.bottom()))
        src = QRectF(left, top, max(0, right - left), max(0, bottom - top))
        if src.isEmpty():
            return
        dst = QRectF(
            target.left() + src.left() / k,
            target.top() + src.top() / k,
            src.width() / k,
            src.height() / k,
        )
        exact = abs(scale - 1.0) < 1e-6
        smooth = not exact and scale <= NEAREST_ABOVE
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.drawPixmap(dst, pix, src)


class ImageViewer(QGraphicsView):
    """Shows one result (or a before/after pair); see the module doc for zoom semantics."""

    #: The new zoom factor (device pixels per image pixel; 1.0 = 100 %).
    zoom_changed = Signal(float)
    #: Fit mode switched on (True) or off (False).
    fit_mode_changed = Signal(bool)
    #: The compare divider moved: fraction of the image width, 0..1.
    split_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._before: QImage | None = None
        self._caption = ""
        self._empty_title = "Results appear here"
        self._empty_hint = "Ctrl+Enter to generate"
        self._fit_mode = True
        self._zoom = 1.0
        self._split = 0.5
        self._swapped = False
        self._pan_from: QPointF | None = None
        self._pan_scroll = (0, 0)
        self._dragging_divider = False
        self._setup_ui()
        self._make_actions()

    # ---- public ----------------------------------------------------------------------------
    def set_image(self, image: QImage | None, *, caption: str = "") -> None:
        """Show `image` (None: the empty state). Fits it, unless the view is zoomed and the new
        image has the same size (stepping through one request's results keeps zoom and position)."""
        keep = (
            image is not None
            and not image.isNull()
            and not self._fit_mode
            and self._image is not None
            and image.size() == self._image.size()
        )
        self._before = None
        self._set_content(image if image is not None and not image.isNull() else None, None, caption, keep)

    def set_compare(self, before: QImage, after: QImage, *, caption: str = "") -> None:
        """Before/after of an edit: "before" left of a draggable divider, "after" right of it."""
        keep = not self._fit_mode and self._image is not None and after.size() == self._image.size()
        self._split = 0.5
        self._swapped = False
        self._set_content(after if not after.isNull() else None, before if not before.isNull() else None, caption, keep)

    def clear(self) -> None:
        self.set_image(None)

    def image(self) -> QImage | None:
        """The image shown (in compare mode: the "after" image)."""
        return self._image

    def before_image(self) -> QImage | None:
        return self._before

    def has_image(self) -> bool:
        return self._image is not None

    def is_comparing(self) -> bool:
        return self._before is not None and self._image is not None

    def caption(self) -> str:
        return self._caption

    def set_caption(self, caption: str) -> None:
        self._caption = caption
        self.viewport().update()

    def set_empty_text(self, title: str, hint: str = "") -> None:
        """What the empty state says (default "Results appear here" / "Ctrl+Enter to generate")."""
        self._empty_title, self._empty_hint = title, hint
        if self._image is None:
            self.viewport().update()

    def empty_text(self) -> tuple[str, str]:
        return self._empty_title, self._empty_hint

    def split(self) -> float:
        """Compare divider position as a fraction of the image width."""
        return self._split

    def set_split(self, split: float) -> None:
        split = max(0.0, min(1.0, float(split)))
        if split == self._split:
            return
        self._split = split
        self._item.set_split(split, self._swapped)
        self.viewport().update()
        self.split_changed.emit(split)

    def swap_sides(self) -> None:
        """Compare mode: show "after" on the left and "before" on the right (or back)."""
        if not self.is_comparing():
            return
        self._swapped = not self._swapped
        self._item.set_split(self._split, self._swapped)
        self.viewport().update()

    def is_swapped(self) -> bool:
        return self._swapped

    def fit(self) -> None:
        """Fit the whole image in the view (never beyond one image pixel per logical pixel);
        the view stays fitted while it is resized."""
        was = self._fit_mode
        self._fit_mode = True
        if self._image is not None:
            self._apply_zoom(self._fit_zoom(), None)
            self.centerOn(self._item.boundingRect().center())
            self.viewport().update()
        if not was:
            self.fit_mode_changed.emit(True)

    def actual_size(self, anchor: QPointF | None = None) -> None:
        """100 %: one image pixel per device pixel; `anchor` (viewport position) stays put."""
        self.set_zoom(1.0, anchor)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Multiply the zoom; the image point under `anchor` (default: the view centre) stays there."""
        self.set_zoom(self.zoom_factor() * factor, anchor)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        if self._image is None:
            return
        was = self._fit_mode
        self._fit_mode = False
        self._apply_zoom(zoom, anchor)
        if was:
            self.fit_mode_changed.emit(False)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def zoom_factor(self) -> float:
        """Device pixels per image pixel (1.0 = 100 %)."""
        return self._zoom

    def is_fit_mode(self) -> bool:
        return self._fit_mode

    def toggle_fit(self, anchor: QPointF | None = None) -> None:
        """Fit ↔ 100 % (what a double-click does)."""
        if self._fit_mode and abs(self._zoom - 1.0) > 1e-6:
            self.actual_size(anchor)
        elif self._fit_mode:
            # The image already fits at 100 %: go one step in so the toggle still does something.
            self.set_zoom(2.0, anchor)
        else:
            self.fit()

    def image_rect_in_viewport(self) -> QRectF:
        """Where the image is drawn, in viewport coordinates (logical pixels)."""
        return self.viewportTransform().mapRect(self._item.boundingRect())

    def divider_x(self) -> float | None:
        """Compare divider x in viewport coordinates, or None outside compare mode."""
        if not self.is_comparing():
            return None
        rect = self._item.boundingRect()
        return self.viewportTransform().map(QPointF(rect.width() * self._split, 0)).x()

    def map_to_image(self, viewport_pos: QPointF | QPoint) -> QPointF:
        """Image pixel coordinates (fractional) of a viewport position."""
        inverse, _ = self.viewportTransform().inverted()
        return inverse.map(QPointF(viewport_pos))

    def actions_by_name(self) -> dict[str, QAction]:
        """The viewer's actions ("fit", "actual_size", "zoom_in", "zoom_out", "swap"), for menus."""
        return dict(self._actions)

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self._scene = QGraphicsScene(self)
        self._item = _ImageItem()
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)  # panning is ours: the divider comes first
        # Overlays are drawn in viewport coordinates: repaint fully instead of scrolling pixels.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(160, 120)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self._update_background()
        self._scene.setSceneRect(QRectF(0, 0, 1, 1))
        self.setSceneRect(QRectF(0, 0, 1, 1))
        self._update_cursor(None)

    def _make_actions(self) -> None:
        """Actions for a window's menus. They are not added to the viewer itself: keys pressed in the
        viewer are handled by keyPressEvent, so a window that puts these (or its own Ctrl+0 / Ctrl+1)
        in a menu never makes an ambiguous shortcut that would swallow the key."""
        self._actions: dict[str, QAction] = {}

        def make(name: str, text: str, keys: tuple[str, ...], slot: Callable[[], None]) -> None:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shown = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            action.setToolTip(f"{text} ({shown})")
            action.triggered.connect(slot)
            self._actions[name] = action

        # Lambdas: `triggered` passes `checked`, which must not land in an optional parameter.
        make("fit", "Fit to view", ("Ctrl+0",), lambda: self.fit())
        make("actual_size", "Actual pixels (100 %)", ("Ctrl+1",), lambda: self.actual_size())
        make("zoom_in", "Zoom in", ("+", "=", "Ctrl++", "Ctrl+="), lambda: self.zoom_in())
        make("zoom_out", "Zoom out", ("-", "Ctrl+-"), lambda: self.zoom_out())
        make("swap", "Swap before/after", ("M",), lambda: self.swap_sides())

    def _update_background(self) -> None:
        window = self.palette().color(QPalette.ColorRole.Window)
        # A neutral backdrop a little darker than the window: no colour cast next to the image.
        grey = round(window.lightness() * 0.9) if window.lightness() > 128 else round(window.lightness() * 0.75)
        self._backdrop = QColor(grey, grey, grey)
        self.setBackgroundBrush(self._backdrop)

    def _dpr(self) -> float:
        return float(self.devicePixelRatioF()) or 1.0

    # ---- zoom ------------------------------------------------------------------------------
    def _set_content(self, image: QImage | None, before: QImage | None, caption: str, keep: bool) -> None:
        self._image = image
        self._before = before if image is not None else None
        self._caption = caption
        self._item.set_images(image, self._before)
        self._item.set_split(self._split, self._swapped)
        if image is None:
            self._scene.setSceneRect(QRectF(0, 0, 1, 1))
            self.setSceneRect(QRectF(0, 0, 1, 1))
            self._set_scroll_bars(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.resetTransform()
            was = self._fit_mode
            self._fit_mode = True
            self._set_zoom_value(1.0)
            if not was:
                self.fit_mode_changed.emit(True)
        else:
            rect = self._item.boundingRect()
            self._scene.setSceneRect(rect)
            self.setSceneRect(rect)
            self._set_scroll_bars(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            if not keep:
                self.fit()
        self._update_cursor(None)
        self.viewport().update()

    def _set_scroll_bars(self, policy: Qt.ScrollBarPolicy) -> None:
        # Only on a change: re-setting a policy re-lays the viewport and nudges the scroll position.
        if self.horizontalScrollBarPolicy() != policy:
            self.setHorizontalScrollBarPolicy(policy)
        if self.verticalScrollBarPolicy() != policy:
            self.setVerticalScrollBarPolicy(policy)

    def _fit_zoom(self) -> float:
        if self._image is None:
            return 1.0
        vp = self.maximumViewportSize()  # a fitted image needs no scroll bars: use the whole area
        # Leave the bottom band to the caption and zoom badges (kept symmetric so the image is centred).
        band = QFontMetrics(self._overlay_font()).height() + 6 + 2 * BADGE_PAD
        w = max(1, vp.width() - 2 * FIT_MARGIN)
        h = max(1, vp.height() - 2 * max(FIT_MARGIN, band))
        logical = min(w / self._image.width(), h / self._image.height(), 1.0)
        return max(MIN_ZOOM, min(MAX_ZOOM, logical * self._dpr()))

    def _apply_zoom(self, zoom: float, anchor: QPointF | QPoint | None) -> None:
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        # Anything but a point (e.g. `checked` from a QAction's triggered signal) means the centre.
        anchor = QPointF(anchor) if isinstance(anchor, (QPointF, QPoint)) else QPointF(self.viewport().rect().center())
        scene_point = self.map_to_image(anchor)
        scale = zoom / self._dpr()
        self.setTransform(QTransform.fromScale(scale, scale))
        # Scroll so the same image point is under the anchor again (to within a pixel).
        moved = self.viewportTransform().map(scene_point) - anchor
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        hbar.setValue(hbar.value() + round(moved.x()))
        vbar.setValue(vbar.value() + round(moved.y()))
        self._set_zoom_value(zoom)
        self._update_cursor(None)
        self.viewport().update()

    def _set_zoom_value(self, zoom: float) -> None:
        if abs(zoom - self._zoom) > 1e-9:
            self._zoom = zoom
            self.zoom_changed.emit(zoom)

    def _can_pan(self) -> bool:
        return self.horizontalScrollBar().maximum() > self.horizontalScrollBar().minimum() or (
            self.verticalScrollBar().maximum() > self.verticalScrollBar().minimum()
        )

    # ---- events ----------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_mode and self._image is not None:
            self._apply_zoom(self._fit_zoom(), None)
            self.centerOn(self._item.boundingRect().center())
        self._update_cursor(None)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange and self._image is not None:
            # Moved to a screen with another scale: 100 % stays one image pixel per device pixel.
            result = super().event(event)
            if self._fit_mode:
                self._apply_zoom(self._fit_zoom(), None)
            else:
                self._apply_zoom(self._zoom, None)
            return result
        if event.type() == QEvent.Type.PaletteChange:
            self._update_background()
        return super().event(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if self._image is None or delta == 0:
            super().wheelEvent(event)  # horizontal trackpad scroll pans
            return
        self.zoom_by(ZOOM_STEP ** (delta / 120), event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._image is not None and event.button() == Qt.MouseButton.LeftButton and self._near_divider(pos):
            self._dragging_divider = True
            self._move_divider(pos)
            event.accept()
            return
        if self._image is not None and event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._pan_from = pos
            self._pan_scroll = (self.horizontalScrollBar().value(), self.verticalScrollBar().value())
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._dragging_divider:
            self._move_divider(pos)
            event.accept()
            return
        if self._pan_from is not None:
            delta = pos - self._pan_from  # from the press: no rounding error adds up
            self.horizontalScrollBar().setValue(self._pan_scroll[0] - round(delta.x()))
            self.verticalScrollBar().setValue(self._pan_scroll[1] - round(delta.y()))
            event.accept()
            return
        self._update_cursor(pos)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging_divider or self._pan_from is not None:
            self._dragging_divider = False
            self._pan_from = None
            self._update_cursor(event.position())
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._image is not None and event.button() == Qt.MouseButton.LeftButton:
            if not self._near_divider(event.position()):
                self.toggle_fit(event.position())
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        handled = True
        if ctrl and key == Qt.Key.Key_0:
            self.fit()
        elif ctrl and key == Qt.Key.Key_1:
            self.actual_size()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_M and not ctrl:
            self.swap_sides()
        else:
            handled = False
        if handled:
            event.accept()
        else:
            super().keyPressEvent(event)

    # ---- divider and cursor ----------------------------------------------------------------
    def _near_divider(self, pos: QPointF) -> bool:
        x = self.divider_x()
        if x is None:
            return False
        rect = self.image_rect_in_viewport()
        return abs(pos.x() - x) <= DIVIDER_GRAB and rect.top() - DIVIDER_GRAB <= pos.y() <= rect.bottom() + DIVIDER_GRAB

    def _move_divider(self, pos: QPointF) -> None:
        width = self._item.boundingRect().width()
        if width > 0:
            self.set_split(self.map_to_image(pos).x() / width)

    def _update_cursor(self, pos: QPointF | None) -> None:
        if self._dragging_divider:
            shape = Qt.CursorShape.SplitHCursor
        elif self._pan_from is not None:
            shape = Qt.CursorShape.ClosedHandCursor
        elif pos is not None and self._near_divider(pos):
            shape = Qt.CursorShape.SplitHCursor
        elif self._image is not None and self._can_pan():
            shape = Qt.CursorShape.OpenHandCursor
        else:
            shape = Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(shape)

    # ---- overlays --------------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        if self._image is None:
            self._draw_empty(painter)
        else:
            if self.is_comparing():
                self._draw_divider(painter)
            self._draw_badges(painter)
        painter.restore()

    def _muted(self, amount: float) -> QColor:
        fg = self.palette().color(QPalette.ColorRole.WindowText)
        bg = self._backdrop
        return QColor(
            round(fg.red() + (bg.red() - fg.red()) * amount),
            round(fg.green() + (bg.green() - fg.green()) * amount),
            round(fg.blue() + (bg.blue() - fg.blue()) * amount),
        )

    def _draw_empty(self, painter: QPainter) -> None:
        vp = QRectF(self.viewport().rect())
        c = vp.center()
        icon_color = self._muted(0.6)
        # A simple picture glyph: frame, mountain, sun.
        w, h = 64.0, 48.0
        frame = QRectF(c.x() - w / 2, c.y() - h - 22, w, h)
        painter.setPen(QPen(icon_color, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(frame, 6, 6)
        path = QPainterPath()
        path.moveTo(frame.left() + 8, frame.bottom() - 8)
        path.lineTo(frame.left() + 24, frame.top() + 20)
        path.lineTo(frame.left() + 36, frame.bottom() - 18)
        path.lineTo(frame.left() + 44, frame.top() + 28)
        path.lineTo(frame.right() - 8, frame.bottom() - 8)
        painter.drawPath(path)
        painter.drawEllipse(QPointF(frame.right() - 16, frame.top() + 13), 4.5, 4.5)

        title_font = QFont(self.font())
        title_font.setPointSizeF(self.font().pointSizeF() * 1.35)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(self._muted(0.3))
        title_rect = QRectF(vp.left() + 12, c.y() - 10, vp.width() - 24, painter.fontMetrics().height() + 4)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self._empty_title)
        if self._empty_hint:
            painter.setFont(self.font())
            painter.setPen(self._muted(0.5))
            hint_rect = QRectF(vp.left() + 12, title_rect.bottom() + 4, vp.width() - 24, 40)
            painter.drawText(hint_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self._empty_hint)

    def _pill(self, painter: QPainter, text: str, anchor: QPointF, align: Qt.AlignmentFlag) -> QRectF:
        """A small rounded label with `text`; `anchor` is its corner given by `align`."""
        metrics = painter.fontMetrics()
        w = metrics.horizontalAdvance(text) + 14
        h = metrics.height() + 6
        x = anchor.x() - w if align & Qt.AlignmentFlag.AlignRight else anchor.x()
        if align & Qt.AlignmentFlag.AlignHCenter:
            x = anchor.x() - w / 2
        y = anchor.y() - h if align & Qt.AlignmentFlag.AlignBottom else anchor.y()
        box = QRectF(x, y, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 20, 170))
        painter.drawRoundedRect(box, h / 2, h / 2)
        painter.setPen(QColor(245, 245, 245))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        return box

    def _overlay_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        return font

    def _draw_badges(self, painter: QPainter) -> None:
        assert self._image is not None
        painter.setFont(self._overlay_font())
        vp = QRectF(self.viewport().rect())
        size = f"{self._image.width()}×{self._image.height()}"
        caption = self._caption if self._caption else size
        pad = BADGE_PAD
        left = self._pill(painter, caption, QPointF(vp.left() + pad, vp.bottom() - pad), Qt.AlignmentFlag.AlignBottom)
        zoom = f"{self._zoom * 100:.0f} %" if self._zoom >= 0.1 else f"{self._zoom * 100:.1f} %"
        zoom_text = f"Fit · {zoom}" if self._fit_mode else zoom
        right_anchor = QPointF(vp.right() - pad, vp.bottom() - pad)
        if left.right() + 8 < right_anchor.x() - painter.fontMetrics().horizontalAdvance(zoom_text) - 14:
            self._pill(painter, zoom_text, right_anchor, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight)

    def _draw_divider(self, painter: QPainter) -> None:
        x = self.divider_x()
        if x is None:
            return
        img = self.image_rect_in_viewport().intersected(QRectF(self.viewport().rect()))
        if img.isEmpty():
            return
        x = max(img.left(), min(img.right(), x))
        painter.setPen(QPen(QColor(0, 0, 0, 90), 3))
        painter.drawLine(QPointF(x, img.top()), QPointF(x, img.bottom()))
        painter.setPen(QPen(QColor(255, 255, 255), 1.5))
        painter.drawLine(QPointF(x, img.top()), QPointF(x, img.bottom()))
        # Handle
        cy = img.center().y()
        painter.setPen(QPen(QColor(0, 0, 0, 60), 1))
        painter.setBrush(QColor(255, 255, 255))
        painter.drawEllipse(QPointF(x, cy), 13, 13)
        painter.setPen(QPen(QColor(60, 60, 60), 1.6))
        for sign in (-1, 1):
            tip = x + sign * 8
            painter.drawLine(QPointF(tip, cy), QPointF(tip - sign * 4, cy - 4))
            painter.drawLine(QPointF(tip, cy), QPointF(tip - sign * 4, cy + 4))
        # Labels
        painter.setFont(self._overlay_font())
        left_text, right_text = ("After", "Before") if self._swapped else ("Before", "After")
        top = img.top() + 10
        metrics = painter.fontMetrics()
        if x - img.left() > metrics.horizontalAdvance(left_text) + 30:
            self._pill(painter, left_text, QPointF(x - 10, top), Qt.AlignmentFlag.AlignRight)
        if img.right() - x > metrics.horizontalAdvance(right_text) + 30:
            self._pill(painter, right_text, QPointF(x + 10, top), Qt.AlignmentFlag.AlignLeft)
