"""Settings ▸ Shortcuts (issue 14, item 9): every command read from the window's actions, rebound by
pressing keys in a QKeySequenceEdit, a key already taken named in words (with Swap), applied at
once on OK, kept in QSettings and applied at the next start, also to a mode's panel made later."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.ui.shell import shortcuts
from ideogram_studio.ui.shell.settings_dialog import SettingsDialog
from ideogram_studio.ui.shell.settings_shortcuts import ShortcutsPage
from ideogram_studio.ui.shell.shortcuts import Command

from .helpers import Studio, close_studio, open_studio

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _keys(*texts: str) -> list[str]:
    return [QKeySequence(t).toString() for t in texts]


def _texts(keys: list[QKeySequence]) -> list[str]:
    return [k.toString() for k in keys]


def _command(page: ShortcutsPage, name: str, default: str) -> Command:
    """The page's command called `name` whose default keys start with `default`."""
    found = [c for c in page.commands() if c.name == name and _texts(c.defaults)[:1] == _keys(default)]
    assert len(found) == 1, [(c.name, c.where, _texts(c.defaults)) for c in page.commands() if c.name == name]
    return found[0]


def _hints(panel: QWidget) -> list[str]:
    """The panel's prompt-field key hints."""
    return [label.text() for label in panel.findChildren(QLabel) if label.text().endswith("prompt library")]


def _open_shortcuts(qtbot: Any, studio: Studio) -> tuple[SettingsDialog, ShortcutsPage]:
    dialog = studio.window.show_settings()
    qtbot.waitExposed(dialog)
    assert dialog.tabs is not None and dialog.shortcuts_page is not None
    dialog.tabs.setCurrentWidget(dialog.shortcuts_page)
    return dialog, dialog.shortcuts_page


