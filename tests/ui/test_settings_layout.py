"""The Settings dialog sizes to its content and never squashes its lower fields when status lines
show, at 1280×720 and 1920×1080 (issue 14): a screen lower than the content scrolls the General page.
Screenshots go to the test's artifacts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.common.theme import apply_theme, as_choice
from ideogram_studio.ui.shell.settings_dialog import SettingsDialog

from .helpers import Studio, close_studio, open_studio


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _qt_part(widget: QWidget) -> bool:
    """Qt's own parts, which their owner sizes itself (a line edit's clear button, a scroll bar's inside)."""
    return widget.objectName().startswith("qt_") or widget.metaObject().className() == "QLineEditIconButton"


def squashed(dialog: SettingsDialog) -> list[str]:
    """Visible widgets of the dialog smaller than their minimum size hint, or lower than they want
    to be when their height is fixed (a spin box, a combo box, a line edit); Qt's own parts left out."""
    found = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not dialog or _qt_part(widget):
            continue
        hint = widget.minimumSizeHint()
        if not hint.isValid() or widget.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Ignored:
            continue
        if widget.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Fixed:  # a field's own height, whole
            hint = hint.expandedTo(QSize(0, widget.sizeHint().height()))
        too_low = widget.height() < hint.height() and widget.maximumHeight() >= hint.height()
        too_narrow = widget.width() < hint.width() and widget.maximumWidth() >= hint.width()
        if too_low or too_narrow:
            name = f"{type(widget).__name__}({widget.objectName()!r})"
            found.append(f"{name} {widget.size().toTuple()} < {hint.toTuple()}")
    return found


def cut_at_the_right(dialog: SettingsDialog) -> list[str]:
    """Visible widgets of the General page reaching past the scroll area's right edge (it never
    scrolls sideways, so those would be cut)."""
    viewport = dialog.general_scroll.viewport()
    return [
        f"{type(w).__name__}({w.objectName()!r})"
        for w in dialog.general_page.findChildren(QWidget)
        if w.isVisible() and not _qt_part(w) and w.mapTo(viewport, QPoint(w.width(), 0)).x() > viewport.width()
    ]


def _with_status_lines(qtbot: Any, dialog: SettingsDialog) -> None:
    dialog.key_message.show_error("The keyring stayed locked, so the key was not saved. Save it again and unlock "
                                  "the keyring when asked.")
    dialog.advanced_section.set_expanded(True)
    dialog.api_base_edit.setText("http://example.com")  # its own status line: plain http is refused
    dialog.footer_message.show_error("Some fields need attention.")
    qtbot.waitUntil(lambda: dialog.api_base_message.isVisible())


@pytest.fixture(params=["light", "dark"])
def theme_name(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_theme(qapp, as_choice(request.param))
    yield request.param
    apply_theme(qapp, as_choice("light"))


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_settings_fits_its_content_and_squashes_nothing(
    qtbot: Any, studio: Studio, size: tuple[int, int], theme_name: str, artifacts_dir: Path
) -> None:
    width, height = size
    dialog = studio.window.show_settings()
    qtbot.waitExposed(dialog)
    dialog.fit_to_screen(QRect(0, 0, width, height))
    qtbot.waitUntil(lambda: not dialog.is_busy())
    dialog.grab().save(str(artifacts_dir / f"settings-{width}x{height}-{theme_name}.png"))
    before = dialog.height()
    assert squashed(dialog) == []
    _with_status_lines(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.height() > before or dialog.height() >= int(height * 0.92) - 1)
    assert dialog.height() <= height and dialog.width() <= width
    qtbot.waitUntil(lambda: squashed(dialog) == [])
    scroll = dialog.general_scroll
    if height >= 1080:  # room for all of it: the dialog grows until nothing scrolls
        qtbot.waitUntil(lambda: not scroll.verticalScrollBar().isVisible())
    dialog.grab().save(str(artifacts_dir / f"settings-{width}x{height}-{theme_name}-status-lines.png"))
    assert cut_at_the_right(dialog) == []
    # Every field stays reachable: the lowest one is scrolled into view, whole.
    lowest = dialog.team_section
    scroll.ensureWidgetVisible(lowest)
    top = lowest.mapTo(scroll.viewport(), QPoint(0, 0)).y()
    assert 0 <= top < scroll.viewport().height()
    dialog.reject()
