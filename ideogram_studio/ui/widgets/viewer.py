"""The central result viewer: fit / 100 % / zoom around the cursor / pan, and a before/after slider.

Zoom, fit, pan and their keys come from ``ZoomView`` (``zoom_view.py``), shared with the mask
canvas: zoom is in **device pixels per image pixel** (100 % = one image pixel per physical screen
pixel, also on HiDPI screens; on a 2× screen the view's transform is 0.5 at 100 %), zoom in/out
walks one table of steps, and "fit" never enlarges beyond one image pixel per logical pixel. The
viewer adds: a plain left drag pans too (the compare divider comes first), a double-click toggles
fit ↔ 100 %, and badges for the caption and the zoom. A left drag of an image that fits (nothing
to pan), or a Ctrl+drag, asks to drag the image out (`drag_out_requested`).

Scene coordinates are image pixels. Painting: below 100 % the image is drawn smoothly from a
half-size pyramid (no aliasing at 10 %; a large image's levels are made in a worker, the image
itself drawn until they come: ``image_levels``); at exactly 100 % and above 200 % nearest-neighbour
(pixels stay crisp for inspection); between, smooth. A checkerboard shows behind alpha.

Compare mode (`set_compare(before, after)`): the "before" image is shown left of a divider and
the "after" image right of it; drag the divider, or press M to swap sides. A "before" of another
size (reframe, upscale) is fitted into the "after" image's rectangle, keeping its aspect ratio.
"""

from __future__ import annotations

import math

import shiboken6
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ..common import theme
from .empty_view import MIN_SIZE, backdrop, draw_empty, muted
from .image_levels import LevelMaker, in_worker
from .zoom_view import BADGE_PAD, MAX_ZOOM, MIN_ZOOM, ZoomView

__all__ = ["MAX_ZOOM", "MIN_ZOOM", "ImageViewer"]

#: How close (logical px) the pointer must be to grab the compare divider.
DIVIDER_GRAB = 8
#: Above this zoom pixels are drawn nearest-neighbour.
NEAREST_ABOVE = 2.0
CHECKER = 8


def _checker_brush() -> QBrush:
    tile = QPixmap(2 * CHECKER, 2 * CHECKER)
    tile.fill(theme.color("checker_light"))
    p = QPainter(tile)
    dark = theme.color("checker_dark")
    p.fillRect(0, 0, CHECKER, CHECKER, dark)
    p.fillRect(CHECKER, CHECKER, CHECKER, CHECKER, dark)
    p.end()
    return QBrush(tile)


class _Pyramid:
    """An image and its smaller levels (1, 1/2, 1/4…), made on first use: here, or for a large image
    in a worker (``image_levels``), the nearest finer level drawn until it comes."""

    def __init__(self, image: QImage, maker: LevelMaker | None = None) -> None:
        self.size = image.size()
        self.has_alpha = image.hasAlphaChannel()
        self._levels: list[QPixmap] = [QPixmap.fromImage(image)]
        #: A large image's levels by k, made in a worker (asked once each).
        self._image = image
        self._maker = maker if maker is not None and in_worker(image) else None
        self._made: dict[int, QPixmap] = {0: self._levels[0]}
        self._asked: set[int] = set()

    def level_for(self, scale: float) -> tuple[QPixmap, float]:
        """The smallest level still at least `scale` × the image, and its own scale (1, 1/2, 1/4…)."""
        k = 0 if scale >= 1 else math.floor(math.log2(1 / scale))
        if self._maker is not None:
            return self._made_level(k)
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

    def _made_level(self, k: int) -> tuple[QPixmap, float]:
        deepest = 0  # (as the halvings above: down to a level 16 pixels or less across)
        while self.size.width() >> deepest > 16 and self.size.height() >> deepest > 16:
            deepest += 1
        k = min(k, deepest)
        if k not in self._made and k not in self._asked and self._maker is not None:
            self._asked.add(k)
            self._maker.make(self, k, self._image)
        pix = self._made[max(j for j in self._made if j <= k)]
        return pix, pix.width() / self.size.width()

    def put(self, k: int, level: QImage | None) -> None:
        """Level ``k`` made in a worker (None: it could not be: made here, by halvings, instead)."""
        if level is None:
            self._maker = None
            return
        self._made[k] = QPixmap.fromImage(level)


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
        self._maker = LevelMaker()
        self._maker.made.connect(self._on_level)

    def set_images(self, after: QImage | None, before: QImage | None = None) -> None:
        self.prepareGeometryChange()
        maker = self._maker
        self._after = _Pyramid(after, maker) if after is not None and not after.isNull() else None
        self._before = _Pyramid(before, maker) if before is not None and not before.isNull() and self._after else None
        self.update()

    def _on_level(self, pyramid: _Pyramid, k: int, level: QImage | None) -> None:
        pyramid.put(k, level)
        if shiboken6.isValid(self) and (pyramid is self._after or pyramid is self._before):
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
                painter.fillRect(area, theme.color("letterbox"))
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


