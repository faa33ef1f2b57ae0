"""What the mask canvas draws over the image besides the mask: the brush outline and the outline of
a rectangle or lasso being drawn; and, while it has no image, where the image comes from.

``BrushOutline`` is drawn in viewport (logical) pixels by the canvas's ``drawForeground``; it keeps
the viewport region it covers cached by radius (a ring, not a disc, for big brushes) so a mouse
move repaints only the outline's old and new places, and small outlines are cached as sprites.
``ShapePreview`` is a pair of cosmetic path items in the scene (dark solid under light dashed),
so it follows zoom and pan by itself.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen, QPixmap, QRegion
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from ..common import theme
from .tools import rect_from_points

#: The brush outline: three 1-px rings, dark / light / dark, that read on any background; the
#: rectangle / lasso preview: a dark solid line under a light dashed one. (Colours drawn over the
#: picture: the same in both themes.)
RING_DARK = theme.color("ring_dark")
RING_LIGHT = theme.color("ring_light")
PREVIEW_DARK = theme.color("ring_dark")
PREVIEW_LIGHT = theme.color("ring_light")

_RING_DARK_PEN = QPen(RING_DARK, 1)
_RING_LIGHT_PEN = QPen(RING_LIGHT, 1)
#: Outlines up to this radius (logical px) are drawn from a cached sprite.
_SPRITE_MAX_RADIUS = 160
#: Below this radius the outline's region is a square (a ring's region would cost more than it saves).
_RING_REGION_MIN_RADIUS = 24


class BrushOutline:
    """The circle that shows the brush's size and place, in viewport coordinates."""

    def __init__(self) -> None:
        self._regions: dict[int, QRegion] = {}
        self._sprites: dict[tuple[int, float], QPixmap] = {}

    def region(self, center: QPointF, radius: float) -> QRegion:
        """The viewport region the outline covers at ``center`` with ``radius`` (logical px)."""
        r = round(radius)
        shape = self._regions.get(r)
        if shape is None:
            outer = QRect(-r - 4, -r - 4, 2 * r + 9, 2 * r + 9)
            cross = QRegion(QRect(-6, -6, 13, 13))
            if r < _RING_REGION_MIN_RADIUS:
                shape = QRegion(outer).united(cross)
            else:
                inner = outer.adjusted(7, 7, -7, -7)
                ring = QRegion(outer, QRegion.RegionType.Ellipse).subtracted(QRegion(inner, QRegion.RegionType.Ellipse))
                shape = ring.united(cross)
            if len(self._regions) > 64:
                self._regions.clear()
            self._regions[r] = shape
        return shape.translated(round(center.x()), round(center.y()))

    def paint(self, painter: QPainter, center: QPointF, radius: float, dpr: float) -> None:
        """Draw the outline; ``painter`` is in viewport coordinates, ``dpr`` the viewport's ratio."""
        r = max(1.0, radius)
        sprite = self._sprite(r, dpr)
        if sprite is not None:
            half = sprite.width() / sprite.devicePixelRatio() / 2
            painter.drawPixmap(QPointF(round(center.x() - half), round(center.y() - half)), sprite)
        else:
            self._draw(painter, center, r)

    def _sprite(self, r: float, dpr: float) -> QPixmap | None:
        """The outline as a cached pixmap (for outlines up to 160 px); None to draw it live."""
        if r > _SPRITE_MAX_RADIUS:
            return None
        key = (round(r * 4), dpr)
        sprite = self._sprites.get(key)
        if sprite is None:
            half = math.ceil(r) + 6
            sprite = QPixmap(round(2 * half * dpr), round(2 * half * dpr))
            sprite.setDevicePixelRatio(dpr)
            sprite.fill(Qt.GlobalColor.transparent)
            painter = QPainter(sprite)
            self._draw(painter, QPointF(half, half), r)
            painter.end()
            if len(self._sprites) > 32:
                self._sprites.clear()
            self._sprites[key] = sprite
        return sprite

    @staticmethod
    def _draw(painter: QPainter, c: QPointF, r: float) -> None:
        # Three 1-px rings (dark, light, dark) read on any background; a wider pen would go
        # through Qt's full stroker and cost ~30× more.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(_RING_DARK_PEN)
        painter.drawEllipse(c, r + 1, r + 1)
        if r > 1.5:
            painter.drawEllipse(c, r - 1, r - 1)
        painter.setPen(_RING_LIGHT_PEN)
        painter.drawEllipse(c, r, r)
        if r > 6:  # a small cross marks the centre of a large brush
            painter.drawLine(QPointF(c.x() - 4, c.y()), QPointF(c.x() + 4, c.y()))
            painter.drawLine(QPointF(c.x(), c.y() - 4), QPointF(c.x(), c.y() + 4))


class ShapePreview:
    """The outline of the rectangle or lasso being drawn, as scene items (image coordinates)."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self._items = (
            self._make_item(scene, QPen(PREVIEW_DARK, 0)),
            self._make_item(scene, QPen(PREVIEW_LIGHT, 0, Qt.PenStyle.DashLine)),
        )

    @staticmethod
    def _make_item(scene: QGraphicsScene, pen: QPen) -> QGraphicsPathItem:
        pen.setCosmetic(True)
        item = QGraphicsPathItem()
        item.setPen(pen)
        item.setZValue(5)
        item.setVisible(False)
        scene.addItem(item)
        return item

    def show(self, path: QPainterPath) -> None:
        for item in self._items:
            item.setPath(path)
            item.setVisible(True)

    def show_rect(self, a: QPointF, b: QPointF) -> None:
        path = QPainterPath()
        path.addRect(QRectF(rect_from_points(a, b)))
        self.show(path)

    def hide(self) -> None:
        for item in self._items:
            item.setVisible(False)
            item.setPath(QPainterPath())


def paint_empty_hint(painter: QPainter, area: QRectF, title: str, hint: str) -> None:
    """What an empty canvas says (in viewport coordinates, centred, in the theme's text colour
    blended towards the canvas's backdrop): where the image comes from."""
    t = theme.current()
    text = QColor(t.roles[QPalette.ColorRole.WindowText])
    backdrop = QColor(t.roles[QPalette.ColorRole.Dark])
    font = QFont(painter.font())
    base_size = font.pointSizeF()
    font.setPointSizeF(base_size * 1.35)
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(theme.blend(text, backdrop, 0.15))
    inner = area.adjusted(16, 0, -16, 0)
    flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
    title_box = painter.boundingRect(inner, flags, title)
    top = area.center().y() - title_box.height()
    painter.drawText(QRectF(inner.left(), top, inner.width(), title_box.height()), flags, title)
    if hint:
        font.setPointSizeF(base_size)
        font.setWeight(QFont.Weight.Normal)
        painter.setFont(font)
        painter.setPen(theme.blend(text, backdrop, 0.3))
        below = QRectF(inner.left(), top + title_box.height() + 6, inner.width(), area.height() / 2)
        painter.drawText(below, flags, hint)
