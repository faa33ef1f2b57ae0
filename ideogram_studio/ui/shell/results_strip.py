"""The strip of recent results under the viewer: newest first, one click shows a result."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QApplication, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ..common import theme
from ..common.thumbnail_loader import ThumbnailCache
from ..common.untrusted import tooltip

HASH_ROLE = Qt.ItemDataRole.UserRole + 1
#: (flag, stars) of a result: 1 picked, -1 rejected, 0 unflagged; 0–5 stars.
MARK_ROLE = Qt.ItemDataRole.UserRole + 2
#: Whether a result is a favourite.
FAVOURITE_ROLE = Qt.ItemDataRole.UserRole + 3


def marks_text(flag: int, stars: int, favourite: bool) -> str:
    """The culling marks in a few signs: ✓ picked, ✕ rejected, ★ per star, ♥ favourite ("" for none)."""
    return " ".join(
        part for part in ("✓" if flag > 0 else "✕" if flag < 0 else "", "★" * stars, "♥" if favourite else "") if part
    )


class RecentResultsModel(QAbstractListModel):
    def __init__(self, thumbnails: ThumbnailCache, parent: Any = None) -> None:
        super().__init__(parent)
        self._hashes: list[str] = []
        self._captions: dict[str, str] = {}
        self._marks: dict[str, tuple[int, int]] = {}
        self._favourites: set[str] = set()
        self._thumbs = thumbnails
        thumbnails.ready.connect(self._on_thumbnail_ready)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hashes)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        image_hash = self._hashes[index.row()]
        if role == HASH_ROLE:
            return image_hash
        if role == MARK_ROLE:
            return self._marks.get(image_hash, (0, 0))
        if role == FAVOURITE_ROLE:
            return image_hash in self._favourites
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.pixmap(image_hash)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(self._captions.get(image_hash, ""))  # a prompt: never rendered as HTML
        return None

    def set_hashes(self, items: list[tuple[str, str]]) -> None:
        self.beginResetModel()  # only at start-up: later results are inserted, never reset
        self._hashes = [h for h, _ in items]
        self._captions = dict(items)
        self.endResetModel()

    def prepend(self, image_hash: str, caption: str = "") -> None:
        if image_hash in self._captions:
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._hashes.insert(0, image_hash)
        self._captions[image_hash] = caption
        self.endInsertRows()

    def hashes(self) -> list[str]:
        return list(self._hashes)

    def set_mark(self, image_hash: str, flag: int, stars: int, favourite: bool = False) -> None:
        self._marks[image_hash] = (flag, stars)
        (self._favourites.add if favourite else self._favourites.discard)(image_hash)
        if image_hash in self._captions:
            index = self.index(self._hashes.index(image_hash))
            self.dataChanged.emit(index, index, [MARK_ROLE, FAVOURITE_ROLE])

    def remove(self, hashes: list[str]) -> None:
        """Results moved to the trash leave the strip."""
        for image_hash in hashes:
            if image_hash in self._captions:
                row = self._hashes.index(image_hash)
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._hashes[row]
                del self._captions[image_hash]
                self.endRemoveRows()

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def hash_at(self, row: int) -> str | None:
        return self._hashes[row] if 0 <= row < len(self._hashes) else None

    def _on_thumbnail_ready(self, image_hash: str) -> None:
        if image_hash in self._captions:
            row = self._hashes.index(image_hash)
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ThumbDelegate(QStyledItemDelegate):
    def __init__(self, size: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._size = size

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self._size + 8, self._size + 8)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        cell = option.rect.adjusted(4, 4, -4, -4)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        painter.fillRect(cell, option.palette.color(QPalette.ColorRole.AlternateBase))
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(cell.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(cell.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(target, pixmap)
        flag, stars = index.data(MARK_ROLE) or (0, 0)
        favourite = bool(index.data(FAVOURITE_ROLE))
        if flag or stars or favourite:
            # The culling marks in the thumbnail's corner: ✓ picked, ✕ rejected (dimmed), ★ stars, ♥.
            if flag < 0:
                veil = option.palette.color(QPalette.ColorRole.Base)
                veil.setAlphaF(0.55)
                painter.fillRect(cell, veil)
            text = marks_text(flag, stars, favourite)
            fm = painter.fontMetrics()
            badge = QRect(
                cell.left() + 2, cell.bottom() - fm.height() - 2, fm.horizontalAdvance(text) + 8, fm.height() + 2
            )
            painter.fillRect(badge, option.palette.color(QPalette.ColorRole.Window))
            painter.setPen(option.palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        if option.state & QStyle.StateFlag.State_Selected:
            pen_colour = option.palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(QColor(pen_colour))
            painter.drawRect(cell.adjusted(-2, -2, 1, 1))
            painter.drawRect(cell.adjusted(-1, -1, 0, 0))
        painter.restore()


class ResultsStrip(QListView):
    """Horizontal thumbnails; `image_activated(hash)` on click or Enter; `context_menu_requested(hash,
    global position)` on a right-click over a thumbnail (the window builds the menu); `drag_requested
    (hash)` when a thumbnail is dragged (the window makes the drag: result_drag.py). Ctrl+click and
    Shift+click select more than one (two to compare)."""

    image_activated = Signal(str)
    context_menu_requested = Signal(str, QPoint)
    drag_requested = Signal(str)

    #: What an empty strip says (a blank box under the viewer reads as something broken).
    EMPTY_HINT = "Your recent results line up here: click one to show it, drag it out, right-click for more."

    def __init__(self, model: RecentResultsModel, thumb_size: int = 88, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(ThumbDelegate(thumb_size, self))
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(thumb_size + 8 + self.horizontalScrollBar().sizeHint().height() + 6)
        self.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.setToolTip("Recent results: click to show one, drag one out, Ctrl+click two and press C to compare")
        self.clicked.connect(self._emit)
        self.activated.connect(self._emit)
        # Left / Right in the strip step through the results (only keys: a click is handled above).
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        model.rowsInserted.connect(lambda *_: self.scrollToTop())
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(theme.color("muted"))
            area = self.viewport().rect().adjusted(12, 0, -12, 0)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(area, int(flags), self.EMPTY_HINT)
            painter.end()

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        image_hash = index.data(HASH_ROLE) if index.isValid() else None
        if image_hash:
            if self.selectionModel().isSelected(index):  # keep a selection of two (to compare)
                self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            else:
                self.setCurrentIndex(index)
            self.context_menu_requested.emit(image_hash, self.viewport().mapToGlobal(pos))

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        image_hash = self.current_hash()
        if image_hash:
            self.drag_requested.emit(image_hash)

    def selected_hashes(self) -> list[str]:
        """The selected results, in the strip's order (newest first)."""
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes())
        return [str(h) for h in (self.model().index(row, 0).data(HASH_ROLE) for row in rows) if h]

    def current_hash(self) -> str | None:
        index = self.currentIndex()
        value = index.data(HASH_ROLE) if index.isValid() else None
        return str(value) if value else None

    def _on_current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if self.hasFocus() and index.isValid() and not QApplication.mouseButtons():
            self._emit(index)

    def _emit(self, index: QModelIndex) -> None:
        image_hash = index.data(HASH_ROLE)
        if image_hash:
            self.image_activated.emit(image_hash)
