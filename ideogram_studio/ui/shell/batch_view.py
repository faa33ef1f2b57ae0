"""Results as a designer sorts them (issue 14): a batch shows as a grid in the centre, one image opens
large, and a new result never takes the image the designer is looking at away.

- A job's results (4 or 8 images; a batch run's images) are one *batch*. While the designer follows
  the newest results, a new batch shows as a grid that fills as its images arrive (a one-image batch
  shows large, as before). Click, Enter or a double-click opens one large; Esc or "Back to the
  batch" returns to the grid.
- While the designer looks at something else (an image they opened, an older batch), new results go
  to the strip only and a quiet "n new results" button says so; it shows them.
- Left / Right step through the results in the viewer: through the batch of the image shown, else
  through the strip. Only while the image has the focus (never while typing in a field).

`ResultArea` is the centre's result page (the grid and the viewer, one at a time, with the two
buttons over them); the window hands it the controller's arrivals and shows.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QMargins,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QMouseEvent, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QListView,
    QStackedWidget,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..common.thumbnail_loader import ThumbnailCache
from ..common.untrusted import tooltip
from ..widgets.viewer import ImageViewer
from .results_strip import FAVOURITE_ROLE, HASH_ROLE, MARK_ROLE, ThumbDelegate

#: Batches remembered for "Back to the batch" and stepping (the newest ones).
KEEP_BATCHES = 30
#: Space between the grid's cells (logical px).
GRID_GAP = 8


@dataclass
class Batch:
    key: str
    #: Images expected (0: unknown, the batch grows as results arrive).
    expected: int
    hashes: list[str] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)
    #: Each result's place: (batch row, place in the service's answer). The grid lists results in
    #: this order, not as their downloads finish, so "the third one" stays the third one.
    places: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The designer chose a cell of this batch's grid (moved to it, clicked it, opened one): the
    #: grid's current image stays theirs. Until then it is the first cell, whatever arrives first.
    chosen: bool = False

    def add(self, image_hash: str, caption: str, place: tuple[int, int]) -> None:
        self.captions[image_hash] = caption
        self.places[image_hash] = place
        at = bisect.bisect_right([self.places.get(h, place) for h in self.hashes], place)
        self.hashes.insert(at, image_hash)


def grid_columns(count: int) -> int:
    """Columns of a batch's grid: 2 × 2 for four, 4 × 2 for eight, a row for two or three."""
    if count <= 3:
        return max(1, count)
    if count == 4:
        return 2
    return 4 if count <= 8 else 5


class BatchModel(QAbstractListModel):
    """One batch's images, in the order the service made them; rows not arrived yet are empty."""

    def __init__(self, thumbnails: ThumbnailCache, parent: Any = None) -> None:
        super().__init__(parent)
        self._batch: Batch | None = None
        #: Rows the views know of (the batch may have grown since: see batch_changed()).
        self._rows = 0
        self._marks: dict[str, tuple[int, int]] = {}
        self._favourites: set[str] = set()
        self._thumbs = thumbnails
        thumbnails.ready.connect(self._on_thumbnail)

    def batch(self) -> Batch | None:
        return self._batch

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._batch is None else self._rows

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._batch is None:
            return None
        hashes = self._batch.hashes
        image_hash = hashes[index.row()] if index.row() < len(hashes) else None
        if image_hash is None:
            return "Rendering…" if role == Qt.ItemDataRole.DisplayRole else None
        if role == HASH_ROLE:
            return image_hash
        if role == MARK_ROLE:
            return self._marks.get(image_hash, (0, 0))
        if role == FAVOURITE_ROLE:
            return image_hash in self._favourites
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.pixmap(image_hash)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(self._batch.captions.get(image_hash, ""))
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if index.data(HASH_ROLE):
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        return Qt.ItemFlag.NoItemFlags

    def show_batch(self, batch: Batch | None) -> None:
        self.beginResetModel()
        self._batch = batch
        self._rows = max(len(batch.hashes), batch.expected) if batch is not None else 0
        self.endResetModel()

    def batch_changed(self) -> None:
        """The shown batch got or lost an image: rows inserted or removed at its end, the rest
        repainted (never a reset: the grid keeps its current image)."""
        if self._batch is None:
            return
        new = max(len(self._batch.hashes), self._batch.expected)
        if new > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, new - 1)
            self._rows = new
            self.endInsertRows()
        elif new < self._rows:
            self.beginRemoveRows(QModelIndex(), new, self._rows - 1)
            self._rows = new
            self.endRemoveRows()
        if new:
            self.dataChanged.emit(self.index(0), self.index(new - 1))

    def set_mark(self, image_hash: str, flag: int, stars: int, favourite: bool = False) -> None:
        self._marks[image_hash] = (flag, stars)
        (self._favourites.add if favourite else self._favourites.discard)(image_hash)
        self._changed(image_hash, MARK_ROLE)

    def row_of(self, image_hash: str) -> int:
        return self._batch.hashes.index(image_hash) if self._batch and image_hash in self._batch.hashes else -1

    def _on_thumbnail(self, image_hash: str) -> None:
        self._changed(image_hash, Qt.ItemDataRole.DecorationRole)

    def _changed(self, image_hash: str, role: int) -> None:
        row = self.row_of(image_hash)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index, [role])


