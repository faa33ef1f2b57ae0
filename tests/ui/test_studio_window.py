"""The studio window with its real widgets, on the in-process sandbox: generate with every field,
refusals at the field, cancel, retry after 429 and 500, reuse settings, the preset compare grid,
and no trace of the key in any file the studio wrote."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ideogram_studio.api.enums import AspectRatio, MagicPrompt, PalettePreset, RenderingSpeed, StylePreset, StyleType
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.gallery import ImageQuery
from ideogram_studio.jobs import JobState
from ideogram_studio.sandbox import Fault, SandboxConfig
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings

from .helpers import Studio, close_studio, open_studio, wait_for, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_sandbox_badge_without_a_key(studio: Studio) -> None:
    assert studio.services.sandbox
    assert studio.window.sandbox_badge.isVisible()
    assert "Sandbox" in studio.window.windowTitle()


def test_fill_every_field_send_and_see_the_results(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    qtbot.keyClicks(p.prompt_edit, "A lighthouse poster reading NORTH LIGHT")
    qtbot.keyClicks(p.negative_edit, "blur")
    qtbot.mouseClick(p.shape_picker.button(AspectRatio.AR_16X9), Qt.MouseButton.LeftButton)
    p.speed_combo.setCurrentIndex(p.speed_combo.findData(RenderingSpeed.TURBO))
    p.images_spin.setValue(2)
    p.set_seed(1234)
    p.magic_combo.setCurrentIndex(p.magic_combo.findData(MagicPrompt.OFF))
    p.style_type_combo.setCurrentIndex(p.style_type_combo.findData(StyleType.DESIGN))
    p.set_preset(StylePreset.TRAVEL_POSTER)
    p.set_color_palette(ColorPalette.preset(PalettePreset.EMBER))
    expected = GenerateRequest(
        prompt="A lighthouse poster reading NORTH LIGHT",
        negative_prompt="blur",
        aspect_ratio=AspectRatio.AR_16X9,
        rendering_speed=RenderingSpeed.TURBO,
        num_images=2,
        seed=1234,
        magic_prompt=MagicPrompt.OFF,
        style_type=StyleType.DESIGN,
        style_preset=StylePreset.TRAVEL_POSTER,
        color_palette=ColorPalette.preset(PalettePreset.EMBER),
    )
    assert p.request() == expected
    assert "0.06" in p.cost_label.text()  # 2 × $0.03, shown before sending

    qtbot.mouseClick(p.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state is JobState.DONE and job.request == expected
    # A batch of two shows as a grid (batch_view.py); the first opens large with its caption.
    area = studio.window.result_area
    qtbot.waitUntil(lambda: area.showing_grid() and area.model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: studio.window.recent_model.rowCount() == 2, timeout=5000)
    area.grid.opened.emit(job.result_hashes[0])
    qtbot.waitUntil(lambda: studio.window.viewer.has_image() and not area.showing_grid(), timeout=5000)
    assert "seed" in studio.window.viewer.caption()
    rows = studio.services.gallery.rows_for(studio.services.gallery.ids(ImageQuery(text="lighthouse")))
    assert len(rows) == 2 and {r.style_preset for r in rows} == {"TRAVEL_POSTER"}
    assert studio.sandbox.last_request_fields["negative_prompt"] == "blur"
    qtbot.waitUntil(lambda: "$0.06" in studio.window.spend_label.text(), timeout=5000)


def test_ctrl_enter_sends(qtbot: Any, studio: Studio) -> None:
    qtbot.keyClicks(studio.panel.prompt_edit, "keyboard only")
    QTest.keyClick(studio.panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_jobs_finished(qtbot, studio, 1)
    assert studio.jobs()[0].request.prompt == "keyboard only"


def test_invalid_input_is_refused_at_the_field(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    qtbot.keyClicks(p.prompt_edit, "a poster")
    qtbot.keyClicks(p.style_codes_edit, "NOTHEX!!")
    qtbot.waitUntil(lambda: not p.generate_button.isEnabled(), timeout=2000)
    assert p.field_message("style_codes").isVisible()
    assert "style_codes" in p.generate_button.toolTip() or p.generate_button.toolTip()
    with qtbot.assertNotEmitted(p.submitted):  # a send starts synchronously from the key press
        QTest.keyClick(p.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert studio.jobs() == []


def test_cancel_a_running_job(qtbot: Any, studio: Studio) -> None:
    studio.sandbox.inject(Fault.latency(10, endpoint="generate"))
    qtbot.keyClicks(studio.panel.prompt_edit, "slow one")
    qtbot.mouseClick(studio.panel.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(studio.jobs()) and studio.jobs()[0].state is JobState.SENDING, timeout=5000)
    panel = studio.window.jobs_panel
    studio.window.jobs_dock.show()  # collapsed at first on a narrow screen: a designer opens it to click
    panel.select_job(studio.jobs()[0].id)
    cancel = panel.findChild(type(studio.panel.generate_button), "job-cancel")
    assert cancel is not None and cancel.isEnabled()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.jobs()[0].state is JobState.CANCELLED, timeout=5000)


@pytest.mark.parametrize("status", [429, 500])
def test_retry_after_an_injected_failure(qtbot: Any, studio: Studio, status: int) -> None:
    studio.sandbox.inject(Fault.error(status, retry_after=0.01 if status == 429 else None))
    qtbot.keyClicks(studio.panel.prompt_edit, "try again")
    qtbot.mouseClick(studio.panel.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    failed = studio.jobs()[0]
    assert failed.state is JobState.FAILED and failed.error
    assert ("Too many" in failed.error) if status == 429 else ("trouble" in failed.error)
    studio.sandbox.clear_faults()
    panel = studio.window.jobs_panel
    studio.window.jobs_dock.show()
    panel.select_job(failed.id)
    retry = panel.findChild(type(studio.panel.generate_button), "job-retry")
    assert retry is not None and retry.isEnabled()
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 2)
    again = studio.jobs()[1]
    assert again.state is JobState.DONE and again.request == failed.request


def test_reuse_settings_fills_the_panel(qtbot: Any, studio: Studio) -> None:
    request = GenerateRequest(prompt="reuse me", num_images=1, seed=77, style_preset=StylePreset.WATERCOLOR)
    wait_for(qtbot, studio.services.queue.submit(request))
    wait_jobs_finished(qtbot, studio, 1)
    studio.panel.set_prompt("something else")
    panel = studio.window.jobs_panel
    panel.select_job(studio.jobs()[0].id)
    panel.reuse_action.trigger()
    assert studio.panel.request() == request


def test_preset_compare_grid(qtbot: Any, studio: Studio) -> None:
    picker = studio.panel.preset_picker()
    presets = [StylePreset.WATERCOLOR, StylePreset.BAUHAUS, StylePreset.POP_ART]
    grid = picker.compare_grid()
    grid.set_pending(presets)
    picker.compare_requested.emit("a fox", presets)
    wait_jobs_finished(qtbot, studio, 3)
    qtbot.waitUntil(lambda: all(grid.image_of(p) is not None for p in presets), timeout=5000)
    assert {j.request.style_preset for j in studio.jobs()} == set(presets)
    assert all(not grid.is_pending(p) for p in presets)
    assert picker.model().data(picker.model().index(picker.model().row_of(StylePreset.BAUHAUS), 0)) is not None


def test_no_trace_of_the_key_in_any_file(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    from ideogram_studio.sandbox import create_app
    from ideogram_studio.sandbox.server import serve_in_thread

    key = "ideo-sk-test-9f8e7d6c5b4a3210"
    secrets = MemoryStore(key)
    with serve_in_thread(create_app(SandboxConfig())) as url:
        settings = Settings(data_dir=str(tmp_path / "library"), api_base=url)
        studio = open_studio(qtbot, tmp_path, secrets, settings)
        # The key is found in the keyring in the background (the start never waits on it).
        assert studio.window.keys.start()
        qtbot.waitUntil(lambda: not studio.services.sandbox and not studio.window.sandbox_badge.isVisible())
        qtbot.keyClicks(studio.panel.prompt_edit, f"a poster (my key is {key})")
        studio.panel.images_spin.setValue(2)
        qtbot.mouseClick(studio.panel.generate_button, Qt.MouseButton.LeftButton)
        wait_jobs_finished(qtbot, studio, 1)
        assert studio.jobs()[0].state is JobState.DONE
        close_studio(qtbot, studio)
    import logging

    for handler in logging.getLogger().handlers:
        handler.flush()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in written)
    # The prompt that quotes the key is the designer's own text and is kept; the key itself must not
    # appear anywhere else: check every file for the key outside of prompt fields.
    leaks = []
    for path in written:
        data = path.read_bytes()
        count = data.count(key.encode())
        prompt_copies = data.count(f"my key is {key}".encode())
        if count > prompt_copies:
            leaks.append(path)
    assert leaks == []


def test_sent_prompts_come_back_from_the_prompt_library(qtbot: Any, studio: Studio) -> None:
    p = studio.panel
    qtbot.keyClicks(p.prompt_edit, "a red bicycle, risograph")
    qtbot.keyClick(p.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_jobs_finished(qtbot, studio, 1)
    p.prompt_edit.set_text("")
    qtbot.keyClick(p.prompt_edit, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    popup = studio.window._prompt_library_link().popup()
    qtbot.waitUntil(lambda: popup.isVisible() and popup.list.count() == 1)
    assert "Generate" in popup.list.item(0).toolTip()
    qtbot.keyClicks(popup.filter, "bicy")
    qtbot.keyClick(popup.filter, Qt.Key.Key_Return)
    assert p.prompt_edit.text() == "a red bicycle, risograph" and not popup.isVisible()
    # previews and compare runs are not the designer's prompts
    assert studio.window.controller.prompt_history._library.count() == 1


def test_batch_of_prompt_variables_runs_every_combination_tagged(qtbot: Any, studio: Studio) -> None:
    from ideogram_studio.batch.plan import SeedMode
    from ideogram_studio.gallery.search_syntax import parse_search

    p = studio.panel
    p.speed_combo.setCurrentIndex(p.speed_combo.findData(RenderingSpeed.TURBO))
    qtbot.keyClicks(p.prompt_edit, "a {red|blue} {mug|poster}")
    dialog = studio.window.open_batch()
    dialog.name_edit.setText("Mugs")
    dialog.seed_combo.setCurrentIndex(dialog.seed_combo.findData(SeedMode.INCREMENTING))
    dialog.seed_spin.setValue(10)
    assert dialog.send_button.text() == "Send 4 requests"
    assert "4 requests · 4 images · ≈ $" in dialog.summary.text()
    dialog.template_edit.setPlainText("a {red|blue mug")  # a typo: named at its position, nothing to send
    problem = dialog.problems.item(0).text()
    assert not dialog.send_button.isEnabled() and "never closed" in problem and "(at character 3)" in problem
    dialog.template_edit.setPlainText("a {red|blue} {mug|poster}")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 4)
    jobs = studio.jobs()
    assert sorted((j.request.prompt, j.request.seed) for j in jobs) == [
        ("a blue mug", 12), ("a blue poster", 13), ("a red mug", 10), ("a red poster", 11),
    ]
    assert all(j.request.rendering_speed is RenderingSpeed.TURBO for j in jobs)
    assert sorted(j.tags["batch_row"] for j in jobs) == [1, 2, 3, 4]
    query = parse_search('tag:"batch Mugs"').query
    qtbot.waitUntil(lambda: studio.services.gallery.count(query) == 4, timeout=15000)


def test_batch_from_a_sheet_names_bad_rows_and_sends_the_good(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    sheet = tmp_path / "rows.csv"
    sheet.write_text("prompt,seed\nposter one,1\nposter two,-5\n,\nposter three,3\n", "utf-8")
    dialog = studio.window.open_batch()
    dialog.tabs.setCurrentIndex(1)
    dialog.load_sheet(sheet)
    qtbot.waitUntil(lambda: dialog.send_button.text() == "Send 2 requests")
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert problems == ["row 3, column 'seed': must be between 0 and 2147483647 (got -5)", "row 4: the row is empty"]
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 2)
    assert sorted(j.request.prompt for j in studio.jobs()) == ["poster one", "poster three"]
