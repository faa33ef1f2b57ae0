"""The Generate form: every field of GenerateRequest, validated as you edit, with a live cost estimate.

A ModePanel like the other five: the request is built from the form, ``validate()`` names the field
that breaks a rule, and the message is shown at that field (and on the Generate button's tooltip).
The panel knows no API rule of its own. What is Generate's own: no source image, the roomier form,
the prompt that grows with its text, and the saved state's format (kept: it is in designers' settings).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast, overload

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout

from ...api.enums import StylePreset
from ...api.errors import ImageFileError, RequestValidationError
from ...api.images import ImageFile
from ...api.limits import MAX_SEED
from ...api.palette import ColorPalette
from ...api.registry import V1_MODEL
from ...api.requests import ApiRequest, GenerateRequest, Operation
from ...api.v2_requests import V2Request
from ..widgets.prompt_edit import PromptEdit
from .field_widgets import parse_style_codes
from .mode_panel import ModePanel, Problem
from .model_fields import model_name, takes_structured, target, unavailable, v2_values
from .model_row import ModelRow
from .model_size import ModelSizeRow, add_size, target_size_field
from .request_fields import RequestFields
from .send_footer import show_cost
from .structured_field import LABELS as STRUCTURED_LABELS
from .structured_field import StructuredField
from .v2_form import PanelServices, v2_problems

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QToolButton

    from ..pickers.palette_picker import PalettePicker
    from ..pickers.preset_picker import PresetPicker
    from ..pickers.shape_picker import ShapePicker
    from ..widgets.collapsible import CollapsibleSection
    from .layout_editor import LayoutEditor
    from .reference_zone import ReferenceZone

__all__ = ["GeneratePanel", "parse_style_codes"]

#: The request fields the form shows below the prompt: all the others (the mask goes with the
#: character reference).
FIELDS = tuple(n for n in GenerateRequest.field_types() if n not in ("prompt", "character_reference_images_mask"))
STATE_VERSION = 1
#: Generate's headings are semi-bold (the other forms keep the labels' own bold font).
MIN_WIDTH = 380


#: The model a structured prompt brought from elsewhere switches the form to (the current layout model).
STRUCTURED_MODEL = "ideogram-4-5"


W = TypeVar("W")


class _Row(Generic[W]):
    """A widget of the Generate form's rows (RequestFields), or with `section` the section that field
    is in, read through the panel's `fields`: asked for before the rows are made, they are made now."""

    def __init__(self, section: str = "") -> None:
        self._section = section
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, panel: None, owner: type) -> _Row[W]: ...
    @overload
    def __get__(self, panel: GeneratePanel, owner: type) -> W: ...
    def __get__(self, panel: GeneratePanel | None, owner: type) -> _Row[W] | W:
        if panel is None:
            return self
        fields = panel.fields
        widget = fields.sections()[self._section] if self._section else getattr(fields, self._name)
        return cast(W, widget)


