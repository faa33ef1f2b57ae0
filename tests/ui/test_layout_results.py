"""Ideogram 4.x results in the real window on the in-process sandbox: the layout editor in the
centre, results that keep their structured prompt, Reproduce and Vary from the result menu and
the library, "Reuse settings" of a 4.x result into Generate, and v2 prompts in the prompt library."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMenu

from ideogram_studio.api import GenerateRequest
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.result_menu import result_menu

from .helpers import Studio, close_studio, generate, open_studio, select_row, wait_jobs_finished

L = Qt.MouseButton.LeftButton
CAPTION = {
    "high_level_description": "A travel poster",
    "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                          "color_palette": ["#112233"]},
    "compositional_deconstruction": {"background": "cream", "elements": [
        {"type": "text", "bbox": [600, 100, 800, 900], "text": "NORTH LIGHT", "desc": "headline",
         "color_palette": ["#AA2200"]},
        {"type": "obj", "bbox": [100, 300, 500, 700], "desc": "a lighthouse"}]},
}  # fmt: skip


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def structured_result(qtbot: Any, studio: Studio, count: int = 1) -> str:
    p = studio.panel
    p.set_model("ideogram-4-5")
    p.structured_box.set_value(CAPTION)
    qtbot.mouseClick(p.generate_button, L)
    wait_jobs_finished(qtbot, studio, count)
    job = studio.jobs()[-1]
    assert job.state.value == "done", job.error
    return str(job.result_hashes[0])


def pixels(studio: Studio, image_hash: str) -> bytes:
    """The decoded picture (the stored files differ in their metadata: each keeps its own request)."""
    with Image.open(io.BytesIO(studio.services.gallery.read_bytes(image_hash))) as img:
        return img.convert("RGBA").tobytes()


def item(menu: QMenu, text: str) -> Any:
    found = [a for a in menu.actions() if a.text() == text]
    assert found, [a.text() for a in menu.actions()]
    return found[0]


def test_layout_opens_in_the_centre_and_leaves_with_a_model_that_has_none(qtbot: Any, studio: Studio) -> None:
    w, p = studio.window, studio.panel
    p.set_model("ideogram-4")
    p.structured_box.set_value(CAPTION)
    qtbot.mouseClick(p.structured_box.layout_button, L)
    editor = p.layout_editor()
    qtbot.waitUntil(editor.isVisible, timeout=5000)
    assert w.is_showing_canvas()
    switch = w.findChild(type(w._centre_bar), "centre-switch")
    assert switch.isVisible() and switch.canvas_button.text() == "Layout"
    assert [b.element.desc for b in editor.canvas.boxes()] == ["headline", "a lighthouse"]
    # Drag the lighthouse with the mouse inside the real window: the panel's JSON follows.
    vp = editor.canvas.viewport()
    a = editor.canvas.map_from_image(QPointF(512, 300)).toPoint()
    b = editor.canvas.map_from_image(QPointF(512, 200)).toPoint()
    qtbot.mousePress(vp, L, pos=a)
    qtbot.mouseMove(vp, (a + b) / 2)
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, L, pos=b)
    bbox = json.loads(p.structured_box.text())["compositional_deconstruction"]["elements"][1]["bbox"]
    assert bbox == pytest.approx([2, 300, 402, 700], abs=3)
    switch.toggle_action.trigger()  # F6: the results
    assert not w.is_showing_canvas() and switch.canvas_button.text() == "Layout"
    switch.toggle_action.trigger()
    assert w.is_showing_canvas()
    p.set_model("ideogram-3-v1")
    assert not w.is_showing_canvas() and not switch.isVisible()


def test_a_4x_result_keeps_its_structured_prompt_and_the_prompt_library_has_it(qtbot: Any, studio: Studio) -> None:
    result = structured_result(qtbot, studio)
    meta = studio.services.gallery.metadata(result)
    assert meta["request"]["json_prompt"] == CAPTION
    assert json.loads(meta["response"]["prompt"]) == CAPTION  # the caption the service used
    row = studio.services.gallery.get(result)
    assert row is not None and json.loads(str(row.prompt)) == CAPTION  # the library's prompt: Copy prompt, search
    # The viewer's caption says it in words, not as JSON.
    viewer = studio.window.viewer
    qtbot.waitUntil(lambda: "Layout: " in viewer.caption(), timeout=10000)
    assert f"Layout: {CAPTION['high_level_description']}" in viewer.caption() and "{" not in viewer.caption()
    history = studio.window.controller.prompt_history
    qtbot.waitUntil(lambda: bool(history._library.search("NORTH LIGHT")), timeout=5000)
    (entry,) = history._library.search("NORTH LIGHT")
    assert json.loads(entry.text) == CAPTION


def test_reproduce_makes_the_same_image_and_vary_a_new_seed(qtbot: Any, studio: Studio) -> None:
    first = structured_result(qtbot, studio)
    gallery = studio.services.gallery
    seed = gallery.get(first).seed
    item(result_menu(studio.window, first), "Reproduce").trigger()
    wait_jobs_finished(qtbot, studio, 2)
    again = studio.jobs()[-1]
    assert isinstance(again.request, V2Request) and again.state.value == "done", again.error
    assert again.request.json_prompt == CAPTION and again.request.values["seed"] == seed
    assert again.request.values["magic_prompt"] == "off"
    assert pixels(studio, again.result_hashes[0]) == pixels(studio, first)  # the same picture
    item(result_menu(studio.window, first), "Vary").trigger()
    wait_jobs_finished(qtbot, studio, 3)
    varied = studio.jobs()[-1]
    assert varied.state.value == "done", varied.error
    assert varied.request.json_prompt == CAPTION and varied.request.values["seed"] != seed
    assert gallery.get(varied.result_hashes[0]).seed == varied.request.values["seed"]
    assert pixels(studio, varied.result_hashes[0]) != pixels(studio, first)


def test_reproduce_and_vary_from_the_library(qtbot: Any, studio: Studio) -> None:
    first = structured_result(qtbot, studio)
    page = studio.window.library.page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    select_row(page, 0)
    qtbot.waitUntil(lambda: page.current_hash() == first, timeout=10000)
    actions = page.library_actions
    assert actions.reproduce in actions.context_menu.actions() and actions.vary.isEnabled()
    actions.reproduce.trigger()
    wait_jobs_finished(qtbot, studio, 2)
    assert studio.jobs()[-1].request.values["seed"] == studio.services.gallery.get(first).seed
    actions.vary.trigger()
    wait_jobs_finished(qtbot, studio, 3)
    assert studio.jobs()[-1].request.values["seed"] != studio.services.gallery.get(first).seed


def test_reproduce_and_vary_of_a_3_0_result(qtbot: Any, studio: Studio) -> None:
    (first,) = generate(qtbot, studio, GenerateRequest(prompt="a green kettle"), 1)
    seed = studio.services.gallery.get(first).seed
    item(result_menu(studio.window, first), "Reproduce").trigger()
    wait_jobs_finished(qtbot, studio, 2)
    again = studio.jobs()[-1]
    assert isinstance(again.request, GenerateRequest)
    assert again.request.seed == seed and again.request.prompt == "a green kettle"
    item(result_menu(studio.window, first), "Vary").trigger()
    wait_jobs_finished(qtbot, studio, 3)
    varied = studio.jobs()[-1].request
    assert varied.prompt == "a green kettle" and varied.seed is not None and varied.seed != seed


def test_reuse_settings_of_a_4x_result_fills_generate(qtbot: Any, studio: Studio) -> None:
    first = structured_result(qtbot, studio)
    p = studio.panel
    p.set_model("ideogram-3-v1")
    p.structured_box.clear()
    studio.window.library._reuse(first)
    qtbot.waitUntil(lambda: p.model() == "ideogram-4-5", timeout=10000)
    assert json.loads(p.structured_box.text()) == CAPTION
    assert "reused in Generate" in studio.window.statusBar().currentMessage()
    request = p.request()
    assert isinstance(request, V2Request) and request.json_prompt == CAPTION
