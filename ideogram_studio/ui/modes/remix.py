"""Remix: a source image and a prompt make new images; the image weight says how closely they
follow the source. Every generation field applies (shape, style, references). On Ideogram 4.0 the
prompt can be a structured one, as in Generate (Expand, the layout over the source as its frame)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QVBoxLayout

from ...api.images import ImageFile
from ...api.registry import V1_MODEL
from ...api.requests import ApiRequest, Operation, RemixRequest
from ...api.v2_requests import V2Request
from ..common.theme import mute
from .mode_panel import STATE_VERSION, ModePanel, Problem
from .model_fields import model_name, target, unavailable, v2_values
from .model_row import ModelRow
from .model_size import ModelSizeRow, add_size, target_size_field
from .structured_field import LABELS as STRUCTURED_LABELS
from .structured_field import StructuredField
from .v2_form import PanelServices, v2_problems

if TYPE_CHECKING:
    from .layout_editor import LayoutEditor

DEFAULT_WEIGHT = 50
REMIX_FIELDS = [
    "negative_prompt",
    "aspect_ratio",
    "resolution",
    "rendering_speed",
    "num_images",
    "seed",
    "magic_prompt",
    "style_type",
    "style_preset",
    "color_palette",
    "style_codes",
    "style_reference_images",
    "character_reference_images",
    "custom_model_uri",
]


class RemixPanel(ModePanel):
    #: As Generate's: Expand's sentence, "Layout", and whether the model takes a structured prompt.
    expand_requested = Signal(str)
    layout_requested = Signal()
    layout_available = Signal(bool)

    request_class: ClassVar[type[ApiRequest]] = RemixRequest
    mode_name = "Remix"
    send_text = "Remix"

    def _setup_body(self, form: QVBoxLayout) -> Iterator[None]:
        self._weight_sent = True
        self._model_problems: dict[str, str] = {}
        self.model_row = ModelRow(Operation.REMIX, self.body)
        form.addWidget(self.model_row)
        self.size_row = ModelSizeRow(self.body)
        form.addWidget(self.size_row)
        self.size_row.changed.connect(self._on_changed)
        yield
        self.make_source_picker("Remix")
        yield

        self.section_title("Image weight")
        row = QHBoxLayout()
        row.setSpacing(8)
        self.weight_slider = QSlider(Qt.Orientation.Horizontal, self.body)
        self.weight_slider.setRange(1, 100)
        self.weight_slider.setValue(DEFAULT_WEIGHT)
        self.weight_slider.setPageStep(10)
        self.weight_slider.setToolTip("Image weight 1–100: higher follows the source more closely.")
        self.weight_spin = QSpinBox(self.body)
        self.weight_spin.setRange(1, 100)
        self.weight_spin.setValue(DEFAULT_WEIGHT)
        self.weight_spin.setToolTip(self.weight_slider.toolTip())
        row.addWidget(self.weight_slider, 1)
        row.addWidget(self.weight_spin)
        form.addLayout(row)
        hint = QHBoxLayout()
        left = QLabel("← more of the prompt", self.body)
        right = QLabel("follows the source more →", self.body)
        right.setAlignment(Qt.AlignmentFlag.AlignRight)
        for label in (left, right):
            mute(label)
            hint.addWidget(label)
        form.addLayout(hint)
        self.add_message(["image_weight"], self.weight_slider)
        self.weight_slider.valueChanged.connect(self._on_weight_slider)
        self.weight_spin.valueChanged.connect(self._on_weight_spin)
        yield

        self.make_prompt("Prompt", "What to make of the source image…", "What the new images should show.")
        self.structured = StructuredField(self, form, self._chosen_size)
        self.structured_box = self.structured.box
        self.size_row.changed.connect(self.structured.sync.size_changed)
        assert self.source_picker is not None
        self.source_picker.image_changed.connect(self._on_source_changed)
        yield
        fields = yield from self.fields_in_steps(REMIX_FIELDS, style_expanded=True)
        note = QLabel("With a shape set, the source is cropped to it first.", self.body)
        note.setWordWrap(True)
        mute(note)
        layout = fields.layout()
        assert isinstance(layout, QVBoxLayout)
        index = layout.indexOf(fields.shape_picker)
        layout.insertWidget(index + 1, note)
        self.crop_note = note
        yield
        self.model_row.changed.connect(self._on_changed)
        self.model_row.model_changed.connect(self._on_model_changed)
        self._on_model_changed()

    def image_weight(self) -> int | None:
        """The weight sent: None only for a reused job that sent none, until the slider moves."""
        return self.weight_slider.value() if self._weight_sent else None

    def set_image_weight(self, weight: int | None) -> None:
        self._loading += 1
        try:
            self.weight_slider.setValue(DEFAULT_WEIGHT if weight is None else weight)
            self.weight_spin.setValue(self.weight_slider.value())
            self._weight_sent = weight is not None
        finally:
            self._loading -= 1
        self._update_weight_tip()
        self._refresh()

    def _build(self, final: bool) -> ApiRequest:
        assert self.source_picker is not None
        model = self.model_row.model()
        if model != V1_MODEL:
            form = {**self.field_values(), "image_weight": self.image_weight()}
            values, self._model_problems = v2_values(Operation.REMIX, model, self.prompt_text(), form)
            image = self.source_picker.image()
            uploads = {"image": (image,)} if image is not None else {}
            self._model_problems.update(self.structured.apply(values, target(Operation.REMIX, model)))
            add_size(values, Operation.REMIX, model, self.size_row.value())
            return V2Request.build(Operation.REMIX, model, values, uploads)  # type: ignore[return-value]
        return self._build_v1()

    def _build_v1(self) -> RemixRequest:
        assert self.source_picker is not None
        return RemixRequest(
            image=self.source_picker.image(),
            prompt=self.prompt_text(),
            image_weight=self.image_weight(),
            **self.field_values(),
        )

    def _problems_of(self, request: ApiRequest) -> list[Problem]:
        if not isinstance(request, V2Request):
            return super()._problems_of(request)
        return v2_problems(self, request, self._model_problems)

    def _show_advice(self, request: ApiRequest) -> None:
        super()._show_advice(request)
        self.structured.show_advice(request)

    def set_structured_prompt(self, prompt: object) -> None:
        """Expand's answer (None: it could not; the status line says why)."""
        self.structured.set_value(prompt)

    def layout_editor(self) -> LayoutEditor:
        """The structured prompt's layout editor, the source as its frame (made on first use)."""
        return self.structured.sync.editor()

    def connect_services(self, services: PanelServices) -> None:
        super().connect_services(services)
        self.structured.connect_services(services)

    def _chosen_size(self) -> str | None:
        return None if self.size_row.isHidden() else self.size_row.value()

    @Slot()
    def _on_source_changed(self) -> None:
        # The boxes are placed over the image being remixed (its size is the layout's frame).
        assert self.source_picker is not None
        has_source = self.source_picker.image() is not None
        self.structured.use_reference(self.source_picker.qimage() if has_source else None)

    def _on_model_changed(self) -> None:
        assert self.fields is not None
        reasons = unavailable(Operation.REMIX, self.model_row.model(), self.fields.names())
        self.fields.set_unavailable(reasons)
        model = self.model_row.model()
        goal = target(Operation.REMIX, model)
        own = self.structured.unavailable(goal, model_name(Operation.REMIX, model))
        self.model_row.show_unavailable({**reasons, **own}, STRUCTURED_LABELS)
        self.size_row.set_field(target_size_field(Operation.REMIX, model), model_name(Operation.REMIX, model))
        self.crop_note.setVisible("aspect_ratio" not in reasons)
        self.structured.model_changed(goal)

    def model(self) -> str:
        return self.model_row.model()

    def set_model(self, model: str) -> None:
        self.model_row.set_model(model)

    def reuse(self, request: object) -> bool:
        """A 4.0 (or v2 3.0) remix sets the model, the source, its prompt or structured prompt, the
        image weight and the fields the form shares with it; a 3.0 request every field."""
        if isinstance(request, V2Request) and request.operation is Operation.REMIX:
            self._set_v2_request(request)
            return True
        return super().reuse(request)

    def _set_v2_request(self, request: V2Request) -> None:
        assert self.source_picker is not None and self.fields is not None
        v = request.values
        self._loading += 1
        try:
            self.model_row.set_model(V1_MODEL if request.model == "ideogram-3" else request.model)
            images = request.uploads.get("image") or ()
            if images and isinstance(images[0], ImageFile):
                self.source_picker.set_image_file(images[0], None, convert=False)
            self.size_row.set_value(v.get("resolution"))
            self.set_prompt(str(v.get("prompt") or ""))
            self.structured_box.set_value(request.json_prompt)
            weight = v.get("image_weight")
            self.set_image_weight(weight if isinstance(weight, int) else None)
            if isinstance(v.get("num_images"), int):
                self.fields.images_spin.setValue(v["num_images"])
            if isinstance(v.get("seed"), int):
                self.fields.set_seed(v["seed"])
        finally:
            self._loading -= 1
        self._refresh()

    def set_request(self, request: ApiRequest) -> None:
        if not isinstance(request, RemixRequest):
            raise TypeError(f"RemixPanel takes a RemixRequest, not {type(request).__name__}")
        assert self.source_picker is not None and self.fields is not None
        self._loading += 1
        try:
            if request.image is not None:
                self.source_picker.set_image_file(request.image, None, convert=False)
            self.set_prompt(request.prompt)
            self.fields.set_values(request)
            self.set_image_weight(request.image_weight)
        finally:
            self._loading -= 1
        self._refresh()

    def _update_weight_tip(self) -> None:
        text = f"Image weight {self.weight_slider.value()}: higher follows the source more closely."
        if not self._weight_sent:
            text += " Not sent (the service uses 50) until you move the slider."
        self.weight_slider.setToolTip(text)

    @Slot(int)
    def _on_weight_slider(self, value: int) -> None:
        if self.weight_spin.value() != value:
            self.weight_spin.setValue(value)
        if not self._loading:
            self._weight_sent = True
        self._update_weight_tip()
        self._on_changed()

    @Slot(int)
    def _on_weight_spin(self, value: int) -> None:
        if self.weight_slider.value() != value:
            self.weight_slider.setValue(value)

    def state(self) -> dict[str, Any]:
        """As every panel's, from the Ideogram 3.0 request (every field the form has), plus the model."""
        assert self.fields is not None and self.prompt_edit is not None
        return {
            "version": STATE_VERSION,
            "fields": self._build_v1().fields_json(),
            "prompt_history": self.prompt_edit.history(),
            "ui": self.fields.ui_state(),
            "model": self.model(),
            "size": self.size_row.value(),
            "structured_prompt": self.structured_box.text(),  # a layout in the making is kept
        }

    def restore_state(self, state: dict[str, object]) -> None:
        super().restore_state(state)
        if isinstance(state, dict) and isinstance(state.get("model"), str):
            self.model_row.set_model(str(state["model"]))
        if isinstance(state, dict) and isinstance(state.get("size"), str):
            self.size_row.set_value(str(state["size"]))
        if isinstance(state, dict) and isinstance(state.get("structured_prompt"), str):
            self.structured_box.set_text(str(state["structured_prompt"]))
        fields = state.get("fields") if isinstance(state, dict) else None
        weight = fields.get("image_weight") if isinstance(fields, dict) else None
        if isinstance(weight, int) and 1 <= weight <= 100:
            self.set_image_weight(weight)
