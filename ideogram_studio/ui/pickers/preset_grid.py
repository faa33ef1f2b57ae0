"""The preset grid: a QListView in icon mode (never a widget per preset) painted by one delegate:
rounded preview, name below, a tick circle for comparison at the preview's corner.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ..common import theme
from .preset_model import CurrentRole, as_check_state
from .preset_previews import TILE


class PresetTileDelegate(QStyledItemDelegate):
    """Paints a tile: rounded preview, name below, tick circle at the preview's corner."""

    CHECK = 20

    def __init__(self, tile: int = TILE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tile = tile
        self.show_all_checks = False

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(self._tile + 20, self._tile + 14 + 2 * line)

    def image_rect(self, rect: QRect) -> QRect:
        return QRect(rect.x() + (rect.width() - self._tile) // 2, rect.y() + 6, self._tile, self._tile)

    def check_rect(self, rect: QRect) -> QRect:
        image = self.image_rect(rect)
        return QRect(image.right() - self.CHECK - 3, image.top() + 4, self.CHECK, self.CHECK)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal: QPalette = option.palette
        highlight = pal.color(QPalette.ColorRole.Highlight)
        rect = option.rect.adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        current = bool(index.data(CurrentRole))
        if selected or hover:
            bg = QColor(highlight)
            bg.setAlpha(55 if selected else 25)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(QRectF(rect), 8, 8)

        image_rect = self.image_rect(option.rect)
        path = QPainterPath()
        path.addRoundedRect(QRectF(image_rect), 8, 8)
        pix = index.data(Qt.ItemDataRole.DecorationRole)
        painter.save()
        painter.setClipPath(path)
        if isinstance(pix, QPixmap):
            painter.drawPixmap(image_rect, pix)
        painter.restore()
        if current:
            painter.setPen(QPen(highlight, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(image_rect).adjusted(-1.5, -1.5, 1.5, 1.5), 9, 9)
        else:
            painter.setPen(QPen(theme.color("outline"), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)

        text_rect = QRect(
            rect.x() + 2, image_rect.bottom() + 5, rect.width() - 4, rect.bottom() - image_rect.bottom() - 5
        )
        font = QFont(option.font)
        if current:
            font.setBold(True)
        painter.setFont(font)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap), name
        )

        state = index.data(Qt.ItemDataRole.CheckStateRole)
        if state is not None:
            checked = as_check_state(state) == Qt.CheckState.Checked
            if checked or hover or self.show_all_checks:
                cr = QRectF(self.check_rect(option.rect))
                if checked:
                    painter.setPen(QPen(theme.color("on_accent"), 1.5))
                    painter.setBrush(highlight)
                else:
                    painter.setPen(QPen(theme.color("ring_dark"), 1.5))  # over the preview picture
                    painter.setBrush(theme.color("ring_light"))
                painter.drawEllipse(cr)
                if checked:
                    tick = QPen(theme.color("on_accent"), 2.2)
                    tick.setCapStyle(Qt.PenCapStyle.RoundCap)
                    painter.setPen(tick)
                    x, y, s = cr.x(), cr.y(), cr.width()
                    painter.drawPolyline(
                        [
                            QPoint(int(x + s * 0.28), int(y + s * 0.52)),
                            QPoint(int(x + s * 0.44), int(y + s * 0.68)),
                            QPoint(int(x + s * 0.73), int(y + s * 0.34)),
                        ]
                    )
        painter.restore()


class PresetTileView(QListView):
    """Icon grid. A click or Enter on a tile chooses it (`choose_requested`, once per gesture);
    a click on its circle, or Space, ticks it for comparison instead."""

    choose_requested = Signal(QModelIndex)

    def __init__(self, delegate: PresetTileDelegate, wrapping: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._delegate = delegate
        self._ate_press = False
        self.setItemDelegate(delegate)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setWrapping(wrapping)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setSpacing(2)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Not `activated`: on some styles it fires on the same single click as `clicked`.
        self.clicked.connect(self.choose_requested)

    def toggle_check(self, index: QModelIndex) -> bool:
        if not index.isValid() or not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return False
        state = as_check_state(index.data(Qt.ItemDataRole.CheckStateRole))
        new = Qt.CheckState.Unchecked if state == Qt.CheckState.Checked else Qt.CheckState.Checked
        return self.model().setData(index, new, Qt.ItemDataRole.CheckStateRole)

    def _check_hit(self, pos: QPoint) -> QModelIndex | None:
        index = self.indexAt(pos)
        if not index.isValid() or not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return None
        hit = self._delegate.check_rect(self.visualRect(index)).adjusted(-3, -3, 3, 3)
        return index if hit.contains(pos) else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._check_hit(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.toggle_check(index)
            self._ate_press = True
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._check_hit(event.position().toPoint()) is not None:
            self.mousePressEvent(event)
            return
        super().mouseDoubleClickEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._ate_press:
            self._ate_press = False
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and self.toggle_check(self.currentIndex()):
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.choose_requested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)
