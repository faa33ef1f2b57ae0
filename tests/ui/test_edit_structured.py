"""Edit on Precise Edit 4.5 takes Ideogram 4's structured prompt, as Generate and Remix do: the same
box under the prompt (Expand in the source's shape, the JSON checked at the box and sent instead of
the sentence), without the layout editor (Edit's centre is the mask canvas). In the real window on the
in-process sandbox, with a painted mask."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from ideogram_studio.api.registry import V1_MODEL
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.modes.edit import EditPanel
from ideogram_studio.ui.modes.generate import GeneratePanel

from .helpers import Studio, close_studio, edit_panel_with_source, open_studio, spy_on_expand, wait_jobs_finished

L = Qt.MouseButton.LeftButton
SIZE = (900, 600)  # 3:2, the aspect ratio Expand is asked for


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _precise_edit(qtbot: Any, studio: Studio) -> EditPanel:
    """Edit on Precise Edit 4.5 with a source and a rectangle painted on it."""
    panel = edit_panel_with_source(qtbot, studio, SIZE)
    panel.set_model("ideogram-4-5")
    canvas = panel.canvas
    canvas.set_tool("rect")
    qtbot.waitUntil(canvas.isVisible)
    viewport = canvas.viewport()
    a, b = canvas.map_from_image(QPointF(100, 100)).toPoint(), canvas.map_from_image(QPointF(400, 300)).toPoint()
    QTest.mousePress(viewport, L, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, L, Qt.KeyboardModifier.NoModifier, b)
    qtbot.waitUntil(lambda: canvas.coverage_ratio() > 0)
    return panel


def test_expand_fills_the_box_and_the_json_is_sent_instead_of_the_sentence(
    qtbot: Any, studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = spy_on_expand(studio, monkeypatch)
    panel = _precise_edit(qtbot, studio)
    box = panel.structured_box
    assert box.isVisible()
    # No layout editor in Edit: the box has no Layout button (the centre is the mask canvas).
    assert not box.offers_layout() and box.findChild(QPushButton, "layoutButton") is None
    qtbot.keyClicks(panel.prompt_edit, "A shop sign reading \"OPEN\" over the door")
    qtbot.mouseClick(box.expand_button, L)
    qtbot.waitUntil(box.in_use, timeout=10000)
    assert asked == ["3x2"]  # in the source's shape
    caption = json.loads(box.text())
    assert caption["high_level_description"].startswith("A shop sign reading")
    caption["high_level_description"] = "A shop sign at dusk"  # an edit of the JSON is what is sent
    box.set_value(caption)
    qtbot.waitUntil(lambda: "sentence above is not sent" in box.message.text(), timeout=5000)
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(panel.send_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/image/precise-edit/ideogram-4-5"
    assert job.request.json_prompt == caption and "prompt" not in job.request.values
    assert "mask" in job.request.uploads  # the painted mask went with it
    assert job.state.value == "done", job.error
    kind, parts = job.request.body()
    assert kind == "multipart"
    prompts = [value[1] for name, value in parts if name == "prompt"]  # type: ignore[index]
    assert len(prompts) == 1 and json.loads(prompts[0]) == caption  # the JSON, never the sentence too
    # Reusing the job brings the structured prompt back into the box (and no sentence).
    again = EditPanel()
    qtbot.addWidget(again)
    again.set_request(job.request)
    assert again.model() == "ideogram-4-5" and json.loads(again.structured_box.text()) == caption
    assert again.prompt_text() == ""


def test_a_json_that_breaks_the_schema_blocks_sending_with_a_message_at_the_box(qtbot: Any, studio: Studio) -> None:
    panel = _precise_edit(qtbot, studio)
    box = panel.structured_box
    qtbot.keyClicks(panel.prompt_edit, "a red door")
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)  # the sentence alone can be sent
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, '{"high_level_description": "a red door"}')
    qtbot.waitUntil(lambda: not panel.send_button.isEnabled(), timeout=5000)
    assert box.message.kind() == "error" and box.message.text().startswith("Structured prompt")
    assert panel.field_message("prompt").text() == ""  # the sentence is not what is wrong
    qtbot.mouseClick(panel.send_button, L)
    assert studio.jobs() == []
    box.clear()  # empty again: the sentence is sent
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)


def test_a_model_without_structured_prompts_hides_the_box_with_the_reason(qtbot: Any, studio: Studio) -> None:
    panel = _precise_edit(qtbot, studio)
    note = panel.model_row.unused_label
    assert panel.structured_box.isVisible() and "structured prompt" not in note.text().lower()
    panel.set_model(V1_MODEL)
    assert not panel.structured_box.isVisible()
    assert note.isVisible() and "structured prompt" in note.text()
    assert "Structured prompt: Ideogram 3.0 (inpaint) takes a text prompt only" in note.toolTip()
    panel.set_model("ideogram-1")  # remove object: no prompt at all
    assert not panel.structured_box.isVisible()
    assert "Structured prompt: Remove object takes no prompt" in note.toolTip()
    panel.set_model("ideogram-4-5")
    assert panel.structured_box.isVisible() and "structured prompt" not in note.text().lower()


def test_the_structured_prompt_survives_a_restart(qtbot: Any) -> None:
    panel = EditPanel()
    qtbot.addWidget(panel)
    panel.set_model("ideogram-4-5")
    half_done = '{"high_level_description": "a red door", "style_descr'  # as the designer left it
    panel.structured_box.set_text(half_done)
    state = json.loads(json.dumps(panel.state()))
    assert state["structured_prompt"] == half_done
    again = EditPanel()
    qtbot.addWidget(again)
    again.restore_state(state)
    assert again.model() == "ideogram-4-5" and again.structured_box.text() == half_done


def test_generate_names_a_broken_json_at_the_box_not_at_the_sentence(qtbot: Any) -> None:
    panel = GeneratePanel()
    qtbot.addWidget(panel)
    panel.set_model("ideogram-4-5")
    panel.prompt_edit.set_text("a red door")
    panel.structured_box.set_text('{"high_level_description": "a red door"}')
    qtbot.waitUntil(lambda: panel.structured_box.message.kind() == "error", timeout=5000)
    assert not panel.send_button.isEnabled()
    assert panel.field_message("prompt").text() == ""
