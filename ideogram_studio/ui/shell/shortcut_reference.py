"""The shortcut reference (F1, Ctrl+/): every command of the window that has a shortcut, read from
its QActions (ui/shell/shortcuts.py: so it never drifts from what the keys do, and shows the keys
the designer rebound), with where each answers and a filter field. Every mode's panel is made first,
so the commands of modes not visited yet are listed too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHeaderView, QVBoxLayout, QWidget

from . import shortcuts
from .shortcut_table import column_width, command_table, filter_rows, find_field, set_row
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
        self.filter_edit = find_field(self)
        layout.addWidget(self.filter_edit)
        rows = shortcut_rows(window)
        self.table = command_table(self, ["Command", "Where", "Shortcut"], len(rows))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, texts in enumerate(rows):
            set_row(self.table, row, texts)
        layout.addWidget(self.table)
        self.filter_edit.textChanged.connect(lambda text: filter_rows(self.table, text))
        widths = [column_width(self.table, c) for c in range(3)]
        self.resize(max(560, min(960, widths[0] + min(widths[1], 300) + widths[2] + 60)), 600)
