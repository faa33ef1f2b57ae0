"""My styles as a “Mine” tab in the preset picker, beside Ideogram's presets: applied in one click,
with the viewer's current result captured as a style's preview (when saving it, or later with
“Use current result as preview”), renamed, exported and deleted there."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QPushButton, QTabWidget

from ideogram_studio.api.enums import PalettePreset, StylePreset
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.gallery.styles import StyleLibrary
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.common import current_result
from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.pickers.mine_tab import MineTab

from .helpers import Studio, close_studio, open_studio


def solid(colour: Qt.GlobalColor, w: int = 640, h: int = 400) -> QImage:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    return image


@pytest.fixture
def shown() -> Iterator[list[QImage]]:
    """What "the viewer" shows, as the window registers it."""
    images = [solid(Qt.GlobalColor.red)]
    current_result.set_provider(lambda: images[0])
    yield images
    current_result.set_provider(None)


@pytest.fixture
def panel(qtbot: Any, tmp_path: Path) -> GeneratePanel:
    widget = GeneratePanel()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.fields.my_styles.library = StyleLibrary(tmp_path / "mine")
    return widget


def mine_tab(panel: GeneratePanel) -> MineTab:
    choice = panel.fields.preset_choice()
    assert choice is not None
    choice.open()
    tabs = choice.tabs
    assert isinstance(tabs, QTabWidget) and tabs.tabText(0) == "Ideogram presets" and tabs.tabText(1) == "Mine"
    tabs.setCurrentIndex(1)
    tab = tabs.widget(1)
    assert isinstance(tab, MineTab)
    return tab


def preview_colour(path: Path | None) -> tuple[int, int, int]:
    assert path is not None
    with Image.open(path) as img:
        assert max(img.size) <= current_result.PREVIEW_SIDE
        return img.convert("RGB").getpixel((img.width // 2, img.height // 2))  # type: ignore[return-value]


def test_a_saved_style_shows_in_the_mine_tab_with_the_current_result_and_applies_in_one_click(
    qtbot: Any, panel: GeneratePanel, shown: list[QImage]
) -> None:
    panel.set_preset(StylePreset.TRAVEL_POSTER)
    panel.set_color_palette(ColorPalette.preset(PalettePreset.EMBER))
    mine = panel.fields.my_styles
    style = mine.save_current_as("Brand kit", current_result.preview_png())  # as “Save…” does after its name
    assert style is not None and preview_colour(style.preview) == (255, 0, 0)

    tab = mine_tab(panel)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=2000)
    item = tab.list.item(0)
    assert item.text() == "Brand kit" and not item.icon().isNull()
    assert "Preset: Travel Poster" in item.toolTip() and "Palette: Ember" in item.toolTip()
    panel.set_preset(None)
    dialog = tab.window()
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton, pos=tab.list.visualItemRect(item).center())
    assert panel.fields.preset_choice().value() is StylePreset.TRAVEL_POSTER  # type: ignore[union-attr]  # one click
    assert not dialog.isVisible()  # and the picker closed


def test_use_current_result_as_preview_rename_and_delete_in_the_tab(
    qtbot: Any, panel: GeneratePanel, shown: list[QImage], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.set_preset(StylePreset.TRAVEL_POSTER)
    style = panel.fields.my_styles.save_current_as("Kit")  # saved without a preview
    assert style is not None and style.preview is None
    tab = mine_tab(panel)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=2000)
    use_preview = tab.findChild(QPushButton, "mine-preview")
    assert use_preview is not None and not use_preview.isEnabled()  # nothing selected yet
    tab.list.setCurrentRow(0)
    shown[0] = solid(Qt.GlobalColor.blue, 300, 900)
    qtbot.mouseClick(use_preview, Qt.MouseButton.LeftButton)
    library = panel.fields.my_styles.library
    assert preview_colour(library.get(style.id).preview) == (0, 0, 255)  # type: ignore[union-attr]
    assert "now the preview" in tab.message.text()

    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Brand kit 2027", True))
    qtbot.mouseClick(tab.findChild(QPushButton, "mine-rename"), Qt.MouseButton.LeftButton)
    assert tab.list.item(0).text() == "Brand kit 2027" and library.get(style.id).name == "Brand kit 2027"  # type: ignore[union-attr]
    qtbot.mouseClick(tab.findChild(QPushButton, "mine-delete"), Qt.MouseButton.LeftButton)
    assert tab.list.count() == 0 and tab.empty.isVisibleTo(tab) and library.all() == []


def test_a_style_is_edited_by_updating_it_from_the_form_keeping_its_name_and_preview(
    qtbot: Any, panel: GeneratePanel, shown: list[QImage]
) -> None:
    panel.set_preset(StylePreset.TRAVEL_POSTER)
    mine = panel.fields.my_styles
    style = mine.save_current_as("Brand kit", current_result.preview_png())
    assert style is not None
    tab = mine_tab(panel)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=2000)
    update = tab.findChild(QPushButton, "mine-update")
    assert update is not None and not update.isEnabled()  # nothing selected yet
    tab.list.setCurrentRow(0)
    panel.set_color_palette(ColorPalette.preset(PalettePreset.EMBER))  # the designer tweaks the form
    qtbot.mouseClick(update, Qt.MouseButton.LeftButton)
    edited = mine.library.get(style.id)
    assert edited is not None and edited.name == "Brand kit" and len(mine.library.all()) == 1
    assert edited.fields.get("style_preset") == "TRAVEL_POSTER" and "color_palette" in edited.fields
    assert preview_colour(edited.preview) == (255, 0, 0)  # the preview stayed
    assert "Palette: Ember" in tab.list.item(0).toolTip() and "updated from the form" in tab.message.text()


def test_without_a_result_the_preview_is_asked_for_in_words(qtbot: Any, panel: GeneratePanel) -> None:
    current_result.set_provider(lambda: None)
    panel.set_preset(StylePreset.TRAVEL_POSTER)
    style = panel.fields.my_styles.save_current_as("Kit")
    assert style is not None
    tab = mine_tab(panel)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=2000)
    tab.list.setCurrentRow(0)
    qtbot.mouseClick(tab.findChild(QPushButton, "mine-preview"), Qt.MouseButton.LeftButton)
    assert "Show a result in the viewer first" in tab.message.text()
    current_result.set_provider(None)


def test_the_window_gives_its_viewer_as_the_current_result(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio: Studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        studio.window.viewer.set_image(solid(Qt.GlobalColor.green, 64, 64))
        image = current_result.current_image()
        assert image is not None and image.pixelColor(10, 10) == QColor(Qt.GlobalColor.green)
    finally:
        close_studio(qtbot, studio)
        current_result.set_provider(None)


def test_while_a_batch_grid_shows_the_current_result_is_the_grids_current_image(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from ideogram_studio.api.requests import GenerateRequest

    from .helpers import wait_for, wait_jobs_finished

    studio: Studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window, area = studio.window, studio.window.result_area
        window.viewer.set_image(solid(Qt.GlobalColor.green, 64, 64))  # an old image still in the viewer
        wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="four mugs", num_images=4)))
        wait_jobs_finished(qtbot, studio, 1)
        # All four in (the rows are there from the first: the later ones would move the current cell,
        # which stays on the first until the designer chooses one).
        qtbot.waitUntil(lambda: area.showing_grid() and len(area.model.batch().hashes) == 4, timeout=10000)
        area.grid.setCurrentIndex(area.model.index(2))
        third = area.current_hash()  # the grid lists results as they arrive: not the job's order
        assert third is not None and third in studio.jobs()[-1].result_hashes
        qtbot.waitUntil(lambda: window.thumbnails.pixmap(third) is not None, timeout=10000)
        image = current_result.current_image()
        expected = window.thumbnails.pixmap(third)
        assert image is not None and expected is not None
        assert image.pixelColor(5, 5) == expected.toImage().pixelColor(5, 5)
        assert image.pixelColor(5, 5) != QColor(Qt.GlobalColor.green)
    finally:
        close_studio(qtbot, studio)
        current_result.set_provider(None)
