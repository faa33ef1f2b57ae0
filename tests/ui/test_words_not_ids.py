"""Words, not identifiers (issue 14): job rows name presets as the picker writes them, a result sent
to a mode is named by its date and size, an option without a published price says so plainly."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ideogram_studio.api.enums import StylePreset
from ideogram_studio.resources.catalog import style_presets
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.job_model import JobRole

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def titles(studio: Studio) -> list[str]:
    model = studio.window.controller.jobs_model
    return [str(model.index(row).data(JobRole.TITLE)) for row in range(model.rowCount())]


def test_compare_and_preview_jobs_name_the_preset_in_words(qtbot: Any, studio: Studio) -> None:
    poster = next(info.name for info in style_presets() if info.preset is StylePreset.TRAVEL_POSTER)
    studio.window.controller.request_compare("a harbour", [StylePreset.TRAVEL_POSTER])
    studio.window.controller.request_previews("a harbour", [StylePreset.EXPIRED_FILM])
    wait_jobs_finished(qtbot, studio, 2)
    shown = titles(studio)
    assert f"Compare · {poster}" in shown
    assert any(t.startswith("Preview · ") and "EXPIRED" not in t for t in shown)
    assert not any(re.search(r"[A-Z]{2,}_[A-Z]", t) for t in shown), shown
    # The compare's batch is named in words: in the batch bar and as its results' library tag.
    bar = studio.window.jobs_panel.batch_bar
    qtbot.waitUntil(lambda: "compare a harbour" in bar.label.toolTip(), timeout=5000)
    compare_result = next(j for j in studio.jobs() if j.tags.get("kind") == "compare").result_hashes[0]
    qtbot.waitUntil(lambda: any(t.startswith("batch ") for t in tags_of(studio, compare_result)), timeout=5000)
    for text in [bar.label.toolTip(), *tags_of(studio, compare_result)]:
        assert not re.search(r"\b[0-9a-f]{8,}\b", text), text


def tags_of(studio: Studio, image_hash: str) -> tuple[str, ...]:
    row = studio.services.gallery.get(image_hash)
    return row.tags if row is not None else ()


def test_a_result_sent_to_a_mode_is_named_by_date_and_size(qtbot: Any, studio: Studio) -> None:
    qtbot.keyClicks(studio.panel.prompt_edit, "a quiet harbour")
    QTest.keyClick(studio.panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_jobs_finished(qtbot, studio, 1)
    image_hash = studio.jobs()[0].result_hashes[0]
    future = asyncio.ensure_future(studio.window.controller.load_image_file(image_hash))
    qtbot.waitUntil(future.done, timeout=10000)
    name = future.result().filename
    assert image_hash[:8] not in name
    assert re.fullmatch(r"Result \d{4}-\d\d-\d\d \d\d\.\d\d \d+x\d+\.png", name), name
