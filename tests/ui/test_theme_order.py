"""A live theme switch sets style sheets again before text colours: a parent's sheet re-polishes its
children and gave them back the palette they were polished with, so an error line kept the old
theme's red (or turned the old theme's grey) until something refreshed it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ideogram_studio.ui.common import theme


@pytest.fixture
def light(qapp: QApplication) -> Iterator[QApplication]:
    theme.apply_theme(qapp, "light")
    yield qapp
    theme.apply_theme(qapp, "light")


def test_a_text_colour_bound_before_its_parents_sheet_follows_a_switch(qtbot: QtBot, light: QApplication) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    line = QLabel("Breaks: each side ≥ 256 px", parent)
    QVBoxLayout(parent).addWidget(line)
    theme.mute(line)
    parent.show()
    theme.set_text_color(line, "error")  # bound first…
    theme.bind(parent, lambda: parent.setStyleSheet(f"QWidget {{ border-color: {theme.color('error').name()}; }}"),
               "style")  # …then the parent's sheet, bound later
    light_red = theme.color("error")
    assert line.palette().color(QPalette.ColorRole.WindowText) == light_red

    theme.apply_theme(light, "dark")

    dark_red = theme.color("error")
    assert dark_red != light_red
    assert line.palette().color(QPalette.ColorRole.WindowText) == dark_red


class _CountedSheets(QWidget):
    """Counts the style sheets set on it from Python (the theme's bindings and its loop call this)."""

    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[str] = []

    def setStyleSheet(self, sheet: str) -> None:  # (Qt's method, counted)
        self.sheets.append(sheet)
        super().setStyleSheet(sheet)


def test_a_switch_sets_each_sheet_once(qtbot: QtBot, light: QApplication) -> None:
    # Every set re-polishes the widget and all it holds: a sheet set twice per switch made the switch
    # cost twice as much (~0.25 s of a frozen window at load 7 before, ~0.11 s after).
    styled, plain = _CountedSheets(), _CountedSheets()
    for widget in (styled, plain):
        qtbot.addWidget(widget)
        widget.show()
    theme.apply_style(styled, "primary-button")
    plain.setStyleSheet("QWidget { border: 1px solid gray; }")
    styled.sheets.clear()
    plain.sheets.clear()

    theme.apply_theme(light, "dark")

    assert len(styled.sheets) == 1 and styled.sheets[0] == theme.style_sheet("primary-button")  # the dark one, once
    # A sheet set by hand (no binding) is set again, as before: the widget is polished with the new palette.
    assert plain.sheets == ["QWidget { border: 1px solid gray; }"]
