"""A batch in the viewer (issue 14): a job's results show as a grid; one opens large (click, Enter)
and Esc returns to the grid; a new result never replaces the image being looked at (a quiet "n new
results" button instead); Left / Right step through the batch, never while typing; F favourites;
"Keep picks, trash rejects" acts on the batch being looked at, not the whole strip."""

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
from ideogram_studio.sandbox.faults import Fault
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.results_strip import FAVOURITE_ROLE

from .helpers import Studio, close_studio, open_studio, wait_for, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def send(qtbot: Any, studio: Studio, count: int, prompt: str = "a lighthouse at dusk") -> list[str]:
    """A job of `count` images sent as the designer does; its results once they are all stored."""
    before = len(studio.jobs())
    wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt=prompt, num_images=count)))
    wait_jobs_finished(qtbot, studio, before + 1)
    hashes: list[str] = studio.jobs()[-1].result_hashes
    qtbot.waitUntil(lambda: set(hashes) <= set(studio.window.recent_model.hashes()), timeout=10000)
    # In the order the batch lists them (as they arrived), which is the order the designer steps
    # through: the job's own list may differ when two downloads finish together.
    area = studio.window.result_area
    qtbot.waitUntil(lambda: set(area.batch_hashes(hashes[0])) == set(hashes), timeout=10000)
    return area.batch_hashes(hashes[0])


def test_a_batch_shows_as_a_grid_opens_large_and_esc_returns(qtbot: Any, studio: Studio) -> None:
    window, area = studio.window, studio.window.result_area
    hashes = send(qtbot, studio, 4)
    qtbot.waitUntil(lambda: area.showing_grid() and area.model.rowCount() == 4, timeout=5000)
    assert [area.model.index(i).data(Qt.ItemDataRole.UserRole + 1) for i in range(4)] == hashes
    assert area.grid.isVisible() and not window.viewer.isVisible()

    # A click on the third cell opens it large.
    grid = area.grid
    qtbot.waitUntil(lambda: grid.visualRect(area.model.index(2)).width() > 100)
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(area.model.index(2)).center())
    qtbot.waitUntil(lambda: window.viewer.isVisible() and window.shown_image_hash() == hashes[2], timeout=5000)
    assert area.back_button.isVisible()

    # Esc goes back to the grid, on the image that was open; Enter opens the current cell.
    window.viewer.setFocus()
    qtbot.waitUntil(window.viewer.hasFocus)
    QTest.keyClick(window.viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(area.showing_grid)
    assert grid.current_hash() == hashes[2]
    qtbot.waitUntil(grid.hasFocus)
    QTest.keyClick(grid, Qt.Key.Key_Right)
    QTest.keyClick(grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not area.showing_grid() and window.shown_image_hash() == hashes[3], timeout=5000)


def test_a_new_result_does_not_replace_the_image_looked_at(qtbot: Any, studio: Studio) -> None:
    window, area = studio.window, studio.window.result_area
    first = send(qtbot, studio, 2)
    qtbot.waitUntil(area.showing_grid)
    area.grid.opened.emit(first[0])  # the designer opens one
    qtbot.waitUntil(lambda: window.shown_image_hash() == first[0] and not area.showing_grid(), timeout=5000)

    second = send(qtbot, studio, 4, "a red barn")
    qtbot.waitUntil(lambda: area.unseen_count() == 4)
    assert window.shown_image_hash() == first[0] and not area.showing_grid()
    assert area.new_button.isVisible() and area.new_button.text() == "4 new results"
    assert set(window.recent_model.hashes()[:4]) == set(second)  # in the strip at once (newest first)

    QTest.mouseClick(area.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: area.showing_grid() and area.batch_hashes() == second)
    assert not area.new_button.isVisible()

    # While the newest batch's grid shows, the next batch takes its place (the designer follows).
    third = send(qtbot, studio, 2, "a blue boat")
    qtbot.waitUntil(lambda: area.showing_grid() and area.batch_hashes() == third)
    assert area.unseen_count() == 0


def test_one_image_results_follow_while_the_newest_shows(qtbot: Any, studio: Studio) -> None:
    window, area = studio.window, studio.window.result_area
    (one,) = send(qtbot, studio, 1)
    qtbot.waitUntil(lambda: window.shown_image_hash() == one, timeout=5000)
    (two,) = send(qtbot, studio, 1, "a second one")
    qtbot.waitUntil(lambda: window.shown_image_hash() == two, timeout=5000)
    # An older image chosen in the strip stays while the next one arrives.
    window.strip.image_activated.emit(one)
    qtbot.waitUntil(lambda: window.shown_image_hash() == one, timeout=5000)
    (three,) = send(qtbot, studio, 1, "a third one")
    qtbot.waitUntil(lambda: area.unseen_count() == 1)
    assert window.shown_image_hash() == one and area.new_button.text() == "1 new result"
    QTest.mouseClick(area.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shown_image_hash() == three, timeout=5000)


def test_arrow_keys_step_through_the_batch_not_while_typing(qtbot: Any, studio: Studio) -> None:
    window, area = studio.window, studio.window.result_area
    hashes = send(qtbot, studio, 4)
    qtbot.waitUntil(area.showing_grid)
    area.grid.opened.emit(hashes[0])
    qtbot.waitUntil(lambda: window.shown_image_hash() == hashes[0], timeout=5000)
    window.viewer.setFocus()
    qtbot.waitUntil(window.viewer.hasFocus)
    QTest.keyClick(window.viewer, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.shown_image_hash() == hashes[1], timeout=5000)
    QTest.keyClick(window.viewer, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.shown_image_hash() == hashes[2], timeout=5000)
    QTest.keyClick(window.viewer, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: window.shown_image_hash() == hashes[1], timeout=5000)

    prompt = window.generate_panel.prompt_edit
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus)
    qtbot.keyClicks(prompt, "ab")
    QTest.keyClick(prompt, Qt.Key.Key_Left)
    QTest.keyClick(prompt, Qt.Key.Key_Left)
    qtbot.keyClicks(prompt, "X")
    assert prompt.toPlainText() == "Xab"  # the arrows moved the cursor, not the results
    assert area.step_actions[0].shortcut().toString() == "Right"
    assert window.shown_image_hash() == hashes[1]

    # In the strip, the arrows step too (its current thumbnail is shown).
    strip = window.strip
    strip.setFocus()
    qtbot.waitUntil(strip.hasFocus)
    strip.setCurrentIndex(window.recent_model.index(0))
    QTest.keyClick(strip, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.shown_image_hash() == window.recent_model.hashes()[1], timeout=5000)


