"""A read-only value too long for its row (a hash, a file's path): cut with "…" in the middle while
it is only looked at, whole in its tooltip, and whole (scrolling, to select and copy) once it has
the focus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QResizeEvent
from PySide6.QtWidgets import QLineEdit, QWidget

#: The line edit's own margins around its text (Qt keeps a few pixels either side).
_TEXT_MARGIN = 8


class ElidedField(QLineEdit):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self._full = text
        self._show()

    def text(self) -> str:
        """The whole value, whatever is shown of it."""
        return self._full

    def is_elided(self) -> bool:
        return super().text() != self._full

    def _show(self) -> None:
        shown = self._full
        if not self.hasFocus():
            width = self.contentsRect().width() - _TEXT_MARGIN
            shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, max(width, 0))
        if super().text() != shown:
            super().setText(shown)
            self.setCursorPosition(0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._show()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._show()