def _press(qtbot: Any, page: ShortcutsPage, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    """Press keys in the page's key field, as the designer does (it finishes after one chord)."""
    page.key_edit.setFocus()
    with qtbot.waitSignal(page.key_edit.editingFinished):
        QTest.keyClick(page.key_edit, key, modifiers)


def _ok(qtbot: Any, dialog: SettingsDialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_rebound_shortcut_works_at_once_and_after_a_restart(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    settings = Settings(data_dir=str(tmp_path / "library"))
    studio = open_studio(qtbot, tmp_path, MemoryStore(), settings)
    window = studio.window
    try:
        dialog, page = _open_shortcuts(qtbot, studio)
        # The mode "Generate" and the request "Generate" are two commands, each where it answers.
        mode, send = _command(page, "Generate", "Alt+1"), _command(page, "Generate", "Ctrl+Return")
        assert mode.id != send.id and mode.where == "Mode" and send.where != "Mode"
        # Commands of modes not visited yet are listed too (the mask's tools live in Edit).
        assert _command(page, "Swap face", "Ctrl+Return").where
        assert _command(page, "Brush", "B").where

        page.select(_command(page, "Full screen", "F11").id)
        _press(qtbot, page, Qt.Key.Key_F, CTRL | SHIFT)
        assert _texts(page.staged(_command(page, "Full screen", "F11").id)) == _keys("Ctrl+Shift+F")
        assert _texts(window.workspace.full_screen_action.shortcuts()) == _keys("F11")  # not before OK

        page.select(_command(page, "Swap face", "Ctrl+Return").id)
        _press(qtbot, page, Qt.Key.Key_J, CTRL)
        page.select(_command(page, "Library", "Ctrl+L").id)
        _press(qtbot, page, Qt.Key.Key_L, CTRL | SHIFT)
        _ok(qtbot, dialog)

        # At once: the action has the new keys, and they work.
        full_screen = window.workspace.full_screen_action
        assert _texts(full_screen.shortcuts()) == _keys("Ctrl+Shift+F")
        # Its tooltip names the new key, not the old one.
        new_key = QKeySequence("Ctrl+Shift+F").toString(QKeySequence.SequenceFormat.NativeText)
        assert full_screen.toolTip() == f"Use the whole screen ({new_key})"
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        window.viewer.setFocus()
        with qtbot.waitSignal(full_screen.triggered):
            QTest.keyClick(window.viewer, Qt.Key.Key_F, CTRL | SHIFT)
        if full_screen.isChecked():
            full_screen.trigger()
        saved = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        saved.beginGroup(shortcuts.GROUP)
        assert len(saved.childKeys()) == 3  # only what differs from the studio's defaults
    finally:
        close_studio(qtbot, studio)

    # The next start: the saved keys, on the window's commands and on the parts made later (the
    # library page, whose link sets its toggle's key again, and a mode's panel).
    again = open_studio(qtbot, tmp_path, MemoryStore(), settings, library=False)
    try:
        window = again.window
        assert _texts(window.workspace.full_screen_action.shortcuts()) == _keys("Ctrl+Shift+F")
        assert "F11" not in window.workspace.full_screen_action.toolTip()
        assert _texts(window.library_action.shortcuts()) == _keys("Ctrl+Shift+L")
        window.prepare_library()
        assert window.has_library()
        assert _texts(window.library_action.shortcuts()) == _keys("Ctrl+Shift+L")
        panel = window.mode_panel("face-swap")
        sends = [a for a in panel.findChildren(type(window.workspace.full_screen_action)) if a.text() == "Swap face"]
        assert sends and all(_texts(a.shortcuts()) == _keys("Ctrl+J") for a in sends)
    finally:
        close_studio(qtbot, again)


def test_a_taken_key_is_named_and_swapped_only_on_request(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    window = studio.window
    try:
        dialog, page = _open_shortcuts(qtbot, studio)
        full_screen, library = _command(page, "Full screen", "F11"), _command(page, "Library", "Ctrl+L")
        page.select(full_screen.id)
        _press(qtbot, page, Qt.Key.Key_L, CTRL)
        # Said in words, with the other command's name; nothing changed yet.
        text = page.message.text()
        assert "is already the shortcut of “Library”" in text and page.message.kind() == "error"
        assert _texts(page.staged(full_screen.id)) == _keys("F11")
        assert page.swap_button.isVisibleTo(page)

        assert page.swap()
        assert _texts(page.staged(full_screen.id)) == _keys("Ctrl+L")
        assert _texts(page.staged(library.id)) == _keys("F11")  # the other takes the old keys
        assert "Swapped" in page.message.text()

        # The same keys in two widgets that never hold the focus together are no conflict: the
        # library's Undo and the mask's Undo are both Ctrl+Z.
        library_undo = next(c for c in page.commands() if c.name == "Undo" and "Library" in c.where)
        mask_undo = next(c for c in page.commands() if c.name == "Undo" and "Mask" in c.where)
        assert not library_undo.overlaps(mask_undo)
        # But within the library it is: Select all cannot take Undo's Ctrl+Z.
        page.select(next(c for c in page.commands() if c.name == "Select all").id)
        _press(qtbot, page, Qt.Key.Key_Z, CTRL)
        assert "is already the shortcut of “Undo” (Library page)" in page.message.text()

        # Cancel: no action changed.
        dialog.reject()
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert _texts(window.workspace.full_screen_action.shortcuts()) == _keys("F11")
        assert _texts(window.library_action.shortcuts()) == _keys("Ctrl+L")

        # Reset puts a rebound command back at its default.
        dialog, page = _open_shortcuts(qtbot, studio)
        page.select(_command(page, "Full screen", "F11").id)
        _press(qtbot, page, Qt.Key.Key_F, CTRL | SHIFT)
        page.reset_selected()
        assert _texts(page.staged(_command(page, "Full screen", "F11").id)) == _keys("F11")
        dialog.reject()
    finally:
        close_studio(qtbot, studio)


def test_the_prompt_fields_keys_are_commands_too(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    """Ctrl+Up (the prompt library) and Alt+Up/Down (the prompt history) are listed and rebindable,
    and the prompt field answers the keys the designer chose."""
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    window = studio.window
    prompt = window.generate_panel.prompt_edit
    assert prompt is not None
    try:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        prompt.setFocus()
        with qtbot.waitSignal(prompt.library_requested):
            QTest.keyClick(prompt, Qt.Key.Key_Up, CTRL)
        assert _hints(window.generate_panel) == ["Ctrl+Enter generates · Ctrl+↑ prompt library"]

        dialog, page = _open_shortcuts(qtbot, studio)
        library = _command(page, "Prompt library", "Ctrl+Up")
        assert library.where == "Prompt field" and len(library.actions) > 1  # one per mode's prompt field
        assert _command(page, "Previous prompt", "Alt+Up") and _command(page, "Next prompt", "Alt+Down")
        page.select(library.id)
        _press(qtbot, page, Qt.Key.Key_K, CTRL)
        _ok(qtbot, dialog)

        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        prompt.setFocus()
        with qtbot.waitSignal(prompt.library_requested):
            QTest.keyClick(prompt, Qt.Key.Key_K, CTRL)
        with qtbot.assertNotEmitted(prompt.library_requested):
            QTest.keyClick(prompt, Qt.Key.Key_Up, CTRL)
        # The prompt field's hint says the keys as they are now.
        assert _hints(window.generate_panel) == ["Ctrl+Enter generates · Ctrl+K prompt library"]
    finally:
        close_studio(qtbot, studio)
