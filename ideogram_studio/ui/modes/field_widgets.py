"""Small pieces of the request forms' rows: labels, clear buttons, the seed lock icon, combo boxes
holding enums, and parsing the style codes field. Shared by request_fields.py and the mode panels."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QLayout, QLineEdit, QToolButton, QWidget

from ..common import theme

_CODE_SPLIT = re.compile(r"[\s,;]+")


def parse_style_codes(text: str) -> tuple[str, ...]:
    """Style codes as typed: separated by commas, semicolons or spaces."""
    return tuple(code for code in _CODE_SPLIT.split(text.strip()) if code)


def lock_icon(locked: bool, size: int = 16) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    color = theme.color("accent") if locked else theme.color("icon")
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(color, 1.7))
    p.setBrush(Qt.BrushStyle.NoBrush)
    lift = 0 if locked else size * 0.14
    shackle = QRectF(size * 0.3, size * 0.08 - lift, size * 0.4, size * 0.5)
    p.drawArc(shackle, 0, 180 * 16)
    mid_y = shackle.center().y()
    p.drawLine(int(shackle.right()), int(mid_y), int(shackle.right()), int(size * 0.5))
    if locked:
        p.drawLine(int(shackle.left()), int(mid_y), int(shackle.left()), int(size * 0.5))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(QRectF(size * 0.18, size * 0.46, size * 0.64, size * 0.46), 2, 2)
    p.end()
    return QIcon(pix)


def field_label(parent: QWidget, text: str, bold: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("fieldLabel")
    label.setProperty("bold", bold)
    if bold:
        theme.strong(label)  # semi-bold, as every heading
    return label


def clear_button(parent: QWidget, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText("×")
    button.setAutoRaise(True)
    button.setToolTip(tip)
    # Square, and never below what the style needs for the "×" (a fixed 26 cut it by a pixel).
    hint = button.minimumSizeHint()
    side = max(26, hint.width(), hint.height())
    button.setFixedSize(QSize(side, side))
    return button


def clear_button_once_filled(edit: QLineEdit) -> None:
    """The line's clear button (×), turned on when the line first holds text. An empty line looks
    the same either way (the button shows only over text), and the first clear button of the
    process costs ~10 ms (Qt looks up its icon): not before the first form takes typing."""
    if edit.text():
        edit.setClearButtonEnabled(True)
        return

    def enable(text: str) -> None:
        if text:
            edit.textChanged.disconnect(enable)
            edit.setClearButtonEnabled(True)

    edit.textChanged.connect(enable)


def enum_value(combo: QComboBox, enum: Any) -> Any:
    data = combo.currentData()
    return enum(data) if data else None


def set_enum(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value.value if value is not None else "")
    combo.setCurrentIndex(max(0, index))




def widgets_of(parts: list[QWidget | QLayout]) -> list[QWidget]:
    """The widgets of a row: widgets as they are, a layout's widgets (one level: rows are flat)."""
    out: list[QWidget] = [p for p in parts if isinstance(p, QWidget)]
    items = [p.itemAt(i) for p in parts if isinstance(p, QLayout) for i in range(p.count())]
    return out + [w for w in (item.widget() for item in items if item is not None) if w is not None]
