"""Painting into a MaskLayer: brush/eraser strokes, rectangles and lassos. Coordinates are image pixels.

A stroke is painted live, one read-modify-write per input event: the segment from the last point
to the new one is drawn into the overlay's tiles (a round-capped line for a hard brush of constant
size, otherwise dabs every quarter diameter carried over between events, as pencil2d does every
half width), its rect is recorded per tile, and only that rect is repainted. ``finish()`` commits
the stroke into the layer and returns one undo command whose first redo is skipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QRadialGradient

from .layer import MaskItem, MaskLayer, PatchCommand, StrokeRecorder

MIN_SIZE = 1
MAX_SIZE = 1000
#: Dab spacing as a share of the diameter for dabbed strokes (soft brushes, pressure).
SPACING = 0.25

_OPAQUE = QColor(0, 0, 0, 255)  # colour as data: a mask pixel's coverage, not a look
_CLEAR = QColor(0, 0, 0, 0)  # colour as data


def _mode(erase: bool) -> QPainter.CompositionMode:
    return (
        QPainter.CompositionMode.CompositionMode_DestinationOut
        if erase
        else QPainter.CompositionMode.CompositionMode_SourceOver
    )


class BrushStroke:
    """One press-to-release stroke of the brush (``erase=False``) or the eraser (``erase=True``).

    Painted live into the overlay's tiles (``MaskItem.paint_live``); ``finish()`` commits it into
    the layer and returns the one undo command for the whole stroke."""

    def __init__(self, layer: MaskLayer, item: MaskItem, size: float, hardness: float, erase: bool) -> None:
        self._layer = layer
        self._item = item
        self._bounds = layer.rect()
        self._recorder = StrokeRecorder(layer, item)
        self._size = max(float(MIN_SIZE), min(float(MAX_SIZE), size))
        self._hardness = max(0.0, min(1.0, hardness))
        self._erase = erase
        self._mode = _mode(erase)
        self._color = item.color()
        self._clear = QColor(self._color)
        self._clear.setAlpha(0)
        self._last: QPointF | None = None
        self._last_radius = 0.0
        self._carry = 0.0  # distance walked since the last dab
        self._tiny = self._size <= 2.0  # aliased, snapped to pixel centres: binary, no gaps
        self._pen: QPen | None = None
        self._pen_radius = 0.0
        self._finished = False

    # ---- public -------------------------------------------------------------------------
    @property
    def erase(self) -> bool:
        return self._erase

    def radius_for(self, pressure: float) -> float:
        return max(0.5, self._size * max(0.0, min(1.0, pressure)) / 2.0)

    def begin(self, pos: QPointF, pressure: float = 1.0) -> QRect:
        pos = self._snap(pos)
        radius = self.radius_for(pressure)
        self._last, self._last_radius, self._carry = pos, radius, 0.0
        return self._paint(pos, radius, pos, radius, first=True)

    def extend(self, pos: QPointF, pressure: float = 1.0) -> QRect:
        if self._last is None:
            return self.begin(pos, pressure)
        pos = self._snap(pos)
        radius = self.radius_for(pressure)
        if pos == self._last and radius == self._last_radius:
            return QRect()
        p0, r0 = self._last, self._last_radius
        self._last, self._last_radius = pos, radius
        return self._paint(p0, r0, pos, radius, first=False)

    def dirty_rect(self) -> QRect:
        return self._recorder.dirty_rect()

    def finish(self, text: str | None = None) -> PatchCommand | None:
        """Commit the stroke into the layer; one undo command (already applied), or None when no
        pixel changed."""
        if self._finished:
            return None
        self._finished = True
        patches = self._recorder.commit()
        if not patches:
            return None
        text = text or ("Eraser stroke" if self._erase else "Brush stroke")
        return PatchCommand(self._layer, text, patches, applied=True)

    # ---- painting -----------------------------------------------------------------------
    def _snap(self, pos: QPointF) -> QPointF:
        if self._tiny:
            return QPointF(math.floor(pos.x()) + 0.5, math.floor(pos.y()) + 0.5)
        return QPointF(pos)

    def _paint(self, p0: QPointF, r0: float, p1: QPointF, r1: float, first: bool) -> QRect:
        reach = max(r0, r1) + 2.0
        x0, x1 = sorted((p0.x(), p1.x()))
        y0, y1 = sorted((p0.y(), p1.y()))
        left, top = math.floor(x0 - reach), math.floor(y0 - reach)
        rect = QRect(left, top, math.ceil(x1 + reach) - left, math.ceil(y1 + reach) - top).intersected(self._bounds)
        if rect.isEmpty():
            if not first:
                self._dab_positions(p0, r0, p1, r1)  # keeps the dab rhythm across an off-image stretch
            return QRect()
        draw: Callable[[QPainter], None]
        if self._hardness >= 1.0 and r0 == r1 and not first:
            pen = self._line_pen(r1)

            def draw(painter: QPainter) -> None:
                painter.setPen(pen)
                painter.drawLine(p0, p1)
        else:
            dabs = [(p1, r1)] if first else self._dab_positions(p0, r0, p1, r1)
            if not dabs:
                return QRect()

            def draw(painter: QPainter) -> None:
                painter.setPen(Qt.PenStyle.NoPen)
                for pos, radius in dabs:
                    self._dab(painter, pos, radius)

        self._item.paint_live(rect, draw, self._mode, not self._tiny)
        self._recorder.mark(rect)
        return rect

    def _line_pen(self, radius: float) -> QPen:
        if self._pen is None or self._pen_radius != radius:
            width = (1.0 if radius <= 0.5 else 2.0) if self._tiny else 2 * radius
            cap, join = Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
            self._pen = QPen(self._color, width, Qt.PenStyle.SolidLine, cap, join)
            self._pen_radius = radius
        return self._pen

    def _dab_positions(self, p0: QPointF, r0: float, p1: QPointF, r1: float) -> list[tuple[QPointF, float]]:
        dx, dy = p1.x() - p0.x(), p1.y() - p0.y()
        dist = math.hypot(dx, dy)
        out: list[tuple[QPointF, float]] = []
        if dist <= 0:
            return out
        t = max(0.0, self._spacing(r0) - self._carry)
        last_t = 0.0
        while t <= dist:
            f = t / dist
            radius = r0 + (r1 - r0) * f
            out.append((QPointF(p0.x() + dx * f, p0.y() + dy * f), radius))
            last_t = t
            t += self._spacing(radius)
        self._carry = dist - last_t if out else self._carry + dist
        return out

    @staticmethod
    def _spacing(radius: float) -> float:
        return max(0.5, SPACING * 2 * radius)

    def _dab(self, painter: QPainter, pos: QPointF, radius: float) -> None:
        if self._hardness >= 1.0 or self._tiny:
            painter.setBrush(self._color)
        else:
            gradient = QRadialGradient(pos, radius)
            gradient.setColorAt(0.0, self._color)
            gradient.setColorAt(self._hardness, self._color)
            gradient.setColorAt(1.0, self._clear)
            painter.setBrush(QBrush(gradient))
        painter.drawEllipse(pos, radius, radius)


# ---- rectangles and lassos ---------------------------------------------------------------------


def rect_from_points(a: QPointF, b: QPointF) -> QRect:
    """The pixel rect spanned by two image points (whole pixels the drag passes over)."""
    left, right = sorted((a.x(), b.x()))
    top, bottom = sorted((a.y(), b.y()))
    x0, y0 = math.floor(left), math.floor(top)
    x1, y1 = math.ceil(right), math.ceil(bottom)
    return QRect(x0, y0, max(1, x1 - x0), max(1, y1 - y0))


def region_command(
    layer: MaskLayer, path: QPainterPath, subtract: bool, antialias: bool, text: str
) -> PatchCommand | None:
    """Fill ``path`` (image pixels) into the mask, or cut it out, as one not-yet-applied command."""
    rect = path.boundingRect().toAlignedRect().adjusted(-1, -1, 1, 1).intersected(layer.rect())
    if rect.isEmpty():
        return None
    before = layer.copy(rect)
    after = before.copy()
    painter = QPainter(after)
    painter.translate(-rect.left(), -rect.top())
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
    painter.setCompositionMode(_mode(subtract))
    painter.fillPath(path, _OPAQUE)
    painter.end()
    if after == before:
        return None
    return PatchCommand(layer, text, [(rect.topLeft(), before, after)], applied=False)


def rect_command(layer: MaskLayer, rect: QRect, subtract: bool) -> PatchCommand | None:
    path = QPainterPath()
    path.addRect(QRectF(rect))
    return region_command(layer, path, subtract, False, "Subtract rectangle" if subtract else "Add rectangle")


def lasso_command(layer: MaskLayer, points: list[QPointF], subtract: bool) -> PatchCommand | None:
    if len(points) < 3:
        return None
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    path.moveTo(points[0])
    for p in points[1:]:
        path.lineTo(p)
    path.closeSubpath()
    return region_command(layer, path, subtract, True, "Subtract lasso" if subtract else "Add lasso")
