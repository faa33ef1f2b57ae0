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

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.ui.shell.settings_dialog import SettingsDialog
from ideogram_studio.ui.shell.shortcut_reference import ShortcutReference

from .helpers import Studio, close_studio, open_studio


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


@pytest.mark.parametrize("key", ["F1", "Ctrl+/"])
def test_shortcut_reference_lists_every_shortcut(qtbot: Any, studio: Studio, key: str) -> None:
    window = studio.window
    window.activateWindow()
    window.viewer.setFocus()
    QTest.keySequence(window.viewer, QKeySequence(key))
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ShortcutReference)))
    dialog = next(d for d in window.findChildren(ShortcutReference) if d.isVisible())
    listed = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    listed_keys = {k.strip() for text in listed for k in text.split(", ")}
    native = QKeySequence.SequenceFormat.NativeText
    expected = {
        k.toString(native) for a in window.findChildren(QAction) for k in a.shortcuts() if not k.isEmpty()
    }
    assert expected and expected <= listed_keys
    assert {"Tab", "F11", "Ctrl+,", "Ctrl+L", "F1"} <= listed_keys
    dialog.filter_edit.setText("full screen")
    shown = [r for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert [dialog.table.item(r, 1).text() for r in shown] == ["F11"]
