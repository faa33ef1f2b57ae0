"""The theme switch (issue 14): View ▸ Theme and Settings ▸ Theme change the palette at once and
save the choice for the next start; Cancel in Settings takes a previewed theme back; check boxes
and radio buttons keep a visible box in the dark theme."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QRadioButton, QStyle, QStyleOptionButton

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.ui.common import theme

from .helpers import Studio, close_studio, open_studio

WINDOW = QPalette.ColorRole.Window


@pytest.fixture
def light(qapp: QApplication) -> Iterator[QApplication]:
    theme.apply_theme(qapp, "light")
    yield qapp
    theme.apply_theme(qapp, "light")


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path, light: QApplication) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore(), Settings(data_dir=str(tmp_path / "library"), theme="light"))
    yield s
    close_studio(qtbot, s)


def saved_theme(path: Path) -> object:
    return json.loads(path.read_text("utf-8")).get("theme")


def window_colour(app: QApplication) -> str:
    return app.palette().color(WINDOW).name()


def test_view_theme_switches_the_palette_and_saves_the_choice(qtbot: Any, studio: Studio, light: QApplication) -> None:
    switch = studio.window.theme_switch
    view_menu = studio.window.menus.view
    assert switch.menu.menuAction() in view_menu.actions()
    assert [a.text() for a in switch.menu.actions()] == ["System", "Light", "Dark"]
    assert switch.actions["light"].isChecked()
    assert window_colour(light) == theme.LIGHT.roles[WINDOW]

    with qtbot.waitSignal(theme.notifier().changed):
        switch.actions["dark"].trigger()
    assert window_colour(light) == theme.DARK.roles[WINDOW]
    assert switch.actions["dark"].isChecked() and not switch.actions["light"].isChecked()
    settings_file = studio.services.settings_path
    assert settings_file is not None
    assert studio.services.settings.theme == "dark" and saved_theme(settings_file) == "dark"

    switch.actions["system"].trigger()
    assert theme.choice() == "system" and saved_theme(settings_file) == "system"
    assert window_colour(light) == theme.THEMES[theme.system_theme()].roles[WINDOW]


def test_settings_theme_previews_ok_keeps_and_cancel_takes_back(
    qtbot: Any, studio: Studio, light: QApplication
) -> None:
    window = studio.window
    settings_file = studio.services.settings_path
    assert settings_file is not None

    dialog = window.show_settings()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.theme_combo.choice() == "light"
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    assert window_colour(light) == theme.DARK.roles[WINDOW]  # at once, while the dialog is open
    assert window.theme_switch.actions["dark"].isChecked()  # the menu says what is in force
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window_colour(light) == theme.LIGHT.roles[WINDOW]
    assert window.theme_switch.actions["light"].isChecked() and saved_theme(settings_file) == "light"

    dialog = window.show_settings()
    qtbot.waitUntil(dialog.isVisible)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window_colour(light) == theme.DARK.roles[WINDOW]
    assert saved_theme(settings_file) == "dark"
    assert Settings.load(settings_file).theme == "dark"  # what the next start applies (app.py)


def test_a_saved_choice_is_read_back_and_nonsense_means_system() -> None:
    assert [theme.as_choice(v) for v in ("light", "dark", "system")] == ["light", "dark", "system"]
    assert theme.as_choice("sepia") == "system" and theme.as_choice(None) == "system"


def luminance(c: QColor) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("which", ["light", "dark"])
@pytest.mark.parametrize("kind", [QCheckBox, QRadioButton])
def test_check_boxes_and_radio_buttons_show_their_box_in_both_themes(
    qtbot: Any, light: QApplication, which: str, kind: type[QCheckBox] | type[QRadioButton]
) -> None:
    """The indicator's outline has at least 3:1 contrast with the field colour it frames (WCAG's
    figure for the parts of a control), read from the pixels Fusion paints."""
    theme.apply_theme(light, which)  # type: ignore[arg-type]
    button = kind("")
    qtbot.addWidget(button)
    button.resize(button.sizeHint())
    image = button.grab().toImage()
    option = QStyleOptionButton()
    option.initFrom(button)
    element = (
        QStyle.SubElement.SE_CheckBoxIndicator if kind is QCheckBox else QStyle.SubElement.SE_RadioButtonIndicator
    )
    box = button.style().subElementRect(element, option, button)
    base = QColor(theme.current().roles[QPalette.ColorRole.Base])
    y = box.center().y()
    edge = [image.pixelColor(x, y) for x in range(box.left(), box.left() + 3)]
    best = max(contrast(c, base) for c in edge)
    assert best >= 3.0, f"{which} {kind.__name__}: the box's edge has {best:.2f}:1 against the field"
