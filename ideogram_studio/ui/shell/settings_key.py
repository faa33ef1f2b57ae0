"""The Settings dialog's API key section: where the key is, saving, removing, unlocking, checking.

- "Save key" / "Remove key" act at once on the `SecretStore` (the OS keyring); Cancel does not
  undo them. The key is never put into `Settings`, `QSettings`, a log or any file; after a save
  the field is emptied with `setText("")`, which also drops its undo history. Removing asks first,
  inline (Ideogram shows a key only once).
- Every keyring call runs in a worker thread (`ApiKeyModel`, api_key.py); the section says what it
  is doing and keeps the key's buttons disabled meanwhile. Opening it never prompts: a key in a
  locked keyring shows "Unlock keyring", and only that (or saving) brings the keyring's prompt up.
- A saved key is checked without spending (a dry-run price quote, when the model has a checker),
  and a wrong or revoked key is said here in words.
- When the keyring is unusable the section says so, points to `IDEOGRAM_API_KEY` and disables
  saving. It never offers a file instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.key_check import KeyVerdict
from ...secrets import ENV_VAR
from ..common import theme
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from .api_key import ApiKeyModel, Busy, KeyState, KeyStatus

GET_KEY_URL = "https://ideogram.ai/manage-api"


class _ReturnSaves(QObject):
    """Enter in the key field saves the key instead of pressing the dialog's OK button."""

    def __init__(self, section: KeySection) -> None:
        super().__init__(section)
        self._section = section

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._section.save_key()
                return True
        return False


