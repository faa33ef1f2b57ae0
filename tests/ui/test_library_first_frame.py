"""The library page's first frame (issue 15, first painted grid): a page made at once reads its first
results while its widgets are made and paints them in its first frame; a page made in steps ahead of
use reads its first results when made, holds the rest of them and the side bar's counts while it is
not shown, paints them in its first frame when shown (Ctrl+L), and searches again if they were read
earlier."""

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
from ideogram_studio.ui.library.browsing import FIRST_PAGE
from ideogram_studio.ui.library.page import LibraryPage

from .helpers import wait_for
from .library_data import build_library, picture

ROWS = 500
#: More than a search's first page: the rest of the result is read apart.
MANY = FIRST_PAGE + 150


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    built = build_library(tmp_path / "library", real=4, synthetic=ROWS - 4)
    yield built.gallery
    built.gallery.close()


@pytest.fixture
def larger(tmp_path: Path) -> Iterator[Gallery]:
    built = build_library(tmp_path / "larger", real=4, synthetic=MANY - 4)
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


def test_a_page_made_in_steps_reads_its_first_results_ahead_holds_the_rest_and_paints_them_when_shown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, larger: Gallery
) -> None:
    runner = TaskRunner()
    page = InSteps(LibraryPage.made_in_steps(larger, runner)).finish()
    try:
        shown: list[int] = []
        counted: list[object] = []
        complete: list[int] = []
        page.session.results_shown.connect(lambda s: shown.append(s.count))
        page.session.counts_ready.connect(counted.append)
        page.session.results_complete.connect(complete.append)
        qtbot.waitUntil(lambda: page.model.rowCount() == FIRST_PAGE, timeout=10000)  # read ahead, not shown
        newest = page.model.id_at(0)
        # A new result while the page is hidden goes in (as the studio's results do), and still
        # nothing more is read: at a million images the rest of the ids and the counts keep both
        # cores busy for seconds, while the designer types a prompt elsewhere.
        fresh = larger.store_image(picture(96, 96, 4242, "new"), operation="generate",
                                   request_fields={"prompt": "a fresh kite"}, response_fields={"seed": 7}).hash
        page.insert_new(fresh)
        qtbot.waitUntil(lambda: page.model.rowCount() == FIRST_PAGE + 1, timeout=10000)
        session = page.session
        # Neither is under way nor waiting for its moment (each starts from its timer; the counts are
        # running or delivered otherwise), however long the page stays hidden.
        assert not session._rest_timer.isActive() and not session._facets_timer.isActive()
        assert not session._facets_running and counted == []
        assert page.model.rowCount() == FIRST_PAGE + 1 and not page.model.is_complete() and complete == []
        assert shown == [FIRST_PAGE]
        # Meanwhile the newest image is trashed elsewhere (the results strip): the page, shown, paints
        # what it read ahead at once, then searches again.
        assert newest is not None
        larger.trash([newest])
        first = FirstPaint(page)
        page.resize(1200, 800)
        page.show()
        qtbot.waitUntil(lambda: first.rows is not None, timeout=10000)
        assert first.rows == FIRST_PAGE + 1  # results in the first frame, not an empty grid
        qtbot.waitUntil(lambda: bool(complete) and bool(counted), timeout=10000)
        assert len(shown) == 2  # the search again as shown, with its rest and counts
        assert page.model.rowCount() == MANY  # + the new result − the trashed one
        assert page.model.row_of(newest) is None and page.model.row_of_hash(fresh) == 0
    finally:
        _close(qtbot, page, runner)


class FirstThumbnails(QObject):
    """At the grid's first paint: how many of the rows on screen had their thumbnail ready."""

    def __init__(self, page: LibraryPage) -> None:
        super().__init__()
        self.page = page
        self.ready: tuple[int, int] | None = None  # (with a thumbnail, rows on screen)
        page.grid.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.ready is None:
            grid, model = self.page.grid, self.page.model
            span = grid.visible_rows()
            rows = [model.image(r) for r in range(span[0], span[1] + 1)] if span else []
            thumbs = grid._thumbs  # (the loader the grid paints from)
            self.ready = (sum(row is not None and thumbs.peek(row.hash) is not None for row in rows), len(rows))
        return False


def test_a_page_made_ahead_has_its_first_screens_thumbnails_when_shown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery
) -> None:
    # Ctrl+L on the library made ahead painted empty cells, their thumbnails ~0.15 s later: the hidden
    # grid (no viewport laid out yet) asked only for the few rows its unlaid viewport covered.
    runner = TaskRunner()
    page = InSteps(LibraryPage.made_in_steps(gallery, runner)).finish()
    try:
        page.resize(1200, 800)  # (the window it will be shown in)
        qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10000)  # read ahead, not shown
        thumbs = page.grid._thumbs
        newest = [page.model.image(r) for r in range(4)]  # the library's real images are its newest
        qtbot.waitUntil(lambda: all(row is not None and thumbs.peek(row.hash) is not None for row in newest),
                        timeout=10000)  # fmt: skip
        first = FirstThumbnails(page)
        page.show()
        qtbot.waitUntil(lambda: first.ready is not None, timeout=10000)
        assert first.ready is not None
        with_thumbnail, on_screen = first.ready
        assert on_screen >= 12 and with_thumbnail == on_screen
    finally:
        _close(qtbot, page, runner)


def test_a_page_shown_as_its_search_ahead_is_read_shows_that_search_once_with_its_rest_and_counts(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, larger: Gallery
) -> None:
    runner = TaskRunner()
    page = InSteps(LibraryPage.made_in_steps(larger, runner)).finish()  # (Ctrl+L while it was being made)
    try:
        shown: list[int] = []
        counted: list[object] = []
        complete: list[int] = []
        page.session.results_shown.connect(lambda s: shown.append(s.count))
        page.session.counts_ready.connect(counted.append)
        page.session.results_complete.connect(complete.append)
        assert page.session._first is not None  # the search ahead, given to its thread as the page was made
        page.session._first[3].result(timeout=30)  # read (its task waits for the event loop's next turn)
        first = FirstPaint(page)
        page.resize(1200, 800)
        page.show()
        assert shown == [FIRST_PAGE]  # shown as the page is shown
        qtbot.waitUntil(lambda: first.rows is not None, timeout=10000)
        assert first.rows == FIRST_PAGE
        qtbot.waitUntil(lambda: bool(complete) and bool(counted), timeout=10000)
        assert page.model.rowCount() == MANY
        assert shown == [FIRST_PAGE]  # fresh: not searched a second time
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
