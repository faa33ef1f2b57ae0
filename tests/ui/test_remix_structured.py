"""Remix on Ideogram 4.0 takes a structured prompt, as Generate does: the same box (Expand, the JSON,
the layout editor over the source), in the real window on the in-process sandbox. Expand's answer
reaches only the panel that asked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from ideogram_studio.api.registry import V1_MODEL
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.modes.remix import RemixPanel

from .helpers import Studio, close_studio, open_studio, spy_on_expand, wait_jobs_finished

L = Qt.MouseButton.LeftButton


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _remix_on_4(studio: Studio, tmp_path: Path, size: tuple[int, int] = (640, 480)) -> RemixPanel:
    studio.window.set_mode("remix")
    panel = studio.window.remix_panel
    path = tmp_path / "source.png"
    Image.new("RGB", size, (200, 120, 40)).save(path)
    assert panel.source_picker is not None and panel.source_picker.load_path(path)
    panel.set_model("ideogram-4")
    return panel


def test_expand_in_remix_fills_remix_only(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    remix = _remix_on_4(studio, tmp_path)
    generate = studio.window.generate_panel
    generate.set_model("ideogram-4-5")  # Generate's box is there too, and listening
    qtbot.keyClicks(generate.prompt_edit, "A poster reading \"GENERATE\"")
    qtbot.keyClicks(remix.prompt_edit, "The same street at night, a sign reading \"REMIX\"")
    assert remix.structured_box.isVisible()
    qtbot.mouseClick(remix.structured_box.expand_button, L)
    qtbot.waitUntil(remix.structured_box.in_use, timeout=10000)
    caption = json.loads(remix.structured_box.text())
    assert caption["high_level_description"].startswith("The same street at night")
    assert not generate.structured_box.in_use()  # the answer was Remix's alone
    assert remix.structured_box.expand_button.isEnabled()

    # Both ask at once: each gets its own answer (one ask no longer replaces the other's).
    remix.structured_box.clear()
    qtbot.mouseClick(generate.structured_box.expand_button, L)
    qtbot.mouseClick(remix.structured_box.expand_button, L)
    qtbot.waitUntil(lambda: generate.structured_box.in_use() and remix.structured_box.in_use(), timeout=10000)
    texts = {
        json.loads(p.structured_box.text())["compositional_deconstruction"]["elements"][0]["text"]
        for p in (generate, remix)
    }
    assert json.loads(generate.structured_box.text())["high_level_description"].startswith("A poster")
    assert json.loads(remix.structured_box.text())["high_level_description"].startswith("The same street")
    assert texts == {"GENERATE", "REMIX"}
    assert generate.structured_box.expand_button.isEnabled() and remix.structured_box.expand_button.isEnabled()


def test_expand_asks_for_the_frame_the_boxes_are_drawn_in(
    qtbot: Any, studio: Studio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = spy_on_expand(studio, monkeypatch)
    remix = _remix_on_4(studio, tmp_path, (1200, 800))  # the source is the frame: 3:2
    qtbot.keyClicks(remix.prompt_edit, "A shop front with a sign reading \"OPEN\"")
    qtbot.mouseClick(remix.structured_box.expand_button, L)
    qtbot.waitUntil(remix.structured_box.in_use, timeout=10000)
    assert asked == ["3x2"]


def test_a_remix_on_4_sends_the_structured_prompt(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    remix = _remix_on_4(studio, tmp_path)
    qtbot.keyClicks(remix.prompt_edit, "A shop front with a sign reading \"OPEN\"")
    qtbot.mouseClick(remix.structured_box.expand_button, L)
    qtbot.waitUntil(remix.structured_box.in_use, timeout=10000)
    caption = json.loads(remix.structured_box.text())
    caption["high_level_description"] = "A shop front at dusk"  # an edit of the JSON is what is sent
    remix.structured_box.set_value(caption)
    assert "sentence above is not sent" in remix.structured_box.message.text()
    qtbot.waitUntil(remix.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(remix.send_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/image/remix/ideogram-4"
    assert job.request.json_prompt == caption and "prompt" not in job.request.values
    assert job.state.value == "done", job.error
    kind, parts = job.request.body()  # what went to the sandbox: the JSON as the prompt, magic prompt off
    assert kind == "multipart"
    prompts = [value[1] for name, value in parts if name == "prompt"]  # type: ignore[index]
    assert len(prompts) == 1 and json.loads(prompts[0]) == caption
    # The sandbox took it as the structured prompt it is (no magic prompt over it): the prompt it reports
    # as used is the one sent (stored as no separate prompt_used), the result's prompt is the caption.
    row = studio.services.gallery.get(job.result_hashes[0])
    assert row is not None and row.prompt is not None and json.loads(row.prompt) == caption
    assert row.prompt_used is None


def test_switching_remix_back_to_3_hides_the_box_with_the_reason(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    remix = _remix_on_4(studio, tmp_path)
    note = remix.model_row.unused_label
    assert remix.structured_box.isVisible()
    assert "structured prompt" not in note.text().lower()
    remix.set_model(V1_MODEL)
    assert not remix.structured_box.isVisible()
    assert note.isVisible() and "structured prompt" in note.text()
    assert "Structured prompt: Ideogram 3.0 takes a text prompt only" in note.toolTip()
    remix.set_model("ideogram-4")
    assert remix.structured_box.isVisible() and "structured prompt" not in note.text().lower()


def test_the_layout_editor_of_a_remix_is_framed_by_the_source(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    remix = _remix_on_4(studio, tmp_path, (900, 600))
    qtbot.mouseClick(remix.structured_box.layout_button, L)
    qtbot.waitUntil(studio.window.is_showing_canvas, timeout=5000)
    editor = remix.layout_editor()
    assert editor.canvas.frame_size() == (900, 600)

    def centre() -> tuple[int, int, int]:
        view = editor.canvas.viewport()
        colour = view.grab().toImage().pixelColor(view.width() // 2, view.height() // 2)
        return colour.red(), colour.green(), colour.blue()

    assert centre() == (200, 120, 40)  # the source under the (still empty) layout
    assert remix.source_picker is not None
    remix.source_picker.clear()  # no source: a blank frame (of the same size: the model keeps the source's)
    assert centre() != (200, 120, 40)
    remix.set_model(V1_MODEL)  # no structured prompt: the canvas goes, the results show
    qtbot.waitUntil(lambda: not studio.window.is_showing_canvas(), timeout=5000)


def test_reuse_settings_of_a_4_0_remix_fills_remix(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    remix = _remix_on_4(studio, tmp_path, (800, 600))
    qtbot.keyClicks(remix.prompt_edit, "A harbour at dawn, a banner reading \"WELCOME\"")
    qtbot.mouseClick(remix.structured_box.expand_button, L)
    qtbot.waitUntil(remix.structured_box.in_use, timeout=10000)
    caption = json.loads(remix.structured_box.text())
    remix.set_image_weight(70)
    qtbot.waitUntil(remix.send_button.isEnabled, timeout=5000)
    qtbot.mouseClick(remix.send_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    # The form moves on (3.0, no source, no JSON), then the result's settings come back from the library.
    remix.set_model(V1_MODEL)
    remix.structured_box.clear()
    assert remix.source_picker is not None
    remix.source_picker.clear()
    remix.set_image_weight(20)
    studio.window.library._reuse(job.result_hashes[0])
    qtbot.waitUntil(lambda: remix.model() == "ideogram-4", timeout=10000)
    assert "reused in Remix" in studio.window.statusBar().currentMessage()
    assert json.loads(remix.structured_box.text()) == caption
    assert remix.image_weight() == 70
    source = remix.source_picker.image()
    assert source is not None and source.size == (800, 600)
    request = remix.request()
    assert isinstance(request, V2Request) and request.json_prompt == caption
