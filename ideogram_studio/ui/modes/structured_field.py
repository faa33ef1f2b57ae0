"""The structured prompt (Ideogram 4.x) in a mode's form, shared by the forms whose model takes one
(Generate on 4.x, Remix on 4.0, Edit on Precise Edit 4.5): the JSON box under the prompt, Expand, the
layout editor kept in step with the JSON (Generate and Remix; Edit's centre is its mask canvas, so
it offers no layout editor), what the request sends and the advice shown at the box.

Expand's answers come back from the controller to every connected panel on one signal, each tagged
with the asker's id: a panel takes only its own (an Expand in Remix never overwrites Generate's box).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout

from ...api.errors import RequestValidationError
from ...api.v2_requests import JSON_PROMPT, V2Request
from .layout_sync import LayoutSync
from .mode_panel import ModePanel
from .model_fields import Target, takes_structured
from .structured_prompt_box import StructuredPromptBox, describe_schema_error

#: The box's name in the model row's "Not used by …" line (ModelRow.show_unavailable's labels).
LABELS = {JSON_PROMPT: "Structured prompt"}


class ExpandServices(Protocol):
    """The controller's (or its gate's) side: ask with the asker's id, answers tagged with it."""

    prompt_expanded: Any  # Signal(str asker, object structured prompt or None)

    def expand_prompt(self, text: str, asker: str = "", aspect_ratio: str | None = None) -> None: ...


class StructuredField(QObject):
    """The box, its layout sync and Expand for ``panel``, added to ``form`` under the prompt.

    The panel declares ``expand_requested(str)`` (the window wires it to the controller) and
    ``set_structured_prompt(object)``; with ``offers_layout`` (the default) also the signals the
    window wires to its layout canvas (ui/shell/layout_link.py), ``layout_requested()`` and
    ``layout_available(bool)``. Without it the box has no Layout button and the layout editor is
    never made: ``sync`` still gives Expand its frame. ``size`` is the form's chosen output size
    ("WxH" or None)."""

    def __init__(
        self,
        panel: ModePanel,
        form: QVBoxLayout,
        size: Callable[[], str | None],
        *,
        offers_layout: bool = True,
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self.offers_layout = offers_layout
        #: Who asks the controller: the answer carrying another id is another panel's.
        self.asker = f"{panel.mode_name.lower()}-{id(panel):x}"
        self.box = StructuredPromptBox(panel.body, offers_layout=offers_layout)
        form.addWidget(self.box)
        panel.register(JSON_PROMPT, self.box.message, self.box.edit)
        self.box.changed.connect(panel._on_changed)
        self.box.expand_requested.connect(self._on_expand)
        if offers_layout:
            self.box.layout_requested.connect(panel.layout_requested)  # type: ignore[attr-defined]
        self.sync = LayoutSync(self.box, panel.prompt_text, size, panel)
        self._services: ExpandServices | None = None

    # ---- the form ----------------------------------------------------------------------------
    def model_changed(self, goal: Target | None) -> None:
        """Shown only where the endpoint takes a structured prompt; the window drops the layout
        canvas when it does not."""
        takes = takes_structured(goal)
        self.box.setVisible(takes)
        self.sync.size_changed()
        if self.offers_layout:
            self.panel.layout_available.emit(takes)  # type: ignore[attr-defined]

    def unavailable(self, goal: Target | None, who: str) -> dict[str, str]:
        """Why the box is hidden, for the model row's line (nothing when it shows)."""
        if takes_structured(goal):
            return {}
        parts = "Expand, Layout" if self.offers_layout else "Expand"
        return {JSON_PROMPT: f"{who} takes a text prompt only: structured prompts ({parts}) are Ideogram 4.x's."}

    def apply(self, values: dict[str, Any], goal: Target | None) -> dict[str, str]:
        """Put the JSON in ``values`` instead of the sentence when the box is in use (never both);
        returns the problem to show at the box when the JSON breaks the schema."""
        if not takes_structured(goal) or not self.box.in_use():
            return {}
        values.pop("prompt", None)
        try:
            values[JSON_PROMPT] = self.box.value()
        except RequestValidationError as exc:
            return {JSON_PROMPT: describe_schema_error(exc)}
        return {}

    def show_advice(self, request: object) -> None:
        """The caption verifier's warnings at the box (never a block), else what is sent."""
        message = self.box.message
        if not isinstance(request, V2Request) or request.json_prompt is None or message.kind() == "error":
            return
        findings = request.advice()
        if findings:
            message.show_warning(" ".join(str(a) for a in findings[:3]))
        else:
            message.show_note("Sent as the prompt, magic prompt off; the sentence above is not sent.")

    def set_value(self, prompt: object) -> None:
        """Expand's answer (None: it could not; the status line says why)."""
        self.box.set_expanding(False)
        if isinstance(prompt, dict):
            self.box.set_value(prompt)

    def use_reference(self, image: QImage | None) -> None:
        """The layout's frame: this image (None or unreadable: the form's size)."""
        if image is not None and not image.isNull():
            self.sync.use_reference(image)
        else:
            self.sync.clear_reference()

    # ---- Expand ------------------------------------------------------------------------------
    def connect_services(self, services: ExpandServices) -> None:
        self._services = services
        self.panel.expand_requested.connect(self._ask)  # type: ignore[attr-defined]
        services.prompt_expanded.connect(self._on_expanded)

    @Slot()
    def _on_expand(self) -> None:
        text = self.panel.prompt_text().strip()
        if not text:
            self.panel.field_message("prompt").show_error("Write a sentence to expand first.")
            return
        self.box.set_expanding(True)
        self.panel.expand_requested.emit(text)  # type: ignore[attr-defined]

    @Slot(str)
    def _ask(self, text: str) -> None:
        if self._services is not None:  # in the frame's shape: the boxes come back placed for it
            from ...api.structured_layout import frame_aspect_ratio  # (with the first Expand)

            frame = self.sync.frame()
            self._services.expand_prompt(text, self.asker, frame_aspect_ratio(frame) if frame else None)

    @Slot(str, object)
    def _on_expanded(self, asker: str, prompt: object) -> None:
        if asker == self.asker:
            self.panel.set_structured_prompt(prompt)  # type: ignore[attr-defined]
