"""Settings' Shortcuts page: every command of the window with its shortcut (ui/shell/shortcuts.py),
rebound by pressing the new keys, cleared, or reset to the studio's default.

A key already on another command is said with that command's name, and the designer chooses:
swap the two (the other command takes this one's old keys) or keep looking. Nothing changes until
OK (`apply()`: the actions take the keys and QSettings keeps them); Cancel leaves every shortcut.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..common.field_errors import FieldMessage
from . import shortcuts
from .shortcut_table import column_width, command_table, filter_rows, find_field, set_row
from .shortcuts import NATIVE, Command, keys_text

#: The widest a keys column starts (wider keys are elided, whole in their tooltips).
_KEYS_WIDTH = 170


class ShortcutsPage(QWidget):
    #: Something was changed (not yet applied).
    edited = Signal()
    #: The width the table needs, once its rows are read (the dialog widens up to the screen).
    wants_width = Signal(int)

    def __init__(self, window: QWidget, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._settings = settings
        #: Read when the page is first shown (every mode's panel is made then, for its commands).
        self._loaded = False
        self._commands: list[Command] = []
        #: The keys each command will have on OK, by id.
        self._staged: dict[str, list[QKeySequence]] = {}
        #: A conflict waiting for the designer's choice: (the command being set, its new keys, the other).
        self._pending: tuple[Command, QKeySequence, Command] | None = None
        self._setup_ui()

    # ---- public ----------------------------------------------------------------------------
    def load(self) -> None:
        """Read every command of the window (once): the page's rows."""
        if self._loaded:
            return
        self._loaded = True
        shortcuts.make_every_part(self._window)
        self._commands = shortcuts.commands(self._window)
        self._staged = {c.id: c.keys for c in self._commands}
        self._fill()
        for column in (2, 3):
            self.table.setColumnWidth(column, min(column_width(self.table, column), _KEYS_WIDTH))
        self.wants_width.emit(self.needed_width())

    def needed_width(self) -> int:
        """The table's columns at their contents' widths (the Where column at most 280 px)."""
        columns = [column_width(self.table, c) for c in range(self.table.columnCount())]
        columns[1] = min(columns[1], 280)
        columns[2], columns[3] = min(columns[2], _KEYS_WIDTH), min(columns[3], _KEYS_WIDTH)
        return sum(columns) + self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth() + 4

    def commands(self) -> list[Command]:
        self.load()
        return list(self._commands)

    def staged(self, command_id: str) -> list[QKeySequence]:
        self.load()
        return list(self._staged[command_id])

    def select(self, command_id: str) -> None:
        self.load()
        for row, command in enumerate(self._commands):
            if command.id == command_id:
                self.table.selectRow(row)
                return
        raise KeyError(command_id)

    def set_keys(self, keys: QKeySequence) -> bool:
        """Give the selected command `keys`; False when another command has them (said, with Swap)."""
        command = self._selected()
        if command is None or keys.isEmpty():
            return False
        other = shortcuts.holder(self._commands, keys, command, self._staged)
        if other is not None:
            self._pending = (command, keys, other)
            old = keys_text(self._staged[command.id])
            self.message.show_error(
                f"{keys.toString(NATIVE)} is already the shortcut of “{other.name}” ({other.where}). Swap them ("
                f"“{other.name}” gets {old}), or press other keys."
            )
            self.swap_button.show()
            return False
        self._stage(command, [keys])
        return True

    def swap(self) -> bool:
        """Take the pending keys from the other command, which gets this command's old keys."""
        if self._pending is None:
            return False
        command, keys, other = self._pending
        old = self._staged[command.id]
        self._staged[other.id] = [k for k in old if not k.isEmpty()]
        self._stage(command, [keys])
        self.message.show_note(f"Swapped: “{other.name}” is now {keys_text(self._staged[other.id])}.")
        return True

    def clear_selected(self) -> None:
        command = self._selected()
        if command is not None:
            self._stage(command, [])

    def reset_selected(self) -> None:
        command = self._selected()
        if command is not None:
            self._reset(command)

    def reset_all(self) -> None:
        for command in self._commands:
            self._staged[command.id] = command.defaults
        self._refresh_rows()
        self.message.show_note("Every shortcut is back to the studio's default (on OK).")
        self.edited.emit()

    def apply(self) -> None:
        """OK: the actions take the staged keys, and QSettings keeps those that differ from the defaults."""
        if not self._loaded:  # never shown: nothing changed
            return
        for command in self._commands:
            if [k.toString() for k in command.keys] != [k.toString() for k in self._staged[command.id]]:
                command.set_keys(self._staged[command.id])
        shortcuts.save(self._settings, self._window)

    def showEvent(self, event: QShowEvent) -> None:
        self.load()
        super().showEvent(event)

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.filter_edit = find_field(self)
        layout.addWidget(self.filter_edit)
        self.table = command_table(self, ["Command", "Where", "Shortcut", "Default"])
        self.filter_edit.textChanged.connect(lambda text: filter_rows(self.table, text))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # The keys' columns at their contents' width up to 170 px (two long keys are elided, whole in
        # their tooltips), so that the Where column keeps room.
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.table.itemSelectionChanged.connect(self._on_selected)
        layout.addWidget(self.table, 1)

        row = QHBoxLayout()
        label = QLabel("New shortcut", self)
        row.addWidget(label)
        self.key_edit = QKeySequenceEdit(self)
        self.key_edit.setMaximumSequenceLength(1)
        self.key_edit.setToolTip("Click here and press the keys for the selected command")
        self.key_edit.editingFinished.connect(lambda: self.set_keys(self.key_edit.keySequence()))
        label.setBuddy(self.key_edit)
        row.addWidget(self.key_edit, 1)
        self.clear_button = QPushButton("No shortcut", self)
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.clear_selected)
        row.addWidget(self.clear_button)
        self.reset_button = QPushButton("Reset", self)
        self.reset_button.setAutoDefault(False)
        self.reset_button.setToolTip("Back to the studio's default for the selected command")
        self.reset_button.clicked.connect(self.reset_selected)
        row.addWidget(self.reset_button)
        layout.addLayout(row)

        message_row = QHBoxLayout()
        self.message = FieldMessage(self)
        message_row.addWidget(self.message, 1)
        self.swap_button = QPushButton("Swap", self)
        self.swap_button.setAutoDefault(False)
        self.swap_button.clicked.connect(self.swap)
        self.swap_button.hide()
        message_row.addWidget(self.swap_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(message_row)

        self.reset_all_button = QPushButton("Reset all to defaults", self)
        self.reset_all_button.setAutoDefault(False)
        self.reset_all_button.clicked.connect(self.reset_all)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.reset_all_button)
        layout.addLayout(bottom)
        self._on_selected()

    def _fill(self) -> None:
        self.table.setRowCount(len(self._commands))
        for row, command in enumerate(self._commands):
            texts = (command.name, command.where, keys_text(self._staged[command.id]), keys_text(command.defaults))
            set_row(self.table, row, texts)

    def _refresh_rows(self) -> None:
        for row, command in enumerate(self._commands):
            item = self.table.item(row, 2)
            if item is not None:
                item.setText(keys_text(self._staged[command.id]))

    # ---- work ------------------------------------------------------------------------------
    def _selected(self) -> Command | None:
        rows = self.table.selectionModel().selectedRows()
        return self._commands[rows[0].row()] if rows else None

    def _stage(self, command: Command, keys: list[QKeySequence]) -> None:
        self._staged[command.id] = keys
        self._pending = None
        self.swap_button.hide()
        self.message.clear_message()
        self._refresh_rows()
        self.key_edit.clear()
        self.edited.emit()

    def _reset(self, command: Command) -> None:
        defaults = command.defaults
        held = [k for k in defaults if shortcuts.holder(self._commands, k, command, self._staged)]
        if held:  # the default was given to another command meanwhile
            self.select(command.id)
            self.set_keys(held[0])
            return
        self._stage(command, defaults)

    @Slot()
    def _on_selected(self) -> None:
        chosen = self._selected() is not None
        for widget in (self.key_edit, self.clear_button, self.reset_button):
            widget.setEnabled(chosen)
        self._pending = None
        self.swap_button.hide()
        if self.message.kind() == "error":
            self.message.clear_message()
