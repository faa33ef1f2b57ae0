"""The shortcut reference (F1, Ctrl+/): every command of the window that has a shortcut, read from
its QActions (so it never drifts from what the keys do), with a filter field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(command, shortcuts) for every action under the window with a shortcut, sorted by command."""
    rows: dict[tuple[str, str], None] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        name = action.text().replace("&", "").rstrip("…").strip() or action.toolTip()
        rows[(name, ", ".join(keys))] = None
    return sorted(rows, key=lambda row: row[0].casefold())


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
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Command", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        layout.addWidget(self.table)
        self.filter_edit.textChanged.connect(self._filter)
        self.resize(460, 520)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.table.rowCount()):
            cells = (self.table.item(row, col) for col in range(2))
            shown = not needle or any(needle in cell.text().casefold() for cell in cells if cell is not None)
            self.table.setRowHidden(row, not shown)
