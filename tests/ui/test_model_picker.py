"""The model picker in Generate, driven through real widgets: 3.0 (v1) ↔ 4.0 / 4.5 / 4.6 (v2), the
rows each model does not take hidden with the reason, shared fields kept, the matching request sent."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox

from ideogram_studio.api import AspectRatio, GenerateRequest, ImageFile, MagicPrompt, RenderingSpeed, Resolution
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.api.v2_responses import PriceQuote, QuoteSource
from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.modes.model_fields import unavailable, v2_values
from ideogram_studio.ui.modes.quote_line import SETTLE_MS, quote_text
from ideogram_studio.ui.modes.remix import RemixPanel

L = Qt.MouseButton.LeftButton


@pytest.fixture
def panel(qtbot):
    widget = GeneratePanel()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pick(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def choose_model(qtbot, panel, model: str) -> None:
    """Through the keyboard, as a designer would: focus the combo and step to the model."""
    combo = panel.model_row.model_combo
    target = combo.findData(model)
    assert target >= 0
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def tick(qtbot, check) -> None:
    """Click the box itself (a wide check box's centre may be past its text)."""
    qtbot.mouseClick(check, L, pos=QPoint(8, check.height() // 2))


def sent(qtbot, panel):
    with qtbot.waitSignal(panel.submitted, timeout=2000) as blocker:
        qtbot.mouseClick(panel.send_button, L)
    return blocker.args[0]


def test_the_picker_offers_the_four_generate_models_and_starts_on_3_0(panel):
    combo = panel.model_row.model_combo
    assert panel.model_row.isVisible()
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Ideogram 3.0", "Ideogram 4.0", "Ideogram 4.5", "Ideogram 4.6",
    ]  # fmt: skip
    assert panel.model() == "ideogram-3-v1"
    assert not panel.model_row.quality_combo.isVisible()
    # Quality and the structured prompt are hidden on 3.0, and the note says so, each with its reason.
    note = panel.model_row.unused_label
    assert note.isVisible()
    assert note.text() == "Not used by Ideogram 3.0: quality, structured prompt (hover for why)."
    assert "Quality: Quality is an Ideogram 4.5 / 4.6 setting only: Ideogram 3.0 uses Speed." in note.toolTip()
    assert "Structured prompt: Ideogram 3.0 takes a text prompt only" in note.toolTip()


def test_4_5_hides_the_fields_it_does_not_take_and_says_why(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4-5")
    for widget in (panel.negative_edit, panel.style_type_combo, panel.preset_button, panel.speed_combo,
                   panel.shape_picker, panel.style_codes_edit):  # fmt: skip
        assert not widget.isVisible(), widget
    assert "takes no negative prompt" in panel.negative_edit.toolTip()
    assert "set by Quality, not Speed" in panel.speed_combo.toolTip()
    assert "describe the style in the prompt" in panel.style_type_combo.toolTip()
    # What it takes stays: images, seed, magic prompt; Quality appears.
    for widget in (panel.images_spin, panel.seed_spin, panel.magic_combo, panel.model_row.quality_combo):
        assert widget.isVisible(), widget
    note = panel.model_row.unused_label
    assert note.isVisible()
    assert note.text().startswith("Not used by Ideogram 4.5: negative prompt, shape, speed, style, references")
    assert "Negative prompt: Ideogram 4.5 takes no negative prompt" in note.toolTip()
    # Back to 3.0: every row is shown again with its own tooltip.
    choose_model(qtbot, panel, "ideogram-3-v1")
    assert panel.negative_edit.isVisible() and panel.speed_combo.isVisible() and panel.style_type_combo.isVisible()
    assert "Things to exclude" in panel.negative_edit.toolTip()
    assert not panel.model_row.quality_combo.isVisible()
    assert note.text() == "Not used by Ideogram 3.0: quality, structured prompt (hover for why)."


def test_4_0_keeps_speed_and_hides_quality(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4")
    assert panel.speed_combo.isVisible()
    assert not panel.model_row.quality_combo.isVisible()
    assert not panel.negative_edit.isVisible()
    note = panel.model_row.unused_label
    assert ", references, quality, custom model (hover for why)." in note.text()
    assert "Quality: Quality is an Ideogram 4.5 / 4.6 setting: Ideogram 4.0 uses Speed." in note.toolTip()
    assert "structured prompt" not in note.text()  # 4.0 takes one


def test_switching_keeps_the_shared_fields_and_builds_the_matching_request(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "A lighthouse at dusk")
    qtbot.keyClicks(panel.negative_edit, "fog")
    panel.images_spin.setValue(2)
    panel.fields.set_seed(42)
    pick(panel.magic_combo, MagicPrompt.OFF.value)
    pick(panel.speed_combo, RenderingSpeed.TURBO.value)

    choose_model(qtbot, panel, "ideogram-4")
    request = sent(qtbot, panel)
    assert isinstance(request, V2Request)
    assert (request.operation, request.model) == (Operation.GENERATE, "ideogram-4")
    assert dict(request.values) == {
        "prompt": "A lighthouse at dusk", "magic_prompt": "off", "rendering_speed": "turbo", "num_images": 2,
        "seed": 42,
    }  # fmt: skip
    assert request.endpoint == "/v2/image/generate/ideogram-4"

    choose_model(qtbot, panel, "ideogram-4-5")
    pick(panel.model_row.quality_combo, "high")
    request = sent(qtbot, panel)
    assert request.model == "ideogram-4-5"
    assert dict(request.values) == {
        "prompt": "A lighthouse at dusk", "magic_prompt": "off", "num_images": 2, "seed": 42, "quality": "high",
    }  # fmt: skip

    # Back to 3.0: the negative prompt and speed typed before are still there and sent.
    choose_model(qtbot, panel, "ideogram-3-v1")
    request = sent(qtbot, panel)
    assert isinstance(request, GenerateRequest)
    assert request.negative_prompt == "fog" and request.rendering_speed is RenderingSpeed.TURBO
    assert request.num_images == 2 and request.seed == 42


def test_a_speed_4_0_does_not_offer_is_refused_at_the_speed_field(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    pick(panel.speed_combo, RenderingSpeed.FLASH.value)
    choose_model(qtbot, panel, "ideogram-4")
    assert not panel.generate_button.isEnabled()
    message = panel.field_message("rendering_speed")
    assert message.isVisible() and "not offered by Ideogram 4.0" in message.text()
    pick(panel.speed_combo, RenderingSpeed.QUALITY.value)
    assert panel.generate_button.isEnabled()


def test_the_cost_line_follows_the_model_from_the_local_table(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    choose_model(qtbot, panel, "ideogram-4-5")
    pick(panel.model_row.quality_combo, "high")
    panel.images_spin.setValue(3)
    assert "$0.30" in panel.cost_label.text() and "local price table" in panel.cost_label.text()
    choose_model(qtbot, panel, "ideogram-4")
    pick(panel.speed_combo, RenderingSpeed.TURBO.value)
    assert "$0.09" in panel.cost_label.text()


def test_the_model_and_quality_survive_a_restart(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4-6")
    pick(panel.model_row.quality_combo, "low")
    state = panel.state()
    other = GeneratePanel()
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.model() == "ideogram-4-6" and other.model_row.quality() == "low"


def test_a_structured_prompt_in_the_making_survives_a_restart(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4-5")
    caption = {"high_level_description": "A poster", "compositional_deconstruction": {"background": "paper",
               "elements": [{"type": "text", "bbox": [100, 100, 300, 900], "text": "NORTH"}]}}  # fmt: skip
    panel.structured_box.set_value(caption)
    half_typed = panel.structured_box.text() + "\n  "  # as the designer left it, not re-written
    panel.structured_box.set_text(half_typed)
    for make in (GeneratePanel, RemixPanel):
        source = panel if make is GeneratePanel else make()
        if source is not panel:
            qtbot.addWidget(source)
            source.set_model("ideogram-4")
            source.structured_box.set_text(half_typed)
        other = make()
        qtbot.addWidget(other)
        other.restore_state(source.state())
        assert other.structured_box.text() == half_typed, make.__name__
        assert json.loads(other.structured_box.text())["compositional_deconstruction"]["elements"][0]["text"] == "NORTH"


def test_model_fields_table():
    reasons = unavailable(Operation.GENERATE, "ideogram-4-6", ["negative_prompt", "num_images", "custom_model_uri"])
    assert set(reasons) == {"negative_prompt", "custom_model_uri"}
    assert unavailable(Operation.GENERATE, "ideogram-3-v1", ["negative_prompt"]) == {
        "quality": "Quality is an Ideogram 4.5 / 4.6 setting only: Ideogram 3.0 uses Speed."
    }
    values, problems = v2_values(
        Operation.GENERATE, "ideogram-4", "x", {"rendering_speed": RenderingSpeed.FLASH, "seed": None}
    )
    assert values == {"prompt": "x"} and "rendering_speed" in problems


# ---- the service's quote on the cost line -----------------------------------------------------
def test_a_settled_4x_form_asks_one_quote_and_shows_it(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4-5")
    asked = []
    panel.quote_requested.connect(asked.append)
    with qtbot.waitSignal(panel.quote_requested, timeout=3000) as blocker:
        qtbot.keyClicks(panel.prompt_edit, "A fox in the snow")  # one keystroke after another: one ask
    request = blocker.args[0]
    assert isinstance(request, V2Request) and request.values["prompt"] == "A fox in the snow"
    assert len(asked) == 1
    assert "local price table" in panel.cost_label.text()  # until the answer comes
    panel.show_quote(request, PriceQuote(Decimal("0.06"), "exact", billing_identifier="b"))
    assert panel.cost_label.text() == "Cost: $0.06 for 1 image (Ideogram's quote, exact)"


def test_an_estimate_quote_shows_its_upper_bound_and_a_stale_answer_is_dropped(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4")
    with qtbot.waitSignal(panel.quote_requested, timeout=3000) as blocker:
        qtbot.keyClicks(panel.prompt_edit, "Fox")
    old = blocker.args[0]
    with qtbot.waitSignal(panel.quote_requested, timeout=3000) as blocker:
        panel.images_spin.setValue(2)
    new = blocker.args[0]
    panel.show_quote(old, PriceQuote(Decimal("0.06"), "exact"))
    assert "Ideogram" not in panel.cost_label.text()  # the form moved on: still the local figure
    panel.show_quote(new, PriceQuote(Decimal("0.12"), "estimate", upper_bound_usd=Decimal("0.2")))
    assert panel.cost_label.text() == "Cost: up to $0.20 for 2 images (Ideogram's quote, ≈ $0.12)"


def test_a_blocked_form_asks_no_quote(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4")
    with qtbot.assertNotEmitted(panel.quote_requested, wait=SETTLE_MS * 2):
        pick(panel.speed_combo, RenderingSpeed.TURBO.value)  # no prompt yet: nothing to price


def test_quote_text_for_the_local_table_and_tenths_of_a_cent():
    text, _tip = quote_text(PriceQuote(Decimal("0.18"), "estimate", source=QuoteSource.LOCAL_TABLE), 3)
    assert text == "Estimated cost: ≈ $0.18 (3 images, local price table)"
    assert quote_text(PriceQuote(Decimal("0.008"), "exact"), 1)[0].startswith("Cost: $0.008 ")


# ---- Remix: Ideogram 3.0 (v1) or 4.0 (v2) ----------------------------------------------------------
def test_remix_on_4_0_sends_the_source_weight_and_speed_and_hides_what_4_0_lacks(qtbot, make_png):
    remix = RemixPanel()
    qtbot.addWidget(remix)
    remix.resize(460, 900)
    remix.show()
    qtbot.waitExposed(remix)
    assert [remix.model_row.model_combo.itemText(i) for i in range(2)] == ["Ideogram 3.0", "Ideogram 4.0"]
    assert remix.set_source(ImageFile.from_path(make_png(size=(64, 48))))
    qtbot.keyClicks(remix.prompt_edit, "In winter")
    qtbot.keyClicks(remix.fields.negative_edit, "people")
    remix.weight_slider.setValue(70)
    pick(remix.fields.speed_combo, RenderingSpeed.QUALITY.value)

    choose_model(qtbot, remix, "ideogram-4")
    for widget in (remix.fields.negative_edit, remix.fields.seed_spin, remix.fields.magic_combo,
                   remix.fields.style_type_combo, remix.fields.shape_picker, remix.crop_note):  # fmt: skip
        assert not widget.isVisible(), widget
    assert "does not take seed" in remix.fields.seed_spin.toolTip()
    assert remix.weight_slider.isVisible() and remix.fields.speed_combo.isVisible()
    assert "quality" not in remix.model_row.unused_label.text()  # Remix never offers Quality: not named
    request = sent(qtbot, remix)
    assert isinstance(request, V2Request) and request.endpoint == "/v2/image/remix/ideogram-4"
    assert dict(request.values) == {"prompt": "In winter", "image_weight": 70, "rendering_speed": "quality",
                                    "num_images": 1}  # fmt: skip
    assert request.uploads["image"][0].size == (64, 48)

    choose_model(qtbot, remix, "ideogram-3-v1")
    request = sent(qtbot, remix)
    assert request.negative_prompt == "people" and request.image_weight == 70
    assert remix.state()["model"] == "ideogram-3-v1"


def test_remix_on_4_0_without_a_source_says_so(qtbot):
    remix = RemixPanel()
    qtbot.addWidget(remix)
    remix.show()
    choose_model(qtbot, remix, "ideogram-4")
    qtbot.keyClicks(remix.prompt_edit, "In winter")
    assert not remix.send_button.isEnabled()
    assert "source image" in remix.send_button.toolTip()


# ---- transparent generation ------------------------------------------------------------------------
def test_transparent_on_3_0_goes_to_the_transparent_endpoint_with_what_it_takes(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "A sticker of a fox")
    qtbot.keyClicks(panel.negative_edit, "shadow")
    qtbot.mouseClick(panel.shape_picker.button(AspectRatio.AR_16X9), L)
    tick(qtbot, panel.model_row.transparent_check)
    assert panel.model_row.transparent()
    assert not panel.style_type_combo.isVisible() and panel.shape_picker.isVisible()
    assert panel.negative_edit.isVisible()
    note = panel.model_row.unused_label.text()
    assert note.startswith("Not used by Ideogram 3.0 (transparent): style,") and "shape" not in note
    request = sent(qtbot, panel)
    assert isinstance(request, V2Request) and request.endpoint == "/v2/image/generate/ideogram-3-transparent"
    assert dict(request.values) == {"prompt": "A sticker of a fox", "negative_prompt": "shadow",
                                    "aspect_ratio": "16x9", "num_images": 1}  # fmt: skip
    # Untick: back to the v1 request with every style row.
    tick(qtbot, panel.model_row.transparent_check)
    assert isinstance(sent(qtbot, panel), GenerateRequest) and panel.style_type_combo.isVisible()


def test_transparent_is_offered_where_the_model_can(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "A sticker")
    panel.model_row.transparent_check.setChecked(True)
    choose_model(qtbot, panel, "ideogram-4-5")
    check = panel.model_row.transparent_check
    assert not check.isEnabled() and "4.5 makes no transparent images" in check.toolTip()
    assert sent(qtbot, panel).endpoint == "/v2/image/generate/ideogram-4-5"
    choose_model(qtbot, panel, "ideogram-4-6")
    assert check.isEnabled()
    request = sent(qtbot, panel)
    assert request.endpoint == "/v2/image/generate/ideogram-4-6" and request.values["background"] == "transparent"
    choose_model(qtbot, panel, "ideogram-4")
    assert sent(qtbot, panel).endpoint == "/v2/image/generate/ideogram-4-transparent"


def test_an_exact_size_on_a_transparent_3_0_is_refused_at_the_shape(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "A sticker")
    panel.shape_picker.set_value(None, Resolution.R_1024X1024)
    panel.model_row.transparent_check.setChecked(True)
    assert not panel.generate_button.isEnabled()
    assert "takes an aspect ratio, not an exact size" in panel.field_message("resolution").text()


# ---- the structured prompt (4.x) ---------------------------------------------------------------------
CAPTION = {
    "high_level_description": "A travel poster",
    "style_description": {"aesthetics": "clean", "lighting": "soft", "medium": "print", "art_style": "flat",
                          "color_palette": ["#112233"]},
    "compositional_deconstruction": {
        "background": "a pale sky",
        "elements": [{"type": "text", "bbox": [50, 100, 200, 900], "text": "NORTH LIGHT", "desc": "headline",
                      "color_palette": ["#000000"]}],
    },
}  # fmt: skip


def test_expand_fills_the_json_and_the_json_is_sent_instead_of_the_text(qtbot, panel):
    box = panel.structured_box
    assert not box.isVisible()  # 3.0 takes text only
    choose_model(qtbot, panel, "ideogram-4-5")
    assert box.isVisible()
    qtbot.keyClicks(panel.prompt_edit, "A travel poster reading NORTH LIGHT")
    with qtbot.waitSignal(panel.expand_requested, timeout=2000) as blocker:
        qtbot.mouseClick(box.expand_button, L)
    assert blocker.args == ["A travel poster reading NORTH LIGHT"]
    assert not box.expand_button.isEnabled()  # until the answer
    panel.set_structured_prompt(CAPTION)
    assert box.expand_button.isEnabled() and json.loads(box.text()) == CAPTION
    request = sent(qtbot, panel)
    assert request.json_prompt == CAPTION and "prompt" not in request.values
    kind, body = request.body()
    assert kind == "json" and json.loads(body["prompt"]) == CAPTION and body["magic_prompt"] == "off"
    # Clear: the sentence is sent as text again.
    qtbot.mouseClick(box.clear_button, L)
    assert sent(qtbot, panel).values["prompt"] == "A travel poster reading NORTH LIGHT"


def test_a_schema_error_in_the_json_is_named_at_the_field(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4")
    box = panel.structured_box
    broken = json.loads(json.dumps(CAPTION))
    broken["compositional_deconstruction"]["elements"][0]["bbox"] = [50, 100, 200]
    box.set_value(broken)
    assert not panel.generate_button.isEnabled()
    message = panel.field_message("json_prompt")
    assert message.isVisible() and "elements[0].bbox" in message.text()
    box.edit.setPlainText("{not json")
    assert "is not valid JSON (line 1" in message.text()
    box.set_value(CAPTION)
    assert panel.generate_button.isEnabled() and message.kind() != "error"


def test_the_json_field_says_the_sentence_is_not_sent_or_shows_the_verifiers_warnings(qtbot, panel):
    choose_model(qtbot, panel, "ideogram-4-6")
    qtbot.keyClicks(panel.prompt_edit, "A poster")
    panel.structured_box.set_value(CAPTION)
    message = panel.structured_box.message
    assert message.isVisible() and "the sentence above is not sent" in message.text()
    crowded = json.loads(json.dumps(CAPTION))
    crowded["compositional_deconstruction"]["elements"][0]["color_palette"] = [f"#0000{i:02X}" for i in range(8)]
    panel.structured_box.set_value(crowded)
    assert message.kind() == "warning" and "color_palette" in message.text()
    assert panel.generate_button.isEnabled()  # a warning never blocks
