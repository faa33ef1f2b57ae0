"""The prompt library in the window: one pop-up shared by every mode's prompt field (Ctrl+Up),
fed by the controller's PromptHistory; file dialogs for importing and exporting starred prompts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

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

    def popup(self) -> PromptPopup:
        if self._popup is None:  # made on first use: nothing of it at start-up
            popup = PromptPopup(self._window)
            popup.query_changed.connect(self._history.search)
            self._history.results.connect(lambda _query, entries: popup.set_entries(entries))
            popup.chosen.connect(self._insert)
            popup.forget_requested.connect(self._history.forget)
            popup.star_requested.connect(self._history.star)
            popup.unstar_requested.connect(self._history.unstar)
            popup.export_requested.connect(self._export)
            popup.import_requested.connect(self._import)
            self._popup = popup
        return self._popup

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