def test_favourite_from_the_grid_and_keep_picks_acts_on_the_batch(qtbot: Any, studio: Studio) -> None:
    window, area, culling = studio.window, studio.window.result_area, studio.window.culling
    gallery = studio.services.gallery
    older = send(qtbot, studio, 2, "an older batch")
    newer = send(qtbot, studio, 4, "the batch looked at")
    qtbot.waitUntil(lambda: area.showing_grid() and area.batch_hashes() == newer)
    for image_hash in (*older, *newer[2:]):
        culling.set_flag(image_hash, FLAG_REJECT)
    for image_hash in newer[:2]:
        culling.set_flag(image_hash, FLAG_PICK)
    qtbot.waitUntil(lambda: all(gallery.get(h).flag == FLAG_REJECT for h in older))  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: [gallery.get(h).flag for h in newer] == [1, 1, -1, -1])  # type: ignore[union-attr]

    # F on the grid's current image makes it a favourite (and marks it in the strip).
    area.grid.setFocus()
    qtbot.waitUntil(area.grid.hasFocus)
    area.grid.select_hash(newer[0])
    QTest.keyClick(area.grid, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: gallery.get(newer[0]).favourite)  # type: ignore[union-attr]
    row = window.recent_model.hashes().index(newer[0])
    qtbot.waitUntil(lambda: window.recent_model.index(row).data(FAVOURITE_ROLE) is True)

    culling.keep_picks_action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=5000)
    assert area.batch_hashes() == newer[:2]
    assert all(gallery.get(h).trashed_at is not None for h in newer[2:])  # type: ignore[union-attr]
    assert all(gallery.get(h).trashed_at is None for h in older)  # type: ignore[union-attr]
    assert set(older) <= set(window.recent_model.hashes())

    culling.undo_action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() == 4, timeout=5000)
    assert all(gallery.get(h).trashed_at is None for h in newer)  # type: ignore[union-attr]


