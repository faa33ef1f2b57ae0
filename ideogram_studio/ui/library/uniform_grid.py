"""A grid of equal cells over a flat list model, laid out by arithmetic.

QListView (IconMode or wrapping ListMode) lays out every row of its model on each reset, insert
and resize: at a million rows that is a second or two of the GUI thread per search, and tens of
megabytes of per-item geometry. Here row `r` sits in column `r % columns`, line `r // columns`:
geometry, hit tests and paints cost what the viewport shows, whatever the row count.

It keeps QListView's behaviour where the library relies on it: ExtendedSelection with a rubber
band (rectangle) and shift-click / shift-arrow ranges (continuous from the anchor), the
keyboard's moves, scrollTo hints and drag from the selection. Type-to-find is off (it would ask
every row's caption).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QRegion, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QRubberBand, QStyle, QStyleOptionViewItem, QWidget

_Hint = QAbstractItemView.ScrollHint
_Move = QAbstractItemView.CursorAction


class UniformGrid(QAbstractItemView):
    """See the module doc. `setGridSize` sets the cell; rows fill the viewport's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cell = QSize(100, 100)
        self._band: QRubberBand | None = None
        self._band_origin = QPoint()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    # ---- geometry ---------------------------------------------------------------------------------
    def gridSize(self) -> QSize:
        return QSize(self._cell)

    def setGridSize(self, size: QSize) -> None:
        if size.width() > 0 and size.height() > 0 and size != self._cell:
            self._cell = QSize(size)
            self.updateGeometries()
            self.viewport().update()

    def columns(self) -> int:
        return max(1, self.viewport().width() // max(1, self._cell.width()))

    def _count(self) -> int:
        model = self.model()
        return model.rowCount(self.rootIndex()) if model is not None else 0

    def _lines(self) -> int:
        return -(-self._count() // self.columns())

    def _cell_rect(self, row: int) -> QRect:
        """The cell of `row` in content coordinates (scrolled by verticalOffset in the viewport)."""
        cols = self.columns()
        return QRect((row % cols) * self._cell.width(), (row // cols) * self._cell.height(),
                     self._cell.width(), self._cell.height())

    def _row_at(self, x: int, y: int) -> int:
        """The row under a content point, or -1."""
        if x < 0 or y < 0:
            return -1
        col = x // max(1, self._cell.width())
        cols = self.columns()
        if col >= cols:
            return -1
        row = (y // max(1, self._cell.height())) * cols + col
        return row if row < self._count() else -1

    def updateGeometries(self) -> None:
        bar = self.verticalScrollBar()
        height = self._lines() * self._cell.height()
        page = self.viewport().height()
        bar.setRange(0, max(0, height - page))
        bar.setPageStep(max(1, page))
        super().updateGeometries()

    def visualRect(self, index: QModelIndex | QPersistentModelIndex) -> QRect:
        if not index.isValid() or index.parent() != self.rootIndex() or index.row() >= self._count():
            return QRect()
        return self._cell_rect(index.row()).translated(0, -self.verticalOffset())

    def indexAt(self, point: QPoint) -> QModelIndex:
        row = self._row_at(point.x(), point.y() + self.verticalOffset())
        model = self.model()
        return model.index(row, 0, self.rootIndex()) if row >= 0 and model is not None else QModelIndex()

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        return False

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex, hint: _Hint = _Hint.EnsureVisible) -> None:
        if not index.isValid():
            return
        rect = self._cell_rect(index.row())
        bar = self.verticalScrollBar()
        view_h = self.viewport().height()
        top = bar.value()
        if hint == _Hint.PositionAtTop:
            target = rect.top()
        elif hint == _Hint.PositionAtBottom:
            target = rect.bottom() + 1 - view_h
        elif hint == _Hint.PositionAtCenter:
            target = rect.center().y() - view_h // 2
        elif rect.top() < top:
            target = rect.top()
        elif rect.bottom() + 1 > top + view_h:
            target = rect.bottom() + 1 - view_h
        else:
            return
        bar.setValue(target)

    def visible_span(self) -> tuple[int, int] | None:
        """First and last row (partly) in the viewport, or None."""
        n = self._count()
        if n == 0:
            return None
        cols, h = self.columns(), max(1, self._cell.height())
        top = self.verticalOffset()
        first = (top // h) * cols
        last = min(n - 1, ((top + self.viewport().height() - 1) // h + 1) * cols - 1)
        return (first, last) if first <= last else None

    # ---- selection --------------------------------------------------------------------------------
    def moveCursor(self, action: _Move, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        model = self.model()
        n = self._count()
        if model is None or n == 0:
            return QModelIndex()
        current = self.currentIndex()
        row = current.row() if current.isValid() else -1
        cols = self.columns()
        per_page = max(1, self.viewport().height() // max(1, self._cell.height())) * cols
        if row < 0:
            target = 0
        elif action in (_Move.MoveLeft, _Move.MovePrevious):
            target = row - 1
        elif action in (_Move.MoveRight, _Move.MoveNext):
            target = row + 1
        elif action == _Move.MoveUp:
            target = row - cols
        elif action == _Move.MoveDown:
            target = row + cols if row + cols < n else (row if row // cols == (n - 1) // cols else n - 1)
        elif action == _Move.MovePageUp:
            target = row - per_page
        elif action == _Move.MovePageDown:
            target = row + per_page
        elif action == _Move.MoveHome:
            target = 0
        elif action == _Move.MoveEnd:
            target = n - 1
        else:
            target = row
        if action in (_Move.MoveUp, _Move.MovePageUp) and target < 0:
            target = row % cols if action == _Move.MoveUp else 0
        return model.index(max(0, min(n - 1, target)), 0, self.rootIndex())

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:
        """A rubber band selects the cells it touches; a click, a shift-click or a shift-arrow
        selects the continuous run of rows from the first corner's row to the second's (as
        QListView does)."""
        model, selection_model = self.model(), self.selectionModel()
        if model is None or selection_model is None:
            return
        top = self.verticalOffset()
        selection = QItemSelection()
        if self.state() == QAbstractItemView.State.DragSelectingState:
            box = rect.normalized().translated(0, top)
            cols, w, h = self.columns(), max(1, self._cell.width()), max(1, self._cell.height())
            c0, c1 = max(0, box.left() // w), min(cols - 1, box.right() // w)
            l0, l1 = max(0, box.top() // h), box.bottom() // h
            n = self._count()
            if c0 <= c1:
                for line in range(l0, l1 + 1):
                    first, last = line * cols + c0, min(n - 1, line * cols + c1)
                    if first > last:
                        break
                    selection.select(model.index(first, 0, self.rootIndex()), model.index(last, 0, self.rootIndex()))
        else:
            a = self._row_at(rect.left(), rect.top() + top)
            b = self._row_at(rect.right(), rect.bottom() + top)
            if a < 0 and b < 0:
                pass
            else:
                a, b = (b, b) if a < 0 else (a, a) if b < 0 else (a, b)
                first, last = min(a, b), max(a, b)
                selection.select(model.index(first, 0, self.rootIndex()), model.index(last, 0, self.rootIndex()))
        selection_model.select(selection, command)

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:
        """The part of the selection in the viewport (a million selected rows cost a screen)."""
        region = QRegion()
        span = self.visible_span()
        if span is None:
            return region
        first, last = span
        cols = self.columns()
        for i in range(selection.count()):
            rng = selection.at(i)
            lo, hi = max(first, rng.top()), min(last, rng.bottom())
            if lo > hi:
                continue
            line_lo, line_hi = lo // cols, hi // cols
            for line in range(line_lo, line_hi + 1):
                a = lo if line == line_lo else line * cols
                b = hi if line == line_hi else line * cols + cols - 1
                left, right = self._cell_rect(a), self._cell_rect(b)
                region += QRect(left.topLeft(), right.bottomRight()).translated(0, -self.verticalOffset())
        return region

    # ---- painting and events ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        span = self.visible_span()
        model, selection_model = self.model(), self.selectionModel()
        if span is None or model is None or selection_model is None:
            return
        painter = QPainter(self.viewport())
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate = self.itemDelegate()
        current = self.currentIndex()
        focus = self.hasFocus()
        clip = event.rect()
        base_state = option.state
        for row in range(span[0], span[1] + 1):
            rect = self.visualRect(model.index(row, 0, self.rootIndex()))
            if not rect.intersects(clip):
                continue
            index = model.index(row, 0, self.rootIndex())
            option.rect = rect
            state = base_state
            if selection_model.isSelected(index):
                state |= QStyle.StateFlag.State_Selected
            if focus and index == current:
                state |= QStyle.StateFlag.State_HasFocus
            option.state = state
            delegate.paint(painter, option, index)
        painter.end()

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:  # (rowsRemoved is no virtual of the view)
            model.rowsRemoved.connect(self._relayout)
            model.layoutChanged.connect(self._relayout)

    def _relayout(self, *args: object) -> None:
        self.updateGeometries()
        self.viewport().update()

    def rowsInserted(self, parent: QModelIndex | QPersistentModelIndex, start: int, end: int) -> None:
        super().rowsInserted(parent, start, end)
        self.updateGeometries()
        self.viewport().update()

    def rowsAboutToBeRemoved(self, parent: QModelIndex | QPersistentModelIndex, start: int, end: int) -> None:
        super().rowsAboutToBeRemoved(parent, start, end)
        self.viewport().update()

    def reset(self) -> None:
        super().reset()
        self.updateGeometries()
        self.viewport().update()

    def doItemsLayout(self) -> None:
        self.updateGeometries()
        super().doItemsLayout()

    def keyboardSearch(self, search: str) -> None:
        """Off: it would ask for the caption of every row until one matched."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.updateGeometries()

    # A visible rubber band while dragging a selection (QAbstractItemView selects but draws none).
    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self._band_origin = event.position().toPoint() + QPoint(0, self.verticalOffset())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if self.state() == QAbstractItemView.State.DragSelectingState:
            if self._band is None:
                self._band = QRubberBand(QRubberBand.Shape.Rectangle, self.viewport())
            origin = self._band_origin - QPoint(0, self.verticalOffset())
            self._band.setGeometry(QRect(origin, event.position().toPoint()).normalized())
            self._band.show()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self._band is not None:
            self._band.hide()
