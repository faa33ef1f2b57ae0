"""Ideogram 4.x's own sizes: the published 4.x resolutions (a 2K set and a 1K set, api/registry.py
RESOLUTIONS_4) offered where the chosen model takes them, instead of 3.0's Shape row.

Ideogram 4.0 (generate and remix) takes them as `resolution`; 4.5 and 4.6 take a `size`
(`auto`, `source` or `WxH`), offered the same published list. "Let the model choose" sends nothing.
"""

from __future__ import annotations

from math import gcd
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from ...api.registry import RESOLUTIONS_4, V1_MODEL, OperationSpec, spec_for
from ...api.requests import Operation
from .field_widgets import field_label
from .model_fields import target

MODEL_CHOOSES = "Let the model choose"


def size_field(spec: OperationSpec | None) -> str | None:
    """The field a model takes a 4.x size in (`resolution` or `size`), or None."""
    if spec is None:
        return None
    resolution = spec.fields.get("resolution")
    if resolution is not None and resolution.choices == RESOLUTIONS_4:
        return "resolution"
    return "size" if spec.has("size") else None


def target_size_field(operation: Operation, model: str, transparent: bool = False) -> str | None:
    """The size field of the endpoint a form's model (and Transparent box) sends to, or None."""
    goal = target(operation, model, transparent)
    if goal is None or goal.model == V1_MODEL:
        return None
    return size_field(spec_for(goal.operation, goal.model))


def add_size(values: dict[str, Any], operation: Operation, model: str, value: str | None,
             transparent: bool = False) -> None:  # fmt: skip
    """Put the chosen 4.x size in the field the endpoint takes it in (nothing when not chosen)."""
    field = target_size_field(operation, model, transparent)
    if field is not None and value:
        values[field] = value


def size_label(value: str) -> str:
    """'2048 × 2048 · 1:1 · 2K' for '2048x2048'."""
    w, h = (int(v) for v in value.split("x"))
    k = gcd(w, h)
    tier = "2K" if max(w, h) * min(w, h) >= 2_000_000 else "1K"
    return f"{w} × {h} · {w // k}:{h // k} · {tier}"


class ModelSizeRow(QWidget):
    """The Size row of a 4.x form. Emits ``changed`` on a new choice."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        label = field_label(self, "Size", bold=True)
        layout.addWidget(label)
        self.combo = QComboBox(self)
        self.combo.setObjectName("modelSizeCombo")
        self.combo.addItem(MODEL_CHOOSES, "")
        for value in RESOLUTIONS_4:
            self.combo.addItem(size_label(value), value)
        self.combo.setMaxVisibleItems(16)
        label.setBuddy(self.combo)
        layout.addWidget(self.combo, 1)
        self.combo.currentIndexChanged.connect(self.changed)
        self.set_field(None)

    def value(self) -> str | None:
        return str(self.combo.currentData() or "") or None

    def set_value(self, value: str | None) -> bool:
        index = self.combo.findData(value or "")
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def set_field(self, field: str | None, who: str = "") -> None:
        """Show the row for a model taking sizes in ``field`` (None hides it); the value is kept."""
        self.setVisible(field is not None)
        if field == "resolution":
            self.combo.setToolTip(
                f"{who}: one of its published resolutions (2K and 1K sets), or let the model choose. "
                "In Remix a size of another aspect ratio than the source crops it."
            )
        elif field == "size":
            self.combo.setToolTip(f"{who}: the output size (the 4.x published resolutions), or let the model choose.")
