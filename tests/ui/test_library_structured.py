"""The library's details say a 4.x result's structured prompt in words (its high-level description
and elements), not as raw JSON; the JSON is in the row's tooltip and one click copies it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from ideogram_studio.api import GenerateRequest
from ideogram_studio.secrets import MemoryStore

from .helpers import Studio, close_studio, generate, open_studio, select_row, wait_jobs_finished

L = Qt.MouseButton.LeftButton
CAPTION = {
    "high_level_description": "A travel poster",
    "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                          "color_palette": ["#112233"]},
    "compositional_deconstruction": {"background": "cream", "elements": [
        {"type": "text", "bbox": [600, 100, 800, 900], "text": "NORTH LIGHT", "desc": "headline"},
        {"type": "obj", "bbox": [100, 300, 500, 700], "desc": "a lighthouse"}]},
}  # fmt: skip


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def prompt_cell(qtbot: Any, studio: Studio, image_hash: str) -> QWidget:
    """The Prompt row's value cell of the library's details for the image."""
    studio.window.library.show_library(True)
    page = studio.window.library.page
    detail = page.detail

    def shown() -> bool:
        # (The page showing for the first time reloads its rows: a selection made before is lost.)
        if page.model.rowCount() and page.current_hash() != image_hash:
            select_row(page, 0)
        return detail.current_hash() == image_hash

    qtbot.waitUntil(shown, timeout=10000)
    qtbot.waitUntil(lambda: detail.findChild(QToolButton, "use-prompt") is not None, timeout=10000)
    button = detail.findChild(QToolButton, "use-prompt")
    assert button is not None
    cell = button.parentWidget()
    assert cell is not None
    return cell


def test_a_structured_prompt_is_said_in_words_with_its_json_a_click_away(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    p.set_model("ideogram-4-5")
    p.structured_box.set_value(CAPTION)
    qtbot.mouseClick(p.generate_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[-1]
    assert job.state.value == "done", job.error
    cell = prompt_cell(qtbot, studio, job.result_hashes[0])
    value = cell.findChild(QLabel, "value")
    assert value is not None
    shown = "".join(c for c in value.text() if not 0x2066 <= ord(c) <= 0x2069)  # (without the bidi isolates)
    assert shown.splitlines() == ["Layout: A travel poster (2 elements)", 'Text "NORTH LIGHT": headline',
                                  "Object: a lighthouse"]  # fmt: skip
    assert "{" not in shown  # no JSON
    assert "high_level_description" in value.toolTip()  # the JSON on hover
    copy = cell.findChild(QToolButton, "copy-json")
    assert copy is not None and copy.isVisible()
    with qtbot.waitSignal(studio.window.library.page.detail.message, timeout=2000):
        qtbot.mouseClick(copy, L)
    assert json.loads(QGuiApplication.clipboard().text()) == CAPTION


def test_a_text_prompt_is_shown_as_it_is(qtbot: Any, studio: Studio) -> None:
    (image_hash,) = generate(qtbot, studio, GenerateRequest(prompt="A fox in the snow"), 1)
    cell = prompt_cell(qtbot, studio, image_hash)
    value = cell.findChild(QLabel, "value")
    assert value is not None and "A fox in the snow" in value.text()
    assert cell.findChild(QToolButton, "copy-json") is None
