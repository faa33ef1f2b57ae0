"""A theme switch restyles hidden widgets when they are next shown, before they paint (when_shown.py):
restyling every hidden panel, page, dialog and menu at the switch froze the window (~0.1-0.3 s).
What a designer sees must still be right: a shown widget is restyled at once, a hidden one has the new
look by the time it is shown, its sheet before the palettes of what it holds, and a widget deleted
while hidden is never touched."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pytest
from PySide6.QtCore import SIGNAL, QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ideogram_studio.ui.common import theme
from ideogram_studio.ui.common.when_shown import when_shown


@pytest.fixture
def light(qapp: QApplication) -> Iterator[QApplication]:
    theme.apply_theme(qapp, "light")
    yield qapp
    theme.apply_theme(qapp, "light")


def _text(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.WindowText)


class _PaintWatch(QObject):
    """Records the page's sheet and the label's colour at the page's first paint after a show."""

    def __init__(self, page: QWidget, label: QLabel) -> None:
        super().__init__()
        self.page, self.label = page, label
        self.seen: list[tuple[str, QColor]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen.append((self.page.styleSheet(), _text(self.label)))
        return False


class _Stack(NamedTuple):
    stack: QStackedWidget
    front: QLabel | None
    page: QWidget
    label: QLabel


def _shown_stack(qtbot: QtBot, *, page_in_front: bool = False) -> _Stack:
    """A shown stack holding a styled page: hidden behind a label, or the page on show."""
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    front = None if page_in_front else QLabel("the page on show")
    if front is not None:
        stack.addWidget(front)
    page, _button, label = _page(stack)
    stack.show()
    qtbot.waitExposed(stack)
    return _Stack(stack, front, page, label)


def _page(stack: QStackedWidget) -> tuple[QWidget, QPushButton, QLabel]:
    page = QWidget()
    button = QPushButton("Generate", page)
    button.setObjectName("primaryButton")
    label = QLabel("Breaks: each side ≥ 256 px", page)
    layout = QVBoxLayout(page)
    layout.addWidget(button)
    layout.addWidget(label)
    stack.addWidget(page)
    theme.set_text_color(label, "error")  # bound first…
    theme.apply_style(page, "primary-button")  # …then the page's sheet, which re-polishes the label
    return page, button, label


def test_a_hidden_page_is_restyled_when_shown_before_it_paints(qtbot: QtBot, light: QApplication) -> None:
    stack, _front, page, label = _shown_stack(qtbot)
    light_sheet = page.styleSheet()

    theme.apply_theme(light, "dark")

    # The page is hidden: nothing of it was done at the switch…
    assert page.styleSheet() == light_sheet
    assert _text(label) == QColor(theme.LIGHT.colors["error"])
    assert when_shown().pending() >= 2
    watch = _PaintWatch(page, label)
    page.installEventFilter(watch)
    stack.setCurrentWidget(page)
    qtbot.waitUntil(lambda: bool(watch.seen))
    # …and all of it is there when it first paints: the dark sheet, and the label's dark red kept
    # (its colour set after the page's sheet re-polished it).
    sheet, colour = watch.seen[0]
    assert sheet == theme.style_sheet("primary-button") != light_sheet
    assert colour == QColor(theme.DARK.colors["error"])
    assert _text(label) == QColor(theme.DARK.colors["error"])


def test_a_shown_widget_is_restyled_at_once(qtbot: QtBot, light: QApplication) -> None:
    _stack, _front, page, label = _shown_stack(qtbot, page_in_front=True)

    theme.apply_theme(light, "dark")

    assert page.styleSheet() == theme.style_sheet("primary-button")
    assert _text(label) == QColor(theme.DARK.colors["error"])


def test_switching_back_and_forth_while_hidden_shows_the_last_theme(qtbot: QtBot, light: QApplication) -> None:
    stack, _front, page, label = _shown_stack(qtbot)
    before = when_shown().pending()

    theme.apply_theme(light, "dark")
    theme.apply_theme(light, "light")
    theme.apply_theme(light, "dark")

    assert when_shown().pending() == before + 2  # each piece of work waits once, not once per switch
    stack.setCurrentWidget(page)
    assert page.styleSheet() == theme.style_sheet("primary-button")
    assert _text(label) == QColor(theme.DARK.colors["error"])


def test_a_widget_deleted_while_hidden_is_never_touched(qtbot: QtBot, light: QApplication) -> None:
    stack, _front, page, _label = _shown_stack(qtbot)
    theme.apply_theme(light, "dark")
    waiting = when_shown().pending()
    assert waiting >= 2

    page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert when_shown().pending() <= waiting - 2  # forgotten with its page
    theme.apply_theme(light, "light")  # and no error from the deleted widgets
    stack.setCurrentIndex(0)


def test_a_page_that_waits_at_every_switch_is_watched_once(qtbot: QtBot, light: QApplication) -> None:
    stack, front, page, _label = _shown_stack(qtbot)
    assert front is not None
    destroyed = SIGNAL("destroyed(QObject*)")
    counts = []
    for _ in range(4):  # hidden at each switch, shown and hidden again in between
        theme.apply_theme(light, "dark")
        theme.apply_theme(light, "light")
        counts.append(page.receivers(destroyed))
        stack.setCurrentWidget(page)
        stack.setCurrentWidget(front)
    assert counts == [counts[0]] * 4  # connected the first time only
