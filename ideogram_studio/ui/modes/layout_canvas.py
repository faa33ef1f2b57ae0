"""The layout editor's canvas: the frame (blank, or a reference image) and one box per element of
the structured prompt, drawn, moved and resized with the mouse.

On the shared zoom view (scene coordinates are pixels of the frame; wheel zoom, middle-button or
Space pan, Ctrl+0 fit). It renders a `Layout` it is given and says what the mouse did: a box drawn
on the empty frame (`box_drawn`), a box moved or resized (`box_changed`, once, on release), a box
selected. It changes no layout itself: the editor turns those into undoable steps.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ...api import structured_prompt as sp
from ...api.structured_layout import Element, Layout
from ..common import theme
from ..widgets.zoom_view import ZoomView

Rect = tuple[float, float, float, float]  # left, top, right, bottom in frame pixels
#: Handle size and grab distance, in screen (logical) pixels whatever the zoom.
HANDLE_PX = 8.0
#: A drag shorter than this (screen pixels) is a click, not a box.
MIN_DRAG_PX = 6.0
#: Arrow keys → the direction a nudge moves the selected box.
NUDGES = {
    Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1),
}  # fmt: skip
HANDLES = ("tl", "t", "tr", "r", "br", "b", "bl", "l")
CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor, "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor, "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor, "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor,
}  # fmt: skip


def element_label(index: int, element: Element) -> str:
    """The words on a box: its number, kind and text (text elements) or description."""
    if element.kind == "text":
        words = f"Text “{element.text}”" if element.text else "Text"
    else:
        words = element.desc or "Object"
    words = words if len(words) <= 40 else words[:39] + "…"
    return f"{index + 1} · {words}"


def handle_points(rect: QRectF) -> dict[str, QPointF]:
    c = rect.center()
    return {
        "tl": rect.topLeft(), "t": QPointF(c.x(), rect.top()), "tr": rect.topRight(),
        "r": QPointF(rect.right(), c.y()), "br": rect.bottomRight(), "b": QPointF(c.x(), rect.bottom()),
        "bl": rect.bottomLeft(), "l": QPointF(rect.left(), c.y()),
    }  # fmt: skip


class BoxItem(QGraphicsRectItem):
    """One element's box: outlined in its first colour (the accent without one), dashed in the
    warning colour when flagged, with handles while selected and its label above it."""

    def __init__(
        self, index: int, element: Element, rect: QRectF, flagged: bool, selected: bool, scale: float = 1.0
    ) -> None:
        super().__init__(rect)
        self.index = index
        self.element = element
        self.flagged = flagged
        self.chosen = selected
        self.setZValue(1000 if selected else 2 + index)  # the box being worked on (and its label) on top
        self.setAcceptHoverEvents(False)
        ink = QColor(element.palette[0]) if element.palette else theme.color("accent")
        self._ink = ink
        self.setBrush(QBrush(QColor(ink.red(), ink.green(), ink.blue(), 48 if selected else 28)))
        self.label = QGraphicsSimpleTextItem(element_label(index, element), self)
        self.label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.label.setBrush(theme.color("overlay_text"))
        #: The label sits just inside the top-left corner, clear of the corner's handle (screen pixels).
        self._label_offset = QPointF(HANDLE_PX, HANDLE_PX) / max(scale, 1e-6)
        self.place_label(rect)
        self._label_bg = QGraphicsRectItem(self.label.boundingRect().adjusted(-3, -1, 3, 1), self.label)
        self._label_bg.setBrush(theme.color("overlay_bg"))
        self._label_bg.setPen(QPen(Qt.PenStyle.NoPen))
        self._label_bg.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)

    def place_label(self, rect: QRectF) -> None:
        self.label.setPos(rect.topLeft() + self._label_offset)

    def label_spots(self, scale: float) -> list[QPointF]:
        """Where the label may sit, best first (frame pixels): inside the top-left corner, inside
        the bottom-left, just above the box, just below it."""
        rect, k = self.rect(), max(scale, 1e-6)
        off, high = HANDLE_PX / k, (self.label.boundingRect().height() + 2) / k
        return [
            rect.topLeft() + self._label_offset,
            QPointF(rect.left() + off, rect.bottom() - off - high),
            QPointF(rect.left(), rect.top() - high - 2 / k),
            QPointF(rect.left(), rect.bottom() + 2 / k),
        ]

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setBrush(self.brush())
        colour = theme.color("warning_border") if self.flagged else self._ink
        pen = QPen(colour, 3 if self.chosen else 2)
        pen.setCosmetic(True)
        if self.flagged:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRect(self.rect())
        if not self.chosen:
            return
        scale = painter.worldTransform().m11() or 1.0
        half = HANDLE_PX / 2 / scale
        painter.setBrush(theme.color("ring_light"))
        ring = QPen(theme.color("ring_dark"), 1)
        ring.setCosmetic(True)
        painter.setPen(ring)
        for point in handle_points(self.rect()).values():
            painter.drawRect(QRectF(point.x() - half, point.y() - half, 2 * half, 2 * half))

    def boundingRect(self) -> QRectF:
        pad = HANDLE_PX  # the handles stick out of the rectangle (generous: any zoom above 100 %)
        return self.rect().adjusted(-pad, -pad, pad, pad)


class LayoutCanvas(ZoomView):
    """Emits ``box_drawn(rect)``, ``box_changed(index, rect)``, ``box_nudged(index, rect)``,
    ``selection_changed(index)`` (-1: none) and ``delete_requested(index)``; rects are (left, top,
    right, bottom) in frame pixels."""

    box_drawn = Signal(object)
    box_changed = Signal(int, object)
    #: The selected box moved with the arrow keys (the editor merges a run of them into one step).
    box_nudged = Signal(int, object)
    selection_changed = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layout-canvas")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Pan with Space or the middle button (as on every canvas): no scroll bars taking room.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._frame = QRectF(0, 0, *map(float, (1024, 1024)))
        self._reference: QPixmap | None = None
        self._layout = Layout()
        self._flagged: set[int] = set()
        self._selected = -1
        self._boxes: list[BoxItem] = []
        # The gesture under way: ("draw" | "move" | handle name, index, press point, rect at press).
        self._gesture: tuple[str, int, QPointF, QRectF] | None = None
        self._rubber: QGraphicsRectItem | None = None
        self._frame_item = QGraphicsRectItem(self._frame)
        self._pixmap_item = QGraphicsPixmapItem()
        self.scene().addItem(self._frame_item)
        self.scene().addItem(self._pixmap_item)
        self._paint_frame()
        theme.bind(self, self._on_theme)

    # ---- public ----------------------------------------------------------------------------
    def frame_size(self) -> tuple[int, int]:
        return int(self._frame.width()), int(self._frame.height())

    def set_frame(self, width: int, height: int, reference: QPixmap | None = None) -> None:
        """The frame's pixels (the chosen resolution or aspect) and an optional reference image
        shown under the boxes, scaled to fill it."""
        self._frame = QRectF(0, 0, float(width), float(height))
        self._reference = reference
        self._paint_frame()
        self._rebuild()
        self.fit()

    def set_layout(self, layout: Layout, flagged: set[int], selected: int) -> None:
        self._layout, self._flagged, self._selected = layout, set(flagged), selected
        self._rebuild()

    def selected(self) -> int:
        return self._selected

    def boxes(self) -> list[BoxItem]:
        return list(self._boxes)

    def rect_of(self, element: Element) -> QRectF:
        left, top, right, bottom = sp.bbox_to_rect(element.bbox, self._frame.width(), self._frame.height())
        return QRectF(QPointF(left, top), QPointF(right, bottom))

    def to_bbox(self, rect: Rect) -> sp.Box:
        return sp.rect_to_bbox(rect, self._frame.width(), self._frame.height())

    # ---- drawing ---------------------------------------------------------------------------
    def _paint_frame(self) -> None:
        self.scene().setSceneRect(self._frame.adjusted(-2000, -2000, 2000, 2000))
        self._frame_item.setRect(self._frame)
        self._frame_item.setBrush(theme.color("placeholder_bg"))
        pen = QPen(theme.color("muted"), 1)
        pen.setCosmetic(True)
        self._frame_item.setPen(pen)
        if self._reference is not None and not self._reference.isNull():
            scaled = self._reference.scaled(
                int(self._frame.width()), int(self._frame.height()),
                Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation,
            )  # fmt: skip
            self._pixmap_item.setPixmap(scaled)
            self._pixmap_item.setVisible(True)
        else:
            self._pixmap_item.setVisible(False)

    def _rebuild(self) -> None:
        for item in self._boxes:
            self.scene().removeItem(item)
        self._boxes = []
        for i, element in enumerate(self._layout.elements):
            rect = self.rect_of(element)
            item = BoxItem(i, element, rect, i in self._flagged, i == self._selected, self.view_scale())
            self.scene().addItem(item)
            self._boxes.append(item)
        self._place_labels()

    def _place_labels(self) -> None:
        """Labels never cover each other: the selected box's keeps its corner, each other label
        takes the first of its spots clear of those placed (compared in screen pixels)."""
        scale = max(self.view_scale(), 1e-6)
        placed: list[QRectF] = []
        for item in sorted(self._boxes, key=lambda b: (not b.chosen, b.index)):
            size = item.label.boundingRect().adjusted(-3, -1, 3, 1).size()
            spots = item.label_spots(scale)
            on_screen = [QRectF(spot * scale, size) for spot in spots]
            best = next((i for i, r in enumerate(on_screen) if not any(r.intersects(p) for p in placed)), 0)
            item.label.setPos(spots[best])
            placed.append(on_screen[best])

    def _on_theme(self) -> None:
        self._paint_frame()
        self._rebuild()

    def _content_rect(self) -> QRectF:
        return QRectF(self._frame)

    def _zoom_applied(self) -> None:
        self._rebuild()  # the labels' and handles' offsets are in screen pixels

    # ---- the mouse ---------------------------------------------------------------------------
    def _grab(self) -> float:
        return HANDLE_PX / max(self.view_scale(), 1e-6)

    def _handle_at(self, point: QPointF) -> str | None:
        if not 0 <= self._selected < len(self._boxes):
            return None
        reach = self._grab()
        for name, spot in handle_points(self._boxes[self._selected].rect()).items():
            if abs(spot.x() - point.x()) <= reach and abs(spot.y() - point.y()) <= reach:
                return name
        return None

    def _box_at(self, point: QPointF) -> int:
        """The topmost box under the point (the selected one first: it may be under another)."""
        if 0 <= self._selected < len(self._boxes) and self._boxes[self._selected].rect().contains(point):
            return self._selected
        for item in reversed(self._boxes):
            if item.rect().contains(point):
                return item.index
        return -1

    def _select(self, index: int) -> None:
        if index != self._selected:
            self._selected = index
            self._rebuild()
            self.selection_changed.emit(index)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._space_held or self._is_panning():
            super().mousePressEvent(event)
            return
        point = self.map_to_image(event.position())
        handle = self._handle_at(point)
        if handle is not None:
            self._gesture = (handle, self._selected, point, QRectF(self._boxes[self._selected].rect()))
        elif (index := self._box_at(point)) >= 0:
            self._select(index)
            self._gesture = ("move", index, point, QRectF(self._boxes[index].rect()))
        else:
            self._select(-1)
            self._gesture = ("draw", -1, point, QRectF(point, point))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = self.map_to_image(event.position())
        if self._gesture is None:
            super().mouseMoveEvent(event)
            if not self._is_panning():
                self._hover_cursor(point)
            return
        kind, index, start, was = self._gesture
        rect = self._dragged(kind, start, was, point)
        if kind == "draw":
            if self._rubber is None:
                self._rubber = QGraphicsRectItem()
                pen = QPen(theme.color("selection"), 2, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                self._rubber.setPen(pen)
                self._rubber.setZValue(1000)
                self.scene().addItem(self._rubber)
            self._rubber.setRect(rect)
        else:
            item = self._boxes[index]
            item.setRect(rect)
            item.place_label(rect)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._gesture is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        kind, index, start, was = self._gesture
        self._gesture = None
        point = self.map_to_image(event.position())
        rect = self._dragged(kind, start, was, point)
        if self._rubber is not None:
            self.scene().removeItem(self._rubber)
            self._rubber = None
        moved = (point - start).manhattanLength() * self.view_scale() >= MIN_DRAG_PX
        if kind == "draw":
            if moved:
                self.box_drawn.emit(_tuple(rect))
        elif moved and rect != was:
            self.box_changed.emit(index, _tuple(rect))
        else:
            self._rebuild()  # a click: put the box back exactly
        event.accept()

    def _dragged(self, kind: str, start: QPointF, was: QRectF, point: QPointF) -> QRectF:
        if kind == "draw":
            return QRectF(start, point).normalized()
        delta = point - start
        if kind == "move":
            return was.translated(delta)
        left, top, right, bottom = was.left(), was.top(), was.right(), was.bottom()
        if "l" in kind:
            left += delta.x()
        if "r" in kind:
            right += delta.x()
        if "t" in kind:
            top += delta.y()
        if "b" in kind:
            bottom += delta.y()
        return QRectF(QPointF(left, top), QPointF(right, bottom)).normalized()

    def _hover_cursor(self, point: QPointF) -> None:
        if self._pan_cursor() is not None:
            return
        handle = self._handle_at(point)
        if handle is not None:
            self.viewport().setCursor(CURSORS[handle])
        elif self._box_at(point) >= 0:
            self.viewport().setCursor(Qt.CursorShape.SizeAllCursor)
        else:
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._selected >= 0:
            self.delete_requested.emit(self._selected)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self._selected >= 0:
            self._select(-1)
            event.accept()
            return
        if event.key() in NUDGES and 0 <= self._selected < len(self._boxes):
            # The arrows move the selected box a thousandth of the frame (Shift: a hundredth), the
            # caption's own unit, so each press moves its bbox by exactly 1 (or 10).
            dx, dy = NUDGES[Qt.Key(event.key())]
            step = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
            unit_x, unit_y = self._frame.width() / sp.BBOX_SCALE, self._frame.height() / sp.BBOX_SCALE
            rect = self._boxes[self._selected].rect().translated(dx * step * unit_x, dy * step * unit_y)
            self.box_nudged.emit(self._selected, _tuple(rect))
            event.accept()
            return
        super().keyPressEvent(event)


def _tuple(rect: QRectF) -> Rect:
    return (rect.left(), rect.top(), rect.right(), rect.bottom())
