"""The Settings dialog: the key goes to the keyring only (a fake store and the real Secret Service),
never into settings or any file; the other fields round-trip through Settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ideogram_studio.secrets import ACCOUNT, ENV_VAR, SERVICE, KeyringStore, MemoryStore, SecretStore, SecretStoreError
from ideogram_studio.settings import Settings
from ideogram_studio.ui.shell.settings_dialog import GET_KEY_URL, KeyState, SettingsDialog, validate_api_base
from tests.helpers import SecretService

KEY = "idg-test-Zq8vX3kP0wL5mN7rT2yB"


class RecordingStore(MemoryStore):
    def __init__(self, key: str | None = None) -> None:
        super().__init__(key)
        self.calls: list[str] = []

    def set(self, key: str) -> None:
        self.calls.append("set")
        super().set(key)

    def delete(self) -> None:
        self.calls.append("delete")
        super().delete()


class BrokenStore:
    """A keyring that cannot be used at all (no backend, locked, refused)."""

    def get(self) -> str | None:
        raise SecretStoreError("no backend")

    def set(self, key: str) -> None:
        raise SecretStoreError("no backend")

    def delete(self) -> None:
        raise SecretStoreError("no backend")

    def describe(self) -> str:
        return "broken"


Make = Callable[..., SettingsDialog]


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def wait_idle(qtbot: QtBot, dialog: SettingsDialog) -> None:
    """Until the keyring has answered (its calls run in a worker thread)."""
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.key_state() != KeyState.UNKNOWN, timeout=10000)


@pytest.fixture
def make_dialog(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, settings_path: Path) -> Iterator[Make]:
    def make(store: SecretStore, settings: Settings | None = None) -> SettingsDialog:
        dialog = SettingsDialog(settings or Settings(), store, settings_path=settings_path)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        wait_idle(qtbot, dialog)
        return dialog

    yield make


# ---- the key, with a fake store ------------------------------------------------------------------
def test_save_key_stores_it_emits_and_clears_the_field(make_dialog: Make, qtbot: QtBot) -> None:
    store = RecordingStore()
    dialog = make_dialog(store)
    assert dialog.key_state() == KeyState.NONE
    assert "No key saved — the studio runs against its built-in sandbox" in dialog.key_status.text()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.remove_key_button.isEnabled()

    dialog.key_edit.setText(f"  {KEY}\n")
    with qtbot.waitSignal(dialog.key_changed) as blocker:
        qtbot.mouseClick(dialog.save_key_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    assert store.get() == KEY and store.calls == ["set"]
    assert dialog.key_edit.text() == ""
    assert not dialog.key_edit.isUndoAvailable(), "the key cannot come back with Ctrl+Z"
    assert dialog.key_state() == KeyState.STORED
    assert "Stored in the system keyring (memory)" in dialog.key_status.text()
    assert dialog.remove_key_button.isEnabled()
    assert dialog.isVisible(), "saving a key does not close the dialog"


def test_show_toggle_reveals_the_key_and_saving_hides_it_again(make_dialog: Make, qtbot: QtBot) -> None:
    dialog = make_dialog(MemoryStore())
    dialog.key_edit.setText(KEY)
    qtbot.mouseClick(dialog.show_key_button, Qt.MouseButton.LeftButton)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.show_key_button.text() == "Hide"
    with qtbot.waitSignal(dialog.key_changed):
        assert dialog.save_key()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.key_edit.isUndoAvailable()


def test_enter_in_the_key_field_saves_instead_of_closing(make_dialog: Make, qtbot: QtBot) -> None:
    store = RecordingStore()
    dialog = make_dialog(store)
    dialog.key_edit.setFocus()
    qtbot.keyClicks(dialog.key_edit, KEY)
    with qtbot.waitSignal(dialog.key_changed):
        qtbot.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    assert store.get() == KEY
    assert dialog.isVisible()


def test_ok_saves_a_typed_but_unsaved_key(make_dialog: Make, qtbot: QtBot) -> None:
    store = RecordingStore()
    dialog = make_dialog(store)
    dialog.key_edit.setText(KEY)
    with qtbot.waitSignal(dialog.key_changed):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert store.get() == KEY and not dialog.isVisible()


def test_empty_key_is_refused_inline(make_dialog: Make, qtbot: QtBot) -> None:
    store = RecordingStore()
    dialog = make_dialog(store)
    emitted: list[bool] = []
    dialog.key_changed.connect(emitted.append)
    dialog.key_edit.setText("   ")
    qtbot.mouseClick(dialog.save_key_button, Qt.MouseButton.LeftButton)
    assert store.calls == [] and emitted == []
    assert dialog.key_message.isVisible() and dialog.key_message.kind() == "error"
    assert "key" in dialog.key_message.text().lower()
    dialog.key_edit.setText("abc def")
    assert not dialog.key_message.isVisible(), "typing clears the message"
    assert dialog.save_key() is False
    assert "spaces" in dialog.key_message.text()
    assert store.calls == []


def test_remove_asks_first_then_deletes_and_emits_false(make_dialog: Make, qtbot: QtBot) -> None:
    store = RecordingStore(KEY)
    dialog = make_dialog(store)
    assert dialog.key_state() == KeyState.STORED
    emitted: list[bool] = []
    dialog.key_changed.connect(emitted.append)

    qtbot.mouseClick(dialog.remove_key_button, Qt.MouseButton.LeftButton)
    assert dialog._confirm_row.isVisible()
    qtbot.mouseClick(dialog.cancel_remove_button, Qt.MouseButton.LeftButton)
    assert not dialog._confirm_row.isVisible() and store.calls == [] and emitted == []

    qtbot.mouseClick(dialog.remove_key_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.key_changed) as blocker:
        qtbot.mouseClick(dialog.confirm_remove_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]
    assert store.get() is None and store.calls == ["delete"]
    assert dialog.key_state() == KeyState.NONE
    assert "built-in sandbox" in dialog.key_status.text()
    assert not dialog.remove_key_button.isEnabled()


def test_environment_key_is_reported(make_dialog: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "from-env")
    dialog = make_dialog(MemoryStore())
    assert dialog.key_state() == KeyState.ENVIRONMENT
    assert f"Using {ENV_VAR} from the environment" in dialog.key_status.text()
    assert "from-env" not in dialog.key_status.text()
    assert dialog.save_key_button.isEnabled() and not dialog.remove_key_button.isEnabled()


@pytest.mark.parametrize("store_factory", [BrokenStore, KeyringStore], ids=["broken-store", "no-keyring-backend"])
def test_unusable_keyring_disables_saving_and_points_to_the_env_var(
    make_dialog: Make, qtbot: QtBot, store_factory: Callable[[], SecretStore]
) -> None:
    # KeyringStore here runs on the "fail" backend that tests/conftest.py pins.
    dialog = make_dialog(store_factory())
    assert dialog.key_state() == KeyState.UNAVAILABLE
    assert dialog.key_status.isVisible()
    status = dialog.key_status.text()
    assert "No system keyring available" in status and ENV_VAR in status
    assert "never written to a file" in status
    assert not dialog.save_key_button.isEnabled()
    assert ENV_VAR in dialog.save_key_button.toolTip()
    assert not dialog.key_edit.isEnabled() and not dialog.remove_key_button.isEnabled()
    assert dialog.save_key() is False
    # No way to put the key in a file is offered: no button mentions a file.
    texts = " ".join(b.text().lower() for b in dialog.findChildren(type(dialog.save_key_button)))
    assert "file" not in texts


def test_failed_save_keeps_the_dialog_usable(make_dialog: Make, qtbot: QtBot) -> None:
    class Refuses(MemoryStore):
        def set(self, key: str) -> None:
            raise SecretStoreError("the keyring is locked")

    dialog = make_dialog(Refuses())
    dialog.key_edit.setText(KEY)
    emitted: list[bool] = []
    dialog.key_changed.connect(emitted.append)
    assert dialog.save_key()  # started
    qtbot.waitUntil(lambda: "locked" in dialog.key_message.text(), timeout=10000)
    wait_idle(qtbot, dialog)
    assert dialog.key_message.kind() == "error" and KEY not in dialog.key_message.text()
    assert dialog.key_edit.text() == KEY, "kept so the user can retry"
    assert dialog.key_edit.isEnabled() and dialog.save_key_button.isEnabled() and emitted == []


def test_constructor_takes_parent_and_path_in_either_order(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, settings_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    for dialog in (
        SettingsDialog(Settings(), MemoryStore(), parent, settings_path),
        SettingsDialog(Settings(), MemoryStore(), settings_path, parent),
        SettingsDialog(Settings(), MemoryStore(), parent=parent, settings_path=settings_path),
    ):
        assert dialog.parent() is parent
        assert dialog._settings_path == settings_path
        wait_idle(qtbot, dialog)


def test_get_a_key_link(make_dialog: Make) -> None:
    dialog = make_dialog(MemoryStore())
    assert GET_KEY_URL == "https://ideogram.ai/manage-api"
    assert GET_KEY_URL in dialog.get_key_link.text()
    assert dialog.get_key_link.openExternalLinks()


# ---- the other settings --------------------------------------------------------------------------
def test_fields_load_and_ok_writes_them_back(make_dialog: Make, qtbot: QtBot, settings_path: Path,
                                             tmp_path: Path) -> None:
    settings = Settings(default_rendering_speed="QUALITY", budget_cap_usd="12.5", max_in_flight_images=4)
    dialog = make_dialog(MemoryStore(), settings)
    assert dialog.speed_combo.currentData() == "QUALITY"
    assert dialog.budget_spin.value() == 12.5
    assert dialog.in_flight_spin.value() == 4
    assert (dialog.in_flight_spin.minimum(), dialog.in_flight_spin.maximum()) == (1, 10)
    assert "10 images in flight" in dialog.in_flight_spin.toolTip()
    assert not dialog.advanced_section.is_expanded()

    labels = [dialog.speed_combo.itemText(i) for i in range(dialog.speed_combo.count())]
    assert any(t.startswith("Turbo") and "$0.03 / image" in t for t in labels)
    assert any(t.startswith("Quality") and "$0.09 / image" in t for t in labels)
    assert any(t.startswith("Balanced") and "no published price" in t for t in labels)

    library = tmp_path / "library"
    dialog.data_dir_edit.setText(str(library))
    dialog.speed_combo.setCurrentIndex(dialog.speed_combo.findData("FLASH"))
    dialog.budget_spin.setValue(0)
    assert dialog.budget_spin.text() == "No cap"
    dialog.in_flight_spin.setValue(7)
    dialog.api_base_edit.setText("http://127.0.0.1:8765/")
    with qtbot.waitSignal(dialog.settings_changed):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert not dialog.isVisible()
    assert settings.data_dir == str(library)
    assert settings.default_rendering_speed == "FLASH"
    assert settings.budget_cap_usd == ""
    assert settings.max_in_flight_images == 7
    assert settings.api_base == "http://127.0.0.1:8765"
    saved = json.loads(settings_path.read_text("utf-8"))
    assert saved["default_rendering_speed"] == "FLASH" and saved["max_in_flight_images"] == 7
    assert Settings.load(settings_path) == settings


def test_budget_cap_written_as_a_decimal_string(make_dialog: Make, settings_path: Path) -> None:
    settings = Settings()
    dialog = make_dialog(MemoryStore(), settings)
    assert dialog.budget_spin.text() == "No cap"
    dialog.budget_spin.setValue(25)
    dialog.accept()
    assert settings.budget_cap_usd == "25.00"


def test_cancel_changes_nothing(make_dialog: Make, settings_path: Path) -> None:
    settings = Settings()
    dialog = make_dialog(MemoryStore(), settings)
    changed: list[bool] = []
    dialog.settings_changed.connect(lambda: changed.append(True))
    dialog.in_flight_spin.setValue(2)
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert settings.max_in_flight_images == 10 and changed == []
    assert not settings_path.exists()


def test_ok_without_changes_emits_nothing(make_dialog: Make, settings_path: Path) -> None:
    dialog = make_dialog(MemoryStore())
    changed: list[bool] = []
    dialog.settings_changed.connect(lambda: changed.append(True))
    dialog.accept()
    assert changed == [] and not dialog.isVisible()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.ideogram.ai", True),
        ("https://proxy.example.com/ideogram", True),
        ("http://localhost:8000", True),
        ("http://127.0.0.1:8765", True),
        ("http://api.example.com", False),  # the key would travel unencrypted
        ("ftp://api.ideogram.ai", False),
        ("api.ideogram.ai", False),
        ("https://", False),
        ("https://api.ideogram.ai:99999", False),
        ("", False),
    ],
)
def test_api_base_validation(url: str, ok: bool) -> None:
    assert (validate_api_base(url) is None) is ok


def test_invalid_api_base_keeps_the_dialog_open(make_dialog: Make, settings_path: Path) -> None:
    settings = Settings()
    dialog = make_dialog(MemoryStore(), settings)
    dialog.api_base_edit.setText("not a url")
    assert dialog.api_base_message.kind() == "error"
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.advanced_section.is_expanded()
    assert settings.api_base == "https://api.ideogram.ai"
    assert not settings_path.exists()
    dialog.reset_base_button.click()
    assert dialog.api_base_edit.text() == "https://api.ideogram.ai"
    assert not dialog.api_base_message.isVisible()


def test_relative_data_folder_is_refused(make_dialog: Make) -> None:
    dialog = make_dialog(MemoryStore())
    dialog.data_dir_edit.setText("relative/folder")
    dialog.accept()
    assert dialog.isVisible() and dialog.data_dir_message.kind() == "error"


def test_browse_opens_a_non_blocking_folder_dialog(make_dialog: Make, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(MemoryStore())
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)  # returns at once: .open(), not exec()
    chooser = dialog.findChild(QFileDialog)
    assert chooser is not None and chooser.isVisible()
    assert chooser.fileMode() == QFileDialog.FileMode.Directory
    chooser.fileSelected.emit(str(tmp_path))
    assert dialog.data_dir_edit.text() == str(tmp_path)
    chooser.reject()


# ---- the real Secret Service ---------------------------------------------------------------------
def _files_containing(roots: list[Path], needles: list[bytes]) -> list[Path]:
    hits = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                if any(n in data for n in needles):
                    hits.append(path)
    return hits


@pytest.mark.secret_service
def test_real_keyring_round_trip_and_no_key_in_any_file(
    secret_service: SecretService,
    make_dialog: Make,
    qtbot: QtBot,
    tmp_path: Path,
    settings_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import keyring

    caplog.set_level(logging.DEBUG)
    store = KeyringStore()
    store.delete()
    settings = Settings()
    dialog = make_dialog(store, settings)
    assert dialog.key_state() == KeyState.NONE
    try:
        dialog.key_edit.setText(KEY)
        with qtbot.waitSignal(dialog.key_changed) as blocker:
            qtbot.mouseClick(dialog.save_key_button, Qt.MouseButton.LeftButton)
        assert blocker.args == [True]
        assert keyring.get_password(SERVICE, ACCOUNT) == KEY
        assert "Stored in the system keyring (SecretService)" in dialog.key_status.text()
        assert dialog.key_edit.text() == ""

        dialog.in_flight_spin.setValue(6)
        dialog.budget_spin.setValue(3)
        with qtbot.waitSignal(dialog.settings_changed):
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert settings_path.exists()

        # Nothing under this test's HOME / XDG dirs, nor the settings file, carries the key.
        roots = [tmp_path, settings_path.parent]
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
            roots.append(Path(os.environ[name]))
        needles = [KEY.encode(), KEY.encode("utf-16-le"), base64.b64encode(KEY.encode())]
        assert _files_containing(roots, needles) == []
        assert KEY not in caplog.text
        assert KEY not in settings_path.read_text("utf-8")

        # A new dialog finds the key in the keyring, and removes it.
        again = make_dialog(KeyringStore(), Settings.load(settings_path))
        assert again.key_state() == KeyState.STORED
        assert again.in_flight_spin.value() == 6
        qtbot.mouseClick(again.remove_key_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(again.key_changed) as blocker:
            qtbot.mouseClick(again.confirm_remove_button, Qt.MouseButton.LeftButton)
        assert blocker.args == [False]
        assert keyring.get_password(SERVICE, ACCOUNT) is None
        assert again.key_state() == KeyState.NONE
    finally:
        store.delete()


# ---- the keyring off the GUI thread --------------------------------------------------------------
class GatedStore(MemoryStore):
    """A keyring that answers only when the test opens the gate (a locked keyring waiting for its
    password), and notes the thread of every call."""

    def __init__(self, key: str | None = None) -> None:
        super().__init__(key)
        self.gate = threading.Event()
        self.threads: list[threading.Thread] = []

    def _wait(self) -> None:
        self.threads.append(threading.current_thread())
        assert self.gate.wait(30), "the test never opened the gate"

    def get(self) -> str | None:
        self._wait()
        return super().get()

    def set(self, key: str) -> None:
        self._wait()
        super().set(key)

    def delete(self) -> None:
        self._wait()
        super().delete()


def test_a_slow_keyring_never_freezes_the_dialog(qtbot: QtBot, qloop: asyncio.AbstractEventLoop,
                                                 settings_path: Path) -> None:
    store = GatedStore()
    dialog = SettingsDialog(Settings(), store, settings_path=settings_path)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    # The keyring has not answered: the dialog says so and waits, and it still answers the designer.
    qtbot.waitUntil(lambda: len(store.threads) == 1, timeout=5000)
    assert dialog.is_busy() and dialog.key_state() == KeyState.UNKNOWN
    assert "Checking the system keyring" in dialog.key_status.text() and dialog.key_busy.isVisible()
    assert not dialog.save_key_button.isEnabled()
    # A read never holds the other settings back: OK works while the keyring is silent.
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    qtbot.keyClicks(dialog.api_base_edit, "x")  # typed while the keyring is still silent
    assert dialog.api_base_edit.text().endswith("x")
    store.gate.set()
    wait_idle(qtbot, dialog)
    assert dialog.key_state() == KeyState.NONE and not dialog.key_busy.isVisible()

    # A save that waits for the keyring: busy, then saved.
    store.gate.clear()
    dialog.key_edit.setText(KEY)
    assert dialog.save_key()
    qtbot.waitUntil(lambda: len(store.threads) == 2, timeout=5000)
    assert "Saving the key" in dialog.key_status.text()
    assert not dialog.key_edit.isEnabled() and not dialog.save_key_button.isEnabled()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled(), "OK waits for a write"
    assert not dialog.save_key(), "one keyring call at a time"
    with qtbot.waitSignal(dialog.key_changed) as saved:
        store.gate.set()
    wait_idle(qtbot, dialog)
    main = threading.main_thread()
    assert all(t is not main for t in store.threads), "a keyring call ran on the GUI thread"
    assert saved.args == [True] and store.get() == KEY and dialog.key_edit.text() == ""
    assert dialog.key_state() == KeyState.STORED


def test_a_save_that_ends_after_the_dialog_closed_still_reaches_the_window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, settings_path: Path
) -> None:
    from ideogram_studio.ui.shell.api_key import ApiKeyModel

    store = GatedStore()
    store.gate.set()
    model = ApiKeyModel(store)  # the window's, which outlives its dialogs
    dialog = SettingsDialog(Settings(), store, settings_path=settings_path, key_model=model)
    dialog.open()
    wait_idle(qtbot, dialog)
    store.gate.clear()
    dialog.key_edit.setText(KEY)
    assert dialog.save_key()
    qtbot.waitUntil(lambda: len(store.threads) == 2, timeout=5000)
    dialog.reject()
    with qtbot.waitSignal(dialog.destroyed):  # the dialog is gone before the keyring answers
        dialog.deleteLater()
    with qtbot.waitSignal(model.key_changed) as saved:
        store.gate.set()
    assert saved.args == [True] and store.get() == KEY
    qtbot.waitUntil(lambda: not model.busy(), timeout=5000)