class ImageViewer(ZoomView):
    """Shows one result (or a before/after pair); zoom, fit and pan come from ZoomView."""

    #: The compare divider moved: fraction of the image width, 0..1.
    split_changed = Signal(float)
    #: The image is dragged out (a left drag while it cannot pan, or a Ctrl+drag): the window makes
    #: the drag (the viewer knows pixels, not the stored file).
    drag_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._before: QImage | None = None
        self._caption = ""
        self._empty_title = "Results appear here"
        self._empty_hint = "Ctrl+Enter to generate"
        self._split = 0.5
        self._swapped = False
        self._dragging_divider = False
        self._labels = ("Before", "After")
        #: Where a left press that may become a drag out of the viewer started.
        self._drag_from: QPointF | None = None
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

    def set_compare(
        self, before: QImage, after: QImage, *, caption: str = "", labels: tuple[str, str] = ("Before", "After")
    ) -> None:
        """Before/after of an edit: "before" left of a draggable divider, "after" right of it
        (`labels` name the two sides: two results compared are not a before and an after)."""
        keep = not self._fit_mode and self._image is not None and after.size() == self._image.size()
        self._labels = labels
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

    def divider_x(self) -> float | None:
        """Compare divider x in viewport coordinates, or None outside compare mode."""
        if not self.is_comparing():
            return None
        rect = self._item.boundingRect()
        return self.viewportTransform().map(QPointF(rect.width() * self._split, 0)).x()

    def actions_by_name(self) -> dict[str, QAction]:
        """The viewer's actions ("fit", "actual_size", "zoom_in", "zoom_out", "swap"), for menus."""
        return dict(self._actions)

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self._scene = QGraphicsScene(self)
        self._item = _ImageItem()
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Overlays are drawn in viewport coordinates: repaint fully instead of scrolling pixels.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setMinimumSize(*MIN_SIZE)
        self._update_background()
        self._scene.setSceneRect(QRectF(0, 0, 1, 1))
        self.setSceneRect(QRectF(0, 0, 1, 1))
        self._update_cursor(None)

    def _make_actions(self) -> None:
        """Actions for a window's menus. They are not added to the viewer itself: keys pressed in the
        viewer are handled by keyPressEvent, so a window that puts these (or its own Ctrl+0 / Ctrl+1)
        in a menu never makes an ambiguous shortcut that would swallow the key."""
        self._actions: dict[str, QAction] = self.zoom_actions()
        swap = QAction("Swap before/after", self)
        swap.setShortcuts([QKeySequence("M")])
        swap.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        swap.setToolTip(f"Swap before/after ({QKeySequence('M').toString(QKeySequence.SequenceFormat.NativeText)})")
        swap.triggered.connect(lambda: self.swap_sides())
        self._actions["swap"] = swap

    def _update_background(self) -> None:
        self._backdrop = backdrop(self.palette())
        self.setBackgroundBrush(self._backdrop)

    # ---- content ---------------------------------------------------------------------------
    def _content_rect(self) -> QRectF:
        return self._item.boundingRect()

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
            self._reset_zoom()
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

    def _zoom_applied(self) -> None:
        self._update_cursor(None)

    def _refresh_cursor(self) -> None:
        self._update_cursor(None)

    # ---- events ----------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_cursor(None)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange:
            self._update_background()
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._image is not None and event.button() == Qt.MouseButton.LeftButton and self._near_divider(pos):
            self._dragging_divider = True
            self._move_divider(pos)
            event.accept()
            return
        if (
            self._image is not None
            and event.button() == Qt.MouseButton.LeftButton
            and not self._space_held
            and (not self._can_pan() or event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        ):
            self._drag_from = QPointF(pos)  # nothing to pan, or Ctrl: a drag takes the image out
            event.accept()
            return
        if self._image is not None and event.button() == Qt.MouseButton.LeftButton:
            self._start_pan(pos, event.button())  # in the viewer a plain left drag pans too
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging_divider:
            self._move_divider(event.position())
            event.accept()
            return
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if (event.position() - self._drag_from).manhattanLength() >= QApplication.startDragDistance():
                self._drag_from = None
                self.drag_out_requested.emit()
            event.accept()
            return
        if not self._is_panning():
            self._update_cursor(event.position())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        if self._dragging_divider or self._end_pan(event.button()):
            self._dragging_divider = False
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
        if event.key() == Qt.Key.Key_M and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.swap_sides()
            event.accept()
            return
        super().keyPressEvent(event)  # zoom keys and Space (ZoomView)

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
        pan = self._pan_cursor()
        if self._dragging_divider:
            shape = Qt.CursorShape.SplitHCursor
        elif pan is not None:
            shape = pan
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
        return muted(self.palette(), self._backdrop, amount)

    def _draw_empty(self, painter: QPainter) -> None:
        draw_empty(painter, QRectF(self.viewport().rect()), self.font(), self.palette(), self._empty_title,
                   self._empty_hint)  # fmt: skip

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
        painter.setBrush(theme.color("hud_bg"))
        painter.drawRoundedRect(box, h / 2, h / 2)
        painter.setPen(theme.color("hud_text"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        return box

    def _draw_badges(self, painter: QPainter) -> None:
        assert self._image is not None
        painter.setFont(self._overlay_font())
        vp = QRectF(self.viewport().rect())
        size = f"{self._image.width()}×{self._image.height()}"
        caption = self._caption if self._caption else size
        pad = BADGE_PAD
        zoom = f"{self._zoom * 100:.0f} %" if self._zoom >= 0.1 else f"{self._zoom * 100:.1f} %"
        zoom_text = f"Fit · {zoom}" if self._fit_mode else zoom
        # A long caption is cut with "…" before the zoom badge; the whole of it is the tooltip.
        metrics = painter.fontMetrics()
        room = int(vp.width() - 2 * pad - metrics.horizontalAdvance(zoom_text) - 14 - 8 - 14)
        shown = metrics.elidedText(caption, Qt.TextElideMode.ElideRight, max(room, 48))
        tip = caption if shown != caption else ""
        if self.viewport().toolTip() != tip:
            self.viewport().setToolTip(tip)
        left = self._pill(painter, shown, QPointF(vp.left() + pad, vp.bottom() - pad), Qt.AlignmentFlag.AlignBottom)
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
        painter.setPen(QPen(theme.color("divider_shadow"), 3))
        painter.drawLine(QPointF(x, img.top()), QPointF(x, img.bottom()))
        painter.setPen(QPen(theme.color("divider"), 1.5))
        painter.drawLine(QPointF(x, img.top()), QPointF(x, img.bottom()))
        # Handle
        cy = img.center().y()
        painter.setPen(QPen(theme.color("divider_handle_edge"), 1))
        painter.setBrush(theme.color("divider"))
        painter.drawEllipse(QPointF(x, cy), 13, 13)
        painter.setPen(QPen(theme.color("divider_arrow"), 1.6))
        for sign in (-1, 1):
            tip = x + sign * 8
            painter.drawLine(QPointF(tip, cy), QPointF(tip - sign * 4, cy - 4))
            painter.drawLine(QPointF(tip, cy), QPointF(tip - sign * 4, cy + 4))
        # Labels
        painter.setFont(self._overlay_font())
        left_text, right_text = self._labels[::-1] if self._swapped else self._labels
        top = img.top() + 10
        metrics = painter.fontMetrics()
        if x - img.left() > metrics.horizontalAdvance(left_text) + 30:
            self._pill(painter, left_text, QPointF(x - 10, top), Qt.AlignmentFlag.AlignRight)
        if img.right() - x > metrics.horizontalAdvance(right_text) + 30:
            self._pill(painter, right_text, QPointF(x + 10, top), Qt.AlignmentFlag.AlignLeft)
