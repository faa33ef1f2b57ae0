"""Prices before spending, in the real window on the in-process sandbox: a batch started from a 4.x
form runs that model and its total comes from the service's quotes before it starts; every mode's
cost line shows the service's quote (a 3.0 request through its v2 twin)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from ideogram_studio.api.enums import StylePreset
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.batch.pricing import local_price
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.modes.quote_line import usd

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_a_batch_from_a_4_5_form_is_quoted_then_runs_4_5(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    p.set_model("ideogram-4-5")
    p.model_row.set_quality("low")
    qtbot.keyClicks(p.prompt_edit, "a {red|blue} mug")
    dialog = studio.window.open_batch()
    assert "asking Ideogram" in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.quote() is not None, timeout=10000)
    assert dialog.summary.text() == "2 requests · 2 images · $0.06 (Ideogram's quote, exact)"
    quote = dialog.quote()
    assert quote is not None and quote.quoted == 2
    dialog.template_edit.setPlainText("a {red|blue|green} mug")  # a new plan: its own total, asked again
    assert dialog.quote() is None
    qtbot.waitUntil(lambda: "$0.09 (Ideogram's quote" in dialog.summary.text(), timeout=10000)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 3)
    jobs = studio.jobs()
    assert all(isinstance(j.request, V2Request) and j.request.model == "ideogram-4-5" for j in jobs)
    assert sorted(j.request.values["prompt"] for j in jobs) == ["a blue mug", "a green mug", "a red mug"]
    assert all(j.request.values["quality"] == "low" and j.state.value == "done" for j in jobs)


def test_a_sheet_is_refused_for_a_4x_batch_with_the_reason(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    studio.panel.set_model("ideogram-4")
    qtbot.keyClicks(studio.panel.prompt_edit, "a poster")
    dialog = studio.window.open_batch()
    sheet = tmp_path / "rows.csv"
    sheet.write_text("prompt\nposter one\n", "utf-8")
    dialog.tabs.setCurrentIndex(1)
    dialog.load_sheet(sheet)
    assert "Ideogram 3.0" in dialog.sheet_label.text() and not dialog.send_button.isEnabled()


def test_a_3_0_form_shows_the_services_quote_through_its_v2_twin(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    qtbot.keyClicks(p.prompt_edit, "a lighthouse at dusk")
    qtbot.waitUntil(lambda: "Ideogram's quote" in p.cost_label.text(), timeout=10000)
    price = usd(local_price(p.request()) or Decimal(0))  # the sandbox quotes by the published table
    assert p.cost_label.text() == f"Cost: {price} for 1 image (Ideogram's quote, exact)"
    assert studio.sandbox.quotes == 1
    assert studio.sandbox.requests_seen["/v2/image/generate/ideogram-3"] == 1  # the dry run, nothing generated
    assert studio.sandbox.generation_requests == {}


def test_a_mode_with_only_3_0_is_quoted_too(qtbot: Any, studio: Studio) -> None:
    studio.window.set_mode("replace-background")
    panel = studio.window.mode_panel("replace-background")
    assert panel.source_picker is not None and panel.prompt_edit is not None
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 120, 40)).save(buf, "PNG")
    panel.source_picker.set_image_file(ImageFile.from_bytes(buf.getvalue(), "cup.png"), None, convert=False)
    qtbot.keyClicks(panel.prompt_edit, "a marble counter")
    qtbot.waitUntil(lambda: "Ideogram's quote" in panel.cost_label.text(), timeout=10000)
    assert "exact" in panel.cost_label.text()


def test_a_preset_comparison_shows_its_total_from_quotes_before_it_starts(qtbot: Any, studio: Studio) -> None:
    picker = studio.panel.preset_picker()
    picker.set_prompt("a fox")
    picker.model().set_checked([StylePreset.AURA, StylePreset.BAUHAUS, StylePreset.WEIRD])
    button = picker.compare_button()
    assert button.text() == "Compare 3 presets · ≈ $0.09"  # the local table at once
    qtbot.waitUntil(lambda: picker.compare_quote() is not None, timeout=10000)
    assert button.text() == "Compare 3 presets · $0.09 (Ideogram's quote, exact)"
    assert studio.sandbox.quotes == 3 and studio.sandbox.generation_requests == {}
    picker.model().set_checked([StylePreset.AURA, StylePreset.BAUHAUS])
    assert picker.compare_quote() is None  # another comparison: asked again once it settles
    qtbot.waitUntil(lambda: picker.compare_quote() == "$0.06 (Ideogram's quote, exact)", timeout=10000)
