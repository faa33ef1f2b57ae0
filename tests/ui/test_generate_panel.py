"""The Generate panel with real widgets: fields -> request, rules shown at the field, keys, cost, state."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox

from ideogram_studio.api import (
    AspectRatio,
    ColorPalette,
    GenerateRequest,
    ImageFile,
    MagicPrompt,
    PaletteMember,
    PalettePreset,
    RenderingSpeed,
    RequestValidationError,
    Resolution,
    StylePreset,
    StyleType,
)
from ideogram_studio.ui.modes.generate import GeneratePanel, parse_style_codes

L = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


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


def type_into_spin(qtbot, spin, text: str) -> None:
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    spin.interpretText()


def click_tile(qtbot, view, row: int) -> None:
    index = view.model().index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), L, pos=QPoint(rect.center().x(), rect.bottom() - 6))


def test_every_field_through_the_widgets_builds_the_exact_request(qtbot, panel, make_png):
    style_png = make_png("style.png", (40, 30), (10, 120, 200))
    char_png = make_png("char.png", (32, 32), (200, 40, 40))
    mask_png = make_png("mask.png", (32, 32), (128, 128, 128))

    qtbot.keyClicks(panel.prompt_edit, "A red fox in snow")
    qtbot.keyClicks(panel.negative_edit, "blurry, text")
    qtbot.mouseClick(panel.shape_picker.button(AspectRatio.AR_16X9), L)
    pick(panel.speed_combo, "QUALITY")
    type_into_spin(qtbot, panel.images_spin, "3")
    qtbot.mouseClick(panel.seed_lock, L)
    type_into_spin(qtbot, panel.seed_spin, "4242")
    pick(panel.magic_combo, "ON")
    pick(panel.style_type_combo, "REALISTIC")

    panel.preset_button.click()
    picker = panel.preset_picker()
    qtbot.waitExposed(picker)
    picker.set_search("bauhaus")
    assert picker.proxy().rowCount() == 1
    click_tile(qtbot, picker.view(), 0)
    assert panel.preset() is StylePreset.BAUHAUS
    assert not picker.isVisible()

    panel.palette_button.click()
    radio = panel.palette_picker().preset_button(PalettePreset.JUNGLE)
    qtbot.mouseClick(radio, L, pos=QPoint(8, radio.height() // 2))

    qtbot.mouseClick(panel.more_section.header(), L)
    qtbot.keyClicks(panel.custom_model_edit, "model/fox-model/version/3")
    qtbot.mouseClick(panel.references_section.header(), L)
    panel.style_refs.add_paths([str(style_png)])
    panel.character_refs.add_paths([str(char_png)])
    panel.character_mask.add_paths([str(mask_png)])

    expected = GenerateRequest(
        prompt="A red fox in snow",
        negative_prompt="blurry, text",
        aspect_ratio=AspectRatio.AR_16X9,
        rendering_speed=RenderingSpeed.QUALITY,
        num_images=3,
        seed=4242,
        magic_prompt=MagicPrompt.ON,
        style_type=StyleType.REALISTIC,
        style_preset=StylePreset.BAUHAUS,
        color_palette=ColorPalette.preset(PalettePreset.JUNGLE),
        custom_model_uri="model/fox-model/version/3",
        style_reference_images=(ImageFile.from_path(style_png),),
        character_reference_images=(ImageFile.from_path(char_png),),
        character_reference_images_mask=(ImageFile.from_path(mask_png),),
    )
    assert panel.request() == expected
    assert panel.generate_button.isEnabled()
    # Character-reference pricing: 3 × $0.20.
    assert panel.cost_label.text() == "Estimated cost: ≈ $0.60 (3 images × $0.20)"


def test_style_codes_and_resolution_through_the_widgets(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Poster")
    combo = panel.shape_picker.resolution_combo()
    pick_index = next(i for i in range(combo.count()) if combo.itemText(i).strip() == "1024×1024 (1:1)")
    combo.setCurrentIndex(pick_index)
    qtbot.keyClicks(panel.style_codes_edit, "aaff5733, 0133FF57 DE3357FF")
    request = panel.request()
    assert request.resolution is Resolution.R_1024X1024 and request.aspect_ratio is None
    assert request.style_codes == ("aaff5733", "0133FF57", "DE3357FF")
    assert request.style_type is None


def test_parse_style_codes_accepts_commas_spaces_and_semicolons():
    assert parse_style_codes(" a, b ;c  d ") == ("a", "b", "c", "d")
    assert parse_style_codes("") == ()


def test_set_request_round_trips_a_fully_populated_request(qtbot, panel, make_png):
    style = ImageFile.from_path(make_png("s.png", (20, 20), (0, 0, 255)))
    char = ImageFile.from_path(make_png("c.png", (24, 24), (0, 255, 0)))
    mask = ImageFile.from_path(make_png("m.png", (24, 24), (255, 255, 255)))
    full = GenerateRequest(
        prompt="Line one\nline two",
        negative_prompt="no people",
        resolution=Resolution.R_1312X736,
        rendering_speed=RenderingSpeed.BALANCED,
        num_images=8,
        seed=2_147_483_647,
        magic_prompt=MagicPrompt.OFF,
        style_type=StyleType.FICTION,
        style_preset=StylePreset.P_80S_ILLUSTRATION,
        color_palette=ColorPalette.custom(("#AABBCC", 1.0), ("#112233", 0.333), ("#fff", None)),
        custom_model_uri="model/x/version/1",
        style_reference_images=(style,),
        character_reference_images=(char,),
        character_reference_images_mask=(mask,),
    )
    panel.set_request(full)
    assert panel.request() == full

    codes = GenerateRequest(prompt="p", aspect_ratio=AspectRatio.AR_1X3, style_codes=("AAFF5733", "0133ff57"),
                            color_palette=ColorPalette.preset(PalettePreset.EMBER))
    panel.set_request(codes)
    assert panel.request() == codes

    panel.set_request(GenerateRequest(prompt="bare"))
    assert panel.request() == GenerateRequest(prompt="bare")
    assert not panel.seed_locked()


def test_ctrl_enter_emits_submitted_and_ctrl_shift_enter_goes_to_the_front(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "A lighthouse")
    with qtbot.waitSignal(panel.submitted, timeout=1000) as blocker:
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Return, CTRL)
    request, to_front = blocker.args
    assert request == GenerateRequest(prompt="A lighthouse") and to_front is False
    assert panel.prompt_edit.text() == "A lighthouse"  # no newline was typed

    with qtbot.waitSignal(panel.submitted, timeout=1000) as blocker:
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Enter, CTRL | SHIFT)
    assert blocker.args[1] is True

    # From a line edit too (the panel handles the key its child passes on).
    with qtbot.waitSignal(panel.submitted, timeout=1000):
        qtbot.keyClick(panel.style_codes_edit, Qt.Key.Key_Return, CTRL)


def test_generate_button_emits_submitted(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    with qtbot.waitSignal(panel.submitted, timeout=1000) as blocker:
        qtbot.mouseClick(panel.generate_button, L)
    assert blocker.args == [GenerateRequest(prompt="Fox"), False]


def test_empty_prompt_is_refused_at_the_field(qtbot, panel):
    assert not panel.generate_button.isEnabled()
    assert "Enter a prompt" in panel.generate_button.toolTip()
    assert not panel.field_message("prompt").isVisible()  # no red text before any attempt
    with qtbot.assertNotEmitted(panel.submitted):
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Return, CTRL)
    assert panel.field_message("prompt").isVisible()
    assert panel.field_message("prompt").text() == "Enter a prompt to generate."
    qtbot.keyClicks(panel.prompt_edit, "x")
    assert not panel.field_message("prompt").isVisible()
    assert panel.generate_button.isEnabled()


def test_style_code_typo_is_shown_as_you_type_and_blocks_generate(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    message = panel.field_message("style_codes")
    qtbot.keyClicks(panel.style_codes_edit, "AAFF573")
    assert message.isVisible() and message.kind() == "error"
    assert message.text() == "'AAFF573' is not 8 hexadecimal characters."
    assert not panel.generate_button.isEnabled()
    assert "not 8 hexadecimal" in panel.generate_button.toolTip()
    with pytest.raises(RequestValidationError) as info:
        panel.request()
    assert info.value.field == "style_codes"

    qtbot.keyClicks(panel.style_codes_edit, "3")
    assert not message.isVisible()
    assert panel.generate_button.isEnabled()


def test_style_code_typo_is_shown_even_before_a_prompt(qtbot, panel):
    qtbot.keyClicks(panel.style_codes_edit, "zz")
    assert panel.field_message("style_codes").isVisible()


def test_style_codes_with_a_style_type_are_refused_at_the_codes_field(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    qtbot.keyClicks(panel.style_codes_edit, "AAFF5733")
    assert panel.generate_button.isEnabled()
    pick(panel.style_type_combo, "DESIGN")
    message = panel.field_message("style_codes")
    assert message.isVisible()
    assert message.text() == "Style codes cannot be combined with a style type."
    assert not panel.generate_button.isEnabled()
    assert panel.generate_button.toolTip() == "Can't generate yet: Style codes cannot be combined with a style type."
    pick(panel.style_type_combo, "")  # "Not set" = nothing sent
    assert not message.isVisible() and panel.generate_button.isEnabled()


def test_style_codes_with_style_references_are_refused(qtbot, panel, make_png):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    qtbot.keyClicks(panel.style_codes_edit, "AAFF5733")
    panel.style_refs.add_paths([str(make_png())])
    assert panel.field_message("style_codes").text() == "Style codes cannot be combined with style reference images."
    assert not panel.generate_button.isEnabled()


def test_character_reference_with_flash_warns_but_lets_the_server_decide(qtbot, panel, make_png):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    pick(panel.style_type_combo, "AUTO")
    panel.character_refs.add_paths([str(make_png())])
    pick(panel.speed_combo, "FLASH")
    message = panel.field_message("rendering_speed")
    assert message.isVisible() and message.kind() == "warning"
    assert "Flash" in message.text()
    assert panel.generate_button.isEnabled()
    assert panel.cost_label.text() == (
        "Estimated cost: no price is published for the Flash speed with a character reference"
    )
    assert "character reference" in panel.cost_label.toolTip()


def test_mask_of_the_wrong_size_is_refused_at_the_character_field(qtbot, panel, make_png):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    panel.character_refs.add_paths([str(make_png("c.png", (40, 40)))])
    panel.character_mask.add_paths([str(make_png("m.png", (20, 20)))])
    message = panel.field_message("character_reference_images_mask")
    assert message.isVisible() and "Character mask is 20×20" in message.text()
    assert not panel.generate_button.isEnabled()
    # The footer repeats the reason with a link to the field, which may be scrolled away.
    assert panel.blocker_label.isVisible() and "Character mask is 20×20" in panel.blocker_label.text()
    panel.references_section.set_expanded(False)
    panel.blocker_label.linkActivated.emit("character_reference_images_mask")
    assert panel.references_section.is_expanded()


def test_bad_custom_model_uri_opens_its_section_and_shows_the_rule(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    panel.custom_model_edit.setText("my-model")
    assert panel.more_section.is_expanded()
    assert panel.field_message("custom_model_uri").isVisible()
    text = panel.field_message("custom_model_uri").text()
    assert text.startswith("Custom model is not a model's address") and "model/my-brand/version/1" in text
    assert "<" not in text and "<" not in panel.custom_model_edit.placeholderText()  # words, not a pattern


def test_nine_images_are_impossible(qtbot, panel):
    assert panel.images_spin.maximum() == 8 and panel.images_spin.minimum() == 1
    panel.images_spin.setValue(9)
    assert panel.images_spin.value() == 8
    type_into_spin(qtbot, panel.images_spin, "9")
    assert panel.images_spin.value() <= 8


def test_cost_label_follows_images_and_speed(qtbot, panel):
    assert panel.cost_label.text() == "Estimated cost: ≈ $0.06 (1 image × $0.06)"
    panel.images_spin.setValue(2)
    assert panel.cost_label.text() == "Estimated cost: ≈ $0.12 (2 images × $0.06)"
    pick(panel.speed_combo, "QUALITY")
    assert panel.cost_label.text() == "Estimated cost: ≈ $0.18 (2 images × $0.09)"
    pick(panel.speed_combo, "TURBO")
    qtbot.keyClick(panel.images_spin, Qt.Key.Key_Up)
    assert panel.cost_label.text() == "Estimated cost: ≈ $0.09 (3 images × $0.03)"
    pick(panel.speed_combo, "BALANCED")
    assert panel.cost_label.text() == "Estimated cost: no price is published for the Balanced speed"


def test_speed_items_show_prices_and_balanced_exists(panel):
    texts = [panel.speed_combo.itemText(i) for i in range(panel.speed_combo.count())]
    assert any(t.startswith("Balanced") and "no published price" in t for t in texts)
    assert any(t.startswith("Quality") and "$0.09" in t for t in texts)


def test_seed_random_by_default_locked_by_set_seed(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    assert panel.request().seed is None
    assert not panel.seed_spin.isEnabled()
    assert "Lock the seed" in panel.seed_spin.toolTip()
    panel.set_seed(77)
    assert panel.seed_locked() and panel.seed_spin.isEnabled()
    assert panel.request().seed == 77
    qtbot.mouseClick(panel.seed_lock, L)
    assert panel.request().seed is None


def test_style_type_tooltip_explains_the_default(panel):
    assert "General" in panel.style_type_combo.toolTip()
    assert panel.style_type_combo.currentText() == "Not set (General)"


def test_prompt_history_alt_up_down(qtbot, panel):
    panel.set_prompt_history(["first", "second"])
    qtbot.keyClicks(panel.prompt_edit, "draft")
    qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert panel.prompt_edit.text() == "second"
    qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert panel.prompt_edit.text() == "first"
    qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert panel.prompt_edit.text() == "draft"
    with qtbot.waitSignal(panel.submitted, timeout=1000):
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Return, CTRL)
    assert panel.prompt_history() == ["first", "second", "draft"]


def test_state_is_json_safe_and_restores(qtbot, panel, make_png):
    style_png = make_png("style.png")
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    panel.shape_picker.set_aspect_ratio(AspectRatio.AR_4X5)
    panel.images_spin.setValue(4)
    panel.set_seed(99)
    panel.set_preset(StylePreset.WATERCOLOR)
    panel.set_color_palette(ColorPalette(members=(PaletteMember("#102030", 0.5),)))
    panel.style_refs.add_paths([str(style_png)])
    panel.preset_picker().set_recents([StylePreset.AURA])
    panel.set_prompt_history(["older"])

    state = panel.state()
    text = json.dumps(state)  # JSON-safe
    assert "data" not in text and str(style_png) in text

    other = GeneratePanel()
    qtbot.addWidget(other)
    other.restore_state(json.loads(text))
    assert other.request() == panel.request()
    assert other.prompt_history() == ["older"]
    assert other.preset_picker().recents() == [StylePreset.AURA]
    assert other.style_refs.paths() == [str(style_png)]

    # A missing file and nonsense values are skipped, never raised.
    state["style_reference_paths"] = ["/nonexistent.png"]
    state["fields"]["rendering_speed"] = "WARP"
    other.restore_state(state)
    assert other.style_refs.images() == []
    assert other.request().rendering_speed is None


def test_busy_disables_generate_with_a_reason(qtbot, panel):
    qtbot.keyClicks(panel.prompt_edit, "Fox")
    panel.set_busy(True)
    assert not panel.generate_button.isEnabled()
    assert "Busy" in panel.generate_button.toolTip()
    panel.set_busy(False)
    assert panel.generate_button.isEnabled()


def test_cost_for_default_matches_pricing(panel):
    from ideogram_studio.api.pricing import estimate_cost

    panel.set_request(GenerateRequest(prompt="x", num_images=5, rendering_speed=RenderingSpeed.DEFAULT))
    assert estimate_cost(panel.request()) == Decimal("0.30")
    assert "≈ $0.30" in panel.cost_label.text()


def test_my_styles_save_apply_and_share_as_a_file(qtbot, panel, make_png, tmp_path):
    from ideogram_studio.gallery.styles import StyleLibrary

    mine = panel.fields.my_styles
    mine.library = StyleLibrary(tmp_path / "mine")
    assert mine.save_current_as("Empty") is None  # nothing to keep yet: said, not saved
    panel.style_type_combo.setCurrentIndex(panel.style_type_combo.findData(StyleType.DESIGN))
    panel.set_preset(StylePreset.TRAVEL_POSTER)
    panel.set_color_palette(ColorPalette.preset(PalettePreset.EMBER))
    panel.fields.style_refs.set_images([ImageFile.from_path(make_png("ref.png", color=(10, 200, 30)))])
    style = mine.save_current_as("Brand kit")
    assert style is not None and len(style.references) == 1
    # A fresh form, then the style from the menu, as a designer picks it.
    panel.set_preset(None)
    panel.style_type_combo.setCurrentIndex(0)
    panel.fields.style_refs.set_images([])
    panel.prompt_edit.set_text("a mug")
    menu = mine.menu()
    menu.aboutToShow.emit()
    next(a for a in menu.actions() if a.text() == "Brand kit").trigger()
    request = panel.request()
    assert request.prompt == "a mug"  # the prompt is the request's, not the style's
    assert request.style_type is StyleType.DESIGN and request.style_preset is StylePreset.TRAVEL_POSTER
    assert request.color_palette == ColorPalette.preset(PalettePreset.EMBER)
    assert len(request.style_reference_images) == 1
    # Shared as one file, imported by a colleague.
    out = tmp_path / "brand.idstyle"
    mine.export_file(style.id, out)
    other = StyleLibrary(tmp_path / "colleague")
    got = other.import_bytes(out.read_bytes(), out.name)
    assert got.name == "Brand kit" and dict(got.fields) == dict(style.fields) and len(got.references) == 1
