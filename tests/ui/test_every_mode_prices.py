"""Prices in every mode, in the real window on the in-process sandbox (issue 16 item 6): the cost line
shows the service's quote for the whole request (2 images where the model makes several) once the
form settles, and after the job its row shows what it cost — 'charged' (the service's usage, v2),
'quoted' (the exact quote of a v1 request's v2 twin: v1 says no cost) — or, where no quote can be
had (a character reference), the local table's estimate, labelled, and never a claimed cost; Upscale
and Describe say that no price is known before anything is sent."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.pricing import UNPRICED
from ideogram_studio.api.requests import Operation
from ideogram_studio.batch.pricing import local_price
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.library.detail_panel import LibraryDetail, UpscalePopover
from ideogram_studio.ui.modes.edit import MaskedPanel
from ideogram_studio.ui.modes.mode_panel import ModePanel
from ideogram_studio.ui.modes.quote_line import usd
from ideogram_studio.ui.shell.job_model import JobRole

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished

L = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _file(size: tuple[int, int] = (320, 240), name: str = "photo.png") -> ImageFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (70, 120, 180)).save(buf, "PNG")
    return ImageFile.from_bytes(buf.getvalue(), name)


def _paint(qtbot: Any, panel: MaskedPanel) -> None:
    canvas = panel.canvas
    canvas.set_tool("rect")
    viewport = canvas.viewport()
    a, b = canvas.map_from_image(QPointF(60, 60)).toPoint(), canvas.map_from_image(QPointF(200, 160)).toPoint()
    QTest.mousePress(viewport, L, NO_MOD, a)
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, L, NO_MOD, b)
    qtbot.waitUntil(lambda: canvas.coverage_ratio() > 0)


def _source(qtbot: Any, panel: ModePanel) -> None:
    assert panel.source_picker is not None
    panel.source_picker.set_image_file(_file(), None, convert=False)
    qtbot.waitUntil(lambda: panel.source_picker is not None and panel.source_picker.image() is not None)


def _prompt(qtbot: Any, panel: ModePanel, text: str) -> None:
    assert panel.prompt_edit is not None
    qtbot.keyClicks(panel.prompt_edit, text)


def fill_generate(qtbot: Any, panel: Any, model: str | None) -> None:
    if model:
        panel.set_model(model)
    _prompt(qtbot, panel, "a lighthouse at dusk")


def fill_transparent(qtbot: Any, panel: Any, model: str | None) -> None:
    fill_generate(qtbot, panel, model)
    panel.model_row.transparent_check.setChecked(True)
    assert panel.model_row.transparent()
    combo = panel.fields.speed_combo  # (the local table knows 4.0 transparent's default speed only)
    combo.setCurrentIndex(combo.findData("DEFAULT"))


def fill_remix(qtbot: Any, panel: Any, model: str | None) -> None:
    if model:
        panel.set_model(model)
    _source(qtbot, panel)
    _prompt(qtbot, panel, "as a watercolour")


def fill_edit(qtbot: Any, panel: Any, model: str | None) -> None:
    _source(qtbot, panel)
    qtbot.waitUntil(panel.canvas.has_image)
    if model:
        panel.set_model(model)
    _paint(qtbot, panel)
    _prompt(qtbot, panel, "a straw hat")


def fill_reframe(qtbot: Any, panel: Any, model: str | None) -> None:
    _source(qtbot, panel)


def fill_background(qtbot: Any, panel: Any, model: str | None) -> None:
    _source(qtbot, panel)
    _prompt(qtbot, panel, "a marble counter")


def fill_remove_background(qtbot: Any, panel: Any, model: str | None) -> None:
    panel.model_row.set_model(model)
    _source(qtbot, panel)


def fill_face_swap(qtbot: Any, panel: Any, model: str | None) -> None:
    _source(qtbot, panel)
    qtbot.waitUntil(panel.canvas.has_image)
    _paint(qtbot, panel)
    assert panel.character_refs.add_image(_file((128, 128), "face.png"))


Fill = Callable[[Any, Any, "str | None"], None]

#: (mode, model or None for the mode's first, how to fill its form, the row's word for the cost after the job)
CASES: list[tuple[str, str | None, Fill, str]] = [
    ("generate", None, fill_generate, "quoted"),  # Ideogram 3.0: v1, through its v2 twin
    ("generate", "ideogram-4-5", fill_generate, "charged"),
    ("generate", "ideogram-4", fill_generate, "charged"),
    ("generate", "ideogram-4-6", fill_generate, "charged"),
    ("generate", "ideogram-4", fill_transparent, "charged"),  # /v2/image/generate/ideogram-4-transparent
    ("remix", None, fill_remix, "quoted"),
    ("remix", "ideogram-4", fill_remix, "charged"),
    ("edit", None, fill_edit, "quoted"),
    ("edit", "ideogram-4-5", fill_edit, "charged"),
    ("reframe", None, fill_reframe, "quoted"),
    ("replace-background", None, fill_background, "quoted"),
    ("replace-background", "ideogram-1", fill_remove_background, "charged"),  # one image only
]


IDS = [f"{c[0]}-{c[1] or '3.0'}-{c[2].__name__.removeprefix('fill_')}" for c in CASES]


@pytest.mark.parametrize(("mode", "model", "fill", "word"), CASES, ids=IDS)
def test_the_cost_line_shows_the_quote_for_the_batch_and_the_row_what_it_cost(
    qtbot: Any, studio: Studio, mode: str, model: str | None, fill: Fill, word: str
) -> None:
    studio.window.set_mode(mode)
    panel = studio.window.mode_panel(mode)
    fill(qtbot, panel, model)
    assert panel.fields is not None
    n = 2 if panel.fields.images_spin.isVisibleTo(panel) else 1
    panel.fields.images_spin.setValue(n)
    images = f"{n} image{'s' if n > 1 else ''}"
    qtbot.waitUntil(lambda: f"for {images} (Ideogram's quote" in panel.cost_label.text(), timeout=10000)
    request = panel.request()
    total = local_price(request)  # the sandbox quotes by the published tables
    assert total is not None and request.image_count() == n
    assert panel.cost_label.text() == f"Cost: {usd(total)} for {images} (Ideogram's quote, exact)"
    assert studio.sandbox.generation_requests == {}  # a dry run: nothing made yet
    quotes = studio.sandbox.quotes
    qtbot.mouseClick(panel.send_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    assert studio.sandbox.quotes == quotes  # the queue's price is the form's quote, not asked again
    row = studio.window.controller.jobs_model.index(0, 0)
    assert row.data(JobRole.COST) == f"{usd(total)} {word}"


def test_face_swap_is_estimated_from_the_table_and_claims_no_cost(qtbot: Any, studio: Studio) -> None:
    """A character reference has no v2 twin to quote: the local figure, labelled, before and after."""
    studio.window.set_mode("face-swap")
    panel = studio.window.mode_panel("face-swap")
    fill_face_swap(qtbot, panel, None)
    assert panel.fields is not None
    panel.fields.images_spin.setValue(2)
    qtbot.waitUntil(panel.send_button.isEnabled)
    each = local_price(panel.request())
    assert each is not None
    assert "local price table" in panel.cost_label.text() or "Estimated" in panel.cost_label.text()
    assert "Ideogram's quote" not in panel.cost_label.text()
    qtbot.mouseClick(panel.send_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error and job.actual_cost is None
    row = studio.window.controller.jobs_model.index(0, 0)
    assert row.data(JobRole.COST) == f"≈ ${each:.2f}"
    assert studio.sandbox.quotes == 0 and Decimal(0) < each


def test_upscale_and_describe_say_before_sending_that_no_price_is_known(qtbot: Any, studio: Studio) -> None:
    """No published price and no quote (no dry run, no v2 twin): said before anything is spent,
    never a guessed figure."""
    popover = UpscalePopover()
    qtbot.addWidget(popover)
    popover.show()
    qtbot.waitExposed(popover)
    assert popover.price.isVisible() and popover.price.text() == UNPRICED[Operation.UPSCALE]
    assert "$" not in popover.price.text()
    detail = studio.window.library.page.detail
    assert isinstance(detail, LibraryDetail)
    describe = next(b for b in detail.findChildren(QToolButton) if b.text() == "Describe")
    assert describe.toolTip().endswith(UNPRICED[Operation.DESCRIBE])
