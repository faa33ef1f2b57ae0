"""One set of marks (issue 14): P / X / U, 1–5 and favourite set in the viewer show in the library's grid
and detail panel, those set in the library show on the strip's thumbnails, and Keep picks, trash
rejects takes the rejects out of the library page that is already open (Undo brings them back)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.gallery.models import FLAG_PICK, FLAG_REJECT
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.results_strip import FAVOURITE_ROLE, MARK_ROLE

from .helpers import Studio, close_studio, open_studio, results_of


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def send(qtbot: Any, studio: Studio, count: int) -> list[str]:
    return results_of(qtbot, studio, GenerateRequest(prompt="a blue kettle", num_images=count))


def open_library(qtbot: Any, studio: Studio, rows: int) -> Any:
    window = studio.window
    window.library.show_library(True)
    page = window.library.page
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10000)
    page.model.fetch_now(list(range(rows)))
    return page


def show_in_detail(qtbot: Any, page: Any, image_hash: str) -> None:
    """Select the image until the detail panel shows it (the page's first search may still reset the
    grid, and its selection with it, once after the rows show)."""

    def shown() -> bool:
        if page.detail.current_hash() == image_hash:
            return True
        if page.current_hash() != image_hash:
            page.select_hash(image_hash)
        return False

    qtbot.waitUntil(shown, timeout=20000)


def test_marks_set_in_the_viewer_show_in_the_library_grid_and_detail(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    first, second = send(qtbot, studio, 2)
    page = open_library(qtbot, studio, 2)  # the library is open (made, its rows cached) before the marks
    # (the other one first: the grid may have made `first` current)
    for image_hash in (second, first):
        show_in_detail(qtbot, page, image_hash)
    assert page.detail.culling.marks() == (0, 0, False)
    window.library.show_library(False)

    window.controller.show_image(first)
    qtbot.waitUntil(lambda: window.shown_image_hash() == first and window.viewer.isVisible(), timeout=5000)
    window.viewer.setFocus()
    qtbot.waitUntil(window.viewer.hasFocus)
    for key in (Qt.Key.Key_P, Qt.Key.Key_4, Qt.Key.Key_F):
        QTest.keyClick(window.viewer, key)
    image = lambda: page.model.image(page.model.row_of_hash(first))  # noqa: E731
    qtbot.waitUntil(lambda: (i := image()) is not None and (i.flag, i.rating, i.favourite) == (FLAG_PICK, 4, True),
                    timeout=5000)
    assert page.detail.culling.marks() == (FLAG_PICK, 4, True)  # the detail panel shows them too


def test_marks_set_in_the_library_show_on_the_strip(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    _first, second = send(qtbot, studio, 2)
    page = open_library(qtbot, studio, 2)
    show_in_detail(qtbot, page, second)
    page.grid.setFocus()
    qtbot.waitUntil(page.grid.hasFocus)
    QTest.keyClick(page.grid, Qt.Key.Key_X)
    QTest.keyClick(page.grid, Qt.Key.Key_Period)
    strip_index = window.recent_model.index(window.recent_model.hashes().index(second))
    qtbot.waitUntil(lambda: strip_index.data(MARK_ROLE) == (FLAG_REJECT, 0) and strip_index.data(FAVOURITE_ROLE),
                    timeout=5000)


def test_keep_picks_takes_the_rejects_out_of_the_open_library(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    hashes = send(qtbot, studio, 4)
    page = open_library(qtbot, studio, 4)
    window.library.show_library(False)
    culling = window.culling
    for image_hash, flag in zip(hashes, (FLAG_PICK, FLAG_PICK, FLAG_REJECT, FLAG_REJECT), strict=True):
        culling.set_flag(image_hash, flag)
    gallery = studio.services.gallery
    qtbot.waitUntil(lambda: [gallery.get(h).flag for h in hashes] == [1, 1, -1, -1], timeout=5000)  # type: ignore[union-attr]
    culling.keep_picks_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.model.fetch_now([0, 1])
    assert sorted(page.model.image(r).hash for r in range(2)) == sorted(hashes[:2])  # type: ignore[union-attr]
    culling.undo_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
