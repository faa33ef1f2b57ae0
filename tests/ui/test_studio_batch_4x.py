"""A batch started from a 4.x form runs that model, and its total comes from the service's quotes
before it starts (in the real window, on the in-process sandbox)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_a_batch_from_a_4_5_form_is_quoted_then_runs_4_5(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    p.set_model("ideogram-4-5")
    p.model_row.set_quality("low")
    qtbot.keyClicks(p.prompt_edit, "a {red|blue} mug")
    dialog = studio.window.open_batch()
    assert "asking Ideogram" in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.quote() is not None, timeout=10000)
    assert dialog.summary.text() == "2 request(s) · 2 image(s) · $0.06 (Ideogram's quote, exact)"
    quote = dialog.quote()
    assert quote is not None and quote.quoted == 2
    dialog.template_edit.setPlainText("a {red|blue|green} mug")  # a new plan: its own total, asked again
    assert dialog.quote() is None
    qtbot.waitUntil(lambda: "$0.09 (Ideogram's quote" in dialog.summary.text(), timeout=10000)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 3)
    jobs = studio.jobs()
    assert all(isinstance(j.request, V2Request) and j.request.model == "ideogram-4-5" for j in jobs)
    assert sorted(j.request.values["prompt"] for j in jobs) == ["a blue mug", "a green mug", "a red mug"]
    assert all(j.request.values["quality"] == "low" and j.state.value == "done" for j in jobs)


def test_a_sheet_is_refused_for_a_4x_batch_with_the_reason(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    studio.panel.set_model("ideogram-4")
    qtbot.keyClicks(studio.panel.prompt_edit, "a poster")
    dialog = studio.window.open_batch()
    sheet = tmp_path / "rows.csv"
    sheet.write_text("prompt\nposter one\n", "utf-8")
    dialog.tabs.setCurrentIndex(1)
    dialog.load_sheet(sheet)
    assert "Ideogram 3.0" in dialog.sheet_label.text() and not dialog.send_button.isEnabled()
