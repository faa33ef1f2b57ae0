"""The library grid: one UniformGrid (cells laid out by arithmetic, so a million rows cost what a
screen costs) painted by one delegate, never a widget per image; and the large preview Space opens.

Thumbnails are asked for when scrolling pauses, nearest to the middle of the viewport first,
then one screen ahead and behind; what scrolled away before it started is dropped (see
ThumbnailCache.want). They are made at `size × devicePixelRatio` device pixels and drawn 1:1.
Keys go through QActions (so menus show them and they can be rebound); a key held down does not
repeat actions that must happen once per press (Delete).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...gallery import ImageRow
from ..common import theme
from ..common.thumbnail_loader import ThumbnailCache
from ..common.untrusted import plain_label
from ..widgets.viewer import ImageViewer
from .grid_model import IDS_MIME, LibraryModel
from .uniform_grid import UniformGrid

MIN_SIZE = 96
MAX_SIZE = 384
DEFAULT_SIZE = 176
PAD = 4
#: Scrolling must pause this long before thumbnails are asked for.
SETTLE_MS = 40

HEART_COLOUR = theme.color("favourite")  # drawn over thumbnails: the same in both themes
STAR_COLOUR = theme.color("rating")


def _heart() -> QPainterPath:
    """A heart in a 1×1 box."""
    p = QPainterPath()
    p.moveTo(0.5, 0.95)
    p.cubicTo(0.1, 0.65, 0.0, 0.45, 0.0, 0.3)
    p.cubicTo(0.0, 0.1, 0.15, 0.0, 0.28, 0.0)
    p.cubicTo(0.4, 0.0, 0.47, 0.08, 0.5, 0.18)
    p.cubicTo(0.53, 0.08, 0.6, 0.0, 0.72, 0.0)
    p.cubicTo(0.85, 0.0, 1.0, 0.1, 1.0, 0.3)
    p.cubicTo(1.0, 0.45, 0.9, 0.65, 0.5, 0.95)
    p.closeSubpath()
    return p


def _star() -> QPainterPath:
    p = QPainterPath()
    for i in range(10):
        r = 0.5 if i % 2 == 0 else 0.21
        a = -math.pi / 2 + i * math.pi / 5
        pt = QPointF(0.5 + r * math.cos(a), 0.52 + r * math.sin(a))
        if i == 0:
            p.moveTo(pt)
        else:
            p.lineTo(pt)
    p.closeSubpath()
    return p


HEART = _heart()
STAR = _star()


class LibraryDelegate(QStyledItemDelegate):
    """Paints one cell: thumbnail (1:1), selection, resolution badge, favourite heart, stars."""

    def __init__(self, model: LibraryModel, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._thumbs = thumbnails
        self._size = DEFAULT_SIZE
        self._width = DEFAULT_SIZE + 2 * PAD
        self._font: QFont | None = None
        self._metrics: QFontMetrics | None = None
        self._badges: dict[tuple[object, ...], QPixmap] = {}
        self.set_palette(QPalette())

    def set_size(self, size: int, width: int | None = None) -> None:
        """Thumbnail size; `width`: the cell's width when the grid spreads its columns."""
        self._size = size
        self._width = max(width or 0, size + 2 * PAD)

    def cell(self) -> QSize:
        """The smallest cell (the thumbnail and its margins)."""
        return QSize(self._size + 2 * PAD, self._size + 2 * PAD)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self._width, self._size + 2 * PAD)

    def _badge_font(self, base: QFont) -> tuple[QFont, QFontMetrics]:
        if self._font is None or self._metrics is None:
            font = QFont(base)
            font.setPointSizeF(max(6.5, base.pointSizeF() * 0.78))
            font.setWeight(QFont.Weight.DemiBold)
            self._font, self._metrics = font, QFontMetrics(font)
        return self._font, self._metrics

    def set_palette(self, palette: QPalette) -> None:
        """Colours used when painting (read once, not per cell: option.palette is a copy each time)."""
        self._base = palette.color(QPalette.ColorRole.AlternateBase)
        self._highlight = palette.color(QPalette.ColorRole.Highlight)
        tint = QColor(self._highlight)
        tint.setAlpha(60)
        self._tint = tint
        pen = QPen(self._highlight, 3)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self._select_pen = pen
        self._focus_pen = QPen(palette.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DotLine)
        self._text = palette.color(QPalette.ColorRole.Text)
        self._badges.clear()

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        rect: QRect = option.rect
        state = option.state
        box = QRect(rect.x() + (rect.width() - self._size) // 2, rect.y() + PAD, self._size, self._size)
        painter.fillRect(box, self._base)
        row = self._model.image(index.row())
        if row is not None:
            pixmap = self._thumbs.peek(row.hash)
            if pixmap is not None and not pixmap.isNull():
                self._draw_pixmap(painter, box, pixmap, self._thumbs.is_current(row.hash))
            elif self._thumbs.failure(row.hash):
                self._draw_missing(painter, box)
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(box, self._tint)
            painter.setPen(self._select_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(box).adjusted(-1.5, -1.5, 1.5, 1.5))
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(self._focus_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(box).adjusted(-3.5, -3.5, 3.5, 3.5))
        if row is not None:
            self._draw_badges(painter, box, row, option.font)

    def _draw_pixmap(self, painter: QPainter, box: QRect, pixmap: QPixmap, current: bool) -> None:
        size = pixmap.deviceIndependentSize()
        w, h = size.width(), size.height()
        if not current or w > box.width() + 0.5 or h > box.height() + 0.5:
            # An older size (the slider moved) or a plain cache: scale to fit until the new one comes.
            scale = min(box.width() / max(1.0, w), box.height() / max(1.0, h))
            w, h = w * scale, h * scale
            target = QRectF(box.x() + (box.width() - w) / 2, box.y() + (box.height() - h) / 2, w, h)
            painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
            return
        painter.drawPixmap(QPointF(round(box.x() + (box.width() - w) / 2), round(box.y() + (box.height() - h) / 2)),
                           pixmap)

    def _draw_missing(self, painter: QPainter, box: QRect) -> None:
        colour = QColor(self._text)
        colour.setAlpha(110)
        painter.setPen(QPen(colour, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        s = min(box.width(), box.height()) // 4
        r = QRect(0, 0, s, s)
        r.moveCenter(box.center())
        painter.drawRect(r)
        painter.drawLine(r.topLeft(), r.bottomRight())
        if box.width() >= 120:
            painter.drawText(box.adjusted(4, s // 2 + box.height() // 2, -4, -4),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "No preview")

    def _draw_badges(self, painter: QPainter, box: QRect, row: ImageRow, base_font: QFont) -> None:
        """Resolution, heart and stars: small pixmaps made once per look and blitted (drawing
        antialiased paths and text for every cell of every frame would dominate scrolling)."""
        small = self._size < 128
        dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        if not small:
            badge = self._badge(("res", row.width, row.height, dpr), base_font, dpr)
            h = badge.deviceIndependentSize().height()
            painter.drawPixmap(QPointF(box.x() + 4, box.bottom() - 3 - h), badge)
        if row.favourite:
            heart = self._badge(("heart", small, dpr), base_font, dpr)
            w = heart.deviceIndependentSize().width()
            painter.drawPixmap(QPointF(box.right() - w - 4, box.y() + 4), heart)
        if row.rating > 0:
            stars = self._badge(("stars", min(5, row.rating), small, dpr), base_font, dpr)
            size = stars.deviceIndependentSize()
            painter.drawPixmap(QPointF(box.right() - 3 - size.width(), box.bottom() - 3 - size.height()), stars)

    def _badge(self, key: tuple[object, ...], base_font: QFont, dpr: float) -> QPixmap:
        pixmap = self._badges.get(key)
        if pixmap is None:
            if len(self._badges) > 512:  # many image sizes (imports): start over
                self._badges.clear()
            pixmap = self._make_badge(key, base_font, dpr)
            self._badges[key] = pixmap
        return pixmap

    def _make_badge(self, key: tuple[object, ...], base_font: QFont, dpr: float) -> QPixmap:
        font, metrics = self._badge_font(base_font)
        pill_h = metrics.height() + 2
        kind = key[0]
        if kind == "res":
            text = f"{key[1]}×{key[2]}"
            size = QSizeF(metrics.horizontalAdvance(text) + 8, pill_h)
        elif kind == "heart":
            s = 12.0 if key[1] else 16.0
            size = QSizeF(s + 2, s + 2)
        else:
            s = 9.0 if key[2] else 11.0
            n = int(key[1])  # type: ignore[call-overload]
            size = QSizeF(n * s + 8, pill_h)
        pixmap = QPixmap((size * dpr).toSize())
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        pill = QRectF(0, 0, size.width(), size.height())
        if kind == "res":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(theme.color("overlay_bg"))
            p.drawRoundedRect(pill, pill_h / 2, pill_h / 2)
            p.setFont(font)
            p.setPen(theme.color("overlay_text"))
            p.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        elif kind == "heart":
            p.translate(1, 1)
            p.scale(s, s)
            p.setPen(QPen(theme.color("overlay_text"), 1.6 / s))
            p.setBrush(HEART_COLOUR)
            p.drawPath(HEART)
        else:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(theme.color("overlay_bg"))
            p.drawRoundedRect(pill, pill_h / 2, pill_h / 2)
            p.setBrush(STAR_COLOUR)
            for i in range(n):
                p.save()
                p.translate(4 + i * s, (pill_h - s) / 2)
                p.scale(s, s)
                p.drawPath(STAR)
                p.restore()
        p.end()
        return pixmap


class LibraryGrid(UniformGrid):
    """The grid. Rows are a LibraryModel's; painting is the LibraryDelegate's."""

    #: Enter or double-click on a row.
    open_requested = Signal(int)
    #: Files or folders dropped from outside the app.
    files_dropped = Signal(list)
    #: The thumbnail size changed (logical pixels).
    size_changed = Signal(int)

    def __init__(self, model: LibraryModel, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._thumbs = thumbnails
        self._delegate = LibraryDelegate(model, thumbnails, self)
        self._key_actions: list[QAction] = []
        self._size = DEFAULT_SIZE
        #: Shown at least once (until then it has no viewport of its own: _first_screen).
        self._shown = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.request_thumbnails)
        self._setup_ui()
        model.modelReset.connect(self._schedule)
        model.rowsInserted.connect(self._schedule)
        model.rowsRemoved.connect(self._schedule)
        model.dataChanged.connect(self._on_data_changed)
        model.refreshed.connect(self._on_refreshed)

    # ---- public ------------------------------------------------------------------------------
    def set_thumbnail_size(self, size: int) -> None:
        size = max(MIN_SIZE, min(MAX_SIZE, int(size)))
        anchor = self.first_visible_row()
        changed = size != self._size
        self._size = size
        self._apply_cells(force=True)
        self._update_thumbnail_size()
        if changed and anchor is not None and anchor > 0:
            self.scrollTo(self._model.index(anchor), QAbstractItemView.ScrollHint.PositionAtTop)
        self.viewport().update()
        self._schedule()
        if changed:
            self.size_changed.emit(size)

    def _apply_cells(self, force: bool = False) -> None:
        """Cells as wide as the viewport allows, so the columns fill it evenly."""
        cell = QSize(self._size + 2 * PAD, self._size + 2 * PAD)
        width = max(1, self.viewport().width())
        cols = max(1, width // cell.width())
        spread = QSize(cell.width() + max(0, (width - cols * cell.width()) // cols), cell.height())
        if spread == self.gridSize() and not force:
            return
        self._delegate.set_size(self._size, spread.width())
        self.setGridSize(spread)
        self.verticalScrollBar().setSingleStep(max(16, spread.height() // 3))

    def thumbnail_size(self) -> int:
        return self._size

    def delegate(self) -> LibraryDelegate:
        return self._delegate

    def set_key_actions(self, actions: Sequence[QAction]) -> None:
        """Actions whose shortcuts this grid answers while it has the focus."""
        self._key_actions = list(actions)

    def visible_rows(self) -> tuple[int, int] | None:
        """First and last row in the viewport, or None when there is none."""
        return self.visible_span()

    def first_visible_row(self) -> int | None:
        if self._model.rowCount() == 0:
            return None
        for y in (2, self.gridSize().height() // 2):
            index = self.indexAt(QPoint(2 + PAD, y))
            if index.isValid():
                return index.row()
        return 0

    def keep_anchor(self, row: int, y: int) -> None:
        """After rows were inserted above: scroll so that `row` is back at viewport height `y`."""
        self.executeDelayedItemsLayout()
        rect = self.visualRect(self._model.index(row))
        if rect.isValid():
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - y)

    def selected_rows(self) -> list[int]:
        """Selected rows in order, from the selection's ranges (fast even when all are selected)."""
        return [r for first, last in self.selected_ranges() for r in range(first, last + 1)]

    def selected_ranges(self) -> list[tuple[int, int]]:
        """The selection as sorted, merged (first, last) row ranges (a million selected: one range)."""
        model = self.selectionModel()
        if model is None:
            return []
        selection = model.selection()
        spans = sorted((selection.at(i).top(), selection.at(i).bottom()) for i in range(selection.count()))
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
            else:
                merged.append((top, bottom))
        return merged

    def selected_count(self) -> int:
        model = self.selectionModel()
        if model is None:
            return 0
        return sum(last - first + 1 for first, last in self.selected_ranges())

    # ---- thumbnails ------------------------------------------------------------------------------
    def _schedule(self, *args: object) -> None:
        self._settle.start()

    def request_thumbnails(self) -> None:
        """Ask for the rows and thumbnails around the viewport, nearest to its middle first."""
        span = self.visible_rows() if self.isVisible() or self._shown else self._first_screen()
        if span is None:
            self._thumbs.want([])
            return
        first, last = span
        n = self._model.rowCount()
        screen = last - first + 1
        self._model.ensure_rows(max(0, first - screen), min(n - 1, last + screen))
        middle = (first + last) / 2
        visible = sorted(range(first, last + 1), key=lambda r: abs(r - middle))
        ahead = list(range(last + 1, min(n, last + 1 + screen)))
        behind = list(range(first - 1, max(-1, first - 1 - screen // 2), -1))
        hashes: list[str] = []
        for r in (*visible, *ahead, *behind):
            row = self._model.image(r)
            if row is not None:
                hashes.append(row.hash)
        self._thumbs.want(hashes)

    def _first_screen(self) -> tuple[int, int] | None:
        """The rows a grid as large as the window shows from the top: a page made ahead (hidden, its
        viewport not laid out yet) asks for their thumbnails, so its first frame has them."""
        n = self._model.rowCount()
        if n == 0:
            return None
        window, cell = self.window().size(), self.gridSize()
        per_screen = (window.width() // max(1, cell.width())) * (window.height() // max(1, cell.height()) + 1)
        return 0, min(n, max(1, per_screen)) - 1

    def _update_thumbnail_size(self) -> None:
        dpr = self.devicePixelRatioF() if self.isVisible() else self.screen().devicePixelRatio()
        self._thumbs.set_display_size(self._size, dpr)
        # A RAM cache sized to a few screens of thumbnails (at least 64 MB).
        cell_bytes = (self._size * dpr) ** 2 * 4
        vp = self.viewport().size()
        per_screen = max(1, (vp.width() // max(1, self.gridSize().width()) + 1)
                         * (vp.height() // max(1, self.gridSize().height()) + 2))
        self._thumbs.set_max_bytes(max(64 * 1024 * 1024, int(per_screen * cell_bytes * 4)))

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: Sequence[int] = ()) -> None:
        if Qt.ItemDataRole.DecorationRole not in roles:
            self._schedule()  # rows arrived: their thumbnails can be asked for

    def _on_refreshed(self) -> None:
        self.viewport().update()
        self._schedule()

    # ---- events ----------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("library-grid")
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Always there (UniformGrid): the columns are spread over exactly the width left beside it.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setMouseTracking(False)
        self.setModel(self._model)
        self._delegate.set_palette(self.palette())
        self.setItemDelegate(self._delegate)
        self.setGridSize(self._delegate.cell())
        self.verticalScrollBar().setSingleStep(max(16, self._delegate.cell().height() // 3))
        self.doubleClicked.connect(lambda index: self.open_requested.emit(index.row()))
        self.setToolTip("")

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._schedule()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_cells()
        self._update_thumbnail_size()
        self._schedule()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._shown = True  # (its viewport is laid out from now on, hidden or not)
        self._update_thumbnail_size()
        self._schedule()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._update_thumbnail_size()
            self.viewport().update()
        elif event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._delegate.set_palette(self.palette())
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(event.key() | mods.value)
        for action in self._key_actions:
            if not action.isEnabled():
                continue
            if any(seq.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for seq in action.shortcuts()):
                if not (event.isAutoRepeat() and not action.autoRepeat()):
                    action.trigger()
                event.accept()
                return
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex().row())
            event.accept()
            return
        if key == Qt.Key.Key_Escape and not mods:
            self.clearSelection()
            event.accept()
            return
        super().keyPressEvent(event)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        mime = self._model.mime_for_rows(rows)
        drag = QDrag(self)
        drag.setMimeData(mime)
        row = self._model.image(self.currentIndex().row() if self.currentIndex().isValid() else rows[0])
        pixmap = self._thumbs.peek(row.hash) if row is not None else None
        if pixmap is not None and not pixmap.isNull():
            drag.setPixmap(_drag_pixmap(pixmap, len(rows)))
        drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._external_files(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._external_files(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._external_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.files_dropped.emit(paths)

    @staticmethod
    def _external_files(mime: object) -> list[Path]:
        from PySide6.QtCore import QMimeData

        if not isinstance(mime, QMimeData) or mime.hasFormat(IDS_MIME) or not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


def _drag_pixmap(pixmap: QPixmap, count: int) -> QPixmap:
    size = pixmap.deviceIndependentSize().toSize().scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio)
    out = QPixmap(size.width() + 12, size.height() + 12)
    out.fill(Qt.GlobalColor.transparent)
    p = QPainter(out)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setOpacity(0.85)
    p.drawPixmap(QRect(0, 12, size.width(), size.height()), pixmap)
    if count > 1:
        p.setOpacity(1.0)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(HEART_COLOUR.darker(110))
        p.setPen(Qt.PenStyle.NoPen)
        text = f"{count:,}"
        w = max(24, QFontMetrics(p.font()).horizontalAdvance(text) + 12)
        p.drawRoundedRect(QRectF(out.width() - w, 0, w, 22), 11, 11)
        p.setPen(theme.color("overlay_text"))
        p.drawText(QRectF(out.width() - w, 0, w, 22), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return out


class LibraryPreview(QFrame):
    """The large preview: a frameless popup over the grid. Space or Esc closes it, arrows step
    through the grid, Enter opens."""

    closed = Signal()
    #: A navigation key to pass to the grid.
    navigate = Signal(int)
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("library-preview")
        self.setFrameShape(QFrame.Shape.Box)
        theme.apply_style(self, "large-preview")
        self.viewer = ImageViewer(self)
        self.viewer.set_empty_text("Loading…", "")
        self.viewer.installEventFilter(self)
        self._caption = QLabel(self)
        self._caption.setObjectName("library-preview-caption")
        self._caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.viewer, 1)
        layout.addWidget(self._caption)

    def show_over(self, widget: QWidget) -> None:
        area = widget.rect()
        top_left = widget.mapToGlobal(area.topLeft())
        w, h = int(area.width() * 0.92), int(area.height() * 0.92)
        self.setGeometry(top_left.x() + (area.width() - w) // 2, top_left.y() + (area.height() - h) // 2, w, h)
        self.show()
        self.viewer.setFocus()

    def set_image(self, image: QImage | None, caption: str = "") -> None:
        self.viewer.set_image(image)
        plain_label(self._caption, caption)  # a prompt: literal, clipped, isolated
        self._caption.setVisible(bool(caption))

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        return bool(event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self._key(event))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._key(event):
            super().keyPressEvent(event)

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Escape):
            if not event.isAutoRepeat():
                self.close()
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.navigate.emit(int(key))
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            self.close()
            return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()
