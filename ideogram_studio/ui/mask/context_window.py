"""Precise Edit's context window on the mask canvas: a rectangle drawn, moved and resized on the image,
checked live against the service's rules (api/context_window.py, the same function the request's
validation asks).

A separate tool beside the canvas's brushes, not one of them: while it is active (its action, W), a
left drag on the image draws a new window, a drag inside moves it and a drag at a corner resizes it;
the middle button and Space still pan. The painting is untouched. The window is drawn over the image
with the area outside it shaded (those pixels come back unchanged); a window that breaks a rule is
drawn in the theme's error colour with the rule named beside it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from ...api.context_window import ContextWindow, Rule, broken_rule
from ..common import theme
from .canvas import MaskCanvas
from .canvas_actions import shortcut_tooltip

#: How close (viewport px) to a corner a press grabs it for resizing.
HANDLE_PX = 10
#: Above the brushes' items, under nothing.
Z_SHADE, Z_FRAME, Z_LABEL = 50, 51, 52
KEY = "W"


class _Label(QGraphicsItem):
    """The window's size, or the broken rule, at a constant screen size beside the window."""

    PAD = 4.0

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setZValue(Z_LABEL)
        self._text = ""
        self._error = False
        self._font = QFont()
        self._font.setBold(True)

    def set_text(self, text: str, error: bool) -> None:
        self.prepareGeometryChange()
        self._text, self._error = text, error
        self.update()

    def text(self) -> str:
        return self._text

    def boundingRect(self) -> QRectF:
        metrics = QFontMetricsF(self._font)
        # boundingRect, not horizontalAdvance: the bold text's own extent (advance fell short on screen).
        text = metrics.boundingRect(QRectF(0, 0, 10_000, 1_000), 0, self._text)
        return QRectF(0, 0, text.width() + 2 * self.PAD + 2, metrics.height() + 2 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._text:
            return
        box = self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5)
        # A broken rule in the theme's error colours (readable in both themes), else the HUD's.
        painter.setPen(theme.color("error") if self._error else Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("error_bg") if self._error else theme.color("hud_bg"))
        painter.drawRoundedRect(box, 3, 3)
        painter.setFont(self._font)
        painter.setPen(theme.color("error") if self._error else theme.color("hud_text"))
        painter.drawText(box.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD), Qt.TextFlag.TextDontClip, self._text)


