"""The structured (JSON) prompt of Ideogram 4.x, as text: "Expand" a sentence into it (the
service's magic-prompt-v4, through the window and the controller), read and edit the JSON, see a
schema error named at the field. While the box holds JSON, that is what is sent (the sentence above
is not: never both). "Layout" opens the layout editor in the centre: its boxes and this JSON are
kept in step by the panel. A form whose centre is another canvas (Edit: the mask) makes the box
without "Layout" (``offers_layout=False``): there the JSON is written, expanded and checked here only.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...api import structured_prompt as sp
from ...api.errors import RequestValidationError
from ..common.field_errors import FieldMessage
from .field_widgets import field_label


class StructuredPromptBox(QWidget):
    """Emits ``expand_requested`` when Expand is clicked, ``layout_requested`` when Layout is (only
    with ``offers_layout``: else there is no Layout button) and ``changed`` on any edit."""

    expand_requested = Signal()
    layout_requested = Signal()
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, offers_layout: bool = True) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        label = field_label(self, "Structured prompt", bold=True)
        row.addWidget(label)
        row.addStretch(1)
        self.expand_button = QPushButton("Expand", self)
        self.expand_button.setObjectName("expandButton")
        self.expand_button.setToolTip(
            "Turn the prompt above into Ideogram 4's structured prompt (background, elements with boxes, "
            "text, palettes): the service's magic prompt, shown here to edit."
        )
        self.expand_button.clicked.connect(self.expand_requested)
        row.addWidget(self.expand_button)
        #: "Layout" (None where the form offers no layout editor).
        self.layout_button: QPushButton | None = None
        if offers_layout:
            self.layout_button = QPushButton("Layout", self)
            self.layout_button.setObjectName("layoutButton")
            self.layout_button.setToolTip(
                "Place the elements on the canvas: draw, move and resize their boxes, edit their text, "
                "description and colours (the JSON here follows)."
            )
            self.layout_button.clicked.connect(self.layout_requested)
            row.addWidget(self.layout_button)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Send the prompt above as text again.")
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("jsonPromptEdit")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setPlaceholderText("Empty: the prompt above is sent as text. Expand it, or paste a JSON prompt.")
        self.edit.setFixedHeight(self.fontMetrics().lineSpacing() * 10 + 14)
        label.setBuddy(self.edit)
        self.edit.textChanged.connect(self._on_text_changed)
        layout.addWidget(self.edit)
        self.message = FieldMessage(self)
        layout.addWidget(self.message)
        self._setting = False
        self._update_buttons()

    # ---- public ----------------------------------------------------------------------------
    def text(self) -> str:
        return self.edit.toPlainText()

    def offers_layout(self) -> bool:
        return self.layout_button is not None

    def in_use(self) -> bool:
        """The box holds something: it is what is sent (or what blocks sending)."""
        return bool(self.text().strip())

    def value(self) -> sp.StructuredPrompt | None:
        """The parsed prompt; raises RequestValidationError naming the part that breaks the schema."""
        if not self.in_use():
            return None
        return sp.parse(self.text())

    def set_value(self, prompt: dict[str, Any] | None) -> None:
        self._setting = True
        try:
            self.edit.setPlainText("" if prompt is None else json.dumps(prompt, indent=2, ensure_ascii=False))
        finally:
            self._setting = False

    def set_text(self, text: str) -> None:
        """Text as the designer left it (a saved form: it may not parse yet), as one whole new prompt."""
        self._setting = True
        try:
            self.edit.setPlainText(text)
        finally:
            self._setting = False

    def is_setting(self) -> bool:
        """The change being signalled is a whole new prompt (Expand's answer, a reused result), not
        typing: the layout editor makes it a step of its own rather than merging it with typing."""
        return self._setting

    def set_expanding(self, busy: bool) -> None:
        self.expand_button.setEnabled(not busy)
        self.expand_button.setText("Expanding…" if busy else "Expand")

    @Slot()
    def clear(self) -> None:
        self.edit.clear()

    # ---- slots -----------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        self.clear_button.setEnabled(self.in_use())

    @Slot()
    def _on_text_changed(self) -> None:
        self._update_buttons()
        self.changed.emit()


def describe_schema_error(exc: RequestValidationError) -> str:
    """The sentence at the field: where in the JSON, and what is wrong there."""
    where = exc.field.removeprefix(sp.FIELD).lstrip(".") or "the JSON"
    return f"Structured prompt, {where}: {exc.rule}"
