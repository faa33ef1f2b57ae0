"""Settings' generation defaults beyond the speed: images per request, magic prompt, style type.

Each applies to new requests in every mode that has the field (ui/shell/defaults.py). "Not set"
sends nothing and lets the service decide, as in the forms. Images are billed one by one, and the
row says so; these rows carry no price of their own (the speed row shows the published prices).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QSpinBox, QWidget

from ...api.enums import MagicPrompt, StyleType, human_name
from ...api.limits import MAX_NUM_IMAGES
from ...settings import Settings

LABELS = ("Images per request", "Magic prompt", "Style type")
#: A row maker: (grid, label text, the field's layout, the widget the label names).
RowMaker = Callable[[QGridLayout, str, QHBoxLayout, QWidget], None]


class DefaultsRows:
    """The three rows, added to the dialog's Generation grid."""

    def __init__(
        self, parent: QWidget, grid: QGridLayout, row: RowMaker, left: Callable[[QWidget], QHBoxLayout]
    ) -> None:
        self.images_spin = QSpinBox(parent)
        self.images_spin.setRange(1, MAX_NUM_IMAGES)
        self.images_spin.setSuffix(" image(s)")
        self.images_spin.setMinimumWidth(120)
        self.images_spin.setToolTip(
            f"How many images a new request asks for (1–{MAX_NUM_IMAGES}), in every mode. Each image is billed."
        )
        row(grid, LABELS[0], left(self.images_spin), self.images_spin)

        self.magic_combo = QComboBox(parent)
        self.magic_combo.addItem("Not set (the service decides)", "")
        for option in MagicPrompt:
            self.magic_combo.addItem(human_name(option), option.value)
        self.magic_combo.setToolTip(
            "Whether new requests let the service rewrite and enrich the prompt. Not set sends nothing."
        )
        row(grid, LABELS[1], left(self.magic_combo), self.magic_combo)

        self.style_type_combo = QComboBox(parent)
        self.style_type_combo.addItem("Not set (General)", "")
        for style in StyleType:
            if style is not StyleType.CUSTOM:  # chosen with a custom model or style codes, not as a default
                self.style_type_combo.addItem(human_name(style), style.value)
        self.style_type_combo.setToolTip(
            "The style family new requests start with, where the mode has one. Not set sends nothing."
        )
        row(grid, LABELS[2], left(self.style_type_combo), self.style_type_combo)

    def load(self, settings: Settings) -> None:
        self.images_spin.setValue(max(1, min(MAX_NUM_IMAGES, int(settings.default_num_images or 1))))
        for combo, value in ((self.magic_combo, settings.default_magic_prompt),
                             (self.style_type_combo, settings.default_style_type)):  # fmt: skip
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))

    def write(self, settings: Settings) -> None:
        settings.default_num_images = self.images_spin.value()
        settings.default_magic_prompt = str(self.magic_combo.currentData() or "")
        settings.default_style_type = str(self.style_type_combo.currentData() or "")

    @staticmethod
    def snapshot(settings: Settings) -> tuple[object, ...]:
        return (settings.default_num_images, settings.default_magic_prompt, settings.default_style_type)
