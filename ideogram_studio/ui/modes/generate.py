"""The Generate form: every field of GenerateRequest, validated as you edit, with a live cost estimate.

There is one rule mechanism: build the request, call `validate()`, and show the
`RequestValidationError` at the field it names (and on the Generate button's tooltip). The
panel knows no API rule of its own.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from ...api.enums import StylePreset
from ...api.errors import ImageFileError, RequestValidationError
from ...api.images import ImageFile
from ...api.limits import MAX_SEED
from ...api.palette import ColorPalette
from ...api.requests import GenerateRequest
from ..common.field_errors import FieldMessage, describe, mute
from ..pickers.palette_picker import PalettePicker
from ..pickers.preset_picker import PresetPicker
from ..widgets.collapsible import CollapsibleSection
from ..widgets.prompt_edit import PromptEdit
from .generate_advice import advice
from .mode_panel import build_footer, footer_style, show_cost, submit_on_ctrl_enter
from .reference_zone import ReferenceZone
from .request_fields import FIELD_LABELS, RequestFields, field_label, parse_style_codes

__all__ = ["GeneratePanel", "parse_style_codes"]

#: The request fields the form shows below the prompt: all the others (the mask goes with the
#: character reference).
FIELDS = tuple(n for n in GenerateRequest.field_types() if n not in ("prompt", "character_reference_images_mask"))
STATE_VERSION = 1


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
            self.fields.set_values(request)
        finally:
            self._loading -= 1
        self._refresh()

    def set_seed(self, seed: int) -> None:
        """Lock the seed to this value ("reuse seed")."""
        self.fields.set_seed(seed)

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
        return self.fields.preset()

    def set_preset(self, preset: StylePreset | None) -> None:
        self._loading += 1
        try:
            self.fields.set_preset(preset)
        finally:
            self._loading -= 1
        self._refresh()

    def color_palette(self) -> ColorPalette | None:
        return self.palette_picker().value()

    def set_color_palette(self, palette: ColorPalette | None) -> None:
        self.palette_picker().set_value(palette)

    def preset_picker(self) -> PresetPicker:
        """The picker shown by the preset button: connect previews_requested/compare_requested here."""
        picker = self.fields.preset_picker()
        assert picker is not None
        return picker

    def palette_picker(self) -> PalettePicker:
        picker = self.fields.palette_picker()
        assert picker is not None
        return picker

    def open_preset_picker(self) -> None:
        self.fields.open_preset_picker()

    def open_palette_picker(self) -> None:
        self.fields.open_palette_picker()

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
            "preset_recents": [p.value for p in self.preset_picker().recents()],
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
                self.preset_picker().set_recents(recents)
            self.references_section.set_expanded(bool(state.get("references_expanded")))
            self.more_section.set_expanded(bool(state.get("more_expanded")))
        finally:
            self._loading -= 1
        self.fields.expand_used()
        self._refresh()

    # ---- events ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not submit_on_ctrl_enter(event, self.submit):
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
        prompt_label = field_label(body, "Prompt", bold=True)
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

        # Every other field, and the footer: cost and Generate, always visible.
        self.fields = fields = RequestFields(FIELDS, body, style_section=False, roomy=True)
        fields.changed.connect(self._on_changed)
        fields.negative_edit.submit_requested.connect(self._on_submit_requested)
        form.addWidget(fields)
        form.addStretch(1)
        self._messages.update(fields.messages())
        self._focus_targets.update(fields.focus_targets())
        self._section_of.update(fields.sections())
        self.negative_edit = fields.negative_edit
        self.shape_picker = fields.shape_picker
        self.speed_combo = fields.speed_combo
        self.images_spin = fields.images_spin
        self.seed_lock = fields.seed_lock
        self.seed_spin = fields.seed_spin
        self.magic_combo = fields.magic_combo
        self.style_type_combo = fields.style_type_combo
        self.preset_button = fields.preset_button
        self.preset_clear = fields.preset_clear
        self.palette_button = fields.palette_button
        self.palette_clear = fields.palette_clear
        self.style_codes_edit = fields.style_codes_edit
        self.style_refs = fields.style_refs
        self.character_refs = fields.character_refs
        self.character_mask = fields.character_mask
        self.custom_model_edit = fields.custom_model_edit
        sections = fields.sections()
        self.references_section = sections["style_reference_images"]
        self.more_section = sections["custom_model_uri"]

        footer = build_footer(self, "Generate", "generateFooter", "generateButton", "generateMenuButton")
        self._messages["request"] = footer.message
        self.blocker_label = footer.blocker_label
        self.blocker_label.linkActivated.connect(self._on_show_blocker)
        self.cost_label = footer.cost_label
        self.generate_button = footer.send_button
        self.generate_button.clicked.connect(self._on_generate_clicked)
        self.front_button = footer.front_button
        self.generate_action = footer.send_action
        self.generate_action.triggered.connect(self._on_generate_action)
        self.front_action = footer.front_action
        self.front_action.triggered.connect(self._on_front_action)
        outer.addWidget(footer.frame)
        self.setStyleSheet(
            'QLabel#fieldLabel[bold="true"] { font-weight: 600; }' + footer_style("generateFooter", "generateButton")
        )

    def _lines_height(self, lines: int) -> int:
        return self.fontMetrics().lineSpacing() * lines + 14

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
        return GenerateRequest(prompt=self.prompt_edit.text(), **self.fields.values())

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
        show_cost(self.cost_label, request)
        self.fields.update_speed_prices(request)

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
