"""The forms' preset rows and the controller: previews and comparisons asked for in a form's picker
go to the controller (through the gate, which holds them while the studio opens); previews come back
to every form's tiles, and comparison results to the picker of the form that asked last (the first
form's until one asks, e.g. for comparisons recovered after a restart)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from ..modes.style_choices import PresetChoice
    from .controller_gate import ControllerGate


class PresetLink(QObject):
    def __init__(self, gate: ControllerGate, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gate = gate
        #: The preset row whose picker's compare grid the next compare results go to.
        self._compare_choice: PresetChoice | None = None

    def add(self, choice: PresetChoice) -> None:
        """A form's preset row (its picker is made on first open: the row passes its requests on)."""
        choice.previews_requested.connect(self._gate.request_previews)
        choice.compare_requested.connect(lambda prompt, presets: self._compare(choice, prompt, presets))
        self._gate.preset_preview_ready.connect(choice.store.set_preview)
        choice.compare_quote_wanted.connect(self._gate.quote_compare)
        self._gate.compare_quoted.connect(choice.show_compare_quote)
        if self._compare_choice is None:
            self._compare_choice = choice

    def add_result(self, preset: Any, image: QImage) -> None:
        if self._compare_choice is not None:
            self._compare_choice.picker().compare_grid().add_result(preset, image)

    def set_failed(self, preset: Any, text: str) -> None:
        if self._compare_choice is not None:
            self._compare_choice.picker().compare_grid().set_failed(preset, text)

    def _compare(self, choice: PresetChoice, prompt: str, presets: list[Any]) -> None:
        self._compare_choice = choice
        self._gate.request_compare(prompt, presets)
