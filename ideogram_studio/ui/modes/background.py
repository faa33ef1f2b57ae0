"""Replace background: the subject is found and kept, the prompt describes the new background.
No mask; a transparent PNG's opaque part is taken as the subject, so transparency is kept."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QLabel, QVBoxLayout

from ...api.requests import ApiRequest, ReplaceBackgroundRequest
from ..common.theme import mute
from .mode_panel import ModePanel

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


class BackgroundPanel(ModePanel):
    request_class: ClassVar[type[ApiRequest]] = ReplaceBackgroundRequest
    mode_name = "Replace background"
    send_text = "Replace background"
    prompt_noun = "the new background"

    def _setup_body(self, form: QVBoxLayout) -> None:
        self.make_source_picker("Replace background", keep_alpha=True)
        note = QLabel(
            "The subject is found and kept as it is. With a transparent PNG, its opaque part is the subject.",
            self.body,
        )
        note.setWordWrap(True)
        mute(note)
        form.addWidget(note)
        self.make_prompt(
            "New background",
            "Describe the new background: a place, a surface, light…",
            "What to put behind the subject.",
        )
        self.make_fields(BACKGROUND_FIELDS, style_expanded=True)

    def _build(self, final: bool) -> ApiRequest:
        assert self.source_picker is not None
        return ReplaceBackgroundRequest(
            image=self.source_picker.image(), prompt=self.prompt_text(), **self.field_values()
        )

    def set_request(self, request: ApiRequest) -> None:
        if not isinstance(request, ReplaceBackgroundRequest):
            raise TypeError(f"BackgroundPanel takes a ReplaceBackgroundRequest, not {type(request).__name__}")
        assert self.source_picker is not None and self.fields is not None
        self._loading += 1
        try:
            if request.image is not None:
                self.source_picker.set_image_file(request.image, None, convert=False)
            self.set_prompt(request.prompt)
            self.fields.set_values(request)
        finally:
            self._loading -= 1
        self._refresh()
