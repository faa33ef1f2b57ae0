"""One control for the output shape: an aspect ratio, or an exact resolution, or neither."""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import AspectRatio, Resolution, aspect_of, default_resolution, size_of
from ..common import theme

#: Aspect ratios from the tallest to the widest.
ASPECT_ORDER: tuple[AspectRatio, ...] = tuple(sorted(AspectRatio, key=lambda a: size_of(a)[0] / size_of(a)[1]))
ICON_SIZE = 26
_RESOLUTION_ROLE = Qt.ItemDataRole.UserRole + 1


def aspect_label(aspect: AspectRatio | str) -> str:
    """ "16x9" -> "16:9"."""
    w, h = size_of(aspect)
    return f"{w}:{h}"


def resolution_label(resolution: Resolution | str) -> str:
    """ "1024x1024" -> "1024×1024 (1:1)", with the exact reduced ratio."""
    w, h = size_of(resolution)
    aw, ah = aspect_of(resolution)
    return f"{w}×{h} ({aw}:{ah})"


def _log_ratio(size: AspectRatio | Resolution | str) -> float:
    w, h = size_of(size)
    return math.log(w / h)


#: Each named ratio's shape (log w/h), worked out once: every form's shape row groups 69 sizes by it.
_ASPECT_LOGS = [(aspect, _log_ratio(aspect)) for aspect in ASPECT_ORDER]


def nearest_aspect(resolution: Resolution | str) -> AspectRatio:
    """The named aspect ratio closest to a resolution's shape (by log ratio)."""
    target = _log_ratio(resolution)
    return min(_ASPECT_LOGS, key=lambda pair: abs(pair[1] - target))[0]


def grouped_resolutions() -> list[tuple[AspectRatio, list[Resolution]]]:
    """The resolutions grouped under their nearest named ratio, tallest group first (a copy)."""
    return [(aspect, list(items)) for aspect, items in _grouped_resolutions()]


@cache
def _grouped_resolutions() -> tuple[tuple[AspectRatio, tuple[Resolution, ...]], ...]:
    """The resolutions grouped under their nearest named ratio, tallest group first.

    Grouping by the exact aspect_of() ratio gives 69 groups of one (832×960 is 13:15), so the
    exact ratio is shown in each label and the group is the named ratio it is closest to.
    """
    groups: dict[AspectRatio, list[Resolution]] = {a: [] for a in ASPECT_ORDER}
    for r in Resolution:
        groups[nearest_aspect(r)].append(r)
    out: list[tuple[AspectRatio, tuple[Resolution, ...]]] = []
    for aspect in ASPECT_ORDER:
        items = sorted(groups[aspect], key=lambda r: (size_of(r)[0] / size_of(r)[1], size_of(r)[0]))
        if items:
            out.append((aspect, tuple(items)))
    return tuple(out)


def shape_pixmap(w: int, h: int, size: int = ICON_SIZE, color: QColor | None = None) -> QPixmap:
    """A small outlined rectangle of the given proportions, centred in a size×size square."""
    return _shape_pixmap(w, h, size, (color or theme.color("icon")).name(QColor.NameFormat.HexArgb))


@cache
def _shape_pixmap(w: int, h: int, size: int, argb: str) -> QPixmap:
    # Drawn once for every form (each has the same 15 shapes twice, and 15 in its sizes' list: half
    # the time a shape picker took to make), and again in a theme's colours after a switch.
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    color = QColor(argb)
    scale = (size - 4) / max(w, h)
    rw, rh = max(3.0, w * scale), max(3.0, h * scale)
    rect = QRectF((size - rw) / 2, (size - rh) / 2, rw, rh)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(color)
    fill.setAlpha(40)
    p.setBrush(fill)
    p.setPen(QPen(color, 1.6))
    p.drawRoundedRect(rect.adjusted(0.8, 0.8, -0.8, -0.8), 2, 2)
    p.end()
    return pix


def shape_icon(w: int, h: int, size: int = ICON_SIZE) -> QIcon:
    icon = QIcon()
    icon.addPixmap(shape_pixmap(w, h, size), QIcon.Mode.Normal, QIcon.State.Off)
    icon.addPixmap(shape_pixmap(w, h, size, theme.color("accent")), QIcon.Mode.Normal, QIcon.State.On)
    return icon


def bind_shape_icon(button: QAbstractButton, w: int, h: int, size: int = ICON_SIZE) -> None:
    """Give a button the shape's icon, redrawn in the new colours when the theme changes."""
    theme.bind(button, lambda: button.setIcon(shape_icon(w, h, size)), "icon")


