"""Ideogram 4.x in the real window on the in-process sandbox: the model picker's request goes
through the queue, and the cost line shows the sandbox's quote (asked once the form settles)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore

from .test_studio_window import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_a_4_5_generate_is_quoted_by_the_service_then_queued_as_v2(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    p.set_model("ideogram-4-5")
    p.model_row.set_quality("high")
    qtbot.keyClicks(p.prompt_edit, "A poster reading NORTH LIGHT")
    qtbot.waitUntil(lambda: "Ideogram's quote" in p.cost_label.text(), timeout=10000)
    assert studio.sandbox.quotes == 1  # the keystrokes settled into one ask
    assert "$0.10 for 1 image" in p.cost_label.text()

    qtbot.mouseClick(p.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert isinstance(job.request, V2Request) and job.request.model == "ideogram-4-5"
    assert job.request.values["quality"] == "high"
    assert job.state.value == "done", job.error
    assert job.quote is not None and job.quote["source"] == "service"
