"""Transparent results in the real window on the in-process sandbox: a transparent generation on
each model that can make one (3.0, 4.0 and 4.6) stores an image with alpha; a background removed
from the library keeps its transparency in the viewer and its lineage in the library's detail."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from ideogram_studio.api import GenerateRequest
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore

from .helpers import Studio, close_studio, generate, open_studio, select_row, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def has_transparency(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        return img.mode == "RGBA" and img.getchannel("A").getextrema()[0] < 255


@pytest.mark.parametrize(
    ("model", "endpoint"),
    [
        ("ideogram-3-v1", "/v2/image/generate/ideogram-3-transparent"),
        ("ideogram-4", "/v2/image/generate/ideogram-4-transparent"),
        ("ideogram-4-6", "/v2/image/generate/ideogram-4-6"),
    ],
)
def test_a_transparent_generation_on_each_model_that_can_stores_alpha(
    qtbot: Any, studio: Studio, model: str, endpoint: str
) -> None:
    p = studio.panel
    p.set_model(model)
    check = p.model_row.transparent_check
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))  # the box itself
    assert p.model_row.transparent()
    qtbot.keyClicks(p.prompt_edit, "A sticker of a fox")
    qtbot.mouseClick(p.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    assert isinstance(job.request, V2Request) and job.request.endpoint == endpoint
    (result,) = job.result_hashes
    assert has_transparency(studio.services.gallery.read_bytes(result))
    qtbot.waitUntil(lambda: studio.window.viewer.image() is not None, timeout=10000)
    assert studio.window.viewer.image().hasAlphaChannel()


def shown_hash(page: Any) -> str | None:
    info = page.detail.info()
    return None if info is None else str(info.row.hash)


def test_a_background_removed_in_the_library_keeps_alpha_and_lineage(qtbot: Any, studio: Studio) -> None:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a red mug on a table"), 1)
    page = studio.window.library.page
    studio.window.library.show_library(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    select_row(page, 0)
    qtbot.waitUntil(lambda: page.current_hash() == source, timeout=10000)
    page.library_actions.remove_background.trigger()
    wait_jobs_finished(qtbot, studio, 2)
    (cut,) = studio.jobs()[-1].result_hashes
    assert has_transparency(studio.services.gallery.read_bytes(cut))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    assert page.select_hash(cut)
    qtbot.waitUntil(lambda: shown_hash(page) == cut and page.detail.chain_hashes()[:2] == [source, cut], timeout=10000)
    step = page.detail._chain_buttons[cut][0]
    assert "this image" in step.text() and "remove background" in step.toolTip()  # (text in bidi isolates)
    # The source shows what was made from it.
    assert page.select_hash(source)
    qtbot.waitUntil(lambda: shown_hash(page) == source and cut in page.detail.chain_hashes(), timeout=10000)
    assert "remove background" in page.detail._chain_buttons[cut][0].text()
