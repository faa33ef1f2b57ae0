"""Precise Edit and remove object in the real window on the in-process sandbox: quoted by the service
once the form settles, sent through the queue, the result shown before/after at the input's exact
size, and the job's row showing what it cost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from ideogram_studio.api.context_window import ContextWindow
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.job_model import JobRole

from .helpers import Studio, close_studio, edit_panel_with_source, open_studio, wait_jobs_finished

SIZE = (700, 500)


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_precise_edit_is_quoted_sent_and_shown_before_after_at_the_input_size(qtbot: Any, studio: Studio) -> None:
    panel = edit_panel_with_source(qtbot, studio, SIZE)
    panel.set_model("ideogram-4-5")
    panel.model_row.set_quality("low")
    panel.context_tool.set_window(ContextWindow(0, 0, 300, 400))
    qtbot.keyClicks(panel.prompt_edit, "a red door")
    qtbot.waitUntil(lambda: "Ideogram's quote" in panel.cost_label.text(), timeout=10000)
    assert "$0.03 for 1 image" in panel.cost_label.text() and studio.sandbox.quotes == 1
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/image/precise-edit/ideogram-4-5"
    assert job.request.values["context_window"] == "0,0,300,400"
    assert job.state.value == "done", job.error
    viewer = studio.window.viewer
    qtbot.waitUntil(viewer.is_comparing, timeout=10000)
    before, after = viewer.before_image(), viewer.image()
    assert before is not None and after is not None
    assert (before.width(), before.height()) == SIZE == (after.width(), after.height())
    row = studio.window.controller.jobs_model.index(0, 0)
    assert row.data(JobRole.COST) == "$0.03 charged"


def test_remove_object_goes_out_inverted_and_comes_back_compared(qtbot: Any, studio: Studio) -> None:
    panel = edit_panel_with_source(qtbot, studio, SIZE)
    panel.set_model("ideogram-1")
    assert panel.validation_error() is not None and panel.validation_error().text == "Paint what to remove first."
    canvas = panel.canvas
    canvas.set_tool("rect")
    qtbot.waitUntil(canvas.isVisible)
    viewport = canvas.viewport()
    a, b = canvas.map_from_image(QPointF(100, 100)).toPoint(), canvas.map_from_image(QPointF(300, 250)).toPoint()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/image/remove-object/ideogram-1"
    mask = job.request.uploads["mask"][0].pil()
    assert mask.getpixel((200, 170)) == 255 and mask.getpixel((600, 450)) == 0  # white = remove
    viewer = studio.window.viewer
    qtbot.waitUntil(viewer.is_comparing, timeout=10000)
    after = viewer.image()
    assert after is not None and (after.width(), after.height()) == SIZE
