"""Keeps Generate's structured-prompt JSON and the layout editor in step, both ways.

The editor's frame is the form's chosen output size when there is one.

Boxes → JSON: every step of the editor (do or undo) is written into the JSON field. JSON → boxes:
an edit of the JSON that parses and passes the schema becomes one step of the editor (typing merges
into one step; a whole new prompt — Expand's answer, a reused result — is a step of its own); JSON
that does not is left to the field's own message (the boxes keep the last valid layout). The editor is
made on first use (Generate's start-up does not pay for it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from ...api.errors import RequestValidationError
from .structured_prompt_box import StructuredPromptBox

if TYPE_CHECKING:  # (the layout's model loads with the first layout: not before the form takes typing)
    from ...api.structured_layout import Layout
    from .layout_editor import LayoutEditor


class LayoutSync(QObject):
    def __init__(
        self,
        box: StructuredPromptBox,
        sentence: Callable[[], str],
        size: Callable[[], str | None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.box = box
        self._sentence = sentence
        self._size = size
        self._reference: QImage | None = None
        self._editor: LayoutEditor | None = None
        self._writing = False
        box.changed.connect(self._on_json_changed)

    def editor(self) -> LayoutEditor:
        """The editor, made the first time: it starts from the JSON field's prompt when that is
        valid, else from the prompt's sentence as the high-level description (no elements yet)."""
        if self._editor is None:
            from ...api.structured_layout import Layout
            from .layout_editor import LayoutEditor  # (its palette picker is not start-up's to load)

            self._editor = LayoutEditor()
            start = self._parsed() or Layout(high_level_description=self._sentence().strip())
            self._editor.reset(start)
            self._editor.layout_changed.connect(self._on_layout_changed)
            self.size_changed()
            if self._reference is not None:
                self._editor.use_reference(self._reference)
        return self._editor

    def use_reference(self, image: QImage) -> None:
        """The image the structured prompt came from (describe as a layout): the editor's frame,
        now or when it is first opened."""
        self._reference = image
        if self._editor is not None:
            self._editor.use_reference(image)

    def clear_reference(self) -> None:
        """The reference is gone (Remix's source removed): the frame is the form's size again."""
        self._reference = None
        if self._editor is not None:
            self._editor.clear_reference()

    def size_changed(self) -> None:
        """The form's output size ("WxH", or None when the model chooses) is the editor's frame."""
        if self._editor is None:
            return
        text = self._size()
        width, _, height = (text or "").partition("x")
        self._editor.follow_size((int(width), int(height)) if width.isdigit() and height.isdigit() else None)

    def frame(self) -> tuple[int, int] | None:
        """The shape the boxes are drawn in: the reference's, else the form's size (None: the model's)."""
        if self._reference is not None:
            return self._reference.width(), self._reference.height()
        width, _, height = (self._size() or "").partition("x")
        return (int(width), int(height)) if width.isdigit() and height.isdigit() else None

    def has_editor(self) -> bool:
        return self._editor is not None

    def _parsed(self) -> Layout | None:
        if not self.box.in_use():
            return None
        from ...api.structured_layout import Layout

        try:
            return Layout.from_json(self.box.text())
        except RequestValidationError:
            return None

    def _on_layout_changed(self, layout: Layout) -> None:
        if self._parsed() == layout:
            return  # the JSON already says it (the designer's own typing): keep their text and caret
        self._writing = True
        try:
            self.box.set_value(layout.to_prompt())
        finally:
            self._writing = False

    def _on_json_changed(self) -> None:
        if self._writing or self._editor is None:
            return
        layout = self._parsed()
        if layout is None:
            return
        if self.box.is_setting():
            self._editor.replace(layout, "Replace the structured prompt")
        else:
            self._editor.set_from_json(layout)
