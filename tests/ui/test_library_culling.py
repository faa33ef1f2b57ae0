"""Culling in the library (issue 14): P / X / U on the grid pick, reject and unflag (undoable, as the
viewer and strip do); the detail panel shows the image's flag, stars and favourite and sets them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.library_source import Capability
from ideogram_studio.gallery.local_source import LocalLibrarySource
from ideogram_studio.gallery.models import FLAG_NONE, FLAG_PICK, FLAG_REJECT
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.library.page import LibraryPage
from ideogram_studio.ui.library.session import LibrarySession

from .helpers import select_row, wait_for
from .library_data import picture


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    for n in range(3):
        g.store_image(picture(160, 120, n, f"img {n}"), operation="generate", request_fields={"prompt": f"kite {n}"},
                      response_fields={"seed": n})
    yield g
    g.close()


def _open(qtbot: QtBot, page: LibraryPage, runner: TaskRunner) -> LibraryPage:
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=15000)
    return page


@pytest.fixture
def page(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery) -> Iterator[LibraryPage]:
    runner = TaskRunner()
    p = _open(qtbot, LibraryPage(gallery, runner), runner)
    yield p
    p.shutdown()
    wait_for(qtbot, runner.cancel_all())
    p.close()
    p.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def key(widget: Any, k: Qt.Key, text: str) -> None:
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, k, Qt.KeyboardModifier.NoModifier, text))


def hash_at(page: LibraryPage, row: int) -> str:
    return page.model.fetch_now([row])[0].hash


def test_p_x_u_on_the_grid_flag_with_undo(qtbot: QtBot, page: LibraryPage, gallery: Gallery) -> None:
    select_row(page, 1)
    h = hash_at(page, 1)
    key(page.grid, Qt.Key.Key_P, "p")
    qtbot.waitUntil(lambda: gallery.get(h).flag == FLAG_PICK, timeout=5000)  # type: ignore[union-attr]
    key(page.grid, Qt.Key.Key_X, "x")
    qtbot.waitUntil(lambda: gallery.get(h).flag == FLAG_REJECT, timeout=5000)  # type: ignore[union-attr]
    assert page.model.image(1).flag == FLAG_REJECT  # type: ignore[union-attr]  # the grid's row at once
    key(page.grid, Qt.Key.Key_U, "u")
    qtbot.waitUntil(lambda: gallery.get(h).flag == FLAG_NONE, timeout=5000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: page.session.undo_stack.count() == 3 and page.session.undo_stack.canUndo())
    qtbot.waitUntil(lambda: not [t for t in page.session.runner.running() if t.get_name().startswith("library-w")])
    QTest.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: gallery.get(h).flag == FLAG_REJECT, timeout=5000)  # type: ignore[union-attr]


def test_the_detail_panel_shows_and_sets_flag_stars_and_favourite(
    qtbot: QtBot, page: LibraryPage, gallery: Gallery
) -> None:
    h = hash_at(page, 0)
    gallery.set_flag([h], FLAG_PICK)
    gallery.set_rating([h], 3)
    page.model.forget()
    select_row(page, 0)
    row = page.detail.culling
    qtbot.waitUntil(lambda: page.detail.current_hash() == h, timeout=5000)
    qtbot.waitUntil(lambda: row.marks() == (FLAG_PICK, 3, False), timeout=5000)
    assert row.isVisible() and row.pick_button.isChecked() and not row.reject_button.isChecked()
    assert [b.text() for b in row.star_buttons] == ["★", "★", "★", "☆", "☆"]

    qtbot.mouseClick(row.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gallery.get(h).flag == FLAG_REJECT, timeout=5000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: row.reject_button.isChecked() and not row.pick_button.isChecked(), timeout=5000)
    qtbot.mouseClick(row.star_buttons[4], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gallery.get(h).rating == 5, timeout=5000)  # type: ignore[union-attr]
    qtbot.mouseClick(row.favourite_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gallery.get(h).favourite, timeout=5000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: row.marks() == (FLAG_REJECT, 5, True), timeout=5000)
    # A second click on the lit flag unflags; on the lit highest star clears the stars.
    qtbot.mouseClick(row.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gallery.get(h).flag == FLAG_NONE, timeout=5000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: row.marks()[0] == FLAG_NONE, timeout=5000)
    qtbot.mouseClick(row.star_buttons[4], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gallery.get(h).rating == 0, timeout=5000)  # type: ignore[union-attr]

    # A key on the grid shows in the panel too.
    page.grid.setFocus()
    key(page.grid, Qt.Key.Key_P, "p")
    qtbot.waitUntil(lambda: row.marks()[0] == FLAG_PICK and row.pick_button.isChecked(), timeout=5000)


class NoFlags(LocalLibrarySource):
    """A library without pick/reject (as the team's): the flag keys and buttons are hidden."""

    capabilities = frozenset(set(LocalLibrarySource.capabilities) - {Capability.FLAG})


def test_a_library_without_flags_hides_them(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery) -> None:
    runner = TaskRunner()
    session = LibrarySession(NoFlags(gallery), runner)
    page = _open(qtbot, LibraryPage(None, runner, session=session), runner)
    try:
        select_row(page, 0)
        qtbot.waitUntil(lambda: page.detail.current_hash() is not None, timeout=5000)
        assert not page.detail.culling.pick_button.isVisible()
        assert page.detail.culling.star_buttons[0].isVisible()
        h = hash_at(page, 0)
        key(page.grid, Qt.Key.Key_P, "p")
        assert gallery.get(h).flag == FLAG_NONE  # type: ignore[union-attr]
        assert all(not a.isEnabled() for a in page.library_actions.flags)
    finally:
        page.shutdown()
        wait_for(qtbot, runner.cancel_all())
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
