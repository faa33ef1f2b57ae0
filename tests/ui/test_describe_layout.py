"""Describe as a layout (Ideogram 4) from the library, in the real window on the in-process sandbox:
the image comes back as a structured prompt, offered (never forced) for Generate, which switches
to a model that takes one and holds the prompt in its structured field."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from ideogram_studio.api import GenerateRequest
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore

from .helpers import Studio, close_studio, generate, open_studio, select_row, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _offer(qtbot: Any, studio: Studio) -> QMessageBox:
    found: list[QMessageBox] = []

    def shown() -> bool:
        found[:] = [b for b in studio.window.findChildren(QMessageBox) if b.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10000)
    return found[0]


def _describe_first(qtbot: Any, studio: Studio) -> tuple[str, QMessageBox]:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a lighthouse poster"), 1)
    page = studio.window.library.page
    studio.window.library.show_library(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    select_row(page, 0)
    qtbot.waitUntil(lambda: page.current_hash() == source, timeout=10000)
    page.library_actions.describe_layout.trigger()
    wait_jobs_finished(qtbot, studio, 2)
    job = studio.jobs()[-1]
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/image/describe/ideogram-4"
    assert job.request.values["include_bbox"] is True
    return source, _offer(qtbot, studio)


def test_a_described_layout_goes_into_generate_on_a_4x_model(qtbot: Any, studio: Studio) -> None:
    panel = studio.window.generate_panel
    assert panel.model() == "ideogram-3-v1"
    _source, box = _describe_first(qtbot, studio)
    assert box.windowTitle() == "Ideogram describes the image as a layout"
    assert "1 element placed in boxes" in box.text()
    (use,) = [b for b in box.buttons() if b.text() == "Use in Generate (Ideogram 4.5)"]
    use.click()
    qtbot.waitUntil(lambda: not studio.window.library.is_showing_library(), timeout=5000)
    assert studio.window.current_mode() == "generate" and panel.model() == "ideogram-4-5"
    assert panel.structured_box.isVisibleTo(panel)
    sent = json.loads(panel.structured_box.text())
    assert sent["compositional_deconstruction"]["elements"][0]["bbox"] == [100, 100, 900, 900]
    # The layout editor places the boxes over the image they describe.
    editor = panel.layout_editor()
    source = Image.open(io.BytesIO(studio.services.gallery.read_bytes(_source)))
    assert editor.canvas.frame_size() == source.size and editor.canvas._pixmap_item.isVisible()
    assert len(editor.canvas.boxes()) == 1


def test_a_declined_layout_leaves_generate_as_it_was(qtbot: Any, studio: Studio) -> None:
    panel = studio.window.generate_panel
    _source, box = _describe_first(qtbot, studio)
    box.reject()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    assert panel.model() == "ideogram-3-v1"
    assert studio.window.library.is_showing_library()
