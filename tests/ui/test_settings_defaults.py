"""Settings' generation defaults (speed, images, magic prompt, style type) reach new requests in
every mode that has the field, and a change in Settings reaches the open forms (issue 14, item 5)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.ui.modes import registry

from .helpers import Studio, close_studio, open_studio


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    settings = Settings(
        data_dir=str(tmp_path / "library"), default_rendering_speed="QUALITY", default_num_images=3,
        default_magic_prompt="OFF", default_style_type="REALISTIC",
    )  # fmt: skip
    s = open_studio(qtbot, tmp_path, MemoryStore(), settings)
    yield s
    close_studio(qtbot, s)


def _field(panel: Any, name: str) -> Any:
    return getattr(panel.fields, name, None) if panel.fields is not None else None


def test_every_mode_starts_at_the_settings_defaults(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    seen = {"speed_combo": 0, "images_spin": 0, "magic_combo": 0, "style_type_combo": 0}
    for mode in registry.MODES:
        panel = window.mode_panel(mode.id)
        if (combo := _field(panel, "speed_combo")) is not None:
            assert combo.currentData() == "QUALITY", mode.id
            seen["speed_combo"] += 1
        if (spin := _field(panel, "images_spin")) is not None:
            assert spin.value() == 3, mode.id
            seen["images_spin"] += 1
        if (combo := _field(panel, "magic_combo")) is not None:
            assert combo.currentData() == "OFF", mode.id
            seen["magic_combo"] += 1
        if (combo := _field(panel, "style_type_combo")) is not None:
            assert combo.currentData() == "REALISTIC", mode.id
            seen["style_type_combo"] += 1
    assert all(count >= 2 for count in seen.values()), seen  # each default reaches several modes
    request = window.generate_panel.draft()
    assert request.rendering_speed.value == "QUALITY" and request.num_images == 3
    assert request.magic_prompt is not None and request.magic_prompt.value == "OFF"
    assert request.style_type is not None and request.style_type.value == "REALISTIC"


def test_a_new_default_reaches_the_open_forms_and_leaves_the_others(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    generate, remix = window.generate_panel, window.remix_panel
    # The designer set Generate's speed by hand: a change of another default leaves it.
    generate.fields.speed_combo.setCurrentIndex(generate.fields.speed_combo.findData("TURBO"))
    dialog = window.show_settings()
    qtbot.waitUntil(dialog.isVisible)
    dialog.images_spin.setValue(2)
    dialog.magic_combo.setCurrentIndex(dialog.magic_combo.findData("ON"))
    with qtbot.waitSignal(dialog.settings_changed):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    for panel in (generate, remix):
        qtbot.waitUntil(lambda p=panel: _field(p, "images_spin").value() == 2)
        assert _field(panel, "magic_combo").currentData() == "ON"
    assert generate.fields.speed_combo.currentData() == "TURBO"  # not a changed default: kept
    assert window.services.settings.default_num_images == 2
    saved = Settings.load(window.services.settings_path)
    assert (saved.default_num_images, saved.default_magic_prompt, saved.default_style_type) == (2, "ON", "REALISTIC")
    # A mode opened afterwards starts at the new defaults too.
    reframe = window.reframe_panel
    if (spin := _field(reframe, "images_spin")) is not None:
        assert spin.value() == 2
