"""The "Team library" section of the Settings dialog: where the studio's shared library is.

Fields only; the rules live in ideogram_studio/team/config.py. The database password and the S3
secret key go to the OS keyring (CredentialVault) and are never shown again: an empty password
field means "keep the saved one". A password pasted into the URL is moved to the keyring.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QWidget

from ...team.config import CredentialVault, TeamConfig, TeamCredentials, with_pasted_password
from ...team.errors import TeamConfigError
from ..common.field_errors import FieldMessage

_KEEP = "saved in the system keyring (type to replace)"


class TeamSettingsForm(QWidget):
    """Edits a TeamConfig (file) and TeamCredentials (keyring)."""

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
        try:
            saved = self._vault.load()
        except TeamConfigError:
            saved = TeamCredentials()
        self.db_password_edit.setPlaceholderText(_KEEP if saved.db_password else "")
        self.secret_key_edit.setPlaceholderText(_KEEP if saved.s3_secret_key else "")

    def typed_config(self) -> TeamConfig:
        return replace(self._config, enabled=self.enabled_box.isChecked(), db_url=self.db_url_edit.text().strip(),
                       s3_endpoint=self.endpoint_edit.text().strip(), bucket=self.bucket_edit.text().strip(),
                       s3_access_key=self.access_key_edit.text().strip())

    def save(self) -> bool:
        """Validate, save the file and the secrets; False (with a message) when something is wrong."""
        config = self.typed_config()
        if not config.enabled and not config.db_url:
            return self._write(config, None)  # nothing set up: nothing to check
        typed = TeamCredentials(self.db_password_edit.text() or None, self.secret_key_edit.text() or None)
        config, typed = with_pasted_password(config, typed)
        try:
            config.validate()
        except TeamConfigError as exc:
            self.message.show_error(str(exc))
            return False
        return self._write(config, typed)

    def _write(self, config: TeamConfig, typed: TeamCredentials | None) -> bool:
        try:
            if typed is not None and (typed.db_password or typed.s3_secret_key):
                saved = self._vault.load()
                self._vault.save(TeamCredentials(typed.db_password or saved.db_password,
                                                 typed.s3_secret_key or saved.s3_secret_key))
            config.save(self._path)
        except (TeamConfigError, OSError, ValueError) as exc:
            self.message.show_error(f"The team library settings were not saved. {exc}")
            return False
        self._config = config
        self.db_url_edit.setText(config.db_url)  # a pasted password leaves the field
        self.db_password_edit.clear()
        self.secret_key_edit.clear()
        self.message.clear_message()
        return True
