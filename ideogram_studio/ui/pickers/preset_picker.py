"""Style presets: a searchable grid with previews, a Recents row, previews and side-by-side comparison.

One QListView over a QAbstractListModel (never a widget per preset). Previews start as
generated placeholder tiles and are replaced through `PresetPicker.set_preview()` when the
window's job queue delivers a real image.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import RenderingSpeed, StylePreset
from ...api.pricing import estimate_cost, format_cost
from ...api.requests import GenerateRequest
from ...resources.catalog import style_presets
from ..common.field_errors import mute

TILE = 92
MAX_RECENTS = 6
#: Speed and count used for preview and comparison images: cheap and quick.
PREVIEW_SPEED = RenderingSpeed.TURBO

PresetRole = Qt.ItemDataRole.UserRole + 1
DescriptionRole = Qt.ItemDataRole.UserRole + 2
SearchRole = Qt.ItemDataRole.UserRole + 3
HasPreviewRole = Qt.ItemDataRole.UserRole + 4
CurrentRole = Qt.ItemDataRole.UserRole + 5
PreviewImageRole = Qt.ItemDataRole.UserRole + 6

NONE_NAME = "None"
NONE_DESCRIPTION = "No style preset is sent."


def preset_name(preset: StylePreset | None) -> str:
    if preset is None:
        return NONE_NAME
    return _infos()[preset][0]


def preset_description(preset: StylePreset | None) -> str:
    if preset is None:
        return NONE_DESCRIPTION
    return _infos()[preset][1]


@cache
def _infos() -> dict[StylePreset, tuple[str, str]]:
    return {p.preset: (p.name, p.description) for p in style_presets()}


def preview_request(prompt: str, preset: StylePreset) -> GenerateRequest:
    """The request one preview or comparison image is made with."""
    return GenerateRequest(prompt=prompt, style_preset=preset, rendering_speed=PREVIEW_SPEED, num_images=1)


def preview_cost(prompt: str, presets: Sequence[StylePreset]) -> Decimal | None:
    """Estimated total for one image per preset (None when any price is unknown)."""
    total = Decimal(0)
    for preset in presets:
        cost = estimate_cost(preview_request(prompt or "preview", preset))
        if cost is None:
            return None
        total += cost
    return total


def placeholder_tile(preset: StylePreset | None, size: int = TILE) -> QImage:
    """A deterministic stand-in preview: colours and shapes derived from the preset's id, plus initials."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if preset is None:
        img.fill(QColor("#eef0f3"))
        pen = QPen(QColor("#9aa0a6"), max(2.0, size / 24))
        p.setPen(pen)
        r = size * 0.22
        c = size / 2
        p.drawEllipse(QRectF(c - r, c - r, 2 * r, 2 * r))
        p.drawLine(
            QRectF(c - r, c - r, 2 * r, 2 * r).bottomLeft().toPoint() + QPoint(4, -4),
            QRectF(c - r, c - r, 2 * r, 2 * r).topRight().toPoint() + QPoint(-4, 4),
        )
        p.end()
        return img
    seed = zlib.crc32(preset.value.encode())
    rnd = random.Random(seed)
    hue = seed % 360
    c1 = QColor.fromHsl(hue, 150, 120)
    c2 = QColor.fromHsl((hue + 40 + rnd.randint(0, 60)) % 360, 170, 70)
    gradient = QLinearGradient(0, 0, size, size)
    gradient.setColorAt(0, c1)
    gradient.setColorAt(1, c2)
    p.fillRect(0, 0, size, size, gradient)
    p.setPen(Qt.PenStyle.NoPen)
    for _ in range(3):
        shade = QColor.fromHsl((hue + rnd.randint(-60, 60)) % 360, 180, rnd.randint(140, 220), 90)
        p.setBrush(shade)
        r = size * rnd.uniform(0.15, 0.42)
        p.drawEllipse(QRectF(rnd.uniform(-r / 2, size - r), rnd.uniform(-r / 2, size - r), 2 * r, 2 * r))
    words = [w for w in preset_name(preset).split() if w]
    initials = "".join(w[0] for w in words[:2]).upper()
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.34))
    p.setFont(font)
    p.setPen(QColor(255, 255, 255, 235))
    p.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initials)
    p.end()
    return img


