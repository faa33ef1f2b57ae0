"""The comparison of presets: one cell per ticked preset with its image (or "Generating…", or why it
failed) and a Use button, laid out so a row fits the visible area.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import StylePreset
from ..common import theme
from .preset_previews import preset_description, preset_name


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
        theme.apply_style(self, "compare-grid")
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
