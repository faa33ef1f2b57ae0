"""The start never waits on a keyring (issue 14, item 4), against a real GNOME keyring.

`fresh_keyring` (tests/fresh_keyring.py) is gnome-keyring-daemon on a private bus whose prompter
counts prompts and ends each one as dismissed (the designer pressing Cancel). `secret_service` is
an unlocked one (tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from pytestqt.qtbot import QtBot

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.secrets import (
    ACCOUNT,
    LOCKED_AT_START,
    LOCKED_ON_SAVE,
    SERVICE,
    KeyringLockedError,
    KeyringStore,
    SecretStoreError,
)
from ideogram_studio.ui.shell.api_key import ApiKeyModel, KeyState
from tests.fresh_keyring import FreshKeyring
from tests.helpers import SecretService
from tests.ui.helpers import close_studio, generate, open_studio


def test_a_look_into_a_fresh_keyring_never_prompts(qtbot: QtBot, qloop: object, fresh_keyring: FreshKeyring) -> None:
    fresh_keyring.start()
    model = ApiKeyModel(KeyringStore())
    with qtbot.waitSignal(model.status_changed, timeout=15000):
        assert model.check_at_start()
    assert model.status().state == KeyState.NONE, model.status().error
    assert fresh_keyring.prompts() == 0
    assert KeyringStore().get() is None  # nothing saved: nothing to unlock, nothing asked
    assert fresh_keyring.prompts() == 0
    # Saving is what makes a keyring: gnome-keyring asks to "choose a password" (the prompter counts
    # it); dismissed, it is a keyring that stayed locked, in words (not "InitError").
    with pytest.raises(KeyringLockedError) as caught:
        KeyringStore().set("sk-new-key")
    assert fresh_keyring.prompts() == 1
    assert str(caught.value) == LOCKED_ON_SAVE


def test_the_studio_starts_on_a_fresh_keyring_usable_and_unprompted(
    qtbot: QtBot, qloop: object, tmp_path: Path, fresh_keyring: FreshKeyring
) -> None:
    fresh_keyring.start()
    studio = open_studio(qtbot, tmp_path, KeyringStore())  # type: ignore[arg-type]
    try:
        assert studio.services.sandbox  # before the keyring was asked anything
        model = studio.window.keys.model
        with qtbot.waitSignal(model.status_changed, timeout=15000):
            assert studio.window.keys.start()
        assert model.status().state == KeyState.NONE
        assert studio.services.sandbox and "keyring" not in studio.window.notice.text
        hashes = generate(qtbot, studio, GenerateRequest(prompt="a fox"), 1)
        assert len(hashes) == 1
        assert fresh_keyring.prompts() == 0
    finally:
        close_studio(qtbot, studio)


def test_a_locked_keyring_is_asked_once_in_the_background_and_said_in_words(
    qtbot: QtBot, qloop: object, tmp_path: Path, fresh_keyring: FreshKeyring
) -> None:
    fresh_keyring.store_locked_key("sk-locked-key")
    assert fresh_keyring.prompts() == 0
    studio = open_studio(qtbot, tmp_path, KeyringStore())  # type: ignore[arg-type]
    try:
        assert studio.services.sandbox  # usable at once, on the sandbox
        model = studio.window.keys.model
        with qtbot.waitSignal(model.stayed_locked, timeout=15000) as locked:
            studio.window.keys.start()
        assert locked.args == [LOCKED_AT_START]
        assert fresh_keyring.prompts() == 1  # the unlock prompt, dismissed
        qtbot.waitUntil(lambda: not model.busy())
        assert model.status().state == KeyState.LOCKED
        assert studio.services.sandbox
        assert studio.window.notice.isVisible()
        assert "The keyring stayed locked, so the studio uses the sandbox" in studio.window.notice.text
        # Settings says where the key is and offers to unlock; opening it prompts nothing.
        dialog = studio.window.show_settings()
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=15000)
        assert dialog.key_state() == KeyState.LOCKED
        assert "locked" in dialog.key_status.text() and dialog.unlock_button.isVisible()
        assert fresh_keyring.prompts() == 1
        with qtbot.waitSignal(model.failed, timeout=15000):
            dialog.unlock_button.click()
        assert fresh_keyring.prompts() == 2
        assert dialog.key_message.text().startswith("The keyring stayed locked")
        dialog.reject()
    finally:
        close_studio(qtbot, studio)


def test_saving_into_a_fresh_keyring_whose_prompt_is_dismissed_says_so(
    qtbot: QtBot, qloop: object, tmp_path: Path, fresh_keyring: FreshKeyring
) -> None:
    from ideogram_studio.settings import Settings
    from ideogram_studio.ui.shell.settings_dialog import SettingsDialog

    fresh_keyring.start()
    dialog = SettingsDialog(Settings(), KeyringStore(), settings_path=tmp_path / "settings.json")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.key_state() == KeyState.NONE, timeout=15000)
    assert fresh_keyring.prompts() == 0
    dialog.key_edit.setText("sk-new-key")
    with qtbot.waitSignal(dialog.key_section.model.failed, timeout=15000):
        assert dialog.save_key()
    assert fresh_keyring.prompts() == 1  # "choose a password for the new keyring", dismissed
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=15000)
    text = dialog.key_message.text()
    assert text.startswith("The keyring stayed locked, so the key was not saved")
    assert "InitError" not in text and "No usable system keyring" not in text
    dialog.reject()


def test_a_key_in_an_unlocked_keyring_is_used_without_waiting_for_it(
    qtbot: QtBot, qloop: object, tmp_path: Path, secret_service: SecretService
) -> None:
    keyring.set_password(SERVICE, ACCOUNT, "sk-stored-key")
    try:
        studio = open_studio(qtbot, tmp_path, KeyringStore())  # type: ignore[arg-type]
        try:
            assert studio.services.sandbox  # the window came first
            with qtbot.waitSignal(studio.window.controller.sandbox_changed, timeout=15000) as changed:
                studio.window.keys.start()
            assert changed.args == [False]
            assert studio.services.uses_key("sk-stored-key")
            assert studio.services.connection.key_source == "keyring"
        finally:
            close_studio(qtbot, studio)
    finally:
        keyring.delete_password(SERVICE, ACCOUNT)


def test_no_keyring_at_all_starts_on_the_sandbox_and_says_why_in_settings(
    qtbot: QtBot, qloop: object, tmp_path: Path
) -> None:
    with pytest.raises(SecretStoreError):  # the tests' "fail" backend: no keyring on this system
        KeyringStore().peek()
    studio = open_studio(qtbot, tmp_path, KeyringStore())  # type: ignore[arg-type]
    try:
        model = studio.window.keys.model
        with qtbot.waitSignal(model.status_changed, timeout=15000):
            studio.window.keys.start()
        assert model.status().state == KeyState.UNAVAILABLE
        assert studio.services.sandbox and "InitError" not in model.status().error
    finally:
        close_studio(qtbot, studio)
