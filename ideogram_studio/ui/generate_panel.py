"""The Generate form: every field of GenerateRequest, validated as you edit, with a live cost estimate.

There is one rule mechanism: build the request, call `validate()`, and show the
`RequestValidationError` at the field it names (and on the Generate button's tooltip). The
panel knows no API rule of its own.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QIcon, QKeyEvent, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..api.enums import MagicPrompt, RenderingSpeed, StylePreset, StyleType, human_name
from ..api.errors import ImageFileError, RequestValidationError
from ..api.images import ImageFile
from ..api.limits import MAX_CHARACTER_REFERENCES, MAX_NUM_IMAGES, MAX_SEED, MAX_STYLE_REFERENCES
from ..api.palette import ColorPalette
from ..api.pricing import DEFAULT_SPEED, estimate_cost, format_cost, price_per_image
from ..api.requests import GenerateRequest
from .collapsible import CollapsibleSection
from .field_errors import ERROR_COLOR, FieldMessage, describe, mute
from .generate_advice import advice
from .palette_picker import PalettePicker, palette_label, palette_pixmap
from .preset_picker import PresetPicker, preset_description, preset_name
from .prompt_edit import PromptEdit
from .reference_zone import ReferenceZone
from .shape_picker import ShapePicker

__all__ = ["GeneratePanel", "parse_style_codes"]

#: Separators accepted between style codes.
_CODE_SPLIT = re.compile(r"[\s,;]+")

FIELD_LABELS: dict[str, str] = {
    "prompt": "Prompt",
    "negative_prompt": "Negative prompt",
    "aspect_ratio": "Aspect ratio",
    "resolution": "Resolution",
    "rendering_speed": "Speed",
    "num_images": "Number of images",
    "seed": "Seed",
    "magic_prompt": "Magic prompt",
    "style_type": "Style type",
    "style_preset": "Style preset",
    "color_palette": "Colour palette",
    "style_codes": "Style codes",
    "custom_model_uri": "Custom model",
    "style_reference_images": "Style references",
    "character_reference_images": "Character reference",
    "character_reference_images_mask": "Character mask",
    "request": "The request",
}

STATE_VERSION = 1


def parse_style_codes(text: str) -> tuple[str, ...]:
    """Style codes as typed: separated by commas, semicolons or spaces."""
    return tuple(code for code in _CODE_SPLIT.split(text.strip()) if code)


def _lock_icon(locked: bool, size: int = 16) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    color = QColor("#1a73e8") if locked else QColor("#5f6368")
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


class GeneratePanel(QWidget):
    """The Generate workflow's form. Emits `submitted(request, to_front)` with a valid request."""

    #: (GenerateRequest, to_front)
    submitted = Signal(object, bool)
    #: Any field changed (e.g. to persist state()).
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = 0
        self._busy = False
        self._show_prompt_required = False
        self._preset: StylePreset | None = None
        self._error: RequestValidationError | None = None
        self._messages: dict[str, FieldMessage] = {}
        self._focus_targets: dict[str, QWidget] = {}
        self._section_of: dict[str, CollapsibleSection] = {}
        self._setup_ui()
        self._refresh()

    # ---- public ----------------------------------------------------------------------------
    def request(self) -> GenerateRequest:
        """The request the form describes; raises RequestValidationError if a rule is broken."""
        request = self._build()
        request.validate()
        return request

    def set_request(self, request: GenerateRequest) -> None:
        """Fill every field exactly from a request ("reuse settings")."""
        self._loading += 1
        try:
            self.prompt_edit.set_text(request.prompt)
            self.negative_edit.set_text(request.negative_prompt or "")
            self.shape_picker.set_value(request.aspect_ratio, request.resolution)
            self._set_combo(self.speed_combo, request.rendering_speed)
            self._set_combo(self.magic_combo, request.magic_prompt)
            self._set_combo(self.style_type_combo, request.style_type)
            self.images_spin.setValue(request.num_images)
            if request.seed is None:
                self.seed_lock.setChecked(False)
            else:
                self.seed_spin.setValue(request.seed)
                self.seed_lock.setChecked(True)
            self._set_preset(request.style_preset)
            self._palette_picker.set_value(request.color_palette)
            self.style_codes_edit.setText(", ".join(request.style_codes))
            self.custom_model_edit.setText(request.custom_model_uri or "")
            self.style_refs.set_images(list(request.style_reference_images))
            self.character_refs.set_images(list(request.character_reference_images))
            self.character_mask.set_images(list(request.character_reference_images_mask))
        finally:
            self._loading -= 1
        self._expand_used_sections()
        self._refresh()

    def set_seed(self, seed: int) -> None:
        """Lock the seed to this value ("reuse seed")."""
        self.seed_spin.setValue(seed)
        self.seed_lock.setChecked(True)

    def seed_locked(self) -> bool:
        return self.seed_lock.isChecked()

    def set_prompt(self, prompt: str) -> None:
        self.prompt_edit.set_text(prompt)

    def prompt_history(self) -> list[str]:
        return self.prompt_edit.history()

    def set_prompt_history(self, prompts: Iterable[str]) -> None:
        self.prompt_edit.set_history(prompts)

    def set_busy(self, busy: bool) -> None:
        """While busy the Generate button is disabled (with the reason in its tooltip)."""
        self._busy = busy
        self._refresh()

    def is_busy(self) -> bool:
        return self._busy

    def submit(self, to_front: bool = False) -> bool:
        """Send as Ctrl+Enter does; an invalid form shows why at the field and sends nothing."""
        self._show_prompt_required = True
        try:
            request = self.request()
        except RequestValidationError as exc:
            self._refresh()
            self._focus_field(exc.field)
            return False
        if self._busy:
            return False
        self.prompt_edit.add_to_history(request.prompt)
        self.submitted.emit(request, to_front)
        return True

    def validation_error(self) -> RequestValidationError | None:
        """The error blocking Generate right now, if any."""
        return self._error

    def field_message(self, field: str) -> FieldMessage:
        """The inline message label shown for a request field."""
        return self._messages[field]

    def preset(self) -> StylePreset | None:
        return self._preset

    def set_preset(self, preset: StylePreset | None) -> None:
        self._set_preset(preset)
        self._refresh()

    def color_palette(self) -> ColorPalette | None:
        return self._palette_picker.value()

    def set_color_palette(self, palette: ColorPalette | None) -> None:
        self._palette_picker.set_value(palette)

    def preset_picker(self) -> PresetPicker:
        """The picker shown by the preset button: connect previews_requested/compare_requested here."""
        return self._preset_picker

    def palette_picker(self) -> PalettePicker:
        return self._palette_picker

    def open_preset_picker(self) -> None:
        self._preset_picker.set_current(self._preset)
        self._preset_dialog.show()
        self._preset_dialog.raise_()
        self._preset_dialog.activateWindow()
        self._preset_picker.search_field().setFocus()

    def open_palette_picker(self) -> None:
        self._palette_dialog.show()
        self._palette_dialog.raise_()
        self._palette_dialog.activateWindow()

    def state(self) -> dict[str, Any]:
        """Last-used values as JSON-safe data (image paths, never image bytes)."""
        request = self._build()
        return {
            "version": STATE_VERSION,
            "fields": request.fields_json(),
            "seed": self.seed_spin.value(),
            "seed_locked": self.seed_lock.isChecked(),
            "style_codes_text": self.style_codes_edit.text(),
            "style_reference_paths": [p for p in self.style_refs.paths() if p],
            "character_reference_paths": [p for p in self.character_refs.paths() if p],
            "character_mask_paths": [p for p in self.character_mask.paths() if p],
            "prompt_history": self.prompt_edit.history(),
            "preset_recents": [p.value for p in self._preset_picker.recents()],
            "references_expanded": self.references_section.is_expanded(),
            "more_expanded": self.more_section.is_expanded(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore what state() saved; unknown or bad values are skipped, missing files dropped."""
        if not isinstance(state, dict):
            return
        fields = dict(state.get("fields") or {})
        fields.setdefault("prompt", "")
        try:
            request = GenerateRequest.from_parts(fields)
        except (RequestValidationError, TypeError):
            request = GenerateRequest.from_parts({k: v for k, v in fields.items() if self._field_ok(k, v)})
        self._loading += 1
        try:
            self.set_request(request)
            seed = state.get("seed")
            if isinstance(seed, int) and 0 <= seed <= MAX_SEED:
                self.seed_spin.setValue(seed)
            self.seed_lock.setChecked(bool(state.get("seed_locked", request.seed is not None)))
            codes = state.get("style_codes_text")
            if isinstance(codes, str):
                self.style_codes_edit.setText(codes)
            for zone, key in (
                (self.style_refs, "style_reference_paths"),
                (self.character_refs, "character_reference_paths"),
                (self.character_mask, "character_mask_paths"),
            ):
                zone.set_images([])
                paths = [p for p in state.get(key) or [] if isinstance(p, str)]
                self._load_quietly(zone, paths)
            history = state.get("prompt_history")
            if isinstance(history, list):
                self.prompt_edit.set_history(history)
            recents = state.get("preset_recents")
            if isinstance(recents, list):
                self._preset_picker.set_recents(recents)
            self.references_section.set_expanded(bool(state.get("references_expanded")))
            self.more_section.set_expanded(bool(state.get("more_expanded")))
        finally:
            self._loading -= 1
        self._expand_used_sections()
        self._refresh()

    # ---- events ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Ctrl+Enter from line edits, spin boxes and combos, which pass Enter on to their parent.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setMinimumWidth(380)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self._scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(scroll)
        body.setObjectName("generateBody")
        form = QVBoxLayout(body)
        form.setContentsMargins(14, 12, 14, 12)
        form.setSpacing(6)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        # Prompt
        header = QHBoxLayout()
        prompt_label = self._label("Prompt", body, bold=True)
        header.addWidget(prompt_label)
        header.addStretch(1)
        hint = QLabel("Ctrl+Enter generates · Alt+↑/↓ history", body)
        mute(hint)
        header.addWidget(hint)
        form.addLayout(header)
        self.prompt_edit = PromptEdit(body, history=True)
        self.prompt_edit.setPlaceholderText("Describe the image: subject, setting, mood, text to render…")
        self.prompt_edit.setMinimumHeight(self._lines_height(4))
        self.prompt_edit.setMaximumHeight(self._lines_height(12))
        self.prompt_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.prompt_edit.setToolTip(
            "What to generate. Ctrl+Enter generates, Ctrl+Shift+Enter puts it at the front of the "
            "queue; Alt+Up/Alt+Down step through earlier prompts."
        )
        prompt_label.setBuddy(self.prompt_edit)
        self.prompt_edit.textChanged.connect(self._on_prompt_changed)
        self.prompt_edit.submit_requested.connect(self._on_submit_requested)
        form.addWidget(self.prompt_edit)
        self._add_message(form, body, ["prompt"], self.prompt_edit)

        neg_label = self._label("Negative prompt", body)
        form.addWidget(neg_label)
        self.negative_edit = PromptEdit(body, history=False)
        self.negative_edit.setPlaceholderText("What to leave out (optional)")
        self.negative_edit.setFixedHeight(self._lines_height(2))
        self.negative_edit.setToolTip(
            "Things to exclude. Descriptions in the prompt take precedence over the negative prompt."
        )
        neg_label.setBuddy(self.negative_edit)
        self.negative_edit.textChanged.connect(self._on_changed)
        self.negative_edit.submit_requested.connect(self._on_submit_requested)
        form.addWidget(self.negative_edit)
        self._add_message(form, body, ["negative_prompt"], self.negative_edit)

        # Shape
        form.addSpacing(4)
        form.addWidget(self._label("Shape", body, bold=True))
        self.shape_picker = ShapePicker(body)
        self.shape_picker.changed.connect(self._on_changed)
        form.addWidget(self.shape_picker)
        self._add_message(form, body, ["aspect_ratio", "resolution"], self.shape_picker)

        # Output
        form.addSpacing(4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        form.addLayout(grid)

        self.speed_combo = QComboBox(body)
        self.speed_combo.addItem("", "")
        for speed in (
            RenderingSpeed.FLASH,
            RenderingSpeed.TURBO,
            RenderingSpeed.BALANCED,
            RenderingSpeed.DEFAULT,
            RenderingSpeed.QUALITY,
        ):
            self.speed_combo.addItem(human_name(speed), speed.value)
        self.speed_combo.setToolTip(
            "Rendering speed: faster is cheaper, Quality is slowest and best. Not set = the service uses Default."
        )
        self.speed_combo.currentIndexChanged.connect(self._on_changed)
        self._add_row(grid, body, "Speed", self.speed_combo, ["rendering_speed"])

        self.images_spin = QSpinBox(body)
        self.images_spin.setRange(1, MAX_NUM_IMAGES)
        self.images_spin.setToolTip(f"How many images to make (1–{MAX_NUM_IMAGES}); each one is billed.")
        self.images_spin.valueChanged.connect(self._on_changed)
        images_box = QHBoxLayout()
        images_box.addWidget(self.images_spin)
        images_box.addStretch(1)
        self._add_row(grid, body, "Images", images_box, ["num_images"], buddy=self.images_spin)

        seed_box = QHBoxLayout()
        seed_box.setSpacing(6)
        self.seed_lock = QToolButton(body)
        self.seed_lock.setCheckable(True)
        self.seed_lock.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.seed_lock.setMinimumWidth(92)
        self.seed_lock.toggled.connect(self._on_seed_lock_toggled)
        seed_box.addWidget(self.seed_lock)
        self.seed_spin = QSpinBox(body)
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setMinimumWidth(120)
        self.seed_spin.setGroupSeparatorShown(False)
        self.seed_spin.valueChanged.connect(self._on_changed)
        seed_box.addWidget(self.seed_spin, 1)
        self._add_row(grid, body, "Seed", seed_box, ["seed"], buddy=self.seed_spin)

        self.magic_combo = QComboBox(body)
        self.magic_combo.addItem("Not set (service decides)", "")
        for option in MagicPrompt:
            self.magic_combo.addItem(human_name(option), option.value)
        self.magic_combo.setToolTip(
            "Magic prompt lets the service rewrite and enrich your prompt. The prompt it used is stored "
            "with each result. Not set = nothing is sent."
        )
        self.magic_combo.currentIndexChanged.connect(self._on_changed)
        self._add_row(grid, body, "Magic prompt", self.magic_combo, ["magic_prompt"])

        # Style
        form.addSpacing(6)
        form.addWidget(self._label("Style", body, bold=True))
        style_grid = QGridLayout()
        style_grid.setHorizontalSpacing(12)
        style_grid.setVerticalSpacing(4)
        style_grid.setColumnStretch(1, 1)
        form.addLayout(style_grid)

        self.style_type_combo = QComboBox(body)
        self.style_type_combo.addItem("Not set (General)", "")
        for style in (
            StyleType.AUTO,
            StyleType.GENERAL,
            StyleType.REALISTIC,
            StyleType.DESIGN,
            StyleType.FICTION,
            StyleType.STYLIZED,
            StyleType.CUSTOM,
        ):
            self.style_type_combo.addItem(human_name(style), style.value)
        self.style_type_combo.setToolTip(
            "Broad style family. Not set sends nothing, and the API then uses General (not Auto). "
            "Cannot be combined with style codes."
        )
        self.style_type_combo.currentIndexChanged.connect(self._on_changed)
        self._add_row(style_grid, body, "Style type", self.style_type_combo, ["style_type"])

        preset_box = QHBoxLayout()
        preset_box.setSpacing(4)
        self.preset_button = QToolButton(body)
        self.preset_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.preset_button.setIconSize(QSize(32, 32))
        self.preset_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.preset_button.setMinimumHeight(40)
        self.preset_button.clicked.connect(self.open_preset_picker)
        preset_box.addWidget(self.preset_button, 1)
        self.preset_clear = self._clear_button(body, "Use no style preset")
        self.preset_clear.clicked.connect(self._on_clear_preset)
        preset_box.addWidget(self.preset_clear)
        self._add_row(style_grid, body, "Preset", preset_box, ["style_preset"], buddy=self.preset_button)

        palette_box = QHBoxLayout()
        palette_box.setSpacing(4)
        self.palette_button = QToolButton(body)
        self.palette_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.palette_button.setIconSize(QSize(84, 16))
        self.palette_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.palette_button.setMinimumHeight(30)
        self.palette_button.clicked.connect(self.open_palette_picker)
        palette_box.addWidget(self.palette_button, 1)
        self.palette_clear = self._clear_button(body, "Use no colour palette")
        self.palette_clear.clicked.connect(self._on_clear_palette)
        palette_box.addWidget(self.palette_clear)
        self._add_row(style_grid, body, "Palette", palette_box, ["color_palette"], buddy=self.palette_button)

        self.style_codes_edit = QLineEdit(body)
        self.style_codes_edit.setPlaceholderText("e.g. AAFF5733, 0133FF57")
        self.style_codes_edit.setClearButtonEnabled(True)
        self.style_codes_edit.setToolTip(
            "Style codes: 8 hexadecimal characters each, separated by commas or spaces. "
            "Cannot be combined with a style type or with style reference images."
        )
        self.style_codes_edit.textChanged.connect(self._on_changed)
        self._add_row(style_grid, body, "Style codes", self.style_codes_edit, ["style_codes"])

        # References
        refs = QWidget(body)
        refs_layout = QVBoxLayout(refs)
        refs_layout.setContentsMargins(0, 0, 0, 0)
        refs_layout.setSpacing(4)
        refs_layout.addWidget(self._label("Style references", refs))
        self.style_refs = ReferenceZone("Style references", MAX_STYLE_REFERENCES, refs)
        self.style_refs.changed.connect(self._on_references_changed)
        refs_layout.addWidget(self.style_refs)
        self._add_message(refs_layout, refs, ["style_reference_images"], self.style_refs)
        char_row = QHBoxLayout()
        char_row.setSpacing(8)
        char_col = QVBoxLayout()
        char_col.addWidget(self._label("Character", refs))
        self.character_refs = ReferenceZone(
            "Character reference", MAX_CHARACTER_REFERENCES, refs, hint="Drop the character's image"
        )
        self.character_refs.changed.connect(self._on_references_changed)
        char_col.addWidget(self.character_refs)
        char_col.addStretch(1)
        char_row.addLayout(char_col, 1)
        mask_col = QVBoxLayout()
        mask_col.addWidget(self._label("Character mask (optional)", refs))
        self.character_mask = ReferenceZone(
            "Character mask",
            MAX_CHARACTER_REFERENCES,
            refs,
            hint="Grayscale, same size as the reference",
        )
        self.character_mask.changed.connect(self._on_references_changed)
        mask_col.addWidget(self.character_mask)
        mask_col.addStretch(1)
        char_row.addLayout(mask_col, 1)
        refs_layout.addLayout(char_row)
        self._add_message(
            refs_layout,
            refs,
            ["character_reference_images", "character_reference_images_mask"],
            self.character_refs,
        )
        note = QLabel("A character reference switches the job to character-reference pricing.", refs)
        mute(note)
        note.setWordWrap(True)
        refs_layout.addWidget(note)
        form.addSpacing(4)
        self.references_section = CollapsibleSection("References", refs, body)
        form.addWidget(self.references_section)
        for f in ("style_reference_images", "character_reference_images", "character_reference_images_mask"):
            self._section_of[f] = self.references_section

        # More
        more = QWidget(body)
        more_grid = QGridLayout(more)
        more_grid.setContentsMargins(0, 0, 0, 0)
        more_grid.setHorizontalSpacing(12)
        more_grid.setVerticalSpacing(4)
        more_grid.setColumnStretch(1, 1)
        self.custom_model_edit = QLineEdit(more)
        self.custom_model_edit.setPlaceholderText("model/<name>/version/<version>")
        self.custom_model_edit.setClearButtonEnabled(True)
        self.custom_model_edit.setToolTip(
            "Optional custom model URI. The model version and style are resolved from it."
        )
        self.custom_model_edit.textChanged.connect(self._on_changed)
        self._add_row(more_grid, more, "Custom model", self.custom_model_edit, ["custom_model_uri"])
        self.more_section = CollapsibleSection("More", more, body)
        form.addWidget(self.more_section)
        self._section_of["custom_model_uri"] = self.more_section
        form.addStretch(1)

        # Footer: cost and Generate, always visible.
        footer = QFrame(self)
        footer.setObjectName("generateFooter")
        foot = QVBoxLayout(footer)
        foot.setContentsMargins(14, 8, 14, 12)
        foot.setSpacing(6)
        self._add_message(foot, footer, ["request"], None)
        # The reason Generate is blocked, with a link to the field (which may be scrolled away).
        self.blocker_label = QLabel(footer)
        self.blocker_label.setObjectName("blockerLabel")
        self.blocker_label.setWordWrap(True)
        self.blocker_label.setTextFormat(Qt.TextFormat.RichText)
        self.blocker_label.setStyleSheet(f"QLabel#blockerLabel {{ color: {ERROR_COLOR}; }}")
        self.blocker_label.linkActivated.connect(self._on_show_blocker)
        self.blocker_label.hide()
        foot.addWidget(self.blocker_label)
        self.cost_label = QLabel(footer)
        self.cost_label.setObjectName("costLabel")
        self.cost_label.setWordWrap(True)
        foot.addWidget(self.cost_label)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.generate_button = QPushButton("Generate", footer)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setMinimumHeight(36)
        self.generate_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.generate_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.generate_button.clicked.connect(self._on_generate_clicked)
        row.addWidget(self.generate_button, 1)
        self.front_button = QToolButton(footer)
        self.front_button.setObjectName("generateMenuButton")
        self.front_button.setArrowType(Qt.ArrowType.DownArrow)
        self.front_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.front_button.setFixedSize(QSize(36, 36))
        self.front_button.setToolTip("More ways to send: at the front of the queue (Ctrl+Shift+Enter)")
        row.addWidget(self.front_button)
        foot.addLayout(row)
        outer.addWidget(footer)

        self.generate_action = QAction("Generate", self)
        self.generate_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.generate_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.generate_action.triggered.connect(self._on_generate_action)
        self.front_action = QAction("Generate at front of queue", self)
        self.front_action.setShortcuts([QKeySequence("Ctrl+Shift+Return"), QKeySequence("Ctrl+Shift+Enter")])
        self.front_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.front_action.triggered.connect(self._on_front_action)
        self.addAction(self.generate_action)
        self.addAction(self.front_action)
        menu = QMenu(self.front_button)
        menu.addAction(self.generate_action)
        menu.addAction(self.front_action)
        self.front_button.setMenu(menu)

        self._setup_dialogs()
        self._update_seed_ui()
        self._update_preset_button()
        self._update_palette_button()
        self._update_speed_labels()
        self.setStyleSheet(
            'QLabel#fieldLabel[bold="true"] { font-weight: 600; }'
            "QFrame#generateFooter { border-top: 1px solid palette(midlight); }"
            "QPushButton#generateButton { background: #1a73e8; color: white; border: none;"
            " border-radius: 6px; padding: 6px 18px; font-weight: 600; }"
            "QPushButton#generateButton:hover { background: #1765cc; }"
            "QPushButton#generateButton:pressed { background: #185abc; }"
            "QPushButton#generateButton:disabled { background: palette(midlight); color: palette(mid); }"
        )

    def _setup_dialogs(self) -> None:
        self._preset_dialog = QDialog(self)
        self._preset_dialog.setWindowTitle("Style presets")
        self._preset_dialog.resize(860, 720)
        layout = QVBoxLayout(self._preset_dialog)
        layout.setContentsMargins(0, 0, 0, 0)
        self._preset_picker = PresetPicker(self._preset_dialog)
        self._preset_picker.preset_chosen.connect(self._on_preset_chosen)
        self._preset_picker.preview_store().preview_changed.connect(self._on_preview_changed)
        layout.addWidget(self._preset_picker)

        self._palette_dialog = QDialog(self)
        self._palette_dialog.setWindowTitle("Colour palette")
        layout = QVBoxLayout(self._palette_dialog)
        self._palette_picker = PalettePicker(self._palette_dialog)
        self._palette_picker.changed.connect(self._on_palette_changed)
        layout.addWidget(self._palette_picker)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self._palette_dialog)
        buttons.rejected.connect(self._palette_dialog.close)
        layout.addWidget(buttons)
        self._palette_dialog.resize(460, 560)

    def _label(self, text: str, parent: QWidget, bold: bool = False) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName("fieldLabel")
        label.setProperty("bold", bold)
        return label

    def _clear_button(self, parent: QWidget, tip: str) -> QToolButton:
        button = QToolButton(parent)
        button.setText("×")
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setFixedSize(QSize(26, 26))
        return button

    def _lines_height(self, lines: int) -> int:
        return self.fontMetrics().lineSpacing() * lines + 14

    def _add_row(
        self,
        grid: QGridLayout,
        parent: QWidget,
        label: str,
        field: QWidget | QHBoxLayout,
        names: list[str],
        buddy: QWidget | None = None,
    ) -> None:
        row = grid.rowCount()
        lab = self._label(label, parent)
        lab.setMinimumWidth(92)
        grid.addWidget(lab, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if isinstance(field, QWidget):
            grid.addWidget(field, row, 1)
            target = field
        else:
            grid.addLayout(field, row, 1)
            assert buddy is not None
            target = buddy
        lab.setBuddy(buddy or target)
        message = FieldMessage(parent)
        grid.addWidget(message, row + 1, 1)
        for name in names:
            self._messages[name] = message
            self._focus_targets[name] = target

    def _add_message(self, layout: QVBoxLayout, parent: QWidget, names: list[str], target: QWidget | None) -> None:
        message = FieldMessage(parent)
        layout.addWidget(message)
        for name in names:
            self._messages[name] = message
            if target is not None:
                self._focus_targets[name] = target

    # ---- building and checking -----------------------------------------------------------
    def _build(self) -> GenerateRequest:
        """The request as the form shows it, not validated."""
        aspect, resolution = self.shape_picker.value()
        negative = self.negative_edit.text()
        uri = self.custom_model_edit.text().strip()
        return GenerateRequest(
            prompt=self.prompt_edit.text(),
            negative_prompt=negative if negative.strip() else None,
            aspect_ratio=aspect,
            resolution=resolution,
            rendering_speed=self._combo_value(self.speed_combo, RenderingSpeed),
            magic_prompt=self._combo_value(self.magic_combo, MagicPrompt),
            style_type=self._combo_value(self.style_type_combo, StyleType),
            num_images=self.images_spin.value(),
            seed=self.seed_spin.value() if self.seed_lock.isChecked() else None,
            style_preset=self._preset,
            color_palette=self._palette_picker.value(),
            style_codes=parse_style_codes(self.style_codes_edit.text()),
            custom_model_uri=uri or None,
            style_reference_images=tuple(self.style_refs.images()),
            character_reference_images=tuple(self.character_refs.images()),
            character_reference_images_mask=tuple(self.character_mask.images()),
        )

    def _check(self, request: GenerateRequest) -> RequestValidationError | None:
        """validate(); an empty prompt is reported only after every other field checks out."""
        probe = request if request.prompt.strip() else dataclasses.replace(request, prompt="-")
        try:
            probe.validate()
        except RequestValidationError as exc:
            return exc
        if probe is not request:
            try:
                request.validate()
            except RequestValidationError as exc:
                return exc
        return None

    def _refresh(self) -> None:
        if self._loading:
            return
        request = self._build()
        error = self._check(request)
        self._error = error
        for message in set(self._messages.values()):
            message.clear_message()

        prompt_missing = error is not None and error.field == "prompt" and not request.prompt.strip()
        if error is not None and (not prompt_missing or self._show_prompt_required):
            message = self._messages.get(error.field, self._messages["request"])
            text = "Enter a prompt to generate." if prompt_missing else self._describe(error)
            message.show_error(text)
            section = self._section_of.get(error.field)
            if section is not None:
                section.set_expanded(True)

        warnings: dict[FieldMessage, list[str]] = {}
        for field, text in advice(request):
            message = self._messages.get(field, self._messages["request"])
            if message.kind() != "error":
                warnings.setdefault(message, []).append(text)
        for message, texts in warnings.items():
            message.show_warning(" ".join(texts))

        self._update_generate(error, prompt_missing)
        self._update_cost(request)
        self._update_summaries()

    def _describe(self, error: RequestValidationError) -> str:
        return describe(FIELD_LABELS.get(error.field, error.field.replace("_", " ").capitalize()), error.rule)

    def _update_generate(self, error: RequestValidationError | None, prompt_missing: bool) -> None:
        if self._busy:
            reason = "Busy sending the previous request."
        elif prompt_missing:
            reason = "Enter a prompt first."
        elif error is not None:
            reason = self._describe(error)
        else:
            reason = None
        enabled = reason is None
        self.generate_button.setEnabled(enabled)
        self.generate_action.setEnabled(enabled)
        self.front_action.setEnabled(enabled)
        if enabled:
            self.generate_button.setToolTip(
                "Generate (Ctrl+Enter). Ctrl+Shift+Enter puts it at the front of the queue."
            )
        else:
            self.generate_button.setToolTip(f"Can't generate yet: {reason}")
        self.generate_button.setText("Sending…" if self._busy else "Generate")

        show_blocker = error is not None and not prompt_missing and error.field in self._focus_targets
        if show_blocker:
            assert error is not None and reason is not None
            self.blocker_label.setText(f'{html.escape(reason)} <a href="{html.escape(error.field)}">Show</a>')
            self.blocker_label.setToolTip(f"Go to {FIELD_LABELS.get(error.field, error.field)}")
        self.blocker_label.setVisible(show_blocker)

    def _update_cost(self, request: GenerateRequest) -> None:
        total = estimate_cost(request)
        each = price_per_image(request)
        n = request.image_count()
        noun = "image" if n == 1 else "images"
        if total is None or each is None:
            speed = request.rendering_speed or DEFAULT_SPEED
            self.cost_label.setText("Estimated cost: price unknown")
            why = f"No price is published for {human_name(speed)}"
            if request.has_character_reference:
                why += " with a character reference"
            self.cost_label.setToolTip(why + "; the studio shows no guessed figure.")
            return
        each_text = format_cost(each).removeprefix("≈ ")
        self.cost_label.setText(f"Estimated cost: {format_cost(total)} ({n} {noun} × {each_text})")
        basis = "character-reference pricing" if request.has_character_reference else "standard pricing"
        speed = request.rendering_speed or DEFAULT_SPEED
        self.cost_label.setToolTip(
            f"An estimate from the published prices: {human_name(speed)}, {basis}. "
            "Withheld (unsafe) images are billed too."
        )

    def _update_summaries(self) -> None:
        parts = []
        if n := len(self.style_refs.images()):
            parts.append(f"{n} style image{'s' if n != 1 else ''}")
        if self.character_refs.images():
            parts.append("character" + (" + mask" if self.character_mask.images() else ""))
        self.references_section.set_summary(", ".join(parts))
        self.more_section.set_summary("custom model" if self.custom_model_edit.text().strip() else "")

    def _update_seed_ui(self) -> None:
        locked = self.seed_lock.isChecked()
        self.seed_lock.setText("Locked" if locked else "Random")
        self.seed_lock.setIcon(_lock_icon(locked))
        self.seed_lock.setToolTip(
            "The seed is locked: the same request makes the same image. Click for a random seed."
            if locked
            else "A new random seed each time. Click to lock a seed and reproduce a result."
        )
        self.seed_spin.setEnabled(locked)
        self.seed_spin.setToolTip(
            f"Seed 0–{MAX_SEED}." if locked else "Lock the seed to set it; the service now picks one at random."
        )

    def _update_preset_button(self) -> None:
        preset = self._preset
        self.preset_button.setText(preset_name(preset) + "  ▸")
        self.preset_button.setIcon(QIcon(self._preset_picker.preview_pixmap(preset)))
        self.preset_button.setToolTip(
            f"Style preset: {preset_name(preset)} — {preset_description(preset)}\nClick to browse presets."
        )
        self.preset_clear.setEnabled(preset is not None)

    def _update_palette_button(self) -> None:
        palette = self._palette_picker.value()
        self.palette_button.setText(palette_label(palette) + "  ▸")
        self.palette_button.setIcon(QIcon(palette_pixmap(palette, 84, 16)))
        self.palette_button.setToolTip(
            "Colour palette: " + palette_label(palette) + ". Click to choose a preset, custom colours, "
            "or colours from an image."
        )
        self.palette_clear.setEnabled(palette is not None)

    def _update_speed_labels(self) -> None:
        """Show each speed's price per image (character-reference prices when one is set)."""
        refs = tuple(self.character_refs.images())
        for i in range(self.speed_combo.count()):
            value = self.speed_combo.itemData(i)
            speed = RenderingSpeed(value) if value else None
            probe = GenerateRequest(prompt="-", rendering_speed=speed, character_reference_images=refs)
            price = price_per_image(probe)
            price_text = "price unknown" if price is None else f"${price:.2f} / image"
            name = "Not set (Default)" if speed is None else human_name(speed)
            self.speed_combo.setItemText(i, f"{name}  ·  {price_text}")

    def _set_preset(self, preset: StylePreset | None) -> None:
        self._preset = preset
        self._preset_picker.set_current(preset)
        self._update_preset_button()

    def _expand_used_sections(self) -> None:
        if self.style_refs.images() or self.character_refs.images() or self.character_mask.images():
            self.references_section.set_expanded(True)
        if self.custom_model_edit.text().strip():
            self.more_section.set_expanded(True)

    def _focus_field(self, field: str) -> None:
        section = self._section_of.get(field)
        if section is not None:
            section.set_expanded(True)
        target = self._focus_targets.get(field)
        if target is not None:
            self._scroll.ensureWidgetVisible(target, 20, 40)
            message = self._messages.get(field)
            if message is not None and message.isVisible():
                self._scroll.ensureWidgetVisible(message, 20, 20)
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _combo_value(combo: QComboBox, enum: Any) -> Any:
        data = combo.currentData()
        return enum(data) if data else None

    @staticmethod
    def _set_combo(combo: QComboBox, value: Any) -> None:
        index = combo.findData(value.value if value is not None else "")
        combo.setCurrentIndex(max(0, index))

    @staticmethod
    def _field_ok(name: str, value: Any) -> bool:
        try:
            GenerateRequest.from_parts({"prompt": "", name: value})
        except (RequestValidationError, TypeError):
            return False
        return True

    @staticmethod
    def _load_quietly(zone: ReferenceZone, paths: list[str]) -> None:
        images, kept = [], []
        for path in paths[: zone.max_count()]:
            try:
                images.append(ImageFile.from_path(path))
            except ImageFileError:
                continue
            kept.append(path)
        if images:
            zone.set_images(images, kept)

    # ---- slots -----------------------------------------------------------------------------
    @Slot()
    def _on_changed(self) -> None:
        if not self._loading:
            self._refresh()
            self.changed.emit()

    @Slot()
    def _on_prompt_changed(self) -> None:
        if self.prompt_edit.text().strip():
            self._show_prompt_required = False
        self._on_changed()

    @Slot()
    def _on_references_changed(self) -> None:
        self._update_speed_labels()
        self._on_changed()

    @Slot(bool)
    def _on_seed_lock_toggled(self, _locked: bool) -> None:
        self._update_seed_ui()
        self._on_changed()

    @Slot(bool)
    def _on_submit_requested(self, to_front: bool) -> None:
        self.submit(to_front)

    @Slot()
    def _on_generate_clicked(self) -> None:
        self.submit(False)

    @Slot()
    def _on_generate_action(self) -> None:
        self.submit(False)

    @Slot()
    def _on_front_action(self) -> None:
        self.submit(True)

    @Slot(str)
    def _on_show_blocker(self, field: str) -> None:
        self._focus_field(field)

    @Slot(object)
    def _on_preset_chosen(self, preset: StylePreset | None) -> None:
        self._set_preset(preset)
        self._preset_dialog.hide()
        self._on_changed()

    @Slot()
    def _on_clear_preset(self) -> None:
        self._set_preset(None)
        self._on_changed()

    @Slot(object)
    def _on_preview_changed(self, preset: StylePreset) -> None:
        if preset == self._preset:
            self._update_preset_button()

    @Slot()
    def _on_palette_changed(self) -> None:
        self._update_palette_button()
        self._on_changed()

    @Slot()
    def _on_clear_palette(self) -> None:
        self._palette_picker.set_value(None)
