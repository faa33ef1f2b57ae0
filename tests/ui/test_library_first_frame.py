"""The library page's first frame (issue 15, first painted grid): a page made at once reads its first
results while its widgets are made and paints them in its first frame; a page made in steps ahead of
use searches only when first shown."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery
from ideogram_studio.ui.common.in_steps import InSteps
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.library.page import LibraryPage

from .helpers import wait_for
from .library_data import build_library

ROWS = 500


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    built = build_library(tmp_path / "library", real=4, synthetic=ROWS - 4)
    yield built.gallery
    built.gallery.close()


class FirstPaint(QObject):
    """The grid's row count when its viewport is first painted."""

    def __init__(self, page: LibraryPage) -> None:
        super().__init__()
        self.page = page
        self.rows: int | None = None
        page.grid.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.rows is None:
            self.rows = self.page.model.rowCount()
        return False


def _close(qtbot: QtBot, page: LibraryPage, runner: TaskRunner) -> None:
    page.shutdown()
    wait_for(qtbot, runner.cancel_all())
    page.close()
    page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_page_made_at_once_paints_its_first_results_in_its_first_frame(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery
) -> None:
    runner = TaskRunner()
    page = LibraryPage(gallery, runner)
    try:
        first = FirstPaint(page)
        shown: list[int] = []
        page.session.results_shown.connect(lambda s: shown.append(s.count))
        # The search was given to its thread as the page was made: read by now (the GUI thread waits
        # here, without turning the event loop, so the page's task has not run yet).
        assert page.session._first is not None
        page.session._first[3].result(timeout=30)
        assert page.model.rowCount() == 0
        page.resize(1200, 800)
        page.show()
        assert page.model.rowCount() > 0 and len(shown) == 1  # shown as the page is shown, not an event later
        qtbot.waitUntil(lambda: first.rows is not None, timeout=10000)
        assert first.rows == page.model.rowCount()
        qtbot.waitUntil(lambda: page.model.rowCount() == ROWS, timeout=10000)
        assert len(shown) == 1  # one search: none again for the first show, nor from its task
    finally:
        _close(qtbot, page, runner)


def test_a_page_made_in_steps_searches_only_when_first_shown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery
) -> None:
    runner = TaskRunner()
    page = InSteps(LibraryPage.made_in_steps(gallery, runner)).finish()
    try:
        shown: list[int] = []
        page.session.results_shown.connect(lambda s: shown.append(s.count))
        assert page.session._first is None  # made ahead: nothing read yet
        page.resize(1200, 800)
        page.show()
        qtbot.waitUntil(lambda: page.model.rowCount() == ROWS, timeout=10000)
        assert len(shown) == 1
    finally:
        _close(qtbot, page, runner)


def test_a_page_made_at_once_over_a_missing_library_folder_says_so(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery
) -> None:
    moved = gallery.data_dir.with_name("moved-away")
    gallery.data_dir.rename(moved)
    runner = TaskRunner()
    try:
        page = LibraryPage(gallery, runner)  # its search, begun before its widgets, finds no folder
        try:
            page.resize(1200, 800)
            page.show()
            assert page.is_library_missing()
            assert "cannot be found" in page._missing_label.text()
            assert not page.search_field.isEnabled()
        finally:
            _close(qtbot, page, runner)
    finally:
        moved.rename(gallery.data_dir)
