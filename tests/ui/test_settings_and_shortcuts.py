"""Settings' defaults reach the forms, Ctrl+, opens Settings, F1 / Ctrl+/ list every shortcut
(issue 14)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.ui.shell import shortcuts
from ideogram_studio.ui.shell.settings_dialog import SettingsDialog
from ideogram_studio.ui.shell.shortcut_reference import ShortcutReference

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    settings = Settings(data_dir=str(tmp_path / "library"), default_rendering_speed="QUALITY")
    s = open_studio(qtbot, tmp_path, MemoryStore(), settings)
    yield s
    close_studio(qtbot, s)


def test_a_new_form_starts_at_the_default_speed_and_follows_a_new_default(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    fields = window.generate_panel.fields
    assert fields is not None
    assert fields.speed_combo.currentData() == "QUALITY"
    assert window.generate_panel.draft().rendering_speed.value == "QUALITY"

    dialog = window.show_settings()
    qtbot.waitUntil(dialog.isVisible)
    dialog.speed_combo.setCurrentIndex(dialog.speed_combo.findData("TURBO"))
    with qtbot.waitSignal(dialog.settings_changed):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: fields.speed_combo.currentData() == "TURBO")
    assert window.generate_panel.draft().rendering_speed.value == "TURBO"
    assert "Turbo" in fields.speed_combo.currentText() and "unknown" not in fields.speed_combo.currentText()
    # And the request Generate sends: the sandbox receives Turbo.
    panel = window.generate_panel
    assert panel.prompt_edit is not None
    panel.prompt_edit.setPlainText("A lighthouse on a cliff at dusk")
    qtbot.waitUntil(panel.generate_button.isEnabled)
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    assert studio.jobs()[0].request.rendering_speed.value == "TURBO"
    assert studio.sandbox.last_request_fields["rendering_speed"] == "TURBO"


def test_the_default_speeds_are_priced_or_say_so_plainly(qtbot: Any, studio: Studio) -> None:
    """Options without a published price say so plainly (never "price unknown")."""
    dialog = studio.window.show_settings()
    qtbot.waitUntil(dialog.isVisible)
    texts = [dialog.speed_combo.itemText(i) for i in range(dialog.speed_combo.count())]
    assert texts and all("unknown" not in t for t in texts)
    assert all("$" in t or "no published price" in t for t in texts)
    dialog.reject()


def test_ctrl_comma_opens_settings_from_the_studio_and_the_library(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    window.activateWindow()
    window.viewer.setFocus()
    QTest.keyClick(window.viewer, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    for dialog in window.findChildren(SettingsDialog):
        dialog.reject()
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    window.library.show_library(True)
    page = window.library.page
    page.setFocus()
    QTest.keyClick(page, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    for dialog in window.findChildren(SettingsDialog):
        dialog.reject()
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    window.library.show_library(False)

    # The jobs dock, docked and floating (a window of its own): Ctrl+, still opens Settings.
    dock = window.jobs_dock
    for floating in (False, True):
        dock.show()
        dock.setFloating(floating)
        qtbot.waitExposed(dock)
        target = dock.widget()
        dock.activateWindow()
        target.setFocus()
        qtbot.waitUntil(lambda t=target: t.hasFocus() or t.isAncestorOf(QApplication.focusWidget()))
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)))
        for dialog in window.findChildren(SettingsDialog):
            dialog.reject()
        qtbot.waitUntil(lambda: not any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    dock.setFloating(False)


@pytest.mark.parametrize("key", ["F1", "Ctrl+/"])
def test_shortcut_reference_lists_every_shortcut(qtbot: Any, studio: Studio, key: str) -> None:
    window = studio.window
    window.activateWindow()
    window.viewer.setFocus()
    QTest.keySequence(window.viewer, QKeySequence(key))
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ShortcutReference)))
    dialog = next(d for d in window.findChildren(ShortcutReference) if d.isVisible())
    rows = [tuple(dialog.table.item(r, c).text() for c in range(3)) for r in range(dialog.table.rowCount())]
    listed_keys = {k.strip() for _name, _where, text in rows for k in text.split(", ")}
    native = QKeySequence.SequenceFormat.NativeText
    # Every action with a shortcut has its row, with its own keys (read after the reference made
    # every mode's panel: the mask's tools of Edit, never visited here, are listed too).
    listed = {(name, keys) for name, _where, keys in rows}
    for action in window.findChildren(QAction):
        keys = ", ".join(k.toString(native) for k in action.shortcuts() if not k.isEmpty())
        if keys:
            assert (shortcuts.action_name(action), keys) in listed
    some = {"Tab", "F11", "Ctrl+,", "Ctrl+L", "F1", "Ctrl+/", "Alt+4", "B", "Shift+X", "Ctrl+Up", "Alt+Down"}
    assert some <= listed_keys
    assert ("Brush", "B") in listed and ("Swap face", "Ctrl+Return, Ctrl+Enter") in listed
    dialog.filter_edit.setText("full screen")
    shown = [r for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert [dialog.table.item(r, 2).text() for r in shown] == ["F11"]