def _square(image: QImage, size: int) -> QImage:
    scaled = image.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
    )
    return scaled.copy((scaled.width() - size) // 2, (scaled.height() - size) // 2, size, size)


class PreviewStore(QObject):
    """Preview images by preset, shared by every view; placeholder until a real one arrives."""

    preview_changed = Signal(object)

    def __init__(self, tile: int = TILE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tile = tile
        self._real: dict[StylePreset, QImage] = {}
        self._placeholders: dict[StylePreset | None, QImage] = {}
        self._pixmaps: dict[StylePreset | None, QPixmap] = {}

    def image(self, preset: StylePreset | None) -> QImage:
        if preset is not None and preset in self._real:
            return self._real[preset]
        if preset not in self._placeholders:
            self._placeholders[preset] = placeholder_tile(preset, self._tile)
        return self._placeholders[preset]

    def pixmap(self, preset: StylePreset | None) -> QPixmap:
        if preset not in self._pixmaps:
            self._pixmaps[preset] = QPixmap.fromImage(self.image(preset))
        return self._pixmaps[preset]

    def has_preview(self, preset: StylePreset | None) -> bool:
        return preset in self._real

    def set_preview(self, preset: StylePreset, image: QImage) -> None:
        if image.isNull():
            return
        self._real[preset] = _square(image, self._tile)
        self._pixmaps.pop(preset, None)
        self.preview_changed.emit(preset)


class PresetListModel(QAbstractListModel):
    """A list of presets (None = "no preset"); optionally checkable for comparison."""

    checked_changed = Signal()

    def __init__(
        self,
        store: PreviewStore,
        presets: Sequence[StylePreset | None],
        checkable: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._presets: list[StylePreset | None] = list(presets)
        self._checkable = checkable
        self._checked: set[StylePreset] = set()
        self._current: StylePreset | bool | None = False  # False: nothing highlighted
        store.preview_changed.connect(self._on_preview_changed)

    # ---- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._presets)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._presets):
            return None
        preset = self._presets[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return preset_name(preset)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._store.pixmap(preset)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{preset_name(preset)}\n{preset_description(preset)}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole or role == DescriptionRole:
            return preset_description(preset)
        if role == Qt.ItemDataRole.CheckStateRole:
            if not self._checkable or preset is None:
                return None
            return Qt.CheckState.Checked if preset in self._checked else Qt.CheckState.Unchecked
        if role == PresetRole:
            return "" if preset is None else preset.value
        if role == SearchRole:
            ident = "none" if preset is None else preset.value.lower().replace("_", " ")
            return f"{preset_name(preset)} {preset_description(preset)} {ident}".lower()
        if role == HasPreviewRole:
            return self._store.has_preview(preset)
        if role == CurrentRole:
            return self._current is not False and self._current == preset
        if role == PreviewImageRole:
            return self._store.image(preset)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not self._checkable:
            return False
        preset = self._presets[index.row()]
        if preset is None:
            return False
        checked = _as_check_state(value) == Qt.CheckState.Checked
        if checked == (preset in self._checked):
            return True
        if checked:
            self._checked.add(preset)
        else:
            self._checked.discard(preset)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()
        return True

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._checkable and self._presets[index.row()] is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update(
            {
                PresetRole: QByteArray(b"preset"),
                DescriptionRole: QByteArray(b"description"),
                HasPreviewRole: QByteArray(b"hasPreview"),
            }
        )
        return names

    # ---- public ----------------------------------------------------------------------------
    def presets(self) -> list[StylePreset | None]:
        return list(self._presets)

    def set_presets(self, presets: Sequence[StylePreset | None]) -> None:
        self.beginResetModel()
        self._presets = list(presets)
        self._checked &= {p for p in self._presets if p is not None}
        self.endResetModel()

    def preset_at(self, row: int) -> StylePreset | None:
        return self._presets[row]

    def row_of(self, preset: StylePreset | None) -> int:
        try:
            return self._presets.index(preset)
        except ValueError:
            return -1

    def checked_presets(self) -> list[StylePreset]:
        """Ticked presets in the model's (stable) order."""
        return [p for p in self._presets if p is not None and p in self._checked]

    def set_checked(self, presets: Iterable[StylePreset]) -> None:
        self._checked = {StylePreset(p) for p in presets}
        if self._presets:
            self.dataChanged.emit(self.index(0), self.index(len(self._presets) - 1), [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()

    def set_current(self, preset: StylePreset | bool | None) -> None:
        """Highlight the chosen preset (False: none highlighted)."""
        old = self._current
        self._current = preset
        for value in (old, preset):
            if value is not False:
                row = self.row_of(value)  # type: ignore[arg-type]
                if row >= 0:
                    self.dataChanged.emit(self.index(row), self.index(row), [CurrentRole])

    @Slot(object)
    def _on_preview_changed(self, preset: StylePreset) -> None:
        row = self.row_of(preset)
        if row >= 0:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole, HasPreviewRole, PreviewImageRole])


def _as_check_state(value: Any) -> Qt.CheckState:
    if isinstance(value, Qt.CheckState):
        return value
    try:
        return Qt.CheckState(int(value))
    except (TypeError, ValueError):
        return Qt.CheckState.Unchecked


def preset_of_index(index: QModelIndex | QPersistentModelIndex) -> StylePreset | None:
    value = index.data(PresetRole)
    return StylePreset(value) if value else None


class PresetFilterModel(QSortFilterProxyModel):
    """Keeps presets whose name, description or id contain every word typed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10
            self.beginFilterChange()
            self._words = text.lower().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = text.lower().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        text = self.sourceModel().index(source_row, 0, source_parent).data(SearchRole) or ""
        return all(word in text for word in self._words)


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
            painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
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
            checked = _as_check_state(state) == Qt.CheckState.Checked
            if checked or hover or self.show_all_checks:
                cr = QRectF(self.check_rect(option.rect))
                if checked:
                    painter.setPen(QPen(QColor("white"), 1.5))
                    painter.setBrush(highlight)
                else:
                    painter.setPen(QPen(QColor(60, 64, 67, 200), 1.5))
                    painter.setBrush(QColor(255, 255, 255, 210))
                painter.drawEllipse(cr)
                if checked:
                    tick = QPen(QColor("white"), 2.2)
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
        state = _as_check_state(index.data(Qt.ItemDataRole.CheckStateRole))
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


class _CompareCell(QFrame):
    def __init__(self, preset: StylePreset | None, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset = preset
        self.image: QImage | None = None
        self._size = size
        self.setObjectName("compareCell")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.picture = QLabel(self)
        self.picture.setFixedSize(size, size)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setObjectName("comparePicture")
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(4)
        keep = self.progress.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(keep)
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        self.name = QLabel(preset_name(preset), self)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.name.setToolTip(preset_description(preset))
        row.addWidget(self.name, 1)
        self.use_button = QPushButton("Use", self)
        self.use_button.setToolTip(f"Use {preset_name(preset)} as the style preset")
        row.addWidget(self.use_button)
        layout.addLayout(row)
        self.set_pending()

    def set_pending(self) -> None:
        self.image = None
        self.picture.setPixmap(QPixmap())
        self.picture.setText("Generating…")
        self.progress.show()

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.picture.setText("")
        self._show_image()
        self.progress.hide()

    def set_size(self, size: int) -> None:
        if size == self._size:
            return
        self._size = size
        self.picture.setFixedSize(size, size)
        if self.image is not None:
            self._show_image()

    def _show_image(self) -> None:
        assert self.image is not None
        scaled = self.image.scaled(
            self._size, self._size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.picture.setPixmap(QPixmap.fromImage(scaled))

    def set_failed(self, message: str) -> None:
        self.image = None
        self.picture.setPixmap(QPixmap())
        self.picture.setText(message)
        self.picture.setWordWrap(True)
        self.progress.hide()


class CompareGrid(QWidget):
    """Results of one comparison side by side; pending presets show "Generating…"."""

    use_requested = Signal(object)

    MIN_CELL = 96
    MAX_CELL = 360

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cells: dict[StylePreset | None, _CompareCell] = {}
        self._cell_size = 160
        self._columns = 1
        self._setup_ui()

    # ---- public ----------------------------------------------------------------------------
    def set_pending(self, presets: Sequence[StylePreset | None]) -> None:
        """Start a comparison: one waiting cell per preset, in this order."""
        self.clear()
        for preset in presets:
            self._add_cell(preset)
        self._relayout()

    def add_result(self, preset: StylePreset | None, image: QImage) -> None:
        if preset not in self._cells:
            self._add_cell(preset)
            self._relayout()
        self._cells[preset].set_image(image)
        self._update_title()

    def set_failed(self, preset: StylePreset | None, message: str) -> None:
        if preset not in self._cells:
            self._add_cell(preset)
            self._relayout()
        self._cells[preset].set_failed(message)
        self._update_title()

    def clear(self) -> None:
        for cell in self._cells.values():
            self._grid.removeWidget(cell)
            cell.deleteLater()
        self._cells.clear()
        self._update_title()

    def presets(self) -> list[StylePreset | None]:
        return list(self._cells)

    def is_pending(self, preset: StylePreset | None) -> bool:
        cell = self._cells.get(preset)
        return cell is not None and cell.image is None and cell.progress.isVisibleTo(cell)

    def image_of(self, preset: StylePreset | None) -> QImage | None:
        cell = self._cells.get(preset)
        return None if cell is None else cell.image

    def name_label(self, preset: StylePreset | None) -> QLabel:
        return self._cells[preset].name

    def picture_label(self, preset: StylePreset | None) -> QLabel:
        return self._cells[preset].picture

    def title(self) -> QLabel:
        return self._title

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._title = QLabel(self)
        layout.addWidget(self._title)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(self._scroll)
        self._grid = QGridLayout(inner)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._scroll.setWidget(inner)
        layout.addWidget(self._scroll, 1)
        self.setMinimumHeight(self.MIN_CELL + 90)
        self.setStyleSheet(
            "QFrame#compareCell { border: 1px solid palette(midlight); border-radius: 8px; }"
            "QLabel#comparePicture { background: palette(alternate-base); border-radius: 6px;"
            " color: palette(mid); }"
        )
        self._update_title()

    def _add_cell(self, preset: StylePreset | None) -> None:
        cell = _CompareCell(preset, self._cell_size, self._scroll.widget())
        cell.use_button.clicked.connect(lambda _=False, p=preset: self.use_requested.emit(p))
        self._cells[preset] = cell

    def _relayout(self) -> None:
        cells = list(self._cells.values())
        for cell in cells:
            self._grid.removeWidget(cell)
        n = len(cells)
        columns = n if n <= 4 else math.ceil(n / math.ceil(n / 4))
        self._columns = max(1, columns)
        for i, cell in enumerate(cells):
            self._grid.addWidget(cell, i // self._columns, i % self._columns)
        self._fit()
        self._update_title()

    def _fit(self) -> None:
        """Size the pictures so one row fits the visible area (more rows scroll)."""
        viewport = self._scroll.viewport()
        spacing = self._grid.spacing()
        chrome = 12  # cell margins
        by_width = (viewport.width() - spacing * (self._columns - 1)) // self._columns - chrome
        by_height = viewport.height() - 56  # name row, progress bar, margins
        size = max(self.MIN_CELL, min(self.MAX_CELL, by_width, by_height))
        self._cell_size = size
        for cell in self._cells.values():
            cell.set_size(size)

    def _update_title(self) -> None:
        n = len(self._cells)
        done = sum(1 for c in self._cells.values() if c.image is not None)
        self._title.setText(f"Comparison · {done} of {n} ready" if n else "Comparison")


class PresetPicker(QWidget):
    """Search, Recents, the preset grid, preview generation and comparison."""

    preset_chosen = Signal(object)
    previews_requested = Signal(str, list)
    compare_requested = Signal(str, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = PreviewStore(parent=self)
        self._current: StylePreset | None = None
        self._recents: list[StylePreset] = []
        self._confirming = False
        self._setup_ui()
        self._update_actions()

    # ---- public ----------------------------------------------------------------------------
    def model(self) -> PresetListModel:
        """The main model: None then every preset in the service's stable order."""
        return self._model

    def proxy(self) -> PresetFilterModel:
        return self._proxy

    def recents_model(self) -> PresetListModel:
        return self._recents_model

    def view(self) -> PresetTileView:
        return self._view

    def recents_view(self) -> PresetTileView:
        return self._recents_view

    def compare_grid(self) -> CompareGrid:
        return self._compare_grid

    def search_field(self) -> QLineEdit:
        return self._search

    def prompt_field(self) -> QLineEdit:
        return self._prompt

    def preview_button(self) -> QPushButton:
        return self._preview_button

    def confirm_button(self) -> QPushButton:
        return self._confirm_button

    def compare_button(self) -> QPushButton:
        return self._compare_button

    def set_preview(self, preset: StylePreset, image: QImage) -> None:
        self._store.set_preview(preset, image)

    def preview_image(self, preset: StylePreset | None) -> QImage:
        return self._store.image(preset)

    def preview_pixmap(self, preset: StylePreset | None) -> QPixmap:
        return self._store.pixmap(preset)

    def preview_store(self) -> PreviewStore:
        return self._store

    def current(self) -> StylePreset | None:
        return self._current

    def set_current(self, preset: StylePreset | None) -> None:
        """Highlight the preset in use, without emitting preset_chosen."""
        self._current = preset
        self._model.set_current(preset)
        self._recents_model.set_current(preset)
        index = self._proxy.mapFromSource(self._model.index(self._model.row_of(preset)))
        if index.isValid():
            self._view.setCurrentIndex(index)
            self._view.scrollTo(index)

    def choose(self, preset: StylePreset | None) -> None:
        """Choose as the user does: it becomes current, goes to Recents and preset_chosen fires."""
        self.set_current(preset)
        if preset is not None:
            self._recents = [preset, *[p for p in self._recents if p != preset]][:MAX_RECENTS]
            self._sync_recents()
        self.preset_chosen.emit(preset)

    def recents(self) -> list[StylePreset]:
        return list(self._recents)

    def set_recents(self, presets: Iterable[StylePreset | str]) -> None:
        out: list[StylePreset] = []
        for p in presets:
            try:
                preset = StylePreset(p)
            except ValueError:
                continue
            if preset not in out:
                out.append(preset)
        self._recents = out[:MAX_RECENTS]
        self._sync_recents()

    def set_search(self, text: str) -> None:
        self._search.setText(text)

    def visible_presets(self) -> list[StylePreset]:
        """Presets the search currently shows (without None), in grid order."""
        out = []
        for row in range(self._proxy.rowCount()):
            preset = preset_of_index(self._proxy.index(row, 0))
            if preset is not None:
                out.append(preset)
        return out

    def checked_presets(self) -> list[StylePreset]:
        return self._model.checked_presets()

    def set_checked(self, presets: Iterable[StylePreset]) -> None:
        self._model.set_checked(presets)

    def prompt(self) -> str:
        return self._prompt.text().strip()

    def set_prompt(self, text: str) -> None:
        self._prompt.setText(text)

    def previews_cost(self) -> Decimal | None:
        return preview_cost(self.prompt(), self.visible_presets())

    def compare_cost(self) -> Decimal | None:
        return preview_cost(self.prompt(), self.checked_presets())

    def is_confirming(self) -> bool:
        return self._confirming

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setMinimumSize(560, 480)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)

        self._search = QLineEdit(self)
        self._search.setPlaceholderText("Search presets by name or mood (e.g. poster, film, minimal)")
        self._search.setClearButtonEnabled(True)
        self._search.textChanged.connect(self._on_search)
        self._search.returnPressed.connect(self._on_search_return)
        layout.addWidget(self._search)

        self._recents_label = _section_label("Recents", self)
        layout.addWidget(self._recents_label)
        self._recents_model = PresetListModel(self._store, [], checkable=False, parent=self)
        self._recents_delegate = PresetTileDelegate(parent=self)
        self._recents_view = PresetTileView(self._recents_delegate, wrapping=False, parent=self)
        self._recents_view.setModel(self._recents_model)
        self._recents_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._recents_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._recents_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._recents_view.setFixedHeight(self._tile_height() + 8)
        self._recents_view.choose_requested.connect(self._on_recent_clicked)
        layout.addWidget(self._recents_view)
        self._recents_empty = QLabel("Presets you choose appear here.", self)
        mute(self._recents_empty)
        layout.addWidget(self._recents_empty)

        self._all_label = _section_label("All presets", self)
        layout.addWidget(self._all_label)
        self._model = PresetListModel(
            self._store, [None, *(p.preset for p in style_presets())], checkable=True, parent=self
        )
        self._model.checked_changed.connect(self._on_checked_changed)
        self._proxy = PresetFilterModel(self)
        self._proxy.setSourceModel(self._model)
        self._delegate = PresetTileDelegate(parent=self)
        self._view = PresetTileView(self._delegate, wrapping=True, parent=self)
        self._view.setModel(self._proxy)
        self._view.choose_requested.connect(self._on_tile_clicked)
        self._view.setMinimumHeight(self._tile_height() + 12)
        self._view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self._compare_grid = CompareGrid(self)
        self._compare_grid.use_requested.connect(self._on_use_compared)
        self._compare_grid.hide()
        self._splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._splitter.addWidget(self._view)
        self._splitter.addWidget(self._compare_grid)
        self._splitter.setChildrenCollapsible(False)
        layout.addWidget(self._splitter, 1)

        self._empty_search = QLabel("No preset matches this search.", self)
        mute(self._empty_search)
        self._empty_search.hide()
        layout.addWidget(self._empty_search)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)

        prompt_row = QHBoxLayout()
        prompt_label = QLabel("Try with:", self)
        prompt_row.addWidget(prompt_label)
        self._prompt = QLineEdit(self)
        self._prompt.setPlaceholderText("A prompt to preview or compare presets with")
        self._prompt.setClearButtonEnabled(True)
        self._prompt.textChanged.connect(self._on_prompt_changed)
        prompt_label.setBuddy(self._prompt)
        prompt_row.addWidget(self._prompt, 1)
        layout.addLayout(prompt_row)

        actions = QHBoxLayout()
        self._preview_button = QPushButton("Generate previews…", self)
        self._preview_button.clicked.connect(self._on_preview_clicked)
        actions.addWidget(self._preview_button)
        self._compare_button = QPushButton(self)
        self._compare_button.clicked.connect(self._on_compare_clicked)
        actions.addWidget(self._compare_button)
        self._clear_ticks = QPushButton("Clear ticks", self)
        self._clear_ticks.clicked.connect(self._on_clear_ticks)
        actions.addWidget(self._clear_ticks)
        actions.addStretch(1)
        layout.addLayout(actions)

        self._confirm_box = QFrame(self)
        self._confirm_box.setObjectName("confirmBox")
        confirm = QHBoxLayout(self._confirm_box)
        confirm.setContentsMargins(10, 6, 6, 6)
        self._confirm_text = QLabel(self._confirm_box)
        self._confirm_text.setWordWrap(True)
        confirm.addWidget(self._confirm_text, 1)
        self._confirm_button = QPushButton(self._confirm_box)
        self._confirm_button.setObjectName("primaryButton")
        self._confirm_button.clicked.connect(self._on_confirm_previews)
        confirm.addWidget(self._confirm_button)
        self._cancel_button = QPushButton("Cancel", self._confirm_box)
        self._cancel_button.clicked.connect(self._on_cancel_previews)
        confirm.addWidget(self._cancel_button)
        self._confirm_box.hide()
        layout.addWidget(self._confirm_box)

        self.setStyleSheet(
            "QLabel#sectionLabel { font-weight: 600; }"
            "QFrame#confirmBox { background: palette(alternate-base); border: 1px solid palette(highlight);"
            " border-radius: 8px; }"
            "QPushButton#primaryButton { background: palette(highlight); color: palette(highlighted-text);"
            " border: none; border-radius: 5px; padding: 5px 14px; font-weight: 600; }"
        )
        self._sync_recents()

    def _tile_height(self) -> int:
        return TILE + 14 + 2 * self.fontMetrics().lineSpacing() + 8

    def _sync_recents(self) -> None:
        self._recents_model.set_presets(list(self._recents))
        self._recents_model.set_current(self._current)
        has = bool(self._recents)
        self._recents_view.setVisible(has)
        self._recents_empty.setVisible(not has)

    def _update_actions(self) -> None:
        prompt = self.prompt()
        visible = self.visible_presets()
        checked = self.checked_presets()
        self._delegate.show_all_checks = bool(checked)
        self._view.viewport().update()

        n = len(visible)
        self._preview_button.setText(f"Generate previews ({n})…" if n else "Generate previews…")
        if not prompt:
            self._preview_button.setEnabled(False)
            self._preview_button.setToolTip("Type a prompt to preview the presets with.")
        elif not n:
            self._preview_button.setEnabled(False)
            self._preview_button.setToolTip("No preset matches the search.")
        else:
            cost = format_cost(self.previews_cost())
            self._preview_button.setEnabled(not self._confirming)
            self._preview_button.setToolTip(
                f"One {PREVIEW_SPEED.value.title()} image per preset shown ({n}): {cost}. "
                "You confirm before anything is sent."
            )

        k = len(checked)
        cost = format_cost(self.compare_cost()) if k else ""
        self._compare_button.setText(f"Compare {k} presets · {cost}" if k else "Compare presets")
        if k < 2:
            self._compare_button.setEnabled(False)
            self._compare_button.setToolTip(
                "Tick two or more presets (click the circle on a tile, or press Space) to compare them."
            )
        elif not prompt:
            self._compare_button.setEnabled(False)
            self._compare_button.setToolTip("Type a prompt to compare the presets with.")
        else:
            self._compare_button.setEnabled(True)
            self._compare_button.setToolTip(
                f"Generate one {PREVIEW_SPEED.value.title()} image for each of the {k} ticked presets "
                f"({cost}) and show them side by side."
            )
        self._clear_ticks.setEnabled(bool(k))

        if self._confirming:
            if not prompt or not n:
                self._set_confirming(False)
            else:
                self._update_confirm_text(prompt, visible)

    def _update_confirm_text(self, prompt: str, visible: list[StylePreset]) -> None:
        n = len(visible)
        each = estimate_cost(preview_request(prompt, visible[0]))
        total = format_cost(self.previews_cost())
        each_text = format_cost(each).removeprefix("≈ ")
        self._confirm_text.setText(
            f"Generate {n} preview{'s' if n != 1 else ''} for “{_shorten(prompt)}”? "
            f"Estimated {total} ({n} × {each_text}, {PREVIEW_SPEED.value.title()}, 1 image each)."
        )
        self._confirm_button.setText(f"Generate {n} · {total}")

    def _set_confirming(self, on: bool) -> None:
        self._confirming = on
        self._confirm_box.setVisible(on)
        self._preview_button.setEnabled(not on and bool(self.prompt()))
        if on:
            self._update_confirm_text(self.prompt(), self.visible_presets())

    # ---- slots -----------------------------------------------------------------------------
    @Slot(str)
    def _on_search(self, text: str) -> None:
        self._proxy.set_query(text)
        self._empty_search.setVisible(self._proxy.rowCount() == 0)
        self._update_actions()

    @Slot()
    def _on_search_return(self) -> None:
        if self._proxy.rowCount():
            self.choose(preset_of_index(self._proxy.index(0, 0)))

    @Slot(QModelIndex)
    def _on_tile_clicked(self, index: QModelIndex) -> None:
        self.choose(preset_of_index(index))

    @Slot(QModelIndex)
    def _on_recent_clicked(self, index: QModelIndex) -> None:
        self.choose(preset_of_index(index))

    @Slot(object)
    def _on_use_compared(self, preset: StylePreset | None) -> None:
        self.choose(preset)

    @Slot()
    def _on_checked_changed(self) -> None:
        self._update_actions()

    @Slot(str)
    def _on_prompt_changed(self, _text: str) -> None:
        self._update_actions()

    @Slot()
    def _on_preview_clicked(self) -> None:
        if self.prompt() and self.visible_presets():
            self._set_confirming(True)

    @Slot()
    def _on_confirm_previews(self) -> None:
        prompt, presets = self.prompt(), self.visible_presets()
        self._set_confirming(False)
        self._update_actions()
        if prompt and presets:
            self.previews_requested.emit(prompt, presets)

    @Slot()
    def _on_cancel_previews(self) -> None:
        self._set_confirming(False)
        self._update_actions()

    @Slot()
    def _on_compare_clicked(self) -> None:
        prompt, presets = self.prompt(), self.checked_presets()
        if not prompt or len(presets) < 2:
            return
        self._compare_grid.set_pending(presets)
        if not self._compare_grid.isVisible():
            self._compare_grid.show()
            total = sum(self._splitter.sizes()) or self._splitter.height()
            self._splitter.setSizes([total * 2 // 5, total - total * 2 // 5])
        self.compare_requested.emit(prompt, presets)

    @Slot()
    def _on_clear_ticks(self) -> None:
        self._model.set_checked([])


def _section_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    label.setObjectName("sectionLabel")
    mute(label, 0.35)
    font = label.font()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    label.setFont(font)
    return label


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
