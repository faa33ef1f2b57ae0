"""The library inside the studio window: Ctrl+L, open, reuse settings rebuilt from the gallery
alone, Send to Edit, Describe offered as a Generate prompt, Upscale stored with lineage."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ideogram_studio.api.enums import StylePreset
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest, GenerateRequest, UpscaleRequest
from ideogram_studio.jobs.reuse import request_for_image
from ideogram_studio.secrets import MemoryStore

from ..core.helpers import mask_bytes, png_bytes
from .helpers import Studio, close_studio, generate, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Any:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_ctrl_l_shows_the_library_and_a_mode_brings_the_studio_back(qtbot: Any, studio: Studio) -> None:
    link = studio.window.library
    qtbot.keyClick(studio.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert link.is_showing_library() and not studio.window.modes_toolbar.isVisible()
    studio.window.set_mode("edit")
    assert not link.is_showing_library() and studio.window.modes_toolbar.isVisible()


def test_new_results_appear_in_the_library(qtbot: Any, studio: Studio) -> None:
    page = studio.window.library.page
    before = page.model.rowCount()
    generate(qtbot, studio, GenerateRequest(prompt="a heron", num_images=2), 1)
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 2, timeout=5000)


def test_reuse_settings_from_the_library_fills_the_edit_mode_exactly(qtbot: Any, studio: Studio) -> None:
    source = ImageFile.from_bytes(png_bytes(96, 64), "s.png")
    mask = ImageFile.from_bytes(mask_bytes(96, 64, (10, 10, 40, 40)), "m.png")
    request = EditRequest(prompt="a red hat", image=source, mask=mask, seed=5, style_preset=StylePreset.WATERCOLOR)
    (result, *_) = generate(qtbot, studio, request, 1)
    rebuilt, tags = request_for_image(studio.services.gallery, result)
    assert rebuilt == request and tags == {}
    studio.window.library.page.reuse_requested.emit(result)
    qtbot.waitUntil(lambda: studio.window.current_mode() == "edit", timeout=5000)
    assert studio.window.mode_panel("edit").request() == request


def test_send_to_edit_from_the_library(qtbot: Any, studio: Studio) -> None:
    (result, *_) = generate(qtbot, studio, GenerateRequest(prompt="a boat"), 1)
    studio.window.library.page.send_to_requested.emit("edit", result)
    qtbot.waitUntil(lambda: studio.window.current_mode() == "edit", timeout=5000)
    source = studio.window.mode_panel("edit").source_picker.image()
    assert source is not None and source.data == studio.services.gallery.read_bytes(result)


def test_describe_is_offered_as_a_generate_prompt(qtbot: Any, studio: Studio) -> None:
    (result, *_) = generate(qtbot, studio, GenerateRequest(prompt="a lamp"), 1)
    studio.window.library.page.describe_requested.emit(result)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in studio.window.children()),
                    timeout=10000)
    box = next(w for w in studio.window.children() if isinstance(w, QMessageBox) and w.isVisible())
    use = next(b for b in box.buttons() if "Generate prompt" in b.text())
    described = box.text()
    use.click()
    qtbot.waitUntil(lambda: studio.window.generate_panel.prompt_edit.toPlainText() == described, timeout=5000)
    assert studio.window.current_mode() == "generate"


def test_upscale_is_stored_with_lineage(qtbot: Any, studio: Studio) -> None:
    (result, *_) = generate(qtbot, studio, GenerateRequest(prompt="a kite"), 1)
    studio.window.library.page.upscale_requested.emit(result, 70, 40)
    wait_jobs_finished(qtbot, studio, 2)
    job = studio.jobs()[-1]
    assert isinstance(job.request, UpscaleRequest) and job.request.resemblance == 70
    (upscaled,) = job.result_hashes
    parents = studio.services.gallery.parents(upscaled)
    assert [(p.parent, p.role) for p in parents] == [(result, "image")]
