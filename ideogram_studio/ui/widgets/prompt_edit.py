"""A multi-line prompt field: Ctrl+Enter sends, Ctrl+Shift+Enter sends to the front, Alt+Up/Down history,
Ctrl+Up the prompt library.

The history and library keys are actions of the field (so the shortcut reference lists them and
Settings can rebind them); its key handler answers their current keys too, for keys the text field
itself would otherwise claim."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

MAX_HISTORY = 200


class PromptEdit(QPlainTextEdit):
    """Plain text; Tab moves focus; optional prompt history."""

    #: to_front
    submit_requested = Signal(bool)
    #: Ctrl+Up: the designer wants the prompt library (kept prompts, searchable).
    library_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, history: bool = True) -> None:
        super().__init__(parent)
        self._history_enabled = history
        self._history: list[str] = []
        self._index = -1  # -1: editing the draft, not browsing history
        self._draft = ""
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        if history:
            self.setProperty("shortcutPlace", "Prompt field")  # where the reference says these keys work
            self._key_action("prompt-library", "Prompt library", "Ctrl+Up", self.library_requested.emit)
            self._key_action("prompt-history-back", "Previous prompt", "Alt+Up", self.history_back)
            self._key_action("prompt-history-forward", "Next prompt", "Alt+Down", self.history_forward)

    def _key_action(self, name: str, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(keys)])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # ---- public ----------------------------------------------------------------------------
    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.End)

    def history(self) -> list[str]:
        """Sent prompts, oldest first."""
        return list(self._history)

    def set_history(self, prompts: Iterable[str]) -> None:
        items = [p for p in prompts if isinstance(p, str) and p.strip()]
        self._history = items[-MAX_HISTORY:]
        self._index = -1

    def add_to_history(self, prompt: str) -> None:
        if not prompt.strip():
            return
        if prompt in self._history:
            self._history.remove(prompt)
        self._history.append(prompt)
        del self._history[:-MAX_HISTORY]
        self._index = -1

    def history_back(self) -> bool:
        """Show the previous (older) prompt; the draft is kept to come back to."""
        if not self._history_enabled or not self._history:
            return False
        if self._index == -1:
            self._draft = self.toPlainText()
            self._index = len(self._history) - 1
        elif self._index > 0:
            self._index -= 1
        else:
            return False
        self.set_text(self._history[self._index])
        return True

    def history_forward(self) -> bool:
        """Show the next (newer) prompt, and finally the draft."""
        if not self._history_enabled or self._index == -1:
            return False
        self._index += 1
        if self._index >= len(self._history):
            self._index = -1
            self.set_text(self._draft)
        else:
            self.set_text(self._history[self._index])
        return True

    # ---- events ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
            self.submit_requested.emit(bool(mods & Qt.KeyboardModifier.ShiftModifier))
            event.accept()
            return
        pressed = QKeySequence(event.keyCombination())
        for action in self.actions():  # the history and library keys, as the designer set them
            if any(k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for k in action.shortcuts()):
                action.trigger()
                event.accept()
                return
        super().keyPressEvent(event)
