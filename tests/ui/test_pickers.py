"""Shape, preset, palette pickers, the compare grid, palette extraction and the reference drop zone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from ideogram_studio.api import AspectRatio, ColorPalette, PaletteMember, PalettePreset, Resolution, StylePreset
from ideogram_studio.imaging.palette_extract import PaletteExtractError, extract_palette
from ideogram_studio.ui.modes.reference_zone import ReferenceZone
from ideogram_studio.ui.pickers.palette_picker import PalettePicker
from ideogram_studio.ui.pickers.preset_compare import CompareGrid
from ideogram_studio.ui.pickers.preset_grid import PresetTileDelegate
from ideogram_studio.ui.pickers.preset_model import HasPreviewRole, SearchRole, preset_of_index
from ideogram_studio.ui.pickers.preset_picker import PresetPicker
from ideogram_studio.ui.pickers.preset_previews import placeholder_tile
from ideogram_studio.ui.pickers.shape_picker import ShapePicker, grouped_resolutions

L = Qt.MouseButton.LeftButton


# ---- shape picker ----------------------------------------------------------------------------


@pytest.fixture
def shape(qtbot):
    widget = ShapePicker()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_shape_picker_aspect_and_resolution_clear_each_other(qtbot, shape):
    assert shape.value() == (None, None)
    assert "1024 × 1024" in shape.size_label().text()
    with qtbot.waitSignal(shape.changed):
        qtbot.mouseClick(shape.button(AspectRatio.AR_16X9), L)
    assert shape.value() == (AspectRatio.AR_16X9, None)
    assert shape.pixel_size() == (1312, 736)
    assert "1312 × 736" in shape.size_label().text()

    combo = shape.resolution_combo()
    index = next(i for i in range(combo.count()) if combo.itemText(i).strip() == "1024×1024 (1:1)")
    combo.setCurrentIndex(index)
    assert shape.value() == (None, Resolution.R_1024X1024)
    assert not shape.button(AspectRatio.AR_16X9).isChecked()

    qtbot.mouseClick(shape.button(AspectRatio.AR_3X1), L)
    assert shape.value() == (AspectRatio.AR_3X1, None)
    assert combo.currentIndex() == 0
    qtbot.mouseClick(shape.button(AspectRatio.AR_3X1), L)  # again: cleared
    assert shape.value() == (None, None)


def test_shape_picker_lists_every_resolution_grouped_with_labels(shape):
    combo = shape.resolution_combo()
    model = combo.model()
    selectable = [i for i in range(model.rowCount()) if model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled]
    assert len(selectable) == 1 + len(Resolution)  # "not set" + 69
    assert sum(len(items) for _, items in grouped_resolutions()) == 69
    texts = [combo.itemText(i).strip() for i in range(combo.count())]
    assert "832×960 (13:15)" in texts and "≈ 1:1" in texts
    assert all(not shape.button(a).icon().isNull() for a in AspectRatio)


def test_shape_picker_set_value_shows_exactly_what_it_is_given(shape):
    shape.set_value(AspectRatio.AR_2X3, Resolution.R_832X1248)  # invalid together; shown as is
    assert shape.value() == (AspectRatio.AR_2X3, Resolution.R_832X1248)
    shape.set_resolution(Resolution.R_1536X512)
    assert shape.value() == (None, Resolution.R_1536X512)


# ---- preset picker ---------------------------------------------------------------------------


@pytest.fixture
def picker(qtbot):
    widget = PresetPicker()
    qtbot.addWidget(widget)
    widget.resize(860, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tile_pos(view, row: int, check: bool = False) -> QPoint:
    index = view.model().index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    if check:
        delegate = view.itemDelegate()
        assert isinstance(delegate, PresetTileDelegate)
        return delegate.check_rect(rect).center()
    return QPoint(rect.center().x(), rect.bottom() - 6)


def test_preset_model_passes_the_model_tester(qtmodeltester, picker):
    qtmodeltester.check(picker.model())
    qtmodeltester.check(picker.proxy())
    picker.set_recents([StylePreset.AURA, StylePreset.BAUHAUS])
    qtmodeltester.check(picker.recents_model())


def test_model_holds_none_and_all_presets_in_stable_order(picker):
    model = picker.model()
    assert model.rowCount() == 1 + len(StylePreset) == 63
    assert model.preset_at(0) is None
    assert model.index(0, 0).data() == "None"
    assert model.index(1, 0).data() == "80s Illustration"
    assert "1980s" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)


def test_search_filters_the_model(qtbot, picker):
    qtbot.keyClicks(picker.search_field(), "poster")
    proxy = picker.proxy()
    names = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert "Travel Poster" in names and "Vintage Poster" in names
    assert 0 < len(names) < 10
    assert all("poster" in proxy.index(r, 0).data(SearchRole) for r in range(proxy.rowCount()))
    picker.set_search("no such style at all")
    assert proxy.rowCount() == 0
    picker.set_search("")
    assert proxy.rowCount() == 63


def test_clicking_a_tile_emits_preset_chosen_and_fills_recents(qtbot, picker):
    picker.set_search("watercolor")
    chosen = []
    picker.preset_chosen.connect(chosen.append)
    pos = tile_pos(picker.view(), 0)
    qtbot.mouseClick(picker.view().viewport(), L, pos=pos)  # a double click: click, then double-click
    qtbot.mouseDClick(picker.view().viewport(), L, pos=pos)
    assert chosen == [StylePreset.WATERCOLOR]  # chosen once
    with qtbot.waitSignal(picker.preset_chosen) as blocker:
        qtbot.mouseClick(picker.view().viewport(), L, pos=tile_pos(picker.view(), 0))
    assert blocker.args == [StylePreset.WATERCOLOR]
    assert picker.recents() == [StylePreset.WATERCOLOR]
    assert picker.recents_view().isVisible()

    picker.set_search("")
    with qtbot.waitSignal(picker.preset_chosen) as blocker:
        qtbot.mouseClick(picker.view().viewport(), L, pos=tile_pos(picker.view(), 0))
    assert blocker.args == [None]  # "None" is a choice too, but not a recent
    assert picker.recents() == [StylePreset.WATERCOLOR]

    # Recents row: last six, most recent first; the grid's order never changes.
    for preset in list(StylePreset)[:7]:
        picker.choose(preset)
    assert picker.recents() == list(reversed(list(StylePreset)[1:7]))
    assert picker.model().preset_at(1) is StylePreset.P_80S_ILLUSTRATION

    # Enter on the current tile chooses it; one gesture, one signal.
    view = picker.view()
    view.setFocus()
    view.setCurrentIndex(picker.proxy().index(2, 0))
    with qtbot.waitSignal(picker.preset_chosen) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [StylePreset.P_90S_NOSTALGIA]
    picker.set_recents(list(StylePreset)[1:7][::-1])
    with qtbot.waitSignal(picker.preset_chosen) as blocker:
        qtbot.mouseClick(picker.recents_view().viewport(), L, pos=tile_pos(picker.recents_view(), 0))
    assert blocker.args == [list(StylePreset)[6]]


def test_set_preview_replaces_the_placeholder(qtbot, picker):
    model = picker.model()
    row = model.row_of(StylePreset.ART_DECO)
    index = model.index(row, 0)
    before = index.data(Qt.ItemDataRole.DecorationRole).toImage()
    assert before == placeholder_tile(StylePreset.ART_DECO).convertToFormat(before.format())
    assert index.data(HasPreviewRole) is False

    red = QImage(300, 200, QImage.Format.Format_RGB32)
    red.fill(QColor(255, 0, 0))
    with qtbot.waitSignal(model.dataChanged) as blocker:
        picker.set_preview(StylePreset.ART_DECO, red)
    assert blocker.args[0].row() == row
    after = index.data(Qt.ItemDataRole.DecorationRole).toImage()
    assert after.pixelColor(after.width() // 2, after.height() // 2) == QColor(255, 0, 0)
    assert index.data(HasPreviewRole) is True
    other = model.index(model.row_of(StylePreset.BAUHAUS), 0)
    assert other.data(HasPreviewRole) is False


def test_placeholders_are_deterministic_and_distinct():
    a1, a2 = placeholder_tile(StylePreset.AURA), placeholder_tile(StylePreset.AURA)
    assert a1 == a2
    assert a1 != placeholder_tile(StylePreset.BAUHAUS)
    assert not placeholder_tile(None).isNull()


def test_generate_previews_asks_inline_with_the_cost_then_emits(qtbot, picker):
    assert not picker.preview_button().isEnabled()
    assert "prompt" in picker.preview_button().toolTip()
    qtbot.keyClicks(picker.prompt_field(), "A lighthouse")
    picker.set_search("poster")
    presets = picker.visible_presets()
    assert picker.previews_cost() == Decimal("0.03") * len(presets)

    with qtbot.assertNotEmitted(picker.previews_requested):
        qtbot.mouseClick(picker.preview_button(), L)
    assert picker.is_confirming() and picker.confirm_button().isVisible()
    total = f"${Decimal('0.03') * len(presets):.2f}"
    assert total in picker.confirm_button().text()

    with qtbot.waitSignal(picker.previews_requested) as blocker:
        qtbot.mouseClick(picker.confirm_button(), L)
    assert blocker.args == ["A lighthouse", presets]
    assert not picker.is_confirming()


def test_all_previews_cost_and_cancel(qtbot, picker):
    picker.set_prompt("x")
    assert picker.previews_cost() == Decimal("1.86")  # 62 presets × $0.03 (Turbo, 1 image)
    picker.preview_button().click()
    assert "≈ $1.86" in picker.confirm_button().text()
    with qtbot.assertNotEmitted(picker.previews_requested):
        picker._cancel_button.click()
    assert not picker.is_confirming()


def test_compare_ticked_presets(qtbot, picker):
    picker.set_prompt("A fox")
    compare = picker.compare_button()
    assert not compare.isEnabled() and "Tick two" in compare.toolTip()

    view = picker.view()
    rows = [picker.proxy().mapFromSource(picker.model().index(picker.model().row_of(p), 0)).row()
            for p in (StylePreset.BAUHAUS, StylePreset.AURA)]
    with qtbot.assertNotEmitted(picker.preset_chosen):
        for row in rows:
            qtbot.mouseClick(view.viewport(), L, pos=tile_pos(view, row, check=True))
    assert picker.checked_presets() == [StylePreset.AURA, StylePreset.BAUHAUS]  # stable order
    assert compare.isEnabled()
    assert compare.text() == "Compare 2 presets · ≈ $0.06"

    # Space on the current tile ticks it too.
    view.setFocus()
    weird = picker.model().index(picker.model().row_of(StylePreset.WEIRD), 0)
    view.setCurrentIndex(picker.proxy().mapFromSource(weird))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert StylePreset.WEIRD in picker.checked_presets()
    assert compare.text() == "Compare 3 presets · ≈ $0.09"

    with qtbot.waitSignal(picker.compare_requested) as blocker:
        qtbot.mouseClick(compare, L)
    assert blocker.args == ["A fox", [StylePreset.AURA, StylePreset.BAUHAUS, StylePreset.WEIRD]]
    grid = picker.compare_grid()
    assert grid.isVisible()
    assert grid.presets() == [StylePreset.AURA, StylePreset.BAUHAUS, StylePreset.WEIRD]
    assert all(grid.is_pending(p) for p in grid.presets())

    qtbot.mouseClick(picker._clear_ticks, L)
    assert picker.checked_presets() == []


def test_compare_grid_shows_results_side_by_side(qtbot):
    grid = CompareGrid()
    qtbot.addWidget(grid)
    grid.resize(700, 320)
    grid.show()
    grid.set_pending([StylePreset.AURA, StylePreset.BAUHAUS])
    assert grid.picture_label(StylePreset.AURA).text() == "Generating…"
    assert grid.name_label(StylePreset.BAUHAUS).text() == "Bauhaus"
    assert grid.title().text() == "Comparison · 0 of 2 ready"

    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("#00ff00"))
    grid.add_result(StylePreset.AURA, image)
    assert not grid.is_pending(StylePreset.AURA) and grid.is_pending(StylePreset.BAUHAUS)
    assert grid.image_of(StylePreset.AURA) == image
    assert not grid.picture_label(StylePreset.AURA).pixmap().isNull()
    assert grid.title().text() == "Comparison · 1 of 2 ready"
    # Side by side: both cells on one row.
    def pos(preset):
        return grid.picture_label(preset).mapTo(grid, QPoint(0, 0))

    qtbot.waitUntil(lambda: pos(StylePreset.AURA).x() < pos(StylePreset.BAUHAUS).x(), timeout=2000)
    assert pos(StylePreset.AURA).y() == pos(StylePreset.BAUHAUS).y()

    grid.set_failed(StylePreset.BAUHAUS, "Rejected by the safety check")
    assert not grid.is_pending(StylePreset.BAUHAUS)
    with qtbot.waitSignal(grid.use_requested) as blocker:
        grid._cells[StylePreset.AURA].use_button.click()
    assert blocker.args == [StylePreset.AURA]


# ---- palette picker and extraction -----------------------------------------------------------


@pytest.fixture
def palette(qtbot):
    widget = PalettePicker()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def click_radio(qtbot, radio) -> None:
    """Click on the indicator, where a designer clicks (the button may be wider than its text)."""
    qtbot.mouseClick(radio, L, pos=QPoint(8, radio.height() // 2))


def test_palette_preset_none_and_custom(qtbot, palette):
    assert palette.value() is None
    with qtbot.waitSignal(palette.changed):
        click_radio(qtbot, palette.preset_button(PalettePreset.EMBER))
    assert palette.value() == ColorPalette(name=PalettePreset.EMBER)

    click_radio(qtbot, palette.custom_button())  # starts with one colour to edit
    assert len(palette.rows()) == 1
    qtbot.mouseClick(palette._add_button, L)
    first, second = palette.rows()
    first.set_color(QColor("#112233"))
    first.slider().setValue(90)
    second.set_color("#AABBCC")
    second.slider().setValue(40)
    assert palette.value() == ColorPalette(members=(PaletteMember("#112233", 0.9), PaletteMember("#AABBCC", 0.4)))
    palette.value().validate()

    qtbot.mouseClick(first.remove_button(), L)
    assert palette.value() == ColorPalette(members=(PaletteMember("#AABBCC", 0.4),))
    click_radio(qtbot, palette.none_button())
    assert palette.value() is None


def test_palette_weight_slider_range_and_eight_colour_limit(palette):
    row = palette.add_color("#000000", 1.0)
    assert row.slider().minimum() == 5 and row.slider().maximum() == 100
    row.slider().setValue(0)
    assert row.weight() == 0.05
    for _ in range(10):
        palette.add_color()
    assert len(palette.rows()) == 8
    assert not palette._add_button.isEnabled()
    assert "at most 8" in palette._add_button.toolTip()


def test_palette_set_value_round_trip(palette):
    custom = ColorPalette.custom(("#abc", None), ("#FF0000", 0.333))
    palette.set_value(custom)
    assert palette.value() == custom
    palette.set_value(ColorPalette.preset(PalettePreset.PASTEL))
    assert palette.value() == ColorPalette.preset(PalettePreset.PASTEL)
    palette.set_value(None)
    assert palette.value() is None


def test_palette_from_image_file(palette, tmp_path):
    path = tmp_path / "two.png"
    img = Image.new("RGB", (40, 40), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 40, 10))  # a quarter of the area
    img.save(path)
    assert palette.load_from_image(str(path))
    assert palette.value() == ColorPalette(members=(PaletteMember("#FF0000", 1.0), PaletteMember("#0000FF", 0.33)))

    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    assert not palette.load_from_image(str(bad))
    assert palette.message().isVisible() and "not an image" in palette.message().text()


def test_extract_palette_weights_by_area_sorted_and_clamped():
    img = Image.new("RGB", (100, 100), (0, 128, 0))
    img.paste((255, 255, 0), (0, 0, 100, 25))
    assert extract_palette(img) == [("#008000", 1.0), ("#FFFF00", 0.33)]

    tiny = Image.new("RGB", (100, 100), (255, 255, 255))
    tiny.paste((0, 0, 0), (0, 0, 100, 2))  # 2 % of the area: weight 0.02 -> 0.05
    assert extract_palette(tiny) == [("#FFFFFF", 1.0), ("#000000", 0.05)]

    big = Image.new("RGB", (1000, 600), (10, 20, 30))
    big.paste((200, 100, 50), (0, 0, 500, 600))
    assert [c for c, _ in extract_palette(big)] == ["#0A141E", "#C86432"] or \
        [c for c, _ in extract_palette(big)] == ["#C86432", "#0A141E"]
    assert all(w == 1.0 for _, w in extract_palette(big))


def test_extract_palette_refuses_non_images(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello")
    with pytest.raises(PaletteExtractError):
        extract_palette(path)
    with pytest.raises(PaletteExtractError):
        extract_palette(tmp_path / "missing.png")


# ---- reference zone --------------------------------------------------------------------------


@pytest.fixture
def zone(qtbot):
    widget = ReferenceZone("Style references", max_count=2)
    qtbot.addWidget(widget)
    widget.resize(400, 200)
    widget.show()
    return widget


def drop(widget, paths) -> None:
    """A real drag-enter then drop, with file URLs in real QMimeData."""
    mime = _mime(paths)
    rest = (Qt.DropAction.CopyAction, mime, L, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *rest)  # QDragEnterEvent takes a QPoint before Qt 6.12
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(20, 20), *rest))


def test_reference_zone_rejects_a_text_file_with_a_visible_message(qtbot, zone, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with qtbot.assertNotEmitted(zone.changed):
        drop(zone, [text])
    assert zone.images() == []
    assert zone.message().isVisible()
    assert zone.message().text() == "notes.txt is not an image file."


def test_reference_zone_accepts_pngs_up_to_its_maximum(qtbot, zone, make_png):
    a, b, c = make_png("a.png"), make_png("b.png", color=(0, 0, 255)), make_png("c.png")
    with qtbot.waitSignal(zone.changed):
        drop(zone, [a])
    assert [i.filename for i in zone.images()] == ["a.png"]
    assert zone.paths() == [str(a)]
    assert not zone.message().isVisible()
    assert zone.add_from_mime(_mime([b, c])) == 1
    assert len(zone.images()) == 2
    assert zone.message().isVisible() and "at most 2 images" in zone.message().text()
    assert not zone.add_button().isEnabled() and "at most 2" in zone.add_button().toolTip()

    with qtbot.waitSignal(zone.changed):
        qtbot.mouseClick(zone.remove_buttons()[0], L)
    assert [i.filename for i in zone.images()] == ["b.png"]
    assert zone.add_button().isEnabled()


def test_reference_zone_paste_image_from_clipboard(qtbot, zone):
    image = QImage(30, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#123456"))
    QGuiApplication.clipboard().setImage(image)
    zone.setFocus()
    qtbot.keyClick(zone, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(zone.images()) == 1
    assert zone.images()[0].size == (30, 20) and zone.images()[0].format == "PNG"
    assert zone.paths() == [None]


def test_reference_zone_set_images_and_thumbnails(zone, make_png):
    from ideogram_studio.api import ImageFile

    files = [ImageFile.from_path(make_png("x.png")), ImageFile.from_path(make_png("y.png"))]
    zone.set_images(files)
    assert zone.images() == files
    assert len(zone.remove_buttons()) == 2
    zone.clear()
    assert zone.images() == []


def _mime(paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_preset_of_index_reads_the_preset_role(picker):
    index = picker.model().index(picker.model().row_of(StylePreset.AURA), 0)
    assert preset_of_index(index) is StylePreset.AURA
    assert preset_of_index(picker.model().index(0, 0)) is None
