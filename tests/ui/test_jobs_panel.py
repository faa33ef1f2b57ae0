"""The jobs panel in the studio (issue 14 item 8, issue 17 batch pause): a batch's progress in
words with Pause/Resume, thumbnails in the rows, Clear finished, Shift+X cancels the running job,
a retried job's row follows the retry, and no identifier in any label."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.jobs import JobState
from ideogram_studio.sandbox import Fault
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.job_model import JobRole

from .helpers import Studio, close_studio, open_studio, wait_for, wait_jobs_finished

HEX_ID = re.compile(r"\b[0-9a-f]{8,}\b")


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    s.window.jobs_dock.show()  # collapsed at first on a narrow test screen
    yield s
    close_studio(qtbot, s)


def button(studio: Studio, name: str) -> QPushButton:
    found = studio.window.jobs_panel.findChild(QPushButton, name)
    assert found is not None, name
    return found


def test_a_batch_shows_n_of_n_and_pauses_and_resumes_from_the_panel(qtbot: Any, studio: Studio) -> None:
    queue = studio.services.queue
    queue.capacity = 1  # one request at a time: the rest of the batch waits in line
    studio.sandbox.inject(Fault.latency(0.6, endpoint="generate", times=1))
    rows = [(GenerateRequest(prompt=f"mug {i}", seed=i), {"batch": "mugs", "batch_row": i}) for i in (1, 2, 3)]
    jobs = wait_for(qtbot, queue.submit_many(rows))
    bar = studio.window.jobs_panel.batch_bar
    qtbot.waitUntil(lambda: not bar.isHidden() and "0 of 3 done" in bar.label.toolTip(), timeout=5000)
    assert bar.bar.maximum() == 3 and bar.bar.text() == "0 of 3"
    pause = button(studio, "batch-pause")
    qtbot.waitUntil(lambda: jobs[0].state is JobState.SENDING, timeout=5000)
    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(j.state is JobState.PAUSED for j in jobs[1:]), timeout=5000)
    qtbot.waitUntil(lambda: jobs[0].state is JobState.DONE, timeout=5000)
    qtbot.waitUntil(lambda: "1 of 3 done · paused" in bar.label.toolTip(), timeout=5000)
    assert pause.text() == "Resume" and bar.bar.value() == 1
    model = studio.window.controller.jobs_model
    row = model.row_of(jobs[2].id)
    assert row is not None and model.index(row).data(JobRole.DETAIL).endswith("not sent until the batch is resumed")
    assert studio.sandbox.requests_seen["/v1/ideogram-v3/generate"] == 1

    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 3)
    qtbot.waitUntil(lambda: "3 of 3 done" in bar.label.toolTip(), timeout=5000)
    assert all(j.state is JobState.DONE for j in jobs) and not pause.isEnabled()
    assert studio.sandbox.requests_seen["/v1/ideogram-v3/generate"] == 3


def test_cancel_on_the_batch_bar_cancels_the_rest_of_the_batch_only(qtbot: Any, studio: Studio) -> None:
    queue = studio.services.queue
    queue.capacity = 1
    studio.sandbox.inject(Fault.latency(10, endpoint="generate"))
    rows = [(GenerateRequest(prompt=f"cup {i}", seed=i), {"batch": "cups", "batch_row": i}) for i in (1, 2, 3, 4)]
    jobs = wait_for(qtbot, queue.submit_many(rows))
    qtbot.waitUntil(lambda: jobs[0].state is JobState.SENDING, timeout=5000)
    bar = studio.window.jobs_panel.batch_bar
    wait_for(qtbot, queue.pause([jobs[3].id]))  # one paused: cancelled too, never sent
    qtbot.waitUntil(lambda: "cups" in bar.label.text(), timeout=5000)
    cancel = button(studio, "batch-cancel")
    qtbot.waitUntil(cancel.isEnabled, timeout=2000)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(j.state is JobState.CANCELLED for j in jobs), timeout=5000)
    qtbot.waitUntil(lambda: not cancel.isEnabled() and "0 of 4 done · 4 cancelled" in bar.label.toolTip(), timeout=5000)
    assert studio.sandbox.requests_seen["/v1/ideogram-v3/generate"] <= 1  # only the one already being made
    model = studio.window.controller.jobs_model
    costs = {j.id: model.index(model.row_of(j.id) or 0).data(JobRole.COST) for j in jobs}
    assert [costs[j.id] for j in jobs[1:]] == ["not billed"] * 3  # never sent: no estimate beside them
    assert "may have been billed" in costs[jobs[0].id]  # it was being made when cancelled


def test_rows_show_their_first_result_and_clear_finished_empties_the_list(qtbot: Any, studio: Studio) -> None:
    done = wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="a kite", num_images=2)))
    wait_jobs_finished(qtbot, studio, 1)
    model = studio.window.controller.jobs_model
    index = model.index(model.row_of(done.id) or 0)
    qtbot.waitUntil(lambda: isinstance(index.data(JobRole.THUMBNAIL), QPixmap), timeout=10000)
    assert not index.data(JobRole.THUMBNAIL).isNull()
    clear = button(studio, "job-clear-finished")
    # (a click goes to what is on screen at the button's place: the button must be showing)
    qtbot.waitUntil(lambda: clear.isEnabled() and clear.isVisible(), timeout=2000)
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    # (a journal write on a worker thread: on a loaded machine it may wait behind the library's own)
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=15000)
    assert not clear.isEnabled()
    assert studio.services.gallery.get_job(done.id) is not None  # the journal keeps it


def test_shift_x_cancels_the_running_job_not_the_selected_one(qtbot: Any, studio: Studio) -> None:
    queue = studio.services.queue
    queue.capacity = 1
    studio.sandbox.inject(Fault.latency(10, endpoint="generate"))
    running = wait_for(qtbot, queue.submit(GenerateRequest(prompt="slow")))
    waiting = wait_for(qtbot, queue.submit(GenerateRequest(prompt="next")))
    qtbot.waitUntil(lambda: running.state is JobState.SENDING, timeout=5000)
    panel = studio.window.jobs_panel
    panel.select_job(waiting.id)
    studio.window.activateWindow()
    qtbot.waitUntil(panel.cancel_running_action.isEnabled, timeout=2000)
    QTest.keyClick(studio.window, Qt.Key.Key_X, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: running.state is JobState.CANCELLED, timeout=5000)
    assert waiting.state is not JobState.CANCELLED
    assert panel.cancel_running_action.shortcut().toString() == "Shift+X"
    assert panel.cancel_running_action in studio.window.menus.jobs.actions()


def test_a_retried_job_takes_its_row_and_follows_the_new_state(qtbot: Any, studio: Studio) -> None:
    studio.sandbox.inject(Fault.error(400, endpoint="generate", times=1))
    failed = wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="try again")))
    wait_jobs_finished(qtbot, studio, 1)
    assert failed.state is JobState.FAILED
    panel = studio.window.jobs_panel
    model = studio.window.controller.jobs_model
    panel.select_job(failed.id)
    qtbot.mouseClick(button(studio, "job-retry"), Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 2)
    retry = next(j for j in studio.jobs() if j.id != failed.id)
    assert model.rowCount() == 1 and model.job_at(0) is retry  # the same row, now the retry
    assert model.index(0).data(JobRole.STATE) == "done"
    assert panel.selected_job() is retry  # the selection stayed on the row


def test_every_label_is_in_words(qtbot: Any, studio: Studio) -> None:
    rows = [(GenerateRequest(prompt=f"poster {i}"), {"batch": "posters", "batch_row": i}) for i in (1, 2)]
    wait_for(qtbot, studio.services.queue.submit_many(rows))
    wait_jobs_finished(qtbot, studio, 2)
    model = studio.window.controller.jobs_model
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, JobRole.DETAIL, JobRole.COST)
    texts = [str(model.index(r).data(role)) for r in range(model.rowCount()) for role in roles]
    texts += [studio.window.jobs_panel.batch_bar.label.text()]
    assert texts and not [t for t in texts if HEX_ID.search(t)]


def test_a_narrow_row_shows_whole_words_or_nothing() -> None:
    from ideogram_studio.ui.shell.jobs_panel import row_detail

    full = "Cancelled before it was sent; nothing was billed."
    assert row_detail(full, "", lambda t: len(t) <= 60, "unused") == full
    assert row_detail(full, "", lambda t: len(t) <= 30, "Cancelled before it was…") == "Cancelled before it was…"
    assert row_detail(full, "", lambda t: len(t) <= 2, "C…") == ""  # not a word: nothing, not "C…"
    assert row_detail(full, "", lambda t: False, "…") == ""
    assert row_detail("1 image", "", lambda t: len(t) <= 5, "1 ima…") == "1 ima…"
    failed = "The service refused the prompt. It said: no."
    assert row_detail(failed, "Failed: see Details…", lambda t: len(t) <= 20, "The se…") == "Failed: see Details…"
