"""Prices in the forms: the Speed list shows the chosen model's own prices (never 3.0's beside 4.0)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ideogram_studio.api.enums import RenderingSpeed
from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.modes.remix import RemixPanel


def speed_text(combo, speed: RenderingSpeed) -> str:
    return combo.itemText(combo.findData(speed))


@pytest.mark.parametrize("panel_class", [GeneratePanel, RemixPanel])
def test_the_speed_list_follows_the_models_price_table(qtbot, panel_class) -> None:
    panel = panel_class()
    qtbot.addWidget(panel)
    combo = panel.fields.speed_combo
    assert speed_text(combo, RenderingSpeed.QUALITY).endswith("$0.09 / image")  # Ideogram 3.0
    panel.set_model("ideogram-4")
    qtbot.keyClicks(panel.prompt_edit, "a poster")
    assert speed_text(combo, RenderingSpeed.QUALITY).endswith("$0.10 / image")  # Ideogram 4.0's own
    assert speed_text(combo, RenderingSpeed.TURBO).endswith("$0.03 / image")
    assert speed_text(combo, RenderingSpeed.FLASH).endswith("no published price")  # 4.0 has no Flash
    panel.set_model("ideogram-3-v1")
    qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Space)
    assert speed_text(combo, RenderingSpeed.QUALITY).endswith("$0.09 / image")
