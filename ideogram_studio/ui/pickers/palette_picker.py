"""Colour palette: none, one of the eight presets, or up to eight custom colours with weights."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QColorDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import PalettePreset, human_name
from ...api.limits import MAX_COLOR_WEIGHT, MAX_PALETTE_MEMBERS, MIN_COLOR_WEIGHT
from ...api.palette import HEX_COLOR, ColorPalette, PaletteMember
from ...resources.catalog import palette_swatches
from ..common import theme
from ..common.field_errors import FieldMessage
from .palette_look import palette_pixmap, swatch_pixmap

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff)"
_NEW_COLORS = ("#1A73E8", "#F9AB00", "#D93025", "#188038", "#A142F4", "#12B5CB", "#E8710A", "#5F6368")  # colour as data


class ColorRow(QWidget):
    """One custom colour: a colour button, a weight slider 0.05–1.00 and a remove button."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, color_hex: str, weight: float | None = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hex = color_hex
        self._weight = weight
        self._dialog: QColorDialog | None = None
        self._setup_ui()
        self._sync()

    # ---- public ----------------------------------------------------------------------------
    def color_hex(self) -> str:
        return self._hex

    def weight(self) -> float | None:
        return self._weight

    def set_color(self, color: QColor | str) -> None:
        if isinstance(color, QColor):
            color = color.name(QColor.NameFormat.HexRgb).upper()
        self._hex = color
        self._sync()
        self.changed.emit()

    def set_weight(self, weight: float | None) -> None:
        self._weight = weight
        self._sync()
        self.changed.emit()

    def color_button(self) -> QToolButton:
        return self._color_button

    def slider(self) -> QSlider:
        return self._slider

    def remove_button(self) -> QToolButton:
        return self._remove_button

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self._color_button = QToolButton(self)
        self._color_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._color_button.setIconSize(QSize(22, 22))
        self._color_button.setMinimumWidth(104)
        self._color_button.setToolTip("Choose the colour")
        self._color_button.clicked.connect(self._on_pick)
        layout.addWidget(self._color_button)
        self._slider = QSlider(Qt.Orientation.Horizontal, self)
        self._slider.setRange(round(MIN_COLOR_WEIGHT * 100), round(MAX_COLOR_WEIGHT * 100))
        self._slider.setSingleStep(5)
        self._slider.setPageStep(10)
        self._slider.setToolTip(
            f"Weight {MIN_COLOR_WEIGHT:.2f}–{MAX_COLOR_WEIGHT:.2f}: how much of this colour to use. "
            "Weights should descend from the first colour."
        )
        self._slider.valueChanged.connect(self._on_slider)
        layout.addWidget(self._slider, 1)
        self._weight_label = QLabel(self)
        self._weight_label.setMinimumWidth(32)
        self._weight_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self._weight_label)
        self._remove_button = QToolButton(self)
        self._remove_button.setText("×")
        self._remove_button.setAutoRaise(True)
        self._remove_button.setToolTip("Remove this colour")
        self._remove_button.clicked.connect(self._on_remove)
        layout.addWidget(self._remove_button)

    def _sync(self) -> None:
        color = QColor(self._hex) if HEX_COLOR.match(self._hex) else theme.color("placeholder_fg")
        pix = QPixmap(22, 22)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(color)
        p.setPen(QPen(theme.color("outline"), 1))
        p.drawRoundedRect(QRectF(0.5, 0.5, 21, 21), 4, 4)
        p.end()
        self._color_button.setIcon(QIcon(pix))
        self._color_button.setText(self._hex.upper())
        self._slider.blockSignals(True)
        self._slider.setValue(round((self._weight if self._weight is not None else 1.0) * 100))
        self._slider.blockSignals(False)
        self._weight_label.setText("auto" if self._weight is None else f"{self._weight:.2f}")

    # ---- slots -----------------------------------------------------------------------------
    @Slot()
    def _on_pick(self) -> None:
        if self._dialog is None:
            self._dialog = QColorDialog(self)
            self._dialog.setWindowTitle("Palette colour")
            self._dialog.colorSelected.connect(self.set_color)
        self._dialog.setCurrentColor(QColor(self._hex))
        self._dialog.open()  # non-blocking: no nested event loop under qasync

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        self._weight = value / 100
        self._weight_label.setText(f"{self._weight:.2f}")
        self.changed.emit()

    @Slot()
    def _on_remove(self) -> None:
        self.remove_requested.emit(self)


