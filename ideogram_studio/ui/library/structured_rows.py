"""A 4.x result's structured prompt in the library's details: said in words (the high-level
description and its elements, as the viewer's caption says it), not as raw JSON; the JSON in the
row's tooltip and one click away ("JSON" copies it, indented)."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QToolButton

from ...api.structured_layout import in_lines
from ..common.untrusted import isolate, one_line, tooltip

#: How much of one line a row shows (the JSON has the rest).
LINE_CHARS = 200


def say_structured(form: QFormLayout, prompt: str, say: Callable[[str], None]) -> bool:
    """The form's last row shows ``prompt``: when it is a structured prompt, the row says it in
    words with its JSON a hover or a click away (``say`` tells the status line it was copied).
    False (the row untouched) for a text prompt."""
    lines = in_lines(prompt)
    item = form.itemAt(form.rowCount() - 1, QFormLayout.ItemRole.FieldRole) if form.rowCount() else None
    cell = item.widget() if item is not None else None
    label = cell.findChild(QLabel, "value") if cell is not None else None
    row = cell.layout() if cell is not None else None
    if lines is None or label is None or not isinstance(row, QHBoxLayout):
        return False
    indented = json.dumps(json.loads(prompt), indent=2, ensure_ascii=False)
    # Each line's words are the file's (untrusted): literal (the label is plain text) and isolated.
    label.setText("\n".join(isolate(one_line(line, LINE_CHARS)) for line in lines))
    label.setToolTip(tooltip(indented))
    button = QToolButton(cell)
    button.setObjectName("copy-json")
    button.setText("JSON")
    button.setAutoRaise(True)
    button.setToolTip("Copy the structured prompt as JSON (indented)")

    def copy() -> None:
        QGuiApplication.clipboard().setText(indented)
        say("Structured prompt copied as JSON")

    button.clicked.connect(copy)
    row.insertWidget(row.indexOf(label) + 1, button, 0, Qt.AlignmentFlag.AlignTop)  # (as the row's 'use')
    return True
