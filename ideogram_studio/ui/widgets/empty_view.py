"""The result viewer's empty state ("Results appear here"), drawn by the viewer and by its stand-in.

The stand-in shows it while the studio starts: the real viewer (a QGraphicsView, ~15 ms of
imports, Qt's enums and set-up) is made when the services attach (MainWindow.attach), after the
prompt takes typing. Both draw with `draw_empty`, so nothing changes on screen when one replaces
the other.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

#: The viewer's smallest size (the stand-in's too).
MIN_SIZE = (160, 120)


def backdrop(palette: QPalette) -> QColor:
    """A neutral backdrop a little darker than the window: no colour cast next to the image."""
    window = palette.color(QPalette.ColorRole.Window)
    grey = round(window.lightness() * 0.9) if window.lightness() > 128 else round(window.lightness() * 0.75)
    return QColor(grey, grey, grey)


def muted(palette: QPalette, back: QColor, amount: float) -> QColor:
    """The window's text colour moved `amount` (0..1) of the way towards the backdrop."""
    fg = palette.color(QPalette.ColorRole.WindowText)
    return QColor(
        round(fg.red() + (back.red() - fg.red()) * amount),
        round(fg.green() + (back.green() - fg.green()) * amount),
        round(fg.blue() + (back.blue() - fg.blue()) * amount),
    )


def draw_empty(painter: QPainter, area: QRectF, font: QFont, palette: QPalette, title: str, hint: str) -> None:
    """A picture glyph (frame, mountain, sun), the title and the hint, centred in `area`."""
    back = backdrop(palette)
    c = area.center()
    w, h = 64.0, 48.0
    frame = QRectF(c.x() - w / 2, c.y() - h - 22, w, h)
    painter.setPen(QPen(muted(palette, back, 0.6), 2))
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

    title_font = QFont(font)
    title_font.setPointSizeF(font.pointSizeF() * 1.35)
    title_font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(title_font)
    painter.setPen(muted(palette, back, 0.3))
    title_rect = QRectF(area.left() + 12, c.y() - 10, area.width() - 24, painter.fontMetrics().height() + 4)
    painter.drawText(title_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, title)
    if hint:
        painter.setFont(font)
        painter.setPen(muted(palette, back, 0.5))
        hint_rect = QRectF(area.left() + 12, title_rect.bottom() + 4, area.width() - 24, 40)
        painter.drawText(hint_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, hint)


class EmptyViewer(QWidget):
    """The empty viewer's look and text, until the real viewer is made (see the module's note)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewer-stand-in")
        self.setMinimumSize(*MIN_SIZE)
        self._title, self._hint = "Results appear here", ""

    def set_empty_text(self, title: str, hint: str = "") -> None:
        self._title, self._hint = title, hint
        self.update()

    def empty_text(self) -> tuple[str, str]:
        return self._title, self._hint

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), backdrop(self.palette()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        draw_empty(painter, QRectF(self.rect()), self.font(), self.palette(), self._title, self._hint)
        painter.end()