class KeySection(QWidget):
    """The key's rows of the Settings dialog, over the window's (or its own) `ApiKeyModel`."""

    #: True when a key is now saved in the keyring, False when it was removed.
    key_changed = Signal(bool)
    #: Saving (or removing, unlocking) failed; the reason is at the field.
    save_failed = Signal()
    #: The key is being written (True) or no longer (False): the dialog's OK waits for it.
    writing_changed = Signal(bool)

    def __init__(self, model: ApiKeyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        header = QLabel("Ideogram API key", self)
        header.setObjectName("sectionHeader")
        self._setup_ui(header)
        model.status_changed.connect(self._on_key_status)
        model.busy_changed.connect(self._on_key_busy)
        model.key_changed.connect(self._on_key_changed)
        model.failed.connect(self._on_key_failed)
        model.key_checked.connect(self._on_key_checked)
        self._update_key_ui()
        last = model.last_check()
        if last is not None and model.status().state == KeyState.STORED:
            self._on_key_checked(*last)

    # ---- public ----------------------------------------------------------------------------
    def key_state(self) -> str:
        return self.model.status().state

    def is_busy(self) -> bool:
        return bool(self.model.busy())

    def is_writing(self) -> bool:
        """The key is being saved or removed (a read or an unlock does not hold OK back)."""
        return self.model.busy() in (Busy.SAVING, Busy.REMOVING)

    def save_key(self) -> bool:
        """Store the typed key in the keyring, in a worker thread: ``key_changed(True)`` follows,
        or the reason at the field. False when the key is refused at once (nothing started)."""
        if self.is_busy():
            return False
        if self.key_state() == KeyState.UNAVAILABLE:
            self.key_message.show_error(self.save_key_button.toolTip())
            return False
        key = self.key_edit.text().strip()
        if not key:
            self.key_message.show_error("Paste your Ideogram API key first.")
            self.key_edit.setFocus()
            return False
        if any(ch.isspace() or not ch.isprintable() for ch in key):
            self.key_message.show_error("A key has no spaces or line breaks: check what was pasted.")
            return False
        self.key_message.clear_message()
        self.show_key_button.setChecked(False)  # masked again while it is being saved
        return self.model.save(key)

    def remove_key(self) -> bool:
        self._confirm_row.hide()
        self.key_message.clear_message()
        return self.model.remove()

    def unlock(self) -> bool:
        self.key_message.clear_message()
        return self.model.unlock()

    def forget_typed_key(self) -> None:
        """Empty the key field. setText drops the undo history too (clear() would keep it)."""
        self.show_key_button.setChecked(False)
        self.key_edit.setText("")

    def has_typed_key(self) -> bool:
        return bool(self.key_edit.text().strip())

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self, header: QLabel) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(header)
        head.addStretch(1)
        self.get_key_link = QLabel(f'<a href="{GET_KEY_URL}">Get a key ↗</a>', self)
        self.get_key_link.setTextFormat(Qt.TextFormat.RichText)
        self.get_key_link.setOpenExternalLinks(True)
        self.get_key_link.setToolTip(f"Create or manage API keys on ideogram.ai ({GET_KEY_URL})")
        head.addWidget(self.get_key_link)
        outer.addLayout(head)

        self.key_status = QLabel(self)
        self.key_status.setObjectName("keyStatus")
        self.key_status.setWordWrap(True)
        self.key_status.setTextFormat(Qt.TextFormat.RichText)
        status_row = QHBoxLayout()
        status_row.setSpacing(8)
        status_row.addWidget(self.key_status, 1)
        #: Moves while a keyring call runs (the status line says which).
        self.key_busy = QProgressBar(self)
        self.key_busy.setObjectName("keyBusy")
        self.key_busy.setRange(0, 0)
        self.key_busy.setTextVisible(False)
        self.key_busy.setFixedSize(64, 8)
        self.key_busy.hide()
        status_row.addWidget(self.key_busy)
        outer.addLayout(status_row)

        key_row = QHBoxLayout()
        key_row.setSpacing(6)
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.key_edit.setClearButtonEnabled(True)
        self.key_edit.setMinimumWidth(220)
        self.key_edit.textChanged.connect(self._on_key_text_changed)
        self.key_edit.installEventFilter(_ReturnSaves(self))
        key_row.addWidget(self.key_edit, 1)
        self.show_key_button = QToolButton(self)
        self.show_key_button.setCheckable(True)
        self.show_key_button.setText("Show")
        self.show_key_button.setToolTip("Show or hide the key you are typing")
        self.show_key_button.setFixedWidth(52)
        self.show_key_button.toggled.connect(self._on_show_key_toggled)
        key_row.addWidget(self.show_key_button)
        self.save_key_button = QPushButton("Save key", self)
        self.save_key_button.setAutoDefault(False)
        self.save_key_button.clicked.connect(self.save_key)
        key_row.addWidget(self.save_key_button)
        self.remove_key_button = QPushButton("Remove key", self)
        self.remove_key_button.setAutoDefault(False)
        self.remove_key_button.clicked.connect(self._on_remove_clicked)
        key_row.addWidget(self.remove_key_button)
        #: A key is saved in a locked keyring: this asks the keyring to unlock (its own prompt).
        self.unlock_button = QPushButton("Unlock keyring", self)
        self.unlock_button.setAutoDefault(False)
        self.unlock_button.setToolTip("Ask the system keyring to unlock, so the studio can use the key saved in it")
        self.unlock_button.clicked.connect(self.unlock)
        self.unlock_button.hide()
        key_row.addWidget(self.unlock_button)
        outer.addLayout(key_row)

        # Inline confirmation for "Remove key": Ideogram shows a key only once, so ask first.
        self._confirm_row = QFrame(self)
        self._confirm_row.setObjectName("confirmRow")
        confirm = QHBoxLayout(self._confirm_row)
        confirm.setContentsMargins(8, 4, 4, 4)
        confirm_text = QLabel("Remove the saved key? Ideogram shows a key only once: keep a copy.", self._confirm_row)
        confirm_text.setWordWrap(True)
        confirm.addWidget(confirm_text, 1)
        self.confirm_remove_button = QPushButton("Remove", self._confirm_row)
        self.confirm_remove_button.setAutoDefault(False)
        self.confirm_remove_button.clicked.connect(self.remove_key)
        confirm.addWidget(self.confirm_remove_button)
        self.cancel_remove_button = QPushButton("Keep", self._confirm_row)
        self.cancel_remove_button.setAutoDefault(False)
        self.cancel_remove_button.clicked.connect(self._confirm_row.hide)
        confirm.addWidget(self.cancel_remove_button)
        self._confirm_row.hide()
        outer.addWidget(self._confirm_row)

        self.key_message = FieldMessage(self)
        outer.addWidget(self.key_message)
        self.key_note = QLabel(
            "Kept only in the system keyring, never in a settings file. Saving or removing it applies at once.",
            self,
        )
        self.key_note.setWordWrap(True)
        self._small(self.key_note)
        mute(self.key_note)
        outer.addWidget(self.key_note)


    @staticmethod
    def _small(label: QLabel) -> None:
        font = label.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        label.setFont(font)

    def _show_key_ok(self, text: str) -> None:
        theme.set_text_color(self.key_message, "ok")
        self.key_message.setText("✓ " + text)
        self.key_message.show()

    def _update_key_ui(self) -> None:
        """The status line and the key's buttons, from the model's status and what it is doing."""
        status, busy = self.model.status(), self.model.busy()
        self.key_busy.setVisible(bool(busy))
        self.writing_changed.emit(self.is_writing())
        if busy or status.state == KeyState.UNKNOWN:
            self.key_status.setText(f"◌&nbsp; {_escape(busy or Busy.CHECKING)}")
            self.key_status.setToolTip("")
            for widget in (self.key_edit, self.show_key_button, self.save_key_button, self.remove_key_button,
                           self.confirm_remove_button, self.unlock_button):
                widget.setEnabled(False)
            return
        state = status.state
        env_set = status.env_set
        unavailable = state == KeyState.UNAVAILABLE
        if state == KeyState.STORED:
            color, text = "ok", f"Stored in the system keyring ({status.backend})"
            if env_set:
                text += f" · it takes precedence over {ENV_VAR}"
            placeholder = "Paste a new key to replace it"
        elif state == KeyState.ENVIRONMENT:
            color, text = "info", f"Using {ENV_VAR} from the environment"
            placeholder = "Paste a key to save it in the keyring"
        elif state == KeyState.NONE:
            color, text = None, "No key saved — the studio runs against its built-in sandbox"
            placeholder = "Paste your Ideogram API key"
        elif state == KeyState.LOCKED:
            color, text = "warning", f"A key is saved in the system keyring ({status.backend}), which is locked"
            if env_set:
                text += f" · {ENV_VAR} is used meanwhile"
            placeholder = "Unlock the keyring to use the saved key, or paste a new one"
        else:
            color, text = "error", "No system keyring available"
            placeholder = "No keyring: a key cannot be saved here"
        dot = f'<span style="color:{theme.css(color)}">●</span>' if color else "○"
        if unavailable:
            detail = (
                f"The key can only come from the {ENV_VAR} environment variable; set it before starting "
                "the studio. The key is never written to a file."
            )
            if env_set:
                detail += f" {ENV_VAR} is set and in use."
            warn = theme.css("error")
            self.key_status.setText(
                f'{dot}&nbsp; <span style="color:{warn}; font-weight:600">{_escape(text)}.</span> {_escape(detail)}'
            )
            self.forget_typed_key()
        else:
            self.key_status.setText(f"{dot}&nbsp; {_escape(text)}")
        self.key_note.setVisible(not unavailable)
        self.key_status.setToolTip(status.error)
        self.key_edit.setPlaceholderText(placeholder)
        self.key_edit.setEnabled(not unavailable)
        self.show_key_button.setEnabled(not unavailable)
        self.save_key_button.setEnabled(not unavailable)
        self.save_key_button.setToolTip(
            f"No usable system keyring: set {ENV_VAR} in the environment instead. {status.error}".strip()
            if unavailable
            else "Store the key in the system keyring (Enter)"
        )
        self.remove_key_button.setEnabled(state == KeyState.STORED)
        self.confirm_remove_button.setEnabled(state == KeyState.STORED)
        self.remove_key_button.setToolTip(
            "Delete the key from the system keyring" if state == KeyState.STORED else "No key is saved in the keyring"
        )
        self.unlock_button.setVisible(state == KeyState.LOCKED)
        self.unlock_button.setEnabled(state == KeyState.LOCKED)
        if state != KeyState.STORED:
            self._confirm_row.hide()

    # ---- the model's answers -----------------------------------------------------------------
    @Slot(object)
    def _on_key_status(self, _status: KeyStatus) -> None:
        self._update_key_ui()

    @Slot(str)
    def _on_key_busy(self, _busy: str) -> None:
        self._update_key_ui()

    @Slot(bool)
    def _on_key_changed(self, saved: bool) -> None:
        if saved:
            self.forget_typed_key()
            self._show_key_ok("Key saved to the system keyring.")
        elif self.key_state() == KeyState.ENVIRONMENT:
            self._show_key_ok(f"Key removed from the keyring. {ENV_VAR} from the environment is still used.")
        else:
            self._show_key_ok("Key removed. The studio uses its built-in sandbox until you save a key.")
        self.key_changed.emit(saved)

    @Slot(str, str)
    def _on_key_failed(self, what: str, why: str) -> None:
        self.key_message.show_error(f"{what} {why}".strip())
        self.save_failed.emit()

    @Slot(str, str)
    def _on_key_checked(self, verdict: str, sentence: str) -> None:
        """The API's word on the saved key, at the key field (a refused key is an error)."""
        if verdict == KeyVerdict.REFUSED.value:
            self.key_message.show_error(sentence)
        elif verdict == KeyVerdict.ACCEPTED.value:
            self._show_key_ok(sentence)
        else:
            self.key_message.show_warning(sentence)

    @Slot(str)
    def _on_key_text_changed(self, _text: str) -> None:
        if self.key_message.kind() == "error":
            self.key_message.clear_message()

    @Slot(bool)
    def _on_show_key_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key_button.setText("Hide" if shown else "Show")

    @Slot()
    def _on_remove_clicked(self) -> None:
        self.key_message.clear_message()
        self._confirm_row.show()
        self.cancel_remove_button.setFocus()



def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
