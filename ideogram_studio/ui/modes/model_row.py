"""The model picker at the top of a mode's form: Model, Quality (for the models that take it), and
one quiet line naming the fields the chosen model does not take (its tooltip says why, field by field).

A leaf of the form: it knows the models and their quality choices from model_fields / the registry,
and forwards changes; the panel hides the rows (RequestFields.set_unavailable) and builds the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from ...api.registry import QUALITY_45, V1_MODEL
from ...api.requests import Operation
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from .field_widgets import field_label
from .model_fields import MODELS, NO_TRANSPARENCY, model_name, target
from .request_fields import FIELD_LABELS

#: How the quiet line names the rows (a group of fields under one heading is named once).
ROW_NAMES = {
    "aspect_ratio": "shape", "resolution": "shape", "style_type": "style", "style_preset": "style",
    "color_palette": "style", "style_codes": "style", "style_reference_images": "references",
    "character_reference_images": "references", "rendering_speed": "speed",
}  # fmt: skip
#: The form's order, top to bottom.
ROW_ORDER = (
    "negative prompt", "shape", "speed", "number of images", "seed", "magic prompt", "style", "references", "quality",
)  # fmt: skip
#: The models whose form has a Quality choice (4.5 and 4.6 price and render by it).
QUALITY_MODELS = frozenset({"ideogram-4-5", "ideogram-4-6"})


class ModelRow(QWidget):
    """Emits ``model_changed`` when another model is chosen and ``changed`` on any edit."""

    model_changed = Signal()
    changed = Signal()

    def __init__(self, operation: Operation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operation = operation
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        # Model above Quality, labels aligned: the two choices side by side would make every
        # form as wide as both (the panel is never cut nor wider than the image can spare).
        row = QGridLayout()
        row.setHorizontalSpacing(8)
        row.setVerticalSpacing(4)
        row.setColumnStretch(1, 1)
        layout.addLayout(row)
        label = field_label(self, "Model", bold=True)
        row.addWidget(label, 0, 0)
        self.model_combo = QComboBox(self)
        self.model_combo.setObjectName("modelCombo")
        for choice in MODELS[operation]:
            self.model_combo.addItem(choice.name, choice.model)
        self.model_combo.setToolTip(
            "Which Ideogram model makes the image. The form shows only the fields this model takes; "
            "what you typed in the others is kept for when you switch back."
        )
        label.setBuddy(self.model_combo)
        row.addWidget(self.model_combo, 0, 1)
        self.quality_label = field_label(self, "Quality")
        row.addWidget(self.quality_label, 1, 0)
        self.quality_combo = QComboBox(self)
        self.quality_combo.setObjectName("qualityCombo")
        self.quality_combo.addItem("Not set (Medium)", "")
        for quality in QUALITY_45:
            self.quality_combo.addItem(quality.replace("_", " ").capitalize(), quality)
        self.quality_combo.setToolTip("Ideogram 4.5 / 4.6: the care (and price) per image. Not set sends nothing.")
        self.quality_label.setBuddy(self.quality_combo)
        row.addWidget(self.quality_combo, 1, 1)
        self.transparent_check = QCheckBox("Transparent background", self)
        self.transparent_check.setObjectName("transparentCheck")
        self.transparent_tip = "A cut-out on transparency (PNG with alpha), ready to place on a layout."
        self.transparent_check.setVisible(operation is Operation.GENERATE)
        layout.addWidget(self.transparent_check)
        self.quality_message = FieldMessage(self)
        layout.addWidget(self.quality_message)
        self.unused_label = QLabel(self)
        self.unused_label.setObjectName("unusedFields")
        self.unused_label.setWordWrap(True)
        mute(self.unused_label)
        layout.addWidget(self.unused_label)
        self.setVisible(len(MODELS[operation]) > 1)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.quality_combo.currentIndexChanged.connect(self.changed)
        self.transparent_check.toggled.connect(self._on_transparent_toggled)
        self._show_quality()

    # ---- public ----------------------------------------------------------------------------
    def model(self) -> str:
        return str(self.model_combo.currentData() or V1_MODEL)

    def set_model(self, model: str) -> bool:
        index = self.model_combo.findData(model)
        if index >= 0:
            self.model_combo.setCurrentIndex(index)
        return index >= 0

    def transparent(self) -> bool:
        """The Transparent box is ticked and the model can make transparent images."""
        return self.transparent_check.isChecked() and self.transparent_check.isEnabled()

    def quality(self) -> str | None:
        return str(self.quality_combo.currentData() or "") or None

    def set_quality(self, quality: str | None) -> None:
        index = self.quality_combo.findData(quality or "")
        self.quality_combo.setCurrentIndex(max(index, 0))

    def restore(self, model: Any, quality: Any, transparent: Any = False) -> None:
        """What state() kept; unknown values are skipped."""
        self.transparent_check.setChecked(transparent is True)
        if isinstance(model, str):
            self.set_model(model)
        if isinstance(quality, str) or quality is None:
            self.set_quality(quality)

    def show_unavailable(self, reasons: Mapping[str, str], labels: Mapping[str, str] | None = None) -> None:
        """One line naming the form's fields this model does not take; its tooltip says why.
        ``labels``: names of the panel's own rows (beyond the shared request fields)."""
        names = {**FIELD_LABELS, "quality": "Quality", **(labels or {})}
        # Quality is named where the mode offers it with another model (not in Remix, which never has it).
        offers_quality = any(c.model in QUALITY_MODELS for c in MODELS[self.operation])
        shown = {k: v for k, v in reasons.items() if k in names and (k != "quality" or offers_quality)}
        if not {"aspect_ratio", "resolution"} <= shown.keys():  # the Shape row still shows
            shown.pop("aspect_ratio", None)
            shown.pop("resolution", None)
        if not shown:
            self.unused_label.clear()
            self.unused_label.setToolTip("")
            self.unused_label.hide()
            return
        rows = list(dict.fromkeys(ROW_NAMES.get(k, names[k].lower()) for k in shown))
        rows.sort(key=lambda n: ROW_ORDER.index(n) if n in ROW_ORDER else len(ROW_ORDER))
        who = model_name(self.operation, self.model(), self.transparent())
        self.unused_label.setText(f"Not used by {who}: {', '.join(rows)} (hover for why).")
        self.unused_label.setToolTip("\n".join(f"{names[k]}: {why}" for k, why in shown.items()))
        self.unused_label.show()

    # ---- slots -----------------------------------------------------------------------------
    def _show_quality(self) -> None:
        can = target(self.operation, self.model(), transparent=True) is not None
        self.transparent_check.setEnabled(can)
        self.transparent_check.setToolTip(self.transparent_tip if can else NO_TRANSPARENCY)
        takes = self.model() in QUALITY_MODELS
        self.quality_label.setVisible(takes)
        self.quality_combo.setVisible(takes)

    @Slot(bool)
    def _on_transparent_toggled(self, _on: bool) -> None:
        self.model_changed.emit()  # (another endpoint: other fields)
        self.changed.emit()

    @Slot()
    def _on_model_changed(self) -> None:
        self._show_quality()
        self.model_changed.emit()
        self.changed.emit()
