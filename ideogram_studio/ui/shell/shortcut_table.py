"""The table of commands and keys that the shortcut reference (F1) and Settings ▸ Shortcuts share:
its find field, its rows (long text elided, whole in a tooltip) and its filter."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTableWidget, QTableWidgetItem, QWidget


def find_field(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText("Find a command or a key…")
    edit.setClearButtonEnabled(True)
    return edit


def command_table(parent: QWidget, headers: Sequence[str], rows: int = 0) -> QTableWidget:
    table = QTableWidget(rows, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)  # long text is elided ("…"), whole in its tooltip
    return table


def set_row(table: QTableWidget, row: int, texts: Sequence[str]) -> None:
    for column, text in enumerate(texts):
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        table.setItem(row, column, item)


def column_width(table: QTableWidget, column: int) -> int:
    """The column's width for its contents and its header."""
    return max(table.sizeHintForColumn(column), table.horizontalHeader().sectionSizeHint(column))


def filter_rows(table: QTableWidget, text: str) -> None:
    """Show the rows with `text` in any cell (any case); every row when it is empty."""
    needle = text.strip().casefold()
    for row in range(table.rowCount()):
        cells = (table.item(row, col) for col in range(table.columnCount()))
        shown = not needle or any(needle in cell.text().casefold() for cell in cells if cell is not None)
        table.setRowHidden(row, not shown)