class GeneratePanel(ModePanel):
    """The Generate workflow's form. Emits `submitted(request, to_front)` with a valid request."""

    #: "Expand": the prompt's sentence to turn into a structured prompt (set_structured_prompt answers).
    expand_requested = Signal(str)
    #: "Layout": show the layout editor (layout_editor()) in the centre.
    layout_requested = Signal()
    #: The model takes a structured prompt (True) or not: the window offers the layout or hides it.
    layout_available = Signal(bool)

    request_class: ClassVar[type[ApiRequest]] = GenerateRequest
    mode_name = "Generate"
    send_text = "Generate"
    send_verb = "generate"
    # The prompt is all Generate needs: the footer stays quiet until a send is tried.
    footer_names_missing = False
    # The first panel at start-up: its rows once the prompt takes typing (ModePanel).
    rows_after_first_paint = True
    rows_lines = 41  # (581 px at a line spacing of 14 px: the negative prompt down to More)
    # Always there in Generate (built by _setup_body).
    prompt_edit: PromptEdit
    # The rows' widgets, read through `fields` (made first if they were left for after the first paint).
    negative_edit: _Row[PromptEdit] = _Row()
    shape_picker: _Row[ShapePicker] = _Row()
    speed_combo: _Row[QComboBox] = _Row()
    images_spin: _Row[QSpinBox] = _Row()
    seed_lock: _Row[QToolButton] = _Row()
    seed_spin: _Row[QSpinBox] = _Row()
    magic_combo: _Row[QComboBox] = _Row()
    style_type_combo: _Row[QComboBox] = _Row()
    preset_button: _Row[QToolButton] = _Row()
    preset_clear: _Row[QToolButton] = _Row()
    palette_button: _Row[QToolButton] = _Row()
    palette_clear: _Row[QToolButton] = _Row()
    style_codes_edit: _Row[QLineEdit] = _Row()
    style_refs: _Row[ReferenceZone] = _Row()
    character_refs: _Row[ReferenceZone] = _Row()
    character_mask: _Row[ReferenceZone] = _Row()
    custom_model_edit: _Row[QLineEdit] = _Row()
    references_section: _Row[CollapsibleSection] = _Row("style_reference_images")
    more_section: _Row[CollapsibleSection] = _Row("custom_model_uri")

    @property
    def fields(self) -> RequestFields:
        fields = super().fields
        assert fields is not None
        return fields

    def _built(self) -> None:
        #: The footer's send button and Ctrl+Enter action, by their Generate names.
        self.generate_button = self.send_button
        self.generate_action = self.send_action

    # ---- the form ----------------------------------------------------------------------------
    def _setup_body(self, form: QVBoxLayout) -> Iterator[None]:
        self._model_problems: dict[str, str] = {}
        self.model_row = ModelRow(Operation.GENERATE, self.body)
        form.addWidget(self.model_row)
        self.size_row = ModelSizeRow(self.body)
        form.addWidget(self.size_row)
        self.size_row.changed.connect(self._on_changed)
        yield
        self.make_prompt(
            "Prompt",
            "Describe the image: subject, setting, mood, text to render…",
            "What to generate.",
            4,
            max_lines=12,
        )
        self.structured = StructuredField(self, form, self._chosen_size)
        self.structured_box = self.structured.box
        self.layout_sync = self.structured.sync
        self.size_row.changed.connect(self.layout_sync.size_changed)
        yield
        yield from self.fields_in_steps(list(FIELDS), style_section=False, roomy=True)
        yield
        self.register("quality", self.model_row.quality_message, self.model_row.quality_combo)
        self.model_row.changed.connect(self._on_changed)
        self.model_row.model_changed.connect(self._on_model_changed)
        self._on_model_changed()

    def narrowest(self) -> int:
        # The roomy form lays out at this width (the window gives the panel at least as much), or at
        # its widest row's if that is wider (the model picker's): the form never scrolls sideways.
        return MIN_WIDTH

    def _build(self, final: bool = False) -> GenerateRequest | V2Request:  # type: ignore[override]
        """The request as the form shows it, not validated: v1 for Ideogram 3.0, else the model's v2."""
        model, transparent = self.model_row.model(), self.model_row.transparent()
        if model == V1_MODEL and not transparent:
            return self._build_v1()
        form = {**self.field_values(), "quality": self.model_row.quality()}
        values, self._model_problems = v2_values(Operation.GENERATE, model, self.prompt_text(), form, transparent)
        goal = target(Operation.GENERATE, model, transparent)
        assert goal is not None  # (the box is disabled for a model that cannot)
        self._model_problems.update(self.structured.apply(values, goal))
        add_size(values, Operation.GENERATE, model, self.size_row.value(), transparent)
        return V2Request.build(goal.operation, goal.model, values)

    def _show_advice(self, request: ApiRequest) -> None:
        super()._show_advice(request)
        self.structured.show_advice(request)

    def set_structured_prompt(self, prompt: object) -> None:
        """The controller's answer to expand_requested (None: it could not; the status line says why)."""
        self.structured.set_value(prompt)

    def use_structured_prompt(self, prompt: dict[str, Any], reference: QImage | None = None) -> None:
        """A structured prompt from elsewhere (describe as a layout): the form switches to Ideogram 4.5
        when its model cannot take one, and the prompt goes in the structured field; ``reference``
        (the described image) is the layout editor's frame, its boxes over what they describe."""
        model, transparent = self.model_row.model(), self.model_row.transparent()
        if not takes_structured(target(Operation.GENERATE, model, transparent)):
            self.model_row.transparent_check.setChecked(False)
            self.set_model(STRUCTURED_MODEL)
        self.set_structured_prompt(prompt)
        if reference is not None:
            self.structured.use_reference(reference)

    def draft(self) -> GenerateRequest | V2Request:  # type: ignore[override]
        """The batch dialog's template: the request the form sends, 3.0's or the chosen 4.x model's
        (batch/plan.py varies the prompt and seed of either)."""
        return self._build()

    def _build_v1(self) -> GenerateRequest:
        return GenerateRequest(prompt=self.prompt_text(), **self.field_values())

    def _problems_of(self, request: ApiRequest) -> list[Problem]:
        if not isinstance(request, V2Request):
            return super()._problems_of(request)
        return v2_problems(self, request, self._model_problems)

    def _on_model_changed(self) -> None:
        model, transparent = self.model_row.model(), self.model_row.transparent()
        if not self.rows_pending():  # (else once they are: _rows_made)
            self.fields.set_unavailable(unavailable(Operation.GENERATE, model, self.fields.names(), transparent))
        goal = target(Operation.GENERATE, model, transparent)
        own = self.structured.unavailable(goal, model_name(Operation.GENERATE, model, transparent))
        reasons = {**unavailable(Operation.GENERATE, model, FIELDS, transparent), **own}
        self.model_row.show_unavailable(reasons, STRUCTURED_LABELS)
        field = target_size_field(Operation.GENERATE, model, transparent)
        self.size_row.set_field(field, model_name(Operation.GENERATE, model))
        self.structured.model_changed(goal)

    def _rows_made(self) -> None:
        self._on_model_changed()

    def _chosen_size(self) -> str | None:
        """The 4.x output size the form sends ("WxH"), or None (the model chooses)."""
        return None if self.size_row.isHidden() else self.size_row.value()

    def _missing_text(self, field: str) -> str:
        if field == "prompt":
            return "Enter a prompt to generate."
        return super()._missing_text(field)

    def _update_cost(self, request: ApiRequest) -> None:
        # The local figure at once, the service's quote once the form settles (a 3.0 request through
        # its v2 twin: ModePanel._quote_request).
        self.quote_line().schedule(None if self._problems else request)
        if not isinstance(request, V2Request):
            show_cost(self.cost_label, request)
            return
        from .quote_line import show_local_v2_cost  # (with the form's first check)

        show_local_v2_cost(self.cost_label, request)

    # ---- public ----------------------------------------------------------------------------
    def request(self) -> GenerateRequest | V2Request:  # type: ignore[override]
        """The request the form describes; raises RequestValidationError if a rule is broken."""
        request = super().request()
        assert isinstance(request, GenerateRequest | V2Request)
        return request

    def layout_editor(self) -> LayoutEditor:
        """The structured prompt's layout editor, kept in step with the JSON field (made on first use)."""
        return self.layout_sync.editor()

    def connect_services(self, services: PanelServices) -> None:
        super().connect_services(services)
        self.structured.connect_services(services)

    def model(self) -> str:
        return self.model_row.model()

    def set_model(self, model: str) -> None:
        self.model_row.set_model(model)

    def reuse(self, request: object) -> bool:
        """A 4.x (or v2 3.0) generate request sets the model, its prompt or structured prompt, and
        the fields the form shares with it; a 3.0 request every field."""
        if isinstance(request, V2Request) and request.operation in (Operation.GENERATE, Operation.GENERATE_TRANSPARENT):
            self._set_v2_request(request)
            return True
        return super().reuse(request)

    def set_request(self, request: ApiRequest) -> None:
        """Fill every field exactly from a request ("reuse settings")."""
        if not isinstance(request, GenerateRequest):
            raise TypeError(f"GeneratePanel takes a GenerateRequest, not {type(request).__name__}")
        self._loading += 1
        try:
            self.prompt_edit.set_text(request.prompt)
            self.fields.set_values(request)
        finally:
            self._loading -= 1
        self._refresh()

    def _set_v2_request(self, request: V2Request) -> None:
        v = request.values
        transparent = request.operation is Operation.GENERATE_TRANSPARENT or v.get("background") == "transparent"
        model = V1_MODEL if request.model == "ideogram-3" else request.model
        self._loading += 1
        try:
            self.model_row.restore(model, v.get("quality"), transparent)
            self.size_row.set_value(v.get("resolution") or v.get("size"))
            self.prompt_edit.set_text(str(v.get("prompt") or ""))
            self.structured_box.set_value(request.json_prompt)
            if isinstance(v.get("num_images"), int):
                self.images_spin.setValue(v["num_images"])
            if isinstance(v.get("seed"), int):
                self.fields.set_seed(v["seed"])
            else:
                self.seed_lock.setChecked(False)
        finally:
            self._loading -= 1
        self._refresh()

    def set_seed(self, seed: int) -> None:
        """Lock the seed to this value ("reuse seed")."""
        self.fields.set_seed(seed)

    def seed_locked(self) -> bool:
        return self.seed_lock.isChecked()

    def prompt_history(self) -> list[str]:
        return self.prompt_edit.history()

    def set_prompt_history(self, prompts: Iterable[str]) -> None:
        self.prompt_edit.set_history(prompts)

    def is_busy(self) -> bool:
        return self._busy

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
        return self.fields.color_palette()

    def set_color_palette(self, palette: ColorPalette | None) -> None:
        self.fields.set_color_palette(palette)

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
        request = self._build_v1()
        return {
            "version": STATE_VERSION,
            "model": self.model_row.model(),
            "quality": self.model_row.quality(),
            "size": self.size_row.value(),
            "transparent": self.model_row.transparent_check.isChecked(),
            "fields": request.fields_json(),
            "seed": self.seed_spin.value(),
            "seed_locked": self.seed_lock.isChecked(),
            "style_codes_text": self.style_codes_edit.text(),
            "style_reference_paths": [p for p in self.style_refs.paths() if p],
            "character_reference_paths": [p for p in self.character_refs.paths() if p],
            "character_mask_paths": [p for p in self.character_mask.paths() if p],
            "prompt_history": self.prompt_edit.history(),
            "preset_recents": [p.value for p in self.fields.preset_recents()],
            "references_expanded": self.references_section.is_expanded(),
            "more_expanded": self.more_section.is_expanded(),
            "structured_prompt": self.structured_box.text(),  # a layout in the making is kept
            "rows_lines": self._rows_height_lines(),  # (their place at the next start: keep_rows_place)
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore what state() saved; unknown or bad values are skipped, missing files dropped. The
        prompt and the model (where the eye is) now; the rows' values once they are there (when_rows)."""
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
            self.prompt_edit.set_text(request.prompt)
            history = state.get("prompt_history")
            if isinstance(history, list):
                self.prompt_edit.set_history(history)
            self.model_row.restore(state.get("model"), state.get("quality"), state.get("transparent"))
            size = state.get("size")
            self.size_row.set_value(size if isinstance(size, str) else None)
            structured = state.get("structured_prompt")
            if isinstance(structured, str):
                self.structured_box.set_text(structured)
        finally:
            self._loading -= 1
        lines = state.get("rows_lines")
        if isinstance(lines, int | float) and self.rows_pending():
            self.keep_rows_place(lines)
        self._send_before_rows()
        self.when_rows(lambda: self._restore_rows(state, request))

    def _restore_rows(self, state: dict[str, Any], request: GenerateRequest) -> None:
        self._loading += 1
        try:
            self.fields.set_values(request)
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
            recents = state.get("preset_recents")
            if isinstance(recents, list):
                self.fields.set_preset_recents(recents)
            self.references_section.set_expanded(bool(state.get("references_expanded")))
            self.more_section.set_expanded(bool(state.get("more_expanded")))
        finally:
            self._loading -= 1
        self.fields.expand_used()
        self._refresh()

    # ---- helpers ---------------------------------------------------------------------------
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
