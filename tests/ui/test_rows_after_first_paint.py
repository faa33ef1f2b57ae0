"""The first panel's rows after its first paint (issue 15, usable first): at start-up the Generate
form's request fields (the negative prompt down to More) are made once the prompt takes typing, a
group per turn of the event loop (ModePanel.rows_left, driven by app.py), their place kept meanwhile.
Nothing may be lost on the way: typing meanwhile, the restored settings, a question asked early."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ideogram_studio.api import MagicPrompt, RenderingSpeed, StylePreset
from ideogram_studio.settings import Settings
from ideogram_studio.ui.common.in_steps import in_turns
from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.shell.main_window import MainWindow


def _saved_form(qtbot: Any) -> dict[str, Any]:
    """What a designer's last session left: a prompt, a seed locked, Quality x3, magic prompt off, a
    style preset, More open (and style codes typed, not sent with a preset: kept as typed)."""
    panel = GeneratePanel()
    qtbot.addWidget(panel)
    panel.prompt_edit.set_text("a lighthouse at dusk")
    panel.speed_combo.setCurrentIndex(panel.speed_combo.findData(RenderingSpeed.QUALITY.value))
    panel.images_spin.setValue(3)
    panel.seed_lock.setChecked(True)
    panel.seed_spin.setValue(4242)
    panel.magic_combo.setCurrentIndex(panel.magic_combo.findData(MagicPrompt.OFF.value))
    panel.set_preset(StylePreset.WATERCOLOR)
    panel.more_section.set_expanded(True)
    panel.request()  # (a form that can be sent)
    panel.style_codes_edit.setText("AAAAAAAA")
    return panel.state()


def _window(qtbot: Any, tmp_path: Path, saved: dict[str, Any] | None = None) -> MainWindow:
    ui = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    if saved is not None:
        ui.setValue("generate/state", json.dumps(saved))
    window = MainWindow(ui_settings=ui)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_rows_come_after_the_prompt_takes_typing_and_keep_what_was_typed(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    panel = window.open_frame(Settings(data_dir=str(tmp_path / "library")), rows_later=True)
    assert isinstance(panel, GeneratePanel)
    rows = panel.rows_left()
    assert rows is not None and panel.rows_pending()
    assert panel._fields is not None and not panel._fields.isVisible()  # their place only
    # The rows' place is kept: the scroll bar shows already, as it will with them (at 1400 x 900).
    qtbot.waitUntil(lambda: panel._scroll.verticalScrollBar().isVisible())
    width = panel.prompt_edit.width()
    panel.prompt_edit.setFocus()
    qtbot.keyClicks(panel.prompt_edit, "a fox")
    assert panel.rows_pending()  # typing does not make them
    assert not panel.send_button.isEnabled() or panel.prompt_text()  # the button as it will be

    in_turns(rows, panel)
    qtbot.waitUntil(lambda: not panel.rows_pending())
    assert panel.fields.isVisible() and panel.shape_picker.isVisible() and panel.speed_combo.isVisible()
    assert panel.prompt_text() == "a fox"
    assert panel.prompt_edit.width() == width  # the scroll bar was there already: the prompt did not move
    scroll = panel._scroll  # and the panel's minimum followed its rows: not cut at its right edge
    qtbot.waitUntil(lambda: scroll.widget().width() <= scroll.viewport().width())
    assert panel.cost_label.text()  # the form's first check came with the rows
    assert panel.send_button.isEnabled()
    qtbot.keyClicks(panel.prompt_edit, " in the snow")  # and the form follows the typing again
    assert panel.request().prompt == "a fox in the snow"


def test_the_restored_settings_land_in_the_rows_made_later(qtbot: Any, tmp_path: Path) -> None:
    saved = _saved_form(qtbot)
    window = _window(qtbot, tmp_path, saved)
    panel = window.open_frame(Settings(data_dir=str(tmp_path / "library")), rows_later=True)
    assert isinstance(panel, GeneratePanel)
    assert panel.rows_pending()
    assert panel.prompt_text() == "a lighthouse at dusk"  # where the eye is: at once
    assert panel.send_button.isEnabled()
    panel.prompt_edit.moveCursor(panel.prompt_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.prompt_edit, ", fog")  # typed before the rows come: kept, not restored over

    rows = panel.rows_left()
    assert rows is not None
    in_turns(rows, panel)
    qtbot.waitUntil(lambda: not panel.rows_pending())
    assert panel.prompt_text() == "a lighthouse at dusk, fog"
    assert panel.speed_combo.currentData() == RenderingSpeed.QUALITY.value
    assert panel.images_spin.value() == 3
    assert panel.seed_locked() and panel.seed_spin.value() == 4242
    assert panel.magic_combo.currentData() == MagicPrompt.OFF.value
    assert panel.preset() is StylePreset.WATERCOLOR
    assert panel.style_codes_edit.text() == "AAAAAAAA"
    assert panel.more_section.is_expanded()
    panel.style_codes_edit.clear()
    request = panel.request()
    assert request.num_images == 3 and request.seed == 4242 and request.style_preset is StylePreset.WATERCOLOR


def test_asking_for_the_rows_before_they_come_makes_them_with_the_restored_settings(
    qtbot: Any, tmp_path: Path
) -> None:
    saved = _saved_form(qtbot)
    window = _window(qtbot, tmp_path, saved)
    panel = window.open_frame(Settings(data_dir=str(tmp_path / "library")), rows_later=True)
    assert isinstance(panel, GeneratePanel)
    assert panel.rows_pending()
    # E.g. the window closed at once (its layout saved): the state is the restored one, not defaults.
    state = panel.state()
    assert not panel.rows_pending()
    assert state["fields"] == saved["fields"] and state["seed"] == 4242 and state["seed_locked"]
    assert state["more_expanded"] and state["style_codes_text"] == "AAAAAAAA"
    rows = panel.rows_left()
    assert rows is None  # nothing left for the loop
    window.save_layout()
    again = json.loads(str(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat).value("generate/state")))
    assert again["fields"] == saved["fields"]


def test_a_panel_made_whole_or_ahead_has_its_rows_at_once(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.open_frame(Settings(data_dir=str(tmp_path / "library")), rows_later=True)
    remix = window.mode_panel("remix")  # made on first use (or ahead): never rows later
    assert not remix.rows_pending() and remix.fields is not None
    other = _window(qtbot, tmp_path / "other")  # a frame opened without rows_later (the tests' studio)
    assert not other.open_frame(Settings(data_dir=str(tmp_path / "library-2"))).rows_pending()
    whole = GeneratePanel()
    qtbot.addWidget(whole)
    assert not whole.rows_pending() and whole.rows_left() is None


def _laid_out() -> None:
    """What is posted (layout requests, the scroll bar's show or hide) handled now."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


@pytest.mark.parametrize("model", ["ideogram-3", "ideogram-4-5"])
def test_the_rows_place_is_as_tall_as_the_saved_form_had_them(qtbot: Any, tmp_path: Path, model: str) -> None:
    # A 4.x model hides most rows (no scroll bar at 1400 x 900), 3.0 shows them all (a scroll bar):
    # either way the prompt keeps its width when they come.
    whole = GeneratePanel()
    qtbot.addWidget(whole)
    whole.prompt_edit.set_text("a lighthouse at dusk")
    whole.set_model(model)
    window = _window(qtbot, tmp_path, whole.state())
    panel = window.open_frame(Settings(data_dir=str(tmp_path / "library")), rows_later=True)
    assert panel.rows_pending() and panel.model() == whole.model()
    _laid_out()
    width, bar = panel.prompt_edit.width(), panel._scroll.verticalScrollBar().isVisible()
    rows = panel.rows_left()
    assert rows is not None
    in_turns(rows, panel)
    qtbot.waitUntil(lambda: not panel.rows_pending())
    _laid_out()
    assert panel._scroll.verticalScrollBar().isVisible() == bar == (model == "ideogram-3")
    assert panel.prompt_edit.width() == width
