"""Settings → Team library: fields saved to team.json, secrets to the keyring, mistakes named."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.team import CredentialVault, TeamConfig
from ideogram_studio.ui.shell.settings_dialog import SettingsDialog


@pytest.fixture(autouse=True)
def _loop(qloop: asyncio.AbstractEventLoop) -> None:
    """The dialog's API key model runs on the qasync loop."""


def _dialog(qtbot: QtBot, tmp_path: Path, vault: CredentialVault) -> SettingsDialog:
    dialog = SettingsDialog(Settings(), MemoryStore(), None, tmp_path / "settings.json", team_vault=vault)
    qtbot.addWidget(dialog)
    dialog.team_section.set_expanded(True)
    # The API key's status comes from the keyring in a worker thread; OK waits for it.
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10000)
    return dialog


@pytest.mark.usefixtures("qloop")
def test_team_settings_are_saved_with_secrets_in_the_keyring(qtbot: QtBot, tmp_path: Path,
                                                             artifacts_dir: Path) -> None:
    db_store, s3_store = MemoryStore(), MemoryStore()
    dialog = _dialog(qtbot, tmp_path, CredentialVault(db_store, s3_store))
    form = dialog.team_form
    form.enabled_box.setChecked(True)
    qtbot.keyClicks(form.db_url_edit, "postgresql://alice:pw-in-url@studio-box:5432/ideogram?sslmode=require")
    qtbot.keyClicks(form.endpoint_edit, "https://studio-box:8333")
    qtbot.keyClicks(form.bucket_edit, "studio-team")
    qtbot.keyClicks(form.access_key_edit, "AKALICE")
    qtbot.keyClicks(form.secret_key_edit, "s3-secret")
    dialog.show()
    dialog.grab().save(str(artifacts_dir / "settings-team.png"))

    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    saved = TeamConfig.load(tmp_path / "team.json")
    assert saved.db_url == "postgresql://alice@studio-box:5432/ideogram?sslmode=require" and saved.enabled
    assert (saved.s3_endpoint, saved.bucket, saved.s3_access_key) == ("https://studio-box:8333", "studio-team",
                                                                      "AKALICE")
    text = (tmp_path / "team.json").read_text()
    assert "pw-in-url" not in text and "s3-secret" not in text
    qtbot.waitUntil(lambda: (db_store.get(), s3_store.get()) == ("pw-in-url", "s3-secret"))  # off the GUI thread


@pytest.mark.usefixtures("qloop")
def test_a_wrong_team_field_keeps_the_dialog_open_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, tmp_path, CredentialVault(MemoryStore(), MemoryStore()))
    dialog.show()
    form = dialog.team_form
    form.enabled_box.setChecked(True)
    qtbot.keyClicks(form.db_url_edit, "mysql://alice@box/db")

    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "must start with postgresql://" in form.message.text()
    assert not (tmp_path / "team.json").exists()


def test_saved_secrets_are_never_shown_only_said_to_be_there(qtbot: QtBot, tmp_path: Path) -> None:
    TeamConfig(db_url="postgresql://alice@box/ideogram", s3_endpoint="http://box:8333", bucket="team",
               s3_access_key="AK", enabled=True).save(tmp_path / "team.json")
    dialog = _dialog(qtbot, tmp_path, CredentialVault(MemoryStore("db-pw"), MemoryStore("s3-secret")))
    form = dialog.team_form
    assert form.db_url_edit.text() == "postgresql://alice@box/ideogram"
    qtbot.waitUntil(lambda: "keyring" in form.db_password_edit.placeholderText())  # asked off the GUI thread
    assert "keyring" in form.secret_key_edit.placeholderText()
    assert form.db_password_edit.text() == "" and form.secret_key_edit.text() == ""
