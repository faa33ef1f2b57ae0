"""The "Team library" section of the Settings dialog: where the studio's shared library is.

Fields only; the rules live in ideogram_studio/team/config.py. The database password and the S3
secret key go to the OS keyring (CredentialVault) and are never shown again: an empty password
field means "keep the saved one". A password pasted into the URL is moved to the keyring.
Every keyring call runs in a worker thread (a keyring may first ask to be unlocked); its answer
comes back through a relay living on the GUI thread, which drops it if the form is gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QWidget

from ...team.config import CredentialVault, TeamConfig, TeamCredentials, with_pasted_password
from ...team.errors import TeamConfigError
from ..common.field_errors import FieldMessage

log = logging.getLogger(__name__)
_KEEP = "saved in the system keyring (type to replace)"


class _Relay(QObject):
    """Lives on the GUI thread: a worker's emit is queued here, then handed to a live form."""

    answered = Signal(object, object)  # (callback, value)

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        self.answered.connect(self._deliver)

    @staticmethod
    def _deliver(callback: Callable[[object], None], value: object) -> None:
        owner = getattr(callback, "__self__", None)
        if owner is None or shiboken6.isValid(owner):
            callback(value)


_relay: _Relay | None = None


def _in_worker(work: Callable[[], object], then: Callable[[object], None]) -> threading.Thread:
    global _relay
    if _relay is None:
        _relay = _Relay()
    relay = _relay

    def run() -> None:
        try:
            value: object = work()
        except TeamConfigError as exc:
            value = exc
        relay.answered.emit(then, value)

    thread = threading.Thread(target=run, name="team-keyring", daemon=True)
    thread.start()
    return thread


class TeamSettingsForm(QWidget):
    """Edits a TeamConfig (file) and TeamCredentials (keyring)."""

    #: The keyring answered a save: "" when the secrets are stored, else why not.
    secrets_saved = Signal(str)

    def __init__(self, config_path: Path, vault: CredentialVault | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path = config_path
        self._vault = vault or CredentialVault()
        self._config = TeamConfig.load(config_path)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.enabled_box = QCheckBox("Show the team library in the library page", self)
        form.addRow(self.enabled_box)
        self.db_url_edit = self._line(form, "Database URL", "postgresql://you@studio-box:5432/ideogram?sslmode=require")
        self.db_password_edit = self._line(form, "Database password", "", secret=True)
        self.endpoint_edit = self._line(form, "S3 endpoint", "https://studio-box:8333")
        self.bucket_edit = self._line(form, "Bucket", "studio-team")
        self.access_key_edit = self._line(form, "Access key id", "")
        self.secret_key_edit = self._line(form, "Secret key", "", secret=True)
        self.message = FieldMessage(self)
        form.addRow(self.message)
        self._load()

    def _line(self, form: QFormLayout, label: str, placeholder: str, *, secret: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label, edit)
        return edit

    def _load(self) -> None:
        c = self._config
        self.enabled_box.setChecked(c.enabled)
        self.db_url_edit.setText(c.db_url)
        self.endpoint_edit.setText(c.s3_endpoint)
        self.bucket_edit.setText(c.bucket)
        self.access_key_edit.setText(c.s3_access_key)
        if c.configured:  # no team set up: no keyring to ask
            _in_worker(self._vault.load, self._show_saved)

    def _show_saved(self, answer: object) -> None:
        if isinstance(answer, TeamCredentials):
            self.db_password_edit.setPlaceholderText(_KEEP if answer.db_password else "")
            self.secret_key_edit.setPlaceholderText(_KEEP if answer.s3_secret_key else "")

    def typed_config(self) -> TeamConfig:
        return replace(self._config, enabled=self.enabled_box.isChecked(), db_url=self.db_url_edit.text().strip(),
                       s3_endpoint=self.endpoint_edit.text().strip(), bucket=self.bucket_edit.text().strip(),
                       s3_access_key=self.access_key_edit.text().strip())

    def save(self) -> bool:
        """Validate and save the file; the secrets go to the keyring in a worker (`secrets_saved`).
        False (with a message) when a field is wrong."""
        config = self.typed_config()
        typed = TeamCredentials(self.db_password_edit.text() or None, self.secret_key_edit.text() or None)
        config, typed = with_pasted_password(config, typed)
        if config.enabled or config.db_url:
            try:
                config.validate()
            except TeamConfigError as exc:
                self.message.show_error(str(exc))
                return False
        try:
            config.save(self._path)
        except (OSError, ValueError) as exc:
            self.message.show_error(f"The team library settings were not saved. {exc}")
            return False
        self._config = config
        self.db_url_edit.setText(config.db_url)  # a pasted password leaves the field
        self.db_password_edit.clear()
        self.secret_key_edit.clear()
        self.message.clear_message()
        if typed.db_password or typed.s3_secret_key:
            _in_worker(lambda: self._vault.update(typed), self._secrets_answered)
        return True

    def _secrets_answered(self, answer: object) -> None:
        if isinstance(answer, TeamConfigError):
            log.warning("team library secrets not saved: %s", answer)
            self.message.show_error(str(answer))
            self.secrets_saved.emit(str(answer))
        else:
            self._show_saved(TeamCredentials("saved", "saved"))
            self.secrets_saved.emit("")
