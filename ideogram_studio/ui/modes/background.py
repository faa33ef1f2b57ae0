"""The Background mode: replace the background (Ideogram 3.0: the subject is found and kept, the
prompt describes the new background) or remove it (a cut-out on transparency, from any image the
designer drops or pastes, not only the library's). No mask; a transparent PNG's opaque part is
taken as the subject, so transparency is kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...api.registry import V1_MODEL
from ...api.requests import ApiRequest, Operation, ReplaceBackgroundRequest
from ...api.v2_requests import V2Request
from ..common.theme import mute
from .mode_panel import STATE_VERSION, ModePanel, Problem
from .model_fields import target, unavailable
from .model_row import ModelRow
from .v2_form import v2_problems

BACKGROUND_FIELDS = [
    "rendering_speed",
    "num_images",
    "seed",
    "magic_prompt",
    "style_preset",
    "color_palette",
    "style_codes",
    "style_reference_images",
]
#: The choice that cuts the subject out (model_fields.BACKGROUND_TARGETS).
REMOVE = "ideogram-1"
REPLACE_NOTE = "The subject is found and kept as it is. With a transparent PNG, its opaque part is the subject."
REMOVE_NOTE = (
    "The subject is cut out onto transparency (a PNG with alpha), ready to place on a layout. "
    "It takes only the image."
)


class BackgroundPanel(ModePanel):
    request_class: ClassVar[type[ApiRequest]] = ReplaceBackgroundRequest
    mode_name = "Replace background"
    send_text = "Replace background"
    prompt_noun = "the new background"

    def _setup_body(self, form: QVBoxLayout) -> Iterator[None]:
        self.model_row = ModelRow(Operation.REPLACE_BACKGROUND, self.body)
        form.addWidget(self.model_row)
        yield
        self.make_source_picker("Replace background", keep_alpha=True)
        yield
        self.note = QLabel(REPLACE_NOTE, self.body)
        self.note.setWordWrap(True)
        mute(self.note)
        form.addWidget(self.note)
        # The prompt with its heading and message in one part, hidden as one when removing.
        self.prompt_part = QWidget(self.body)
        part = QVBoxLayout(self.prompt_part)
        part.setContentsMargins(0, 0, 0, 0)
        self.form = part
        try:
            self.make_prompt(
                "New background",
                "Describe the new background: a place, a surface, light…",
                "What to put behind the subject.",
            )
        finally:
            self.form = form
        form.addWidget(self.prompt_part)
        yield
        yield from self.fields_in_steps(BACKGROUND_FIELDS, style_expanded=True)
        yield
        self.model_row.changed.connect(self._on_changed)
        self.model_row.model_changed.connect(self._on_model_changed)
        self._on_model_changed()

    def removing(self) -> bool:
        return self.model_row.model() == REMOVE

    def _build(self, final: bool) -> ApiRequest:
        if self.removing():
            assert self.source_picker is not None
            image = self.source_picker.image()
            goal = target(Operation.REPLACE_BACKGROUND, REMOVE)
            assert goal is not None
            uploads = {"image": (image,)} if image is not None else {}
            return V2Request.build(goal.operation, goal.model, {}, uploads)  # type: ignore[return-value]
        return self._build_replace()

    def _build_replace(self) -> ReplaceBackgroundRequest:
        assert self.source_picker is not None
        return ReplaceBackgroundRequest(image=self.source_picker.image(), prompt=self.prompt_text(),
                                        **self.field_values())  # fmt: skip

    def _problems_of(self, request: ApiRequest) -> list[Problem]:
        if not isinstance(request, V2Request):
            return super()._problems_of(request)
        return v2_problems(self, request, {})

    def _on_model_changed(self) -> None:
        assert self.fields is not None
        removing = self.removing()
        reasons = unavailable(Operation.REPLACE_BACKGROUND, self.model_row.model(), [*self.fields.names(), "prompt"])
        self.fields.set_unavailable(reasons)
        self.model_row.show_unavailable(reasons, {"prompt": "New background"})
        self.prompt_part.setVisible(not removing)
        self.prompt_part.setToolTip(reasons.get("prompt", ""))
        self.note.setText(REMOVE_NOTE if removing else REPLACE_NOTE)

    def _update_send(self, problems: list[Problem]) -> None:
        super()._update_send(problems)
        if self.removing() and not self._busy:  # the button says what it will do
            self.send_button.setText("Remove background")
            self.send_button.setToolTip(self.send_button.toolTip().replace(self.send_text, "Remove background", 1))

    def _missing_text(self, field: str) -> str:
        if field == "image" and self.removing():
            return "Choose an image to cut out."
        return super()._missing_text(field)

    def model(self) -> str:
        return self.model_row.model()

    def set_model(self, model: str) -> None:
        self.model_row.set_model(model)

    def state(self) -> dict[str, Any]:
        """As every panel's, from the replace request (every field the form has, kept while removing),
        plus the choice."""
        assert self.fields is not None and self.prompt_edit is not None
        return {
            "version": STATE_VERSION,
            "fields": self._build_replace().fields_json(),
            "prompt_history": self.prompt_edit.history(),
            "ui": self.fields.ui_state(),
            "model": self.model(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        super().restore_state(state)
        if isinstance(state, dict) and isinstance(state.get("model"), str):
            self.model_row.set_model(str(state["model"]))

    def set_request(self, request: ApiRequest) -> None:
        if not isinstance(request, ReplaceBackgroundRequest):
            raise TypeError(f"BackgroundPanel takes a ReplaceBackgroundRequest, not {type(request).__name__}")
        assert self.source_picker is not None and self.fields is not None
        self._loading += 1
        try:
            self.model_row.set_model(V1_MODEL)
            if request.image is not None:
                self.source_picker.set_image_file(request.image, None, convert=False)
            self.set_prompt(request.prompt)
            self.fields.set_values(request)
        finally:
            self._loading -= 1
        self._refresh()