class PalettePicker(QWidget):
    """None, a preset palette (swatch rows) or a custom palette editor; `changed` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ColorRow] = []
        self._preset_buttons: dict[PalettePreset, QRadioButton] = {}
        self._file_dialog: QFileDialog | None = None
        self._setup_ui()
        self._update_custom_controls()

    # ---- public ----------------------------------------------------------------------------
    def value(self) -> ColorPalette | None:
        if self._custom_radio.isChecked():
            if not self._rows:
                return None
            return ColorPalette(members=tuple(PaletteMember(r.color_hex(), r.weight()) for r in self._rows))
        for preset, button in self._preset_buttons.items():
            if button.isChecked():
                return ColorPalette.preset(preset)
        return None

    def set_value(self, palette: ColorPalette | None) -> None:
        if palette is not None and palette.members:
            self._replace_rows([(m.color_hex, m.color_weight) for m in palette.members])
            self._custom_radio.setChecked(True)
        elif palette is not None and palette.name is not None:
            self._preset_buttons[palette.name].setChecked(True)
        else:
            self._none_radio.setChecked(True)
        self._after_change()

    def set_preset(self, preset: PalettePreset) -> None:
        self.set_value(ColorPalette.preset(preset))

    def set_custom(self, colors: Sequence[tuple[str, float | None]]) -> None:
        """Replace the custom colours (at most eight) and select the custom palette."""
        self._replace_rows(list(colors)[:MAX_PALETTE_MEMBERS])
        self._custom_radio.setChecked(True)
        self._after_change()

    def rows(self) -> list[ColorRow]:
        return list(self._rows)

    def add_color(self, color_hex: str | None = None, weight: float | None = None) -> ColorRow | None:
        """Add a custom colour row (weights default to descending); None when eight exist."""
        if len(self._rows) >= MAX_PALETTE_MEMBERS:
            return None
        if color_hex is None:
            color_hex = _NEW_COLORS[len(self._rows) % len(_NEW_COLORS)]
        if weight is None:
            weight = max(MIN_COLOR_WEIGHT, round(1.0 - 0.15 * len(self._rows), 2))
        row = self._append_row(color_hex, weight)
        self._custom_radio.setChecked(True)
        self._after_change()
        return row

    def remove_color(self, index: int) -> None:
        row = self._rows.pop(index)
        row.deleteLater()
        self._after_change()

    def load_from_image(self, path: str) -> bool:
        """Replace the custom colours with the image's main colours; a bad file shows a message."""
        from ...imaging.palette_extract import PaletteExtractError, extract_palette  # (Pillow: on first use)

        try:
            colors = extract_palette(path)
        except PaletteExtractError as exc:
            self._message.show_error(str(exc))
            return False
        self._message.clear_message()
        self.set_custom(colors)
        return True

    def message(self) -> FieldMessage:
        return self._message

    def none_button(self) -> QRadioButton:
        return self._none_radio

    def preset_button(self, preset: PalettePreset) -> QRadioButton:
        return self._preset_buttons[preset]

    def custom_button(self) -> QRadioButton:
        return self._custom_radio

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._group = QButtonGroup(self)
        self._none_radio = QRadioButton("None — no palette is sent", self)
        self._none_radio.setChecked(True)
        self._group.addButton(self._none_radio)
        layout.addWidget(self._none_radio)

        presets = QFrame(self)
        presets_layout = QVBoxLayout(presets)
        presets_layout.setContentsMargins(0, 4, 0, 4)
        presets_layout.setSpacing(2)
        for preset, colors in palette_swatches().items():
            row = QHBoxLayout()
            row.setSpacing(10)
            radio = QRadioButton(human_name(preset), presets)
            radio.setMinimumWidth(120)
            radio.setToolTip(f"Preset palette {human_name(preset)} (the service decides the exact colours)")
            self._group.addButton(radio)
            self._preset_buttons[preset] = radio
            row.addWidget(radio)
            swatch = QLabel(presets)
            swatch.setPixmap(swatch_pixmap(colors, width=150, height=16))
            swatch.setToolTip(radio.toolTip())
            row.addWidget(swatch)
            row.addStretch(1)
            presets_layout.addLayout(row)
        layout.addWidget(presets)

        self._custom_radio = QRadioButton("Custom colours", self)
        self._custom_radio.setToolTip(f"Up to {MAX_PALETTE_MEMBERS} colours, each with a weight")
        self._group.addButton(self._custom_radio)
        layout.addWidget(self._custom_radio)

        self._custom_box = QFrame(self)
        custom_layout = QVBoxLayout(self._custom_box)
        custom_layout.setContentsMargins(24, 0, 0, 0)
        custom_layout.setSpacing(4)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(2)
        custom_layout.addLayout(self._rows_layout)
        buttons = QHBoxLayout()
        self._add_button = QPushButton("+ Add colour", self._custom_box)
        self._add_button.clicked.connect(self._on_add)
        buttons.addWidget(self._add_button)
        self._from_image_button = QPushButton("From image…", self._custom_box)
        self._from_image_button.setToolTip("Take the main colours of an image, weighted by their area")
        self._from_image_button.clicked.connect(self._on_from_image)
        buttons.addWidget(self._from_image_button)
        buttons.addStretch(1)
        custom_layout.addLayout(buttons)
        layout.addWidget(self._custom_box)


        from .saved_palettes import SavedPalettesButton

        self.saved = SavedPalettesButton(self.value, self.set_value, lambda p: QIcon(palette_pixmap(p)), self)
        layout.addWidget(self.saved)
        self._message = FieldMessage(self)
        layout.addWidget(self._message)
        self.saved.message.connect(self._on_saved_message)
        self._group.buttonToggled.connect(self._on_mode_toggled)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _append_row(self, color_hex: str, weight: float | None) -> ColorRow:
        row = ColorRow(color_hex, weight, self._custom_box)
        row.changed.connect(self._on_row_changed)
        row.remove_requested.connect(self._on_row_remove)
        self._rows.append(row)
        self._rows_layout.addWidget(row)
        return row

    def _replace_rows(self, colors: Sequence[tuple[str, float | None]]) -> None:
        for row in self._rows:
            row.deleteLater()
        self._rows.clear()
        for color_hex, weight in colors:
            self._append_row(color_hex, weight)

    def _update_custom_controls(self) -> None:
        full = len(self._rows) >= MAX_PALETTE_MEMBERS
        self._add_button.setEnabled(not full)
        self._add_button.setToolTip(f"A palette has at most {MAX_PALETTE_MEMBERS} colours" if full else "Add a colour")
        custom = self._custom_radio.isChecked()
        for row in self._rows:
            row.setEnabled(custom)

    def _after_change(self) -> None:
        self._update_custom_controls()
        self.changed.emit()

    # ---- slots -----------------------------------------------------------------------------
    @Slot()
    def _on_add(self) -> None:
        self.add_color()

    @Slot(object)
    def _on_row_remove(self, row: ColorRow) -> None:
        if row in self._rows:
            self.remove_color(self._rows.index(row))

    @Slot()
    def _on_row_changed(self) -> None:
        self._custom_radio.setChecked(True)
        self.changed.emit()

    @Slot(object, bool)
    def _on_mode_toggled(self, button: object, checked: bool) -> None:
        if not checked:
            return
        if button is self._custom_radio and not self._rows:
            # An empty custom palette means nothing; start with one colour to edit.
            self._append_row(_NEW_COLORS[0], 1.0)
        self._after_change()

    @Slot(str, bool)
    def _on_saved_message(self, text: str, problem: bool) -> None:
        if problem:
            self._message.show_error(text)
        else:
            self._message.show_note(text)

    @Slot()
    def _on_from_image(self) -> None:
        if self._file_dialog is None:
            self._file_dialog = QFileDialog(self, "Extract a palette from an image", "", IMAGE_FILTER)
            self._file_dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self._file_dialog.fileSelected.connect(self.load_from_image)
        self._file_dialog.open()
