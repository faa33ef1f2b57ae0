"""The shortcut reference (F1, Ctrl+/): every command of the window that has a shortcut, read from
its QActions (ui/shell/shortcuts.py: so it never drifts from what the keys do, and shows the keys
the designer rebound), with where each answers and a filter field. Every mode's panel is made first,
so the commands of modes not visited yet are listed too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHeaderView, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from . import shortcuts
from .shortcuts import keys_text


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(command, where, shortcuts) for every command of the window with a shortcut, sorted by command."""
    shortcuts.make_every_part(window)
    return [(c.name, c.where, keys_text(c.keys)) for c in shortcuts.commands(window) if c.keys]


class ShortcutReference(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Find a command or a key…")
        self.filter_edit.setClearButtonEnabled(True)
        layout.addWidget(self.filter_edit)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Command", "Where", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)  # long text is elided ("…"), whole in its tooltip
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, where, keys) in enumerate(rows):
            for column, text in enumerate((name, where, keys)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        layout.addWidget(self.table)
        self.filter_edit.textChanged.connect(self._filter)
        widths = [max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(3)]
        self.resize(max(560, min(960, widths[0] + min(widths[1], 300) + widths[2] + 60)), 600)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.table.rowCount()):
            cells = (self.table.item(row, col) for col in range(self.table.columnCount()))
            shown = not needle or any(needle in cell.text().casefold() for cell in cells if cell is not None)
            self.table.setRowHidden(row, not shown)
