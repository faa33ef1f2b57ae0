"""What the mode panels ask of the controller, before there is one.

At start-up the restored mode's panel is made and takes typing while the library, the keyring and
the HTTP client are still opening (issue 15: usable first). Its requests (a send, a price quote, a
prompt to expand, previews) wait here and go through, in order, once `attach(controller)` hands the
controller over; after that the gate only passes calls on. The controller's answers to the panels
(quotes, expanded prompts, preset previews) come through the gate's signals, so a panel is wired once,
whenever it is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from .controller import StudioController

#: Calls whose newest one alone matters (a quote for a form that has moved on is dropped anyway).
LATEST_ONLY = frozenset({"quote", "quote_compare"})


class ControllerGate(QObject):
    """The controller's commands the panels use (PanelServices and the preset row's requests)."""

    #: The controller's answers, passed on: (request, PriceQuote | None); (asker, structured prompt).
    quote_ready = Signal(object, object)
    prompt_expanded = Signal(str, object)
    #: A preset preview is available: (preset, image).
    preset_preview_ready = Signal(object, QImage)
    #: A preset comparison's total before it starts: (prompt, presets, the total in words).
    compare_quoted = Signal(str, list, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller: StudioController | None = None
        self._waiting: list[tuple[str, tuple[Any, ...]]] = []

    def attach(self, controller: StudioController) -> None:
        """From now on calls go to `controller`; those made meanwhile go first, in order."""
        self.controller = controller
        controller.quote_ready.connect(self.quote_ready)
        controller.prompt_expanded.connect(self.prompt_expanded)
        controller.preset_preview_ready.connect(self.preset_preview_ready)
        controller.compare_quoted.connect(self.compare_quoted)
        waiting, self._waiting = self._waiting, []
        for name, args in waiting:
            getattr(controller, name)(*args)

    def waiting(self) -> list[str]:
        """The names of the calls waiting for the controller (for tests and the status bar)."""
        return [name for name, _args in self._waiting]

    # ---- the commands ----------------------------------------------------------------------------
    def submit(self, request: Any, to_front: bool = False, tags: dict[str, Any] | None = None) -> None:
        self._call("submit", request, to_front, tags)

    def quote(self, request: Any) -> None:
        self._call("quote", request)

    def expand_prompt(self, text: str, asker: str = "", aspect_ratio: str | None = None) -> None:
        self._call("expand_prompt", text, asker, aspect_ratio)

    def request_previews(self, prompt: str, presets: list[Any]) -> None:
        self._call("request_previews", prompt, presets)

    def quote_compare(self, prompt: str, presets: list[Any]) -> None:
        self._call("quote_compare", prompt, presets)

    def request_compare(self, prompt: str, presets: list[Any]) -> None:
        self._call("request_compare", prompt, presets)

    def _call(self, name: str, *args: Any) -> None:
        if self.controller is not None:
            getattr(self.controller, name)(*args)
            return
        if name in LATEST_ONLY:
            self._waiting = [(n, a) for n, a in self._waiting if n != name]
        self._waiting.append((name, args))