def test_keep_picks_on_an_image_of_a_job_known_only_to_the_library(qtbot: Any, studio: Studio) -> None:
    """After a restart the studio knows no batches: the job of the image shown says which."""
    window, culling = studio.window, studio.window.culling
    gallery = studio.services.gallery
    older = send(qtbot, studio, 2, "an older batch")
    newer = send(qtbot, studio, 2, "the batch looked at")
    window.result_area.forget([*older, *newer])  # as after a restart: no batch is known
    window.strip.image_activated.emit(newer[1])
    qtbot.waitUntil(lambda: window.shown_image_hash() == newer[1], timeout=5000)
    for image_hash in (*older, *newer):
        culling.set_flag(image_hash, FLAG_REJECT)
    qtbot.waitUntil(lambda: all(gallery.get(h).flag == FLAG_REJECT for h in (*older, *newer)))  # type: ignore[union-attr]
    culling.keep_picks_action.trigger()
    qtbot.waitUntil(lambda: all(gallery.get(h).trashed_at is not None for h in newer))  # type: ignore[union-attr]
    assert all(gallery.get(h).trashed_at is None for h in older)  # type: ignore[union-attr]


def test_the_grid_lists_results_in_the_services_order_not_as_downloads_finish(qtbot: Any, studio: Studio) -> None:
    # The first download asked for waits longest, the last not at all: they finish in reverse.
    for times in (1, 2, 3):
        studio.sandbox.inject(Fault.latency(0.6, endpoint="images", times=times))
    area = studio.window.result_area
    before = len(studio.jobs())
    wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="four posters", num_images=4)))
    wait_jobs_finished(qtbot, studio, before + 1)
    job = studio.jobs()[-1]
    arrived: list[str] = job.result_hashes
    qtbot.waitUntil(lambda: len(area.batch_hashes(arrived[0])) == 4, timeout=10000)
    seeds = [image["seed"] for image in job.response["data"]]  # the service's order
    assert len(set(seeds)) == 4
    by_answer = sorted(arrived, key=lambda h: seeds.index(studio.services.gallery.get(h).seed))
    assert arrived != by_answer  # the downloads did finish out of order
    assert area.batch_hashes(arrived[0]) == by_answer
    shown = [area.model.index(i).data(Qt.ItemDataRole.UserRole + 1) for i in range(area.model.rowCount())]
    assert shown == by_answer


def test_an_earlier_result_arriving_late_keeps_the_grid_on_the_image_chosen(qtbot: Any, studio: Studio) -> None:
    hashes = send(qtbot, studio, 3)
    area = studio.window.result_area
    qtbot.waitUntil(area.showing_grid)
    area.grid.setFocus()
    qtbot.waitUntil(area.grid.hasFocus)
    assert area.grid.current_hash() == hashes[0]
    QTest.keyClick(area.grid, Qt.Key.Key_Right)  # the designer moves to the second image
    assert area.grid.current_hash() == hashes[1]
    # A fourth image of the same job, placed first in the service's answer, is stored last.
    late = hashes[0][::-1]
    key = f"job:{studio.jobs()[-1].id}"  # the batch key of a job outside a batch run
    area.result_arrived(late, "late", key, 4, (0, -1))
    assert area.batch_hashes(hashes[0]) == [late, *hashes]
    assert area.grid.current_hash() == hashes[1]


def test_until_the_designer_chooses_the_grid_stays_on_its_first_cell(qtbot: Any, studio: Studio) -> None:
    """Results arrive in the order their downloads finish, not their places: the current cell (what
    the arrow keys start from, what culling keys act on) is the first one until the designer picks."""
    hashes = send(qtbot, studio, 3)
    area = studio.window.result_area
    qtbot.waitUntil(area.showing_grid)
    assert area.grid.current_hash() == hashes[0]
    late = hashes[0][::-1]  # a fourth image, placed first in the service's answer, stored last
    key = f"job:{studio.jobs()[-1].id}"
    area.result_arrived(late, "late", key, 4, (0, -1))
    assert area.batch_hashes(hashes[0]) == [late, *hashes]
    assert area.grid.currentIndex().row() == 0 and area.grid.current_hash() == late
    # A press on a cell is a choice too: the next late arrival leaves it where it is.
    grid = area.grid
    qtbot.waitUntil(lambda: grid.visualRect(area.model.index(2)).width() > 100)
    grid.opened.disconnect()  # (a click opens the image large: here only the choice is looked at)
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(area.model.index(2)).center())
    assert grid.current_hash() == hashes[1]
    area.result_arrived(late[:-1] + "0", "later", key, 5, (0, -2))
    assert grid.current_hash() == hashes[1]