class ShapePicker(QWidget):
    """Aspect ratio buttons (each drawn in its shape) or an exact resolution; picking one clears the other."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self._buttons: dict[AspectRatio, QToolButton] = {}
        self._setup_ui()
        self._update_size_label()

    # ---- public ----------------------------------------------------------------------------
    def value(self) -> tuple[AspectRatio | None, Resolution | None]:
        return self.aspect_ratio(), self.resolution()

    def aspect_ratio(self) -> AspectRatio | None:
        for aspect, button in self._buttons.items():
            if button.isChecked():
                return aspect
        return None

    def resolution(self) -> Resolution | None:
        data = self._resolution_combo.currentData(_RESOLUTION_ROLE)
        return Resolution(data) if data else None

    def set_value(self, aspect_ratio: AspectRatio | None, resolution: Resolution | None) -> None:
        """Show exactly these values (both may be set programmatically; validation then says so)."""
        self._updating = True
        try:
            for aspect, button in self._buttons.items():
                button.setChecked(aspect == aspect_ratio)
            self._resolution_combo.setCurrentIndex(self._combo_index(resolution))
        finally:
            self._updating = False
        self._emit_changed()

    def set_aspect_ratio(self, aspect_ratio: AspectRatio | None) -> None:
        """Pick an aspect ratio as the user would: the exact resolution is cleared."""
        self.set_value(aspect_ratio, None)

    def set_resolution(self, resolution: Resolution | None) -> None:
        """Pick an exact resolution as the user would: the aspect ratio is cleared."""
        self.set_value(None, resolution)

    def pixel_size(self) -> tuple[int, int]:
        """The size the service will produce: the resolution, or the ratio's default one."""
        aspect, resolution = self.value()
        if resolution is not None:
            return size_of(resolution)
        return size_of(default_resolution(aspect))

    def button(self, aspect: AspectRatio) -> QToolButton:
        return self._buttons[aspect]

    def resolution_combo(self) -> QComboBox:
        return self._resolution_combo

    def size_label(self) -> QLabel:
        return self._size_label

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(2)
        grid.setVerticalSpacing(2)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)  # clicking the checked ratio again clears it
        per_row = 8
        for i, aspect in enumerate(ASPECT_ORDER):
            w, h = size_of(aspect)
            button = QToolButton(self)
            button.setCheckable(True)
            button.setAutoRaise(True)
            bind_shape_icon(button, w, h)
            button.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
            button.setText(aspect_label(aspect))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setFixedSize(QSize(46, 50))
            dw, dh = size_of(default_resolution(aspect))
            button.setToolTip(
                f"Aspect ratio {aspect_label(aspect)} — the service renders {dw}×{dh} px.\nClick again to clear."
            )
            font = button.font()
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            button.setFont(font)
            self._group.addButton(button)
            self._buttons[aspect] = button
            grid.addWidget(button, i // per_row, i % per_row)
        grid.setColumnStretch(per_row, 1)
        self._group.buttonClicked.connect(self._on_aspect_clicked)
        layout.addLayout(grid)

        row = QHBoxLayout()
        row.setSpacing(8)
        self._resolution_combo = QComboBox(self)
        self._resolution_combo.setModel(self._build_resolution_model())
        self._resolution_combo.setMaxVisibleItems(18)
        self._resolution_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._resolution_combo.setToolTip(
            "An exact output size instead of an aspect ratio. Grouped by the nearest ratio; "
            "the exact ratio is in brackets."
        )
        self._resolution_combo.currentIndexChanged.connect(self._on_resolution_changed)
        row.addWidget(self._resolution_combo, 1)
        self._size_label = QLabel(self)
        self._size_label.setTextFormat(Qt.TextFormat.PlainText)
        self._size_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self._size_label)
        layout.addLayout(row)

    def _build_resolution_model(self) -> QStandardItemModel:
        model = QStandardItemModel(self)
        any_item = QStandardItem("Exact size: not set")
        any_item.setData(None, _RESOLUTION_ROLE)
        model.appendRow(any_item)
        header_font = QFont(self.font())
        header_font.setBold(True)
        for aspect, items in grouped_resolutions():
            w, h = size_of(aspect)
            header = QStandardItem(f"≈ {aspect_label(aspect)}")
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            header.setFont(header_font)
            header.setIcon(shape_icon(w, h, 16))
            model.appendRow(header)
            for r in items:
                item = QStandardItem("    " + resolution_label(r))
                item.setData(r.value, _RESOLUTION_ROLE)
                item.setToolTip(f"{resolution_label(r)} — about {size_of(r)[0] * size_of(r)[1] / 1e6:.2f} MP")
                model.appendRow(item)
        return model

    def _combo_index(self, resolution: Resolution | None) -> int:
        if resolution is None:
            return 0
        model = self._resolution_combo.model()
        for row in range(model.rowCount()):
            if model.index(row, 0).data(_RESOLUTION_ROLE) == resolution.value:
                return row
        return 0

    def _update_size_label(self) -> None:
        aspect, resolution = self.value()
        w, h = self.pixel_size()
        if resolution is not None:
            text = f"{w} × {h} px"
            tip = "Exact resolution."
        elif aspect is not None:
            text = f"{aspect_label(aspect)} → {w} × {h} px"
            tip = "The service renders this ratio at this size."
        else:
            text = f"Default → {w} × {h} px"
            tip = "Nothing sent: the service makes a square 1:1 image."
        self._size_label.setText(text)
        self._size_label.setToolTip(tip)

    def _emit_changed(self) -> None:
        self._update_size_label()
        self.changed.emit()

    # ---- slots -----------------------------------------------------------------------------
    @Slot(QAbstractButton)
    def _on_aspect_clicked(self, clicked: QAbstractButton) -> None:
        self._updating = True
        try:
            for button in self._buttons.values():
                if button is not clicked:
                    button.setChecked(False)
            if clicked.isChecked():
                self._resolution_combo.setCurrentIndex(0)
        finally:
            self._updating = False
        self._emit_changed()

    @Slot(int)
    def _on_resolution_changed(self, index: int) -> None:
        if self._updating:
            return
        if index > 0:
            self._updating = True
            try:
                for button in self._buttons.values():
                    button.setChecked(False)
            finally:
                self._updating = False
        self._emit_changed()
