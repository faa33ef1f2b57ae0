"""The prompt library in the window: one pop-up shared by every mode's prompt field (Ctrl+Up),
fed by the controller's PromptHistory; file dialogs for importing and exporting starred prompts.

The history outlives the window (the controller owns it, and its answers come from a worker
thread), so it is connected only to slots of this link, a child of the window: Qt drops those
connections when the window goes, and an answer that arrives later finds no pop-up to fill (a
lambda would keep calling into the deleted pop-up).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow, QWidget
from shiboken6 import isValid

from ..common.prompt_history import PromptHistory
from ..widgets.prompt_edit import PromptEdit
from ..widgets.prompt_popup import PromptPopup

FILE_FILTER = "Prompt lists (*.json)"


class PromptLibraryLink(QObject):
    def __init__(self, window: QWidget, history: PromptHistory) -> None:
        super().__init__(window)
        self._window = window
        self._history = history
        self._popup: PromptPopup | None = None
        self._target: PromptEdit | None = None
        history.results.connect(self._show_results)
        history.message.connect(self._show_message)

    def popup(self) -> PromptPopup:
        if self._popup is None:  # made on first use: nothing of it at start-up
            popup = PromptPopup(self._window)
            popup.query_changed.connect(self._history.search)
            popup.chosen.connect(self._insert)
            popup.forget_requested.connect(self._history.forget)
            popup.star_requested.connect(self._history.star)
            popup.unstar_requested.connect(self._history.unstar)
            popup.export_requested.connect(self._export)
            popup.import_requested.connect(self._import)
            self._popup = popup
        return self._popup

    @Slot(str, list)
    def _show_results(self, _query: str, entries: list[Any]) -> None:
        popup = self._popup
        if popup is not None and isValid(popup):  # (never made yet, or gone with its window)
            popup.set_entries(entries)

    @Slot(str)
    def _show_message(self, text: str) -> None:
        if isinstance(self._window, QMainWindow) and isValid(self._window):
            self._window.statusBar().showMessage(text, 8000)

    def show_for(self, edit: PromptEdit) -> None:
        self._target = edit
        self.popup().show_under(edit)

    def _insert(self, text: str) -> None:
        if self._target is not None:
            self._target.set_text(text)
            self._target.setFocus()

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self._window, "Export starred prompts", "prompts.json", FILE_FILTER)
        if path:
            self._history.export_to(Path(path))

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Import prompts", "", FILE_FILTER)
        if path:
            self._history.import_from(Path(path))
