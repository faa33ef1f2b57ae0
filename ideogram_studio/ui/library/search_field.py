"""The library's search field: mistakes underlined where they are, the syntax in its tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QInputMethodEvent, QTextCharFormat
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from ...gallery.search_syntax import SearchIssue
from ...gallery.search_syntax import __doc__ as SYNTAX_DOC
from ..common import theme

#: The underline and text of a mistake (a theme will take these over).


def syntax_help() -> str:
    """The search syntax, for the field's tooltip (the parser's module doc, from the first example)."""
    doc = SYNTAX_DOC or ""
    start = doc.find("    red car")
    return "Search — " + (doc[start:].strip() if start >= 0 else doc.strip())


def issues_text(issues: Sequence[SearchIssue]) -> tuple[str, str]:
    """(the line under the field, the field's tooltip) for these mistakes."""
    first = issues[0]
    more = f"  (+{len(issues) - 1} more)" if len(issues) > 1 else ""
    line = f"Column {first.start + 1}: {first.message}{more}"
    tip = "\n".join(f"Column {i.start + 1}: {i.message}" for i in issues) + "\n\n" + syntax_help()
    return line, tip


class SearchField(QLineEdit):
    """The search field; mistakes are underlined in red where they are (an input-method format,
    so it follows the text as it scrolls)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._issues: tuple[SearchIssue, ...] = ()

    def issues(self) -> tuple[SearchIssue, ...]:
        return self._issues

    def set_issues(self, issues: Sequence[SearchIssue]) -> None:
        self._issues = tuple(issues)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(theme.color("error"))
        fmt.setForeground(theme.color("error"))
        cursor = self.cursorPosition()
        n = len(self.text())
        attrs = []
        for issue in self._issues:
            start = max(0, min(issue.start, n))
            length = max(0, min(issue.end, n) - start)
            if length:
                attrs.append(QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.TextFormat,
                                                         start - cursor, length, fmt))
        event = QInputMethodEvent("", attrs)
        QApplication.sendEvent(self, event)
        self.setProperty("invalid", bool(self._issues))
        self.style().unpolish(self)
        self.style().polish(self)

    def set_text_quietly(self, text: str) -> None:
        """Change the text without a textChanged (the caller searches itself)."""
        self.blockSignals(True)
        self.setText(text)
        self.blockSignals(False)
