"""Face swap: a guided Edit. Step 1: the photo, with the face to replace painted over; step 2: the
face to use (one character reference, with an optional mask). It is an inpaint call with one
``character_reference_images`` image, priced as a character-reference job, and stored in the
gallery as a "face-swap" (the job's ``operation_label`` tag)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import ClassVar

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...api.enums import StyleType
from ...api.images import ImageFile
from ...api.limits import MAX_CHARACTER_REFERENCES
from ...api.requests import ApiRequest, EditRequest
from ..common.theme import mute
from .edit import MaskedPanel
from .field_widgets import field_label
from .mode_panel import Problem
from .reference_zone import ReferenceZone
from .stand_ins import stand_in

DEFAULT_PROMPT = "the same person, same pose, same lighting"
FACE_SWAP_FIELDS = [
    "rendering_speed",
    "num_images",
    "seed",
    "magic_prompt",
    "style_type",
    "style_preset",
    "color_palette",
    "style_codes",
    "style_reference_images",
    "custom_model_uri",
]
MISSING_FACE = "Add the face to use (step 2): one image of the person."


class FaceSwapPanel(MaskedPanel):
    mode_name = "Face swap"
    send_text = "Swap face"
    operation_label: ClassVar[str | None] = "face-swap"
    prompt_noun = "a prompt"

    def _setup_body(self, form: QVBoxLayout) -> Iterator[None]:
        self.make_source_picker("Face swap", allow_clear=False, title="Step 1 · The photo")
        yield
        self._setup_editor(
            form,
            "Paint over the face to replace, on the photo in the middle of the window "
            "(B brush, E eraser, [ ] size).",
            "Drop the photo with the face to replace here",
        )

        yield
        self.section_title("Step 2 · The face to use")
        row = QHBoxLayout()
        row.setSpacing(8)
        left = QVBoxLayout()
        left.addWidget(field_label(self.body, "Character reference"))
        self.character_refs = ReferenceZone(
            "Character reference", MAX_CHARACTER_REFERENCES, self.body, hint="Drop a clear photo of the face"
        )
        self.character_refs.changed.connect(self._on_changed)
        left.addWidget(self.character_refs)
        left.addStretch(1)
        row.addLayout(left, 1)
        # The reference's optional mask: its slot shows once there is a reference to mask, so the
        # step starts with one slot, the face.
        self.mask_column = QWidget(self.body)
        right = QVBoxLayout(self.mask_column)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(field_label(self.mask_column, "Its mask (optional)"))
        self.character_mask = ReferenceZone(
            "Character mask", MAX_CHARACTER_REFERENCES, self.mask_column, hint="Grayscale, the reference's size"
        )
        self.character_mask.changed.connect(self._on_changed)
        right.addWidget(self.character_mask)
        right.addStretch(1)
        row.addWidget(self.mask_column, 1)
        self.character_refs.changed.connect(self._show_mask_slot)
        self.character_mask.changed.connect(self._show_mask_slot)
        self._show_mask_slot()
        form.addLayout(row)
        self.add_message(["character_reference_images", "character_reference_images_mask"], self.character_refs)
        note = QLabel(
            "One character reference: the job is priced as a character-reference job. "
            "It is reported to work best with style Auto, Realistic or Fiction, and not with Flash.",
            self.body,
        )
        note.setWordWrap(True)
        mute(note)
        form.addWidget(note)

        self.make_prompt("Prompt", "How the result should look…", "Kept short works best; edit it as you like.", 2)
        assert self.prompt_edit is not None
        self.prompt_edit.set_text(DEFAULT_PROMPT)
        yield
        yield from self.fields_in_steps(FACE_SWAP_FIELDS, style_expanded=False, defaults={"style_type": StyleType.AUTO})

    def _show_mask_slot(self) -> None:
        self.mask_column.setVisible(bool(self.character_refs.images() or self.character_mask.images()))

    def _build(self, final: bool) -> ApiRequest:
        return self._edit_request(
            final,
            character_reference_images=tuple(self.character_refs.images()),
            character_reference_images_mask=tuple(self.character_mask.images()),
            **self.field_values(),
        )

    def _extra_problems(self, request: ApiRequest) -> list[Problem]:
        problems = super()._extra_problems(request)
        if not self.character_refs.images():
            problems.append(Problem("character_reference_images", MISSING_FACE, missing=True))
        return problems

    def _priced_request(self, request: ApiRequest) -> ApiRequest:
        # Priced with its character reference from the start: the job cannot be sent without one.
        if isinstance(request, EditRequest) and not request.character_reference_images:
            return dataclasses.replace(request, character_reference_images=(stand_in("image"),))
        return request

    def set_request(self, request: ApiRequest) -> None:
        if not isinstance(request, EditRequest):
            raise TypeError(f"FaceSwapPanel takes an EditRequest, not {type(request).__name__}")
        self._loading += 1
        try:
            self.character_refs.set_images(list(request.character_reference_images))
            self.character_mask.set_images(list(request.character_reference_images_mask))
        finally:
            self._loading -= 1
        self._set_edit_request(request)

    def set_character(self, image: ImageFile) -> bool:
        """Use this image as the face ("Use as face-swap character")."""
        self.character_refs.set_images([image])
        self.character_mask.set_images([])
        return True
