"""Model switching in Generate and Remix through real widgets: what the designer set survives any
round of model changes (each model sends the part it takes: nothing typed is lost for the others),
and every row a model hides carries the reason in its tooltip and in the model's note."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox

from ideogram_studio.api import GenerateRequest, ImageFile, MagicPrompt, RemixRequest
from ideogram_studio.api.enums import PalettePreset, StylePreset, StyleType
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.modes.model_fields import MODELS, unavailable
from ideogram_studio.ui.modes.remix import RemixPanel

from .layout_helpers import CAPTION


def shown(qtbot: Any, widget: Any) -> Any:
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pick(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def rows(panel: Any) -> dict[str, Any]:
    """The widget of each request field's row (Generate's and Remix's shared rows)."""
    f = panel.fields
    return {
        "negative_prompt": f.negative_edit, "aspect_ratio": f.shape_picker, "rendering_speed": f.speed_combo,
        "num_images": f.images_spin, "seed": f.seed_spin, "magic_prompt": f.magic_combo,
        "style_type": f.style_type_combo, "style_preset": f.preset_button, "color_palette": f.palette_button,
        "style_codes": f.style_codes_edit, "style_reference_images": f.style_refs,
    }  # fmt: skip


def hidden_because(widget: Any, panel: Any) -> str | None:
    """The reason a model hid this row: the tooltip of the row or of the part around it that the
    model hid (a section goes when all its fields do); None while the row is the model's."""
    while widget is not None and widget is not panel:
        if widget.isHidden() and widget.toolTip():
            return str(widget.toolTip())
        widget = widget.parentWidget()
    return None


def fill_generate(panel: GeneratePanel, png: ImageFile) -> None:
    panel.prompt_edit.set_text("A lighthouse poster")
    panel.negative_edit.set_text("fog")
    pick(panel.style_type_combo, StyleType.DESIGN.value)
    panel.set_preset(StylePreset.P_80S_ILLUSTRATION)
    panel.set_color_palette(ColorPalette.preset(PalettePreset.EMBER))
    panel.style_refs.set_images([png])
    panel.images_spin.setValue(3)
    panel.fields.set_seed(7)
    pick(panel.magic_combo, MagicPrompt.OFF.value)


def check_3_0(request: Any) -> None:
    assert isinstance(request, GenerateRequest)
    assert request.prompt == "A lighthouse poster" and request.negative_prompt == "fog"
    assert request.style_type is StyleType.DESIGN and request.style_preset is StylePreset.P_80S_ILLUSTRATION
    assert request.color_palette == ColorPalette.preset(PalettePreset.EMBER)
    assert len(request.style_reference_images) == 1
    assert (request.num_images, request.seed, request.magic_prompt) == (3, 7, MagicPrompt.OFF)


def test_a_round_of_model_changes_keeps_every_field_and_sends_each_model_its_part(qtbot, make_png):
    panel = shown(qtbot, GeneratePanel())
    fill_generate(panel, ImageFile.from_path(make_png()))
    check_3_0(panel.request())
    panel.set_model("ideogram-4-5")
    pick(panel.model_row.quality_combo, "high")
    pick(panel.size_row.combo, "1440x2560")
    panel.structured_box.set_value(CAPTION)
    expected = {
        "ideogram-4-5": {"quality": "high", "size": "1440x2560"},
        "ideogram-4-6": {"quality": "high", "size": "1440x2560"},
        "ideogram-4": {"resolution": "1440x2560"},
    }
    for model in ("ideogram-4-5", "ideogram-4-6", "ideogram-4", "ideogram-3-v1", "ideogram-4-5"):
        panel.set_model(model)
        request = panel.request()
        if model == "ideogram-3-v1":
            check_3_0(request)
            assert not panel.structured_box.isVisible() and not panel.size_row.isVisible()
            continue
        assert isinstance(request, V2Request) and request.model == model
        assert request.json_prompt == CAPTION
        assert dict(request.values) == {"num_images": 3, "seed": 7, "magic_prompt": "off", **expected[model],
                                        "json_prompt": CAPTION}  # fmt: skip
    assert json.loads(panel.structured_box.text()) == CAPTION


@pytest.mark.parametrize("transparent", [False, True])
@pytest.mark.parametrize("model", [c.model for c in MODELS[Operation.GENERATE]])
def test_every_row_generate_hides_says_why(qtbot, model: str, transparent: bool):
    panel = shown(qtbot, GeneratePanel())
    panel.model_row.transparent_check.setChecked(transparent)
    panel.set_model(model)
    transparent = panel.model_row.transparent()  # (4.5 cannot: the box is disabled, with its reason)
    if not panel.model_row.transparent_check.isEnabled():
        assert "makes no transparent images" in panel.model_row.transparent_check.toolTip()
    reasons = unavailable(Operation.GENERATE, model, panel.fields.names(), transparent)
    note = panel.model_row.unused_label
    for name, widget in rows(panel).items():
        why = hidden_because(widget, panel)
        if name in reasons and not (name == "aspect_ratio" and "resolution" not in reasons):
            assert why is not None and why in reasons.values(), name
            assert reasons[name] in note.toolTip(), name
        else:
            assert why not in reasons.values(), name
    # The note also names Quality and the structured prompt when the model hides them, with the reason.
    if "quality" in reasons:
        assert f"Quality: {reasons['quality']}" in note.toolTip()
    assert ("Structured prompt: " in note.toolTip()) == panel.structured_box.isHidden()
    assert note.isVisible() == bool(set(reasons) & {*rows(panel), "quality"} or panel.structured_box.isHidden())


def test_remix_keeps_its_fields_across_models_and_every_hidden_row_says_why(qtbot, make_png):
    remix = shown(qtbot, RemixPanel())
    assert remix.set_source(ImageFile.from_path(make_png(size=(64, 48))))
    remix.prompt_edit.set_text("In winter")
    remix.fields.negative_edit.set_text("people")
    pick(remix.fields.style_type_combo, StyleType.REALISTIC.value)
    remix.fields.set_seed(11)
    remix.weight_slider.setValue(35)
    remix.set_model("ideogram-4")
    pick(remix.size_row.combo, "1248x832")
    reasons = unavailable(Operation.REMIX, "ideogram-4", remix.fields.names())
    for name, widget in rows(remix).items():
        if name in reasons:
            assert hidden_because(widget, remix) == reasons[name], name
    request = remix.request()
    assert isinstance(request, V2Request)
    assert dict(request.values) == {"prompt": "In winter", "image_weight": 35, "num_images": 1,
                                    "resolution": "1248x832"}  # fmt: skip
    remix.set_model("ideogram-3-v1")
    request = remix.request()
    assert isinstance(request, RemixRequest)
    assert (request.negative_prompt, request.style_type, request.seed, request.image_weight) == (
        "people", StyleType.REALISTIC, 11, 35,
    )  # fmt: skip
    assert not remix.size_row.isVisible()
    remix.set_model("ideogram-4")
    assert remix.size_row.value() == "1248x832"