class ContextWindowTool(QObject):
    """Emits ``changed`` when the window is drawn, moved, resized or cleared (not while dragging)."""

    changed = Signal()
    active_changed = Signal(bool)

    def __init__(self, canvas: MaskCanvas) -> None:
        super().__init__(canvas)
        self._canvas = canvas
        self._window: ContextWindow | None = None
        self._active = False
        self._shown = True
        self._drag: str | None = None  # "new", "move" or a corner "tl" "tr" "bl" "br"
        self._anchor = QPointF()
        self._start: ContextWindow | None = None
        scene = canvas.scene()
        self._shade = QGraphicsPathItem()
        self._shade.setPen(Qt.PenStyle.NoPen)
        self._shade.setZValue(Z_SHADE)
        self._frame = QGraphicsRectItem()
        self._frame.setZValue(Z_FRAME)
        self._label = _Label(self._frame)
        for item in (self._shade, self._frame):
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.hide()
            scene.addItem(item)
        self.action = QAction("Draw on the image", canvas)
        self.action.setObjectName("contextWindowAction")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(KEY))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.setToolTip(shortcut_tooltip(
            "Context window: drag on the image to set the region Precise Edit may look at and change "
            "(drag inside to move it, at a corner to resize it)", [QKeySequence(KEY)]))  # fmt: skip
        self.action.toggled.connect(self.set_active)
        canvas.addAction(self.action)
        canvas.viewport().installEventFilter(self)
        canvas.tool_changed.connect(lambda _tool: self.set_active(False))
        canvas.image_changed.connect(self._redraw)
        theme.bind(self, self._redraw, "context-window")

    # ---- public ----------------------------------------------------------------------------
    def canvas(self) -> MaskCanvas:
        return self._canvas

    def set_shown(self, shown: bool) -> None:
        """Show the window on the canvas (Precise Edit) or not (the other models); kept either way."""
        self._shown = shown
        if not shown:
            self.set_active(False)
        self.action.setEnabled(shown)
        self._redraw()

    def window(self) -> ContextWindow | None:
        return self._window

    def set_window(self, window: ContextWindow | None) -> None:
        if window == self._window:
            return
        self._window = window
        self._redraw()
        self.changed.emit()

    def broken(self) -> Rule | None:
        """The rule the window breaks on the canvas's image, or None (also with no window)."""
        if self._window is None or not self._canvas.has_image():
            return None
        size = self._canvas.image_size()
        return broken_rule(self._window, size.width(), size.height())

    def is_active(self) -> bool:
        return self._active

    def set_active(self, active: bool) -> None:
        if active == self._active:
            return
        self._active = active
        self.action.setChecked(active)
        self._drag = None
        self._set_cursor(Qt.CursorShape.CrossCursor)  # (the brushes' cursor too)
        self.active_changed.emit(active)

    def label_text(self) -> str:
        return self._label.text()

    def is_drawn_as_error(self) -> bool:
        return self._window is not None and self._frame.isVisible() and self._frame.pen().color() == theme.color(
            "error"
        )

    # ---- drawing ---------------------------------------------------------------------------
    def _redraw(self, *_args: object) -> None:
        win = self._window
        if win is None or not self._shown or not self._canvas.has_image():
            self._shade.hide()
            self._frame.hide()
            return
        size = self._canvas.image_size()
        rect = QRectF(win.x_min, win.y_min, win.width, win.height)
        broken = broken_rule(win, size.width(), size.height())
        colour = theme.color("error") if broken is not None else theme.color("ring_light")
        pen = QPen(colour, 3 if broken is not None else 2)
        pen.setCosmetic(True)
        if broken is None:
            pen.setStyle(Qt.PenStyle.DashLine)
        self._frame.setPen(pen)
        self._frame.setRect(rect)
        shade = QPainterPath()
        shade.setFillRule(Qt.FillRule.OddEvenFill)
        shade.addRect(QRectF(0, 0, size.width(), size.height()))
        shade.addRect(rect)
        self._shade.setPath(shade)
        self._shade.setBrush(QBrush(QColor(theme.color("divider_shadow"))))
        text = f"{win.width}×{win.height}" if broken is None else f"Breaks: {broken.name}"
        self._label.set_text(text, broken is not None)
        self._label.setPos(rect.topLeft())
        self._shade.show()
        self._frame.show()

    # ---- mouse -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._active or not self._canvas.has_image() or not isinstance(event, QMouseEvent):
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            if self._canvas._is_pan_button(event.button()):  # Space + drag still pans (the view's own rule)
                return False
            self._press(event.position())
            return True
        if kind == QEvent.Type.MouseMove:
            if self._drag is not None and event.buttons() & Qt.MouseButton.LeftButton:
                self._move(event.position())
                return True
            if not event.buttons():
                self._hover(event.position())
                return True
            return False
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton and self._drag:
            self._move(event.position())
            self._drag = None
            self.changed.emit()
            return True
        return False

    def _corner_at(self, pos: QPointF) -> str | None:
        win = self._window
        if win is None:
            return None
        corners = {"tl": (win.x_min, win.y_min), "tr": (win.x_max, win.y_min), "bl": (win.x_min, win.y_max),
                   "br": (win.x_max, win.y_max)}  # fmt: skip
        for name, (x, y) in corners.items():
            at = self._canvas.map_from_image(QPointF(x, y))
            if abs(at.x() - pos.x()) <= HANDLE_PX and abs(at.y() - pos.y()) <= HANDLE_PX:
                return name
        return None

    def _inside(self, image_pos: QPointF) -> bool:
        win = self._window
        return win is not None and win.x_min <= image_pos.x() <= win.x_max and win.y_min <= image_pos.y() <= win.y_max

    def _press(self, pos: QPointF) -> None:
        at = self._clamped(self._canvas.map_to_image(pos))
        corner = self._corner_at(pos)
        self._start = self._window
        if corner is not None and self._window is not None:
            win = self._window
            opposite = {"tl": (win.x_max, win.y_max), "tr": (win.x_min, win.y_max), "bl": (win.x_max, win.y_min),
                        "br": (win.x_min, win.y_min)}[corner]  # fmt: skip
            self._drag, self._anchor = corner, QPointF(*opposite)
        elif self._inside(at):
            self._drag, self._anchor = "move", at
        else:
            self._drag, self._anchor = "new", at
            self._window = ContextWindow.from_corners(at.x(), at.y(), at.x(), at.y())
            self._redraw()

    def _move(self, pos: QPointF) -> None:
        at = self._clamped(self._canvas.map_to_image(pos))
        if self._drag == "move" and self._start is not None:
            size = self._canvas.image_size()
            start = self._start
            dx = min(max(round(at.x() - self._anchor.x()), -start.x_min), size.width() - start.x_max)
            dy = min(max(round(at.y() - self._anchor.y()), -start.y_min), size.height() - start.y_max)
            self._window = ContextWindow(start.y_min + dy, start.x_min + dx, start.y_max + dy, start.x_max + dx)
        else:
            self._window = ContextWindow.from_corners(self._anchor.x(), self._anchor.y(), at.x(), at.y())
        self._redraw()

    def _hover(self, pos: QPointF) -> None:
        corner = self._corner_at(pos)
        if corner in ("tl", "br"):
            self._set_cursor(Qt.CursorShape.SizeFDiagCursor)
        elif corner in ("tr", "bl"):
            self._set_cursor(Qt.CursorShape.SizeBDiagCursor)
        elif self._inside(self._canvas.map_to_image(pos)):
            self._set_cursor(Qt.CursorShape.SizeAllCursor)
        else:
            self._set_cursor(Qt.CursorShape.CrossCursor)

    def _set_cursor(self, shape: Qt.CursorShape) -> None:
        self._canvas.viewport().setCursor(shape)

    def _clamped(self, p: QPointF) -> QPointF:
        size = self._canvas.image_size()
        return QPointF(min(max(p.x(), 0.0), size.width()), min(max(p.y(), 0.0), size.height()))
