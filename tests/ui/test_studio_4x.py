"""Ideogram 4.x in the real window on the in-process sandbox: the model picker's request goes
through the queue, and the cost line shows the sandbox's quote (asked once the form settles)."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from ideogram_studio.api import GenerateRequest
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore

from .helpers import Studio, close_studio, generate, open_studio, select_row, wait_jobs_finished


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


def _has_transparency(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        return img.mode == "RGBA" and img.getchannel("A").getextrema()[0] < 255


def _check_cut_out(studio: Studio, source: str) -> None:
    job = studio.jobs()[-1]
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/image/remove-background/ideogram-1"
    assert job.request.uploads["image"][0].data == studio.services.gallery.read_bytes(source)
    assert job.state.value == "done", job.error
    (cut,) = job.result_hashes
    assert _has_transparency(studio.services.gallery.read_bytes(cut))
    assert source in [link.parent for link in studio.services.gallery.parents(cut)]


def test_remove_background_is_one_click_in_the_viewer_and_strip_menu(qtbot: Any, studio: Studio) -> None:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a red mug on a table"), 1)
    assert not _has_transparency(studio.services.gallery.read_bytes(source))
    menu = studio.window.send_menu(source)  # the viewer's and the strip's context menu
    first = menu.actions()[0]
    assert first.text() == "Remove background"
    first.trigger()
    wait_jobs_finished(qtbot, studio, 2)
    _check_cut_out(studio, source)


def test_remove_background_from_the_library_actions(qtbot: Any, studio: Studio) -> None:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a blue vase"), 1)
    page = studio.window.library.page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    select_row(page, 0)
    qtbot.waitUntil(lambda: page.current_hash() == source, timeout=10000)
    action = page.library_actions.remove_background
    assert action.isEnabled()
    action.trigger()
    wait_jobs_finished(qtbot, studio, 2)
    _check_cut_out(studio, source)


def test_a_transparent_generate_stores_an_image_with_alpha(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    p.set_model("ideogram-4-6")
    p.model_row.transparent_check.setChecked(True)
    qtbot.keyClicks(p.prompt_edit, "A sticker of a fox")
    qtbot.mouseClick(p.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    assert job.request.values["background"] == "transparent"
    (result,) = job.result_hashes
    assert _has_transparency(studio.services.gallery.read_bytes(result))


def test_expand_through_the_controller_then_generate_with_the_structured_prompt(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    p.set_model("ideogram-4-5")
    qtbot.keyClicks(p.prompt_edit, "A travel poster reading NORTH LIGHT")
    qtbot.mouseClick(p.structured_box.expand_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.structured_box.in_use(), timeout=10000)
    caption = json.loads(p.structured_box.text())
    assert caption["compositional_deconstruction"]["elements"]  # the sandbox's magic prompt answered
    qtbot.mouseClick(p.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    assert job.request.json_prompt == caption and "prompt" not in job.request.values