class _CellDelegate(ThumbDelegate):
    """The strip's thumbnail painting (marks included), at the grid's cell size, with a word for an
    image still on its way."""

    def __init__(self, grid: BatchGrid) -> None:
        super().__init__(0, grid)
        self._grid = grid

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self._grid.cell_size()

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        if not index.data(HASH_ROLE):
            painter.save()
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(option.rect, Qt.AlignmentFlag.AlignCenter, str(index.data() or ""))
            painter.restore()


class BatchGrid(QListView):
    """The batch's images as large cells filling the centre; `opened(hash)` on click, Enter or a
    double-click; `chosen` when the designer moves the current cell (keys) or presses on one."""

    opened = Signal(str)
    chosen = Signal()
    #: A drag starts on a cell (hash, where): the window makes the drag (file + image data).
    drag_requested = Signal(str)

    def __init__(self, model: BatchModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch-grid")
        self.setModel(model)
        self._model = model
        self._cell = QSize(256, 256)
        self.setItemDelegate(_CellDelegate(self))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        # The cells always fit (their size follows the widget's): never a scroll bar.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setToolTip("")
        self.clicked.connect(self._open)
        self.activated.connect(self._open)  # Enter (and a double-click where the style says so)
        self.doubleClicked.connect(self._open)
        model.modelReset.connect(self._relayout)
        model.rowsInserted.connect(self._relayout)
        model.rowsRemoved.connect(self._relayout)

    def cell_size(self) -> QSize:
        return self._cell

    def current_hash(self) -> str | None:
        value = self.currentIndex().data(HASH_ROLE) if self.currentIndex().isValid() else None
        return str(value) if value else None

    def select_hash(self, image_hash: str) -> None:
        row = self._model.row_of(image_hash)
        if row >= 0:
            self.setCurrentIndex(self._model.index(row))

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        image_hash = self.current_hash()
        if image_hash:
            self.drag_requested.emit(image_hash)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    # (the designer's choices, told apart from the current cell the area places as results arrive)
    def keyPressEvent(self, event: QKeyEvent) -> None:
        before = self.currentIndex()
        super().keyPressEvent(event)
        if self.currentIndex() != before:
            self.chosen.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        if self.indexAt(event.position().toPoint()).isValid():
            self.chosen.emit()

    def _relayout(self) -> None:
        """Cells as large as the centre allows for the batch's rows and columns, the grid centred
        (by the viewport's margins, from the whole widget's size: the margins never feed back)."""
        count = max(1, self._model.rowCount())
        columns = grid_columns(count)
        rows = -(-count // columns)
        area = self.contentsRect().size()
        side = min((area.width() - 2 * GRID_GAP) // columns, (area.height() - 2 * GRID_GAP) // rows) - GRID_GAP
        self._cell = QSize(max(64, side), max(64, side))
        step = self._cell.width() + GRID_GAP
        self.setGridSize(QSize(step, step))
        left = max(0, (area.width() - columns * step) // 2)
        top = max(0, (area.height() - rows * step) // 2)
        # (the right and bottom margins leave the layout a little slack, so it never wraps early)
        if self.viewportMargins() != QMargins(left, top, max(0, left - GRID_GAP), 0):
            self.setViewportMargins(left, top, max(0, left - GRID_GAP), 0)
        self.doItemsLayout()

    def _open(self, index: QModelIndex) -> None:
        image_hash = index.data(HASH_ROLE)
        if image_hash:
            self.opened.emit(str(image_hash))


class ResultArea(QWidget):
    """The centre's result page: a batch's grid or one image in the viewer, "Back to the batch" and
    "n new results" over them. The window feeds it `result_arrived()` (every stored result) and
    `image_shown()` (the viewer got an image); it asks for images with `show_image(hash)`."""

    #: The designer went to another result: show this hash large (the controller loads it).
    show_requested = Signal(str)

    def __init__(
        self,
        viewer: ImageViewer,
        thumbnails: ThumbnailCache,
        strip_hashes: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("result-area")
        self.viewer = viewer
        self._strip_hashes = strip_hashes
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._batch_of: dict[str, str] = {}  # hash → batch key
        self._latest_key: str | None = None
        self._latest_hash: str | None = None
        self._shown_hash: str | None = None
        self._unseen: list[str] = []
        self.model = BatchModel(thumbnails, self)
        self.grid = BatchGrid(self.model, self)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(viewer)
        self._stack.addWidget(self.grid)
        self._stack.setCurrentWidget(viewer)
        #: What showed before show_page() (the viewer or the grid).
        self._before_page: QWidget = viewer
        self._match_backdrop()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        self.new_button = QToolButton(self)
        self.new_button.setObjectName("new-results")
        self.new_button.setToolTip("Show the newest results (what you look at stays in the strip)")
        self.new_button.clicked.connect(self.show_latest)
        self.new_button.hide()
        self.back_action = QAction("Back to the batch", self)
        self.back_action.setShortcuts([QKeySequence(Qt.Key.Key_Escape)])
        self.back_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.back_action.setToolTip("Back to the batch's grid (Esc)")
        self.back_action.triggered.connect(self.back_to_batch)
        viewer.addAction(self.back_action)
        self.back_button = QToolButton(self)
        self.back_button.setObjectName("back-to-batch")
        self.back_button.setDefaultAction(self.back_action)
        self.back_button.setText("‹ Batch")
        self.back_button.hide()
        self.step_actions = [
            self._step_action("Next result", Qt.Key.Key_Right, 1),
            self._step_action("Previous result", Qt.Key.Key_Left, -1),
        ]
        self.grid.opened.connect(self._open_from_grid)
        self.grid.chosen.connect(self._on_chosen)

    # ---- what the window tells ---------------------------------------------------------------------
    def result_arrived(
        self, image_hash: str, caption: str, key: str, expected: int, place: object = None
    ) -> bool:
        """A result was stored: into its batch, at its `place` ((batch row, place in the service's
        answer); None: after the others); shown if the designer follows the newest results, else
        counted on the "n new results" button. True when a new batch's grid was shown."""
        following = self.is_following()
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = Batch(key, expected)
            while len(self._batches) > KEEP_BATCHES:
                old = self._batches.popitem(last=False)[1]
                for h in old.hashes:
                    self._batch_of.pop(h, None)
        current = self.grid.current_hash() if self.model.batch() is batch else None
        if image_hash not in batch.captions:
            last = (max(batch.places.values(), default=(0, -1))[0], len(batch.hashes))
            batch.add(image_hash, caption, place if isinstance(place, tuple) else last)
            self._batch_of[image_hash] = key
        self._latest_key, self._latest_hash = key, image_hash
        looking_at_it = self._looked_at_key() == key
        if self.model.batch() is batch:
            self.model.batch_changed()
            if current is not None and batch.chosen:  # an earlier result went in before it: the choice stays
                self.grid.select_hash(current)
            elif current is not None or self.showing_grid():  # not chosen yet: the first cell, as it fills
                self.grid.setCurrentIndex(self.model.index(0))
        if looking_at_it and self.showing_grid():
            return False
        if following or (looking_at_it and self._shown_hash is None and not self.showing_page()):
            self._unseen.clear()
            self.show_latest()
            return self.showing_grid()
        if not looking_at_it:
            self._unseen.append(image_hash)
        self._update_buttons()
        return False

    def image_shown(self, image_hash: str) -> None:
        """The viewer shows this image now (whoever asked)."""
        self._shown_hash = image_hash
        self._stack.setCurrentWidget(self.viewer)
        if image_hash in self._unseen or self._batch_of.get(image_hash) == self._latest_key:
            self._unseen.clear()
        self._update_buttons()

    # ---- what the designer does --------------------------------------------------------------------
    def show_latest(self) -> None:
        """The newest batch: its grid (several images) or its image."""
        self._unseen.clear()
        batch = self._batches.get(self._latest_key or "")
        if batch is None:
            self._update_buttons()
            return
        if max(batch.expected, len(batch.hashes)) > 1:
            self.show_grid(batch.key)
        else:
            self.show_requested.emit(batch.hashes[-1])
        self._update_buttons()

    def show_grid(self, key: str) -> None:
        batch = self._batches.get(key)
        if batch is None:
            return
        if self.model.batch() is not batch:
            self.model.show_batch(batch)
        self._stack.setCurrentWidget(self.grid)
        if self._shown_hash and self._batch_of.get(self._shown_hash) == key:
            self.grid.select_hash(self._shown_hash)  # back from the image the designer had open: theirs
            batch.chosen = True
        elif self.grid.current_hash() is None and batch.hashes:
            self.grid.setCurrentIndex(self.model.index(0))
        self._shown_hash = None
        if key == self._latest_key:
            self._unseen.clear()
        self._update_buttons()
        self.grid.setFocus()

    def back_to_batch(self) -> bool:
        """Esc in the viewer: back to the grid of the batch of the image shown (if it has one)."""
        key = self._batch_of.get(self._shown_hash or "")
        batch = self._batches.get(key or "")
        if batch is None or max(batch.expected, len(batch.hashes)) < 2:
            return False
        self.show_grid(batch.key)
        return True

    def step(self, delta: int) -> str | None:
        """Left / Right in the viewer: the previous or next result (the batch's, else the strip's)."""
        if self._shown_hash is None:
            return None
        key = self._batch_of.get(self._shown_hash)
        batch = self._batches.get(key or "")
        order = batch.hashes if batch is not None and len(batch.hashes) > 1 else self._strip_hashes()
        if self._shown_hash not in order:
            return None
        at = order.index(self._shown_hash) + delta
        if not 0 <= at < len(order):
            return None
        self.show_requested.emit(order[at])
        return order[at]

    def show_page(self, page: QWidget) -> None:
        """Another page over the results (two images compared); `leave_page()` comes back to the
        grid or the image that showed. New results meanwhile wait on the "n new results" button."""
        if self._stack.indexOf(page) < 0:
            self._stack.addWidget(page)
        if not self.showing_page():
            self._before_page = self._stack.currentWidget() or self.viewer
        self._stack.setCurrentWidget(page)
        self._update_buttons()

    def leave_page(self) -> None:
        if self.showing_page():
            self._stack.setCurrentWidget(self._before_page)
            self._update_buttons()

    def showing_page(self) -> bool:
        """Whether a page other than the grid and the viewer shows (see show_page())."""
        return self._stack.currentWidget() not in (self.viewer, self.grid)

    # ---- state -------------------------------------------------------------------------------------
    def showing_grid(self) -> bool:
        return self._stack.currentWidget() is self.grid

    def shown_hash(self) -> str | None:
        """The image shown large (None while the grid shows)."""
        return None if self.showing_grid() else self._shown_hash

    def current_hash(self) -> str | None:
        """What culling keys and menus act on: the grid's current image, else the image shown."""
        return self.grid.current_hash() if self.showing_grid() else self._shown_hash

    def unseen_count(self) -> int:
        return len(self._unseen)

    def batch_hashes(self, image_hash: str | None = None) -> list[str]:
        """The results of the batch being looked at (or of `image_hash`'s batch); [] when unknown."""
        key = self._batch_of.get(image_hash) if image_hash else self._looked_at_key()
        batch = self._batches.get(key or "")
        return list(batch.hashes) if batch is not None else []

    def forget(self, hashes: list[str]) -> None:
        """Results moved to the trash leave their batch and the grid."""
        gone = set(hashes)
        for batch in self._batches.values():
            if gone & set(batch.hashes):
                batch.hashes = [h for h in batch.hashes if h not in gone]
                batch.expected = min(batch.expected, len(batch.hashes))
                if self.model.batch() is batch:
                    self.model.batch_changed()
        self._unseen = [h for h in self._unseen if h not in gone]
        self._update_buttons()

    def bring_back(self, hashes: list[str]) -> None:
        """Undo of a trash: the results go back into the batches they came from."""
        for image_hash in hashes:
            key = self._batch_of.get(image_hash)
            batch = self._batches.get(key or "")
            if batch is not None and image_hash not in batch.hashes:
                batch.add(image_hash, batch.captions.get(image_hash, ""), batch.places.get(image_hash, (0, 0)))
                batch.expected = max(batch.expected, len(batch.hashes))
                if self.model.batch() is batch:
                    self.model.batch_changed()

    def is_following(self) -> bool:
        """Whether the designer looks at the newest results (a new one may then be shown): nothing
        shown yet, the newest batch's grid, or the newest result of a one-image batch."""
        if self.showing_page():
            return False
        if self.showing_grid():
            return self.model.batch() is not None and self.model.batch().key == self._latest_key  # type: ignore[union-attr]
        if self._shown_hash is None or not self.viewer.has_image():
            return True
        batch = self._batches.get(self._latest_key or "")
        single = batch is not None and max(batch.expected, len(batch.hashes)) <= 1
        return single and self._shown_hash == self._latest_hash

    def _looked_at_key(self) -> str | None:
        if self.showing_grid():
            batch = self.model.batch()
            return batch.key if batch is not None else None
        return self._batch_of.get(self._shown_hash or "")

    def _open_from_grid(self, image_hash: str) -> None:
        self._on_chosen()
        self.show_requested.emit(image_hash)

    def _on_chosen(self) -> None:
        batch = self.model.batch()
        if batch is not None:
            batch.chosen = True

    def _step_action(self, text: str, key: Qt.Key, delta: int) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(key)])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: self.step(delta))
        self.viewer.addAction(action)
        return action

    def _update_buttons(self) -> None:
        count = len(self._unseen)
        self.new_button.setText(f"{count} new result{'s' if count != 1 else ''}")
        self.new_button.setVisible(count > 0)
        self.back_button.setVisible(not self.showing_grid() and not self.showing_page() and self.back_action_applies())
        self._place_buttons()

    def back_action_applies(self) -> bool:
        key = self._batch_of.get(self._shown_hash or "")
        batch = self._batches.get(key or "")
        return batch is not None and max(batch.expected, len(batch.hashes)) > 1

    def _place_buttons(self) -> None:
        for button in (self.new_button, self.back_button):
            button.adjustSize()
        self.new_button.move(QPoint((self.width() - self.new_button.width()) // 2, 8))
        self.back_button.move(QPoint(8, 8))
        self.new_button.raise_()
        self.back_button.raise_()

    def _match_backdrop(self) -> None:
        """The grid on the viewer's neutral backdrop (no colour cast next to the images)."""
        palette = self.grid.palette()
        palette.setColor(QPalette.ColorRole.Base, self.viewer.backgroundBrush().color())
        self.grid.setPalette(palette)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange:  # a theme switch: the viewer's backdrop changed
            self._match_backdrop()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_buttons()
