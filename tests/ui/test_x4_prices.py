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


# ---- 4.x's own sizes -------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "field"), [("ideogram-4", "resolution"), ("ideogram-4-5", "size"),
                                              ("ideogram-4-6", "size")])  # fmt: skip
def test_generate_offers_the_4x_resolutions_and_sends_them_in_the_models_field(qtbot, model, field) -> None:
    panel = GeneratePanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.size_row.isVisible()  # 3.0 has its Shape row
    panel.set_model(model)
    assert panel.size_row.isVisible() and not panel.shape_picker.isVisible()
    assert "choose one under Size" in panel.model_row.unused_label.toolTip()
    combo = panel.size_row.combo
    assert combo.count() == 39 and combo.itemText(0) == "Let the model choose"
    assert combo.itemText(combo.findData("1440x2880")) == "1440 × 2880 · 1:2 · 2K"
    qtbot.keyClicks(panel.prompt_edit, "a poster")
    assert field not in panel.draft().values  # nothing chosen: nothing sent
    panel.size_row.set_value("2880x1440")
    request = panel.request()
    assert request.values[field] == "2880x1440"
    panel.set_model("ideogram-3-v1")
    assert not panel.size_row.isVisible() and panel.shape_picker.isVisible()
    panel.set_model(model)
    assert panel.size_row.value() == "2880x1440"  # kept across switches


def test_remix_on_4_0_sends_a_4x_resolution_and_keeps_it_across_a_restart(qtbot, make_png) -> None:
    panel = RemixPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.source_picker.load_path(str(make_png("src.png", (640, 480))))
    qtbot.waitUntil(lambda: panel.source_picker.image() is not None)
    panel.set_model("ideogram-4")
    panel.size_row.set_value("1152x864")
    qtbot.keyClicks(panel.prompt_edit, "in winter")
    request = panel.request()
    assert request.values["resolution"] == "1152x864"
    again = RemixPanel()
    qtbot.addWidget(again)
    again.restore_state(panel.state())
    assert again.model() == "ideogram-4" and again.size_row.value() == "1152x864"
