"""The Style rows' pickers are made on first open (issue 15): a form starts without them, and what
was set before a picker existed is what it shows and gives back once made."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QImage

from ideogram_studio.api import ColorPalette, PaletteMember, PalettePreset, StylePreset
from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.modes.style_choices import shown_palette


def make_panel(qtbot: Any) -> GeneratePanel:
    panel = GeneratePanel()
    qtbot.addWidget(panel)
    return panel


def test_a_new_form_has_no_pickers_until_one_opens(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    preset, palette = panel.fields.preset_choice(), panel.fields._palette_choice
    assert preset is not None and not preset.is_made() and not palette.is_made()
    panel.preset_button.click()
    assert preset.is_made() and not palette.is_made()
    qtbot.waitExposed(panel.preset_picker())
    panel.palette_button.click()
    assert palette.is_made()


def test_values_set_before_the_pickers_exist_are_what_they_show(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    qtbot.keyClicks(panel.prompt_edit, "a fox")
    custom = ColorPalette(members=(PaletteMember("#102030", 0.5), PaletteMember("#A0B0C0", None)))
    panel.set_preset(StylePreset.WATERCOLOR)
    panel.set_color_palette(custom)
    panel.fields.set_preset_recents([StylePreset.AURA, "no-such-preset", StylePreset.AURA, StylePreset.BAUHAUS])
    before = panel.request()
    assert before.style_preset is StylePreset.WATERCOLOR and before.color_palette == custom
    assert "Watercolor" in panel.preset_button.text() and panel.preset_clear.isEnabled()
    assert panel.palette_clear.isEnabled()

    picker = panel.preset_picker()  # made now
    assert picker.current() is StylePreset.WATERCOLOR
    assert picker.recents() == [StylePreset.AURA, StylePreset.BAUHAUS]
    assert panel.palette_picker().value() == custom
    assert panel.request() == before


def test_choosing_in_a_made_picker_reaches_the_form(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    changes: list[int] = []
    panel.changed.connect(lambda: changes.append(1))
    panel.preset_picker().choose(StylePreset.BAUHAUS)
    assert panel.preset() is StylePreset.BAUHAUS and changes
    assert panel.fields.preset_recents() == [StylePreset.BAUHAUS]
    panel.palette_picker().set_preset(PalettePreset.JUNGLE)
    assert panel.color_palette() == ColorPalette.preset(PalettePreset.JUNGLE)
    panel.palette_clear.click()
    panel.preset_clear.click()
    assert panel.color_palette() is None and panel.preset() is None
    assert panel.palette_picker().value() is None and panel.preset_picker().current() is None


def test_previews_that_arrive_before_the_picker_are_in_it(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    choice = panel.fields.preset_choice()
    assert choice is not None
    panel.set_preset(StylePreset.BAUHAUS)
    icon_before = panel.preset_button.icon().pixmap(32, 32).toImage()
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(0x3366AA)
    choice.store.set_preview(StylePreset.BAUHAUS, image)
    assert panel.preset_button.icon().pixmap(32, 32).toImage() != icon_before  # the button shows it at once
    assert panel.preset_picker().preview_store().has_preview(StylePreset.BAUHAUS)


def test_the_palette_as_the_picker_gives_it_back() -> None:
    assert shown_palette(None) is None
    assert shown_palette(ColorPalette()) is None
    assert shown_palette(ColorPalette.preset(PalettePreset.JUNGLE)) == ColorPalette.preset(PalettePreset.JUNGLE)
    members = (PaletteMember("#102030", 0.5),)
    assert shown_palette(ColorPalette(name=PalettePreset.JUNGLE, members=members)) == ColorPalette(members=members)
