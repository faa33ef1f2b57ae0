"""A section with a clickable header that shows or hides its content."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget


class CollapsibleSection(QWidget):
    """Header button (▸/▾ title · summary) above a content widget."""

    toggled = Signal(bool)

    def __init__(self, title: str, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._summary = ""
        self._content = content
        self._setup_ui()
        self.set_expanded(False)

    # ---- public ----------------------------------------------------------------------------
    def is_expanded(self) -> bool:
        return self._header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self._header.setChecked(expanded)
        self._apply(expanded)

    def set_summary(self, summary: str) -> None:
        """Short text after the title, e.g. "2 style, 1 character", visible while collapsed."""
        self._summary = summary
        self._update_text()

    def header(self) -> QToolButton:
        return self._header

    def content(self) -> QWidget:
        return self._content

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self._header = QToolButton(self)
        self._header.setCheckable(True)
        self._header.setAutoRaise(True)
        self._header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._header.setCursor(Qt.CursorShape.PointingHandCursor)
        font = self._header.font()
        font.setBold(True)
        self._header.setFont(font)
        self._header.toggled.connect(self._on_toggled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self._header)
        layout.addWidget(self._content)

    def _update_text(self) -> None:
        text = self._title if not self._summary else f"{self._title}  ·  {self._summary}"
        self._header.setText(text)

    def _apply(self, expanded: bool) -> None:
        self._header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._content.setVisible(expanded)
        self._update_text()

    @Slot(bool)
    def _on_toggled(self, expanded: bool) -> None:
        self._apply(expanded)
        self.toggled.emit(expanded)
