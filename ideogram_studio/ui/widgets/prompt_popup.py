"""The prompt library pop-up under a prompt field (Ctrl+Up): type to filter, Up/Down to move,
Enter inserts, Shift+Delete forgets one, Ctrl+S stars (and names) or unstars one.

A leaf widget: it shows entries and says what the designer asked for; finding prompts, keeping
and forgetting them is its owner's work (ui/common/prompt_history.py), so the pop-up never waits
on a disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...gallery.prompt_library import PromptEntry

_ID_ROLE = Qt.ItemDataRole.UserRole
_TEXT_ROLE = Qt.ItemDataRole.UserRole + 1
_STARRED_ROLE = Qt.ItemDataRole.UserRole + 2
#: Characters of a prompt shown on its row; the whole prompt is in the tooltip.
ROW_CHARS = 160
#: Unicode isolates around untrusted text so a right-to-left override cannot reorder the row.
_FSI, _PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class PromptRow:
    """What the pop-up shows of one kept prompt (built by the owner from a PromptEntry)."""

    id: int
    text: str
    starred: bool = False
    name: str = ""
    detail: str = ""  # "Generate · ideogram-3 · 2 Dec"


class PromptPopup(QFrame):
    query_changed = Signal(str)
    chosen = Signal(str)
    forget_requested = Signal(int)
    #: (id, name): star with this name; an empty name unstars.
    star_requested = Signal(int, str)
    unstar_requested = Signal(int)
    export_requested = Signal()
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("PromptPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._naming: int | None = None  # the id being named, while the field asks for a name
        self._setup_ui()

    # ---- public ----------------------------------------------------------------------------
    def show_under(self, anchor: QWidget, query: str = "") -> None:
        width = max(anchor.width(), 420)
        self.resize(width, 320)
        pos = anchor.mapToGlobal(QPoint(0, anchor.height()))
        screen = anchor.screen().availableGeometry() if anchor.screen() is not None else None
        if screen is not None and pos.y() + self.height() > screen.bottom():
            pos = anchor.mapToGlobal(QPoint(0, -self.height()))  # no room below: open above
        self.move(pos)
        self._end_naming()
        self.filter.setText(query)
        self.show()
        self.filter.setFocus()
        self.query_changed.emit(query)

    def set_entries(self, entries: Sequence[PromptEntry]) -> None:
        self.set_rows([to_row(e) for e in entries])

    def set_rows(self, rows: Sequence[PromptRow]) -> None:
        current = self._current_id()
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(self._row_text(row))
            item.setData(_ID_ROLE, row.id)
            item.setData(_TEXT_ROLE, row.text)
            item.setData(_STARRED_ROLE, row.starred)
            item.setToolTip(_plain_tooltip(row.text, row.detail))
            self.list.addItem(item)
            if row.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.empty.setVisible(not rows)

    def selected_text(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(_TEXT_ROLE))

    # ---- building --------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Search your prompts")
        self.filter.setClearButtonEnabled(True)
        self.filter.textEdited.connect(self._on_filter_edited)
        self.filter.installEventFilter(self)
        layout.addWidget(self.filter)
        self.list = QListWidget(self)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setWordWrap(False)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._on_activated)
        self.list.installEventFilter(self)
        layout.addWidget(self.list, 1)
        self.empty = QLabel("No prompt matches.", self)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.hide()
        layout.addWidget(self.empty)
        footer = QHBoxLayout()
        hint = QLabel("Enter inserts · Ctrl+S star · Shift+Del forget", self)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        footer.addWidget(hint, 1)
        for text, signal in (("Import…", self.import_requested), ("Export starred…", self.export_requested)):
            button = QPushButton(text, self)
            button.setAutoDefault(False)
            button.clicked.connect(signal.emit)
            footer.addWidget(button)
        layout.addLayout(footer)

    @staticmethod
    def _row_text(row: PromptRow) -> str:
        text = " ".join(row.text.split())[:ROW_CHARS]
        label = f"{_FSI}{text}{_PDI}"
        if row.starred:
            label = f"★ {_FSI}{row.name}{_PDI} — {label}" if row.name else f"★ {label}"
        return label

    # ---- behaviour -------------------------------------------------------------------------
    def _current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(_ID_ROLE))

    def _on_filter_edited(self, text: str) -> None:
        if self._naming is None:
            self.query_changed.emit(text)

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.chosen.emit(str(item.data(_TEXT_ROLE)))
        self.hide()

    def _start_naming(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        if item.data(_STARRED_ROLE):
            self.unstar_requested.emit(int(item.data(_ID_ROLE)))
            return
        self._naming = int(item.data(_ID_ROLE))
        self._saved_query = self.filter.text()
        self.filter.clear()
        self.filter.setPlaceholderText("Name this prompt (optional), Enter to star, Esc to cancel")
        self.filter.setFocus()

    def _end_naming(self) -> None:
        if self._naming is None:
            return
        self._naming = None
        self.filter.setPlaceholderText("Search your prompts")
        self.filter.setText(getattr(self, "_saved_query", ""))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._on_key(event)
        return super().eventFilter(watched, event)

    def _on_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if self._naming is not None:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                named, name = self._naming, self.filter.text().strip()
                self._end_naming()
                self.star_requested.emit(named, name)
                return True
            if key == Qt.Key.Key_Escape:
                self._end_naming()
                return True
            return False
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -8, Qt.Key.Key_PageDown: 8}[
                Qt.Key(key)
            ]
            row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
            self.list.setCurrentRow(row)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.list.currentItem()
            if item is not None:
                self._on_activated(item)
            return True
        if key == Qt.Key.Key_Delete and mods & Qt.KeyboardModifier.ShiftModifier:
            entry_id = self._current_id()
            if entry_id is not None:
                row = self.list.currentRow()
                self.list.takeItem(row)
                self.forget_requested.emit(entry_id)
            return True
        if key == Qt.Key.Key_S and mods & Qt.KeyboardModifier.ControlModifier:
            self._start_naming()
            return True
        if key == Qt.Key.Key_Escape:
            self.hide()
            return True
        return False


def _plain_tooltip(text: str, detail: str) -> str:
    """A tooltip Qt cannot read as rich text: tooltips guess the format, so the text is escaped
    and wrapped in <qt> explicitly (a prompt holding HTML shows as its characters)."""
    from html import escape

    body = escape(text[:2000] + ("…" if len(text) > 2000 else "")).replace("\n", "<br>")
    extra = f"<br><i>{escape(detail)}</i>" if detail else ""
    return f"<qt>{body}{extra}</qt>"


MODE_NAMES = {
    "generate": "Generate",
    "remix": "Remix",
    "edit": "Edit",
    "face-swap": "Face swap",
    "reframe": "Reframe",
    "replace-background": "Background",
}


def to_row(entry: PromptEntry) -> PromptRow:
    parts = [MODE_NAMES.get(entry.mode, entry.mode.replace("-", " ").capitalize())]
    if entry.model:
        parts.append(entry.model)
    try:
        when = dt.datetime.fromisoformat(entry.last_used.replace("Z", "+00:00")).astimezone()
        parts.append(f"{when:%-d %b %Y, %H:%M}")
    except ValueError:
        pass
    if entry.uses > 1:
        parts.append(f"used {entry.uses}×")
    return PromptRow(entry.id, entry.text, entry.starred, entry.name, " · ".join(p for p in parts if p))
