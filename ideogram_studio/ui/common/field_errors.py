"""Inline messages shown under a field: red for what blocks sending, amber for advice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from . import theme

#: Rules that read as a sentence after the field's label ("Seed must be between ...").
_VERB_STARTS = ("is ", "must ", "cannot ", "needs ", "takes ", "give ")


def describe(label: str, rule: str) -> str:
    """One sentence for a RequestValidationError rule, shown under the field it names."""
    rule = rule.strip().rstrip(".")
    text = f"{label} {rule}" if rule.startswith(_VERB_STARTS) else rule[:1].upper() + rule[1:]
    return text + "."


class FieldMessage(QLabel):
    """A small wrapped message under a field; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = ""
        self.setObjectName("fieldMessage")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        self.setFont(font)
        self.hide()

    # ---- public ----------------------------------------------------------------------------
    def kind(self) -> str:
        """ "error", "warning" or "" when nothing is shown."""
        return self._kind

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_warning(self, text: str) -> None:
        self._show(text, "warning")

    def show_note(self, text: str) -> None:
        """Something done, said in the field's place (no mark: not a problem)."""
        self._show(text, "note")

    def clear_message(self) -> None:
        self._kind = ""
        self.clear()
        self.hide()

    # ---- internals -------------------------------------------------------------------------
    def _show(self, text: str, kind: str) -> None:
        prefix = "⚠ " if kind == "warning" else ""
        self._kind = kind
        if kind == "note":
            theme.mute(self)
        else:
            theme.set_text_color(self, kind)
        self.setText(prefix + text)
        self.setVisible(bool(text))
