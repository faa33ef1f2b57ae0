"""Edit's model picker (Ideogram 3.0 inpaint / Precise Edit 4.5 / remove object), driven through real
widgets: the context window drawn by mouse and checked live (red, the rule named, Send disabled with
the reason), references refused at the slot, the one polarity table at export, fields kept across
switches."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from ideogram_studio.api.context_window import ContextWindow
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.registry import V1_MODEL, MaskPolarity
from ideogram_studio.api.requests import EditRequest, Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.imaging.mask_export import polarity_for
from ideogram_studio.ui.modes.edit import EditPanel

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier
W, H = 1200, 800
#: What each polarity means in pixels: (the painted area's value, the kept area's value).
PIXELS = {MaskPolarity.BLACK_EDITS: (0, 255), MaskPolarity.WHITE_EDITS: (255, 0)}


def png(size: tuple[int, int] = (W, H), colour: tuple[int, int, int] = (40, 90, 160)) -> ImageFile:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return ImageFile.from_bytes(buf.getvalue(), "photo.png")


@pytest.fixture
def panel(qtbot):
    widget = EditPanel()
    qtbot.addWidget(widget)
    widget.resize(520, 1000)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.source_picker is not None
    widget.source_picker.set_image_file(png(), None, convert=False)
    qtbot.waitUntil(widget.canvas.has_image)
    widget.canvas.fit()
    return widget


def choose_model(qtbot, panel: EditPanel, model: str) -> None:
    """Through the keyboard, as a designer would."""
    combo = panel.model_row.model_combo
    goal = combo.findData(model)
    assert goal >= 0, model
    combo.setFocus()
    while combo.currentIndex() != goal:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < goal else Qt.Key.Key_Up)


def vp(panel: EditPanel, x: float, y: float) -> QPoint:
    p = panel.canvas.map_from_image(QPointF(x, y))
    return QPoint(round(p.x()), round(p.y()))


def drag(panel: EditPanel, points: Sequence[tuple[float, float]]) -> None:
    viewport = panel.canvas.viewport()
    hits = [vp(panel, x, y) for x, y in points]
    QTest.mousePress(viewport, LEFT, NO_MOD, hits[0])
    for p in hits[1:]:
        QTest.mouseMove(viewport, p)
    QTest.mouseRelease(viewport, LEFT, NO_MOD, hits[-1])


def paint_box(panel: EditPanel, qtbot, box: tuple[int, int, int, int]) -> None:
    """Paint with the canvas's rectangle tool (R)."""
    panel.canvas.set_tool("rect")
    drag(panel, [(box[0], box[1]), ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), (box[2], box[3])])
    qtbot.waitUntil(lambda: panel.canvas.coverage_ratio() > 0)


def near(a: ContextWindow | None, b: ContextWindow, slack: int) -> bool:
    return a is not None and all(abs(p - q) <= slack for p, q in zip(a, b, strict=True))


def sent(qtbot, panel: EditPanel):
    with qtbot.waitSignal(panel.submitted, timeout=3000) as blocker:
        qtbot.mouseClick(panel.send_button, LEFT)
    return blocker.args[0]


def test_the_picker_offers_inpaint_precise_edit_and_remove_object(panel) -> None:
    combo = panel.model_row.model_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Ideogram 3.0 (inpaint)", "Precise Edit 4.5", "Remove object"]  # fmt: skip
    assert panel.model() == V1_MODEL and panel.model_row.isVisible()
    assert not panel.precise_box.isVisible() and not panel.model_row.quality_combo.isVisible()


def test_switching_keeps_the_shared_fields_and_hides_the_rest_with_the_reason(qtbot, panel) -> None:
    fields = panel.fields
    fields.images_spin.setValue(3)
    fields.seed_lock.setChecked(True)
    fields.seed_spin.setValue(4242)
    panel.prompt_edit.set_text("a straw hat")
    choose_model(qtbot, panel, "ideogram-4-5")
    assert panel.precise_box.isVisible() and panel.model_row.quality_combo.isVisible()
    assert not fields.speed_combo.isVisibleTo(panel) and "Quality" in fields.speed_combo.toolTip()
    assert not fields.magic_combo.isVisibleTo(panel)
    assert "Not used by Precise Edit 4.5" in panel.model_row.unused_label.text()
    request = panel.draft()
    assert isinstance(request, V2Request) and request.operation is Operation.PRECISE_EDIT
    assert request.values["num_images"] == 3 and request.values["seed"] == 4242
    assert request.values["prompt"] == "a straw hat"
    choose_model(qtbot, panel, "ideogram-1")
    assert not panel.prompt_edit.isVisibleTo(panel) and not panel.precise_box.isVisibleTo(panel)
    assert "prompt" in panel.model_row.unused_label.text()
    removal = panel.draft()
    assert isinstance(removal, V2Request) and removal.operation is Operation.REMOVE_OBJECT
    assert removal.values == {"seed": 4242}
    choose_model(qtbot, panel, V1_MODEL)
    back = panel.draft()
    assert isinstance(back, EditRequest) and back.num_images == 3 and back.seed == 4242
    assert back.prompt == "a straw hat" and panel.prompt_edit.isVisible()


def test_a_context_window_drawn_by_mouse_is_checked_live(qtbot, panel) -> None:
    choose_model(qtbot, panel, "ideogram-4-5")
    panel.prompt_edit.set_text("a straw hat")
    tool = panel.context_tool
    qtbot.mouseClick(panel.precise_box.draw_button, LEFT)
    assert tool.is_active()
    # Too thin: 100 px high. Drawn red, the rule named beside it, Send disabled with the reason.
    drag(panel, [(100, 100), (300, 150), (600, 200)])
    qtbot.waitUntil(lambda: tool.window() is not None)
    assert near(tool.window(), ContextWindow(100, 100, 200, 600), 3)
    assert tool.is_drawn_as_error() and tool.label_text() == "Breaks: each side ≥ 256 px"
    assert not panel.send_button.isEnabled()
    assert "at least 256 px" in panel.send_button.toolTip()
    assert panel.precise_box.window_message.isVisible()
    # Drag the bottom-right corner down: a valid window, drawn normally, Send enabled.
    drag(panel, [(600, 200), (650, 400), (700, 500)])
    assert near(tool.window(), ContextWindow(100, 100, 500, 700), 3)
    grown = tool.window()
    assert grown is not None and not tool.is_drawn_as_error()
    assert tool.label_text() == f"{grown.width}×{grown.height}"
    qtbot.waitUntil(panel.send_button.isEnabled)
    # Drag inside to move it: the size is kept, it stays inside the image.
    before = tool.window()
    assert before is not None
    drag(panel, [(400, 300), (1000, 600), (1190, 790)])
    moved = tool.window()
    assert moved is not None and (moved.width, moved.height) == (before.width, before.height)
    assert moved.x_max <= W and moved.y_max <= H and moved.x_min > before.x_min
    request = sent(qtbot, panel)
    assert isinstance(request, V2Request) and request.values["context_window"] == moved.to_field()


@pytest.mark.parametrize(
    ("window", "rule"),
    [
        (ContextWindow(0, 0, 256, 1190), None),  # 4.6:1, the longest this 1200×800 image allows
        (ContextWindow(0, 0, 800, 1200), None),  # the whole image
        (ContextWindow(0, 0, 256, 1560), "outside the image"),
        (ContextWindow(0, 0, 700, 110), "each side ≥ 256 px"),
        (ContextWindow(0, 0, 255, 255), "each side ≥ 256 px"),
    ],
)
def test_every_rule_is_named_on_the_canvas(qtbot, panel, window: ContextWindow, rule: str | None) -> None:
    choose_model(qtbot, panel, "ideogram-4-5")
    panel.context_tool.set_window(window)
    broken = panel.context_tool.broken()
    assert (broken.name if broken else None) == rule
    assert panel.context_tool.is_drawn_as_error() is (rule is not None)
    expected = f"Breaks: {rule}" if rule is not None else f"{window.width}×{window.height}"
    assert panel.context_tool.label_text() == expected


def test_aspect_and_area_rules_on_a_large_image(qtbot, panel) -> None:
    panel.source_picker.set_image_file(png((3000, 3000)), None, convert=False)
    qtbot.waitUntil(lambda: panel.canvas.image_size().width() == 3000)
    choose_model(qtbot, panel, "ideogram-4-5")
    tool = panel.context_tool
    tool.set_window(ContextWindow(0, 0, 300, 1900))
    assert tool.label_text() == "Breaks: aspect 1:6–6:1" and tool.is_drawn_as_error()
    tool.set_window(ContextWindow(0, 0, 2100, 2100))
    assert tool.label_text() == "Breaks: ≤ 4,194,304 px"
    qtbot.mouseClick(panel.precise_box.largest_button, LEFT)
    assert tool.broken() is None and tool.window() == ContextWindow(476, 476, 2524, 2524)
    assert not tool.is_drawn_as_error() and tool.label_text() == "2048×2048"


def test_references_up_to_four_and_three_once_a_mask_is_painted(qtbot, panel) -> None:
    choose_model(qtbot, panel, "ideogram-4-5")
    panel.prompt_edit.set_text("in this style")
    zone = panel.precise_box.references
    for _ in range(4):
        assert zone.add_image(png((64, 64)))
    assert not zone.add_image(png((64, 64)))
    assert "at most 4" in zone.message().text()
    paint_box(panel, qtbot, (100, 100, 400, 300))
    qtbot.waitUntil(lambda: zone.max_count() == 3)
    assert panel.validation_error() is not None and panel.validation_error().field == "reference_images"
    assert not panel.send_button.isEnabled()
    zone.remove_at(3)
    assert not zone.add_image(png((64, 64)))
    assert "with a mask" in zone.message().text()


def test_remove_object_exports_the_same_painting_inverted(qtbot, panel) -> None:
    paint_box(panel, qtbot, (100, 100, 400, 300))
    panel.prompt_edit.set_text("a hat")
    inpaint = panel.request()
    assert isinstance(inpaint, EditRequest) and inpaint.mask is not None
    assert inpaint.mask.pil().getpixel((200, 200)) == 0 and inpaint.mask.pil().getpixel((800, 600)) == 255
    choose_model(qtbot, panel, "ideogram-1")
    qtbot.waitUntil(panel.send_button.isEnabled)
    removal = sent(qtbot, panel)
    assert isinstance(removal, V2Request) and removal.operation is Operation.REMOVE_OBJECT
    mask = removal.uploads["mask"][0]
    assert isinstance(mask, ImageFile)
    assert mask.pil().getpixel((200, 200)) == 255 and mask.pil().getpixel((800, 600)) == 0
    assert panel.canvas.coverage_ratio() > 0  # the canvas shows the same painting


def test_remove_object_without_painting_says_what_to_do(qtbot, panel) -> None:
    choose_model(qtbot, panel, "ideogram-1")
    problem = panel.validation_error()
    assert problem is not None and problem.text == "Paint what to remove first."
    assert not panel.send_button.isEnabled()


def test_precise_edit_sends_without_a_mask_and_with_one_exported_black(qtbot, panel) -> None:
    choose_model(qtbot, panel, "ideogram-4-5")
    panel.prompt_edit.set_text("make it dusk")
    qtbot.waitUntil(panel.send_button.isEnabled)
    plain = sent(qtbot, panel)
    assert isinstance(plain, V2Request) and "mask" not in plain.uploads
    paint_box(panel, qtbot, (100, 100, 400, 300))
    qtbot.waitUntil(panel.send_button.isEnabled)
    masked = sent(qtbot, panel)
    assert masked.uploads["mask"][0].pil().getpixel((200, 200)) == 0


def test_the_model_survives_a_restart(qtbot, panel) -> None:
    choose_model(qtbot, panel, "ideogram-4-5")
    panel.model_row.set_quality("high")
    state = panel.state()
    again = EditPanel()
    qtbot.addWidget(again)
    again.restore_state(state)
    assert again.model() == "ideogram-4-5" and again.model_row.quality() == "high"


def test_the_hint_says_what_to_paint_for_each_model(qtbot, panel) -> None:
    choose_model(qtbot, panel, "ideogram-1")
    assert panel._editor_hint.text().startswith("Paint over what to remove")
    assert panel.send_button.text() == "Remove object"
    choose_model(qtbot, panel, "ideogram-4-5")
    assert panel._editor_hint.text().startswith("Paint over what to change")
    assert panel.send_button.text() == "Edit"


def test_every_model_exports_the_one_painting_as_the_table_says(qtbot, panel) -> None:
    """The canvas keeps one painting whatever the model; each model's export follows
    imaging/mask_export.EXPORT_POLARITY for the operation it sends."""
    paint_box(panel, qtbot, (100, 100, 400, 300))
    panel.prompt_edit.set_text("a hat")
    painting = panel.canvas.mask_qimage().copy()
    combo = panel.model_row.model_combo
    models = [combo.itemData(i) for i in range(combo.count())]
    operations = set()
    for model in models:
        choose_model(qtbot, panel, model)
        qtbot.waitUntil(panel.send_button.isEnabled)
        request = panel.request()
        operation = request.operation
        operations.add(operation)
        mask = request.mask if isinstance(request, EditRequest) else request.uploads["mask"][0]
        assert isinstance(mask, ImageFile)
        painted, kept = PIXELS[polarity_for(operation)]
        assert mask.pil().getpixel((200, 200)) == painted and mask.pil().getpixel((800, 600)) == kept, model
        assert panel.canvas.mask_qimage() == painting  # the canvas shows the same painting
    assert operations == {Operation.EDIT, Operation.PRECISE_EDIT, Operation.REMOVE_OBJECT}


@pytest.mark.parametrize(
    ("window", "rule"),
    [
        (ContextWindow(0, 0, 256, 256), None),  # each side exactly 256 px
        (ContextWindow(0, 0, 256, 255), "each side ≥ 256 px"),
        (ContextWindow(0, 0, 255, 256), "each side ≥ 256 px"),
        (ContextWindow(0, 0, 256, 1536), None),  # exactly 6:1
        (ContextWindow(0, 0, 256, 1537), "aspect 1:6–6:1"),
        (ContextWindow(0, 0, 1536, 256), None),  # exactly 1:6
        (ContextWindow(0, 0, 1537, 256), "aspect 1:6–6:1"),
        (ContextWindow(0, 0, 2048, 2048), None),  # exactly 4,194,304 px
        (ContextWindow(0, 0, 2048, 2049), "≤ 4,194,304 px"),
        (ContextWindow(0, 0, 3000, 1398), None),  # 4,194,000 px on a tall strip
        (ContextWindow(0, 0, 3000, 1399), "≤ 4,194,304 px"),
        (ContextWindow(1, 1, 3001, 257), "outside the image"),
    ],
)
def test_the_rules_at_their_edges_on_the_canvas(qtbot, panel, window: ContextWindow, rule: str | None) -> None:
    panel.source_picker.set_image_file(png((3000, 3000)), None, convert=False)
    qtbot.waitUntil(lambda: panel.canvas.image_size().width() == 3000)
    choose_model(qtbot, panel, "ideogram-4-5")
    panel.prompt_edit.set_text("a straw hat")
    tool = panel.context_tool
    tool.set_window(window)
    broken = tool.broken()
    assert (broken.name if broken else None) == rule
    assert tool.is_drawn_as_error() is (rule is not None)
    assert tool.label_text() == (f"Breaks: {rule}" if rule else f"{window.width}×{window.height}")
    qtbot.waitUntil(lambda: panel.send_button.isEnabled() is (rule is None))
    if rule is not None:
        assert broken is not None and broken.sentence[1:] in panel.send_button.toolTip()  # (capitalised)


def test_the_rectangle_turns_red_and_back_while_it_is_dragged(qtbot, panel) -> None:
    """Live: the rule is judged on every move of the mouse, before the button is released."""
    choose_model(qtbot, panel, "ideogram-4-5")
    tool = panel.context_tool
    qtbot.mouseClick(panel.precise_box.draw_button, LEFT)
    viewport = panel.canvas.viewport()
    QTest.mousePress(viewport, LEFT, NO_MOD, vp(panel, 100, 100))
    QTest.mouseMove(viewport, vp(panel, 700, 200))  # 600×100: too thin
    assert tool.is_drawn_as_error() and tool.label_text() == "Breaks: each side ≥ 256 px"
    QTest.mouseMove(viewport, vp(panel, 700, 500))  # 600×400
    assert not tool.is_drawn_as_error()
    # ~600×400: a mouse lands on whole screen pixels, a few image pixels apart at a fitted zoom.
    drawn_width, drawn_height = (int(side) for side in tool.label_text().split("×"))
    assert abs(drawn_width - 600) <= 4 and abs(drawn_height - 400) <= 4
    QTest.mouseMove(viewport, vp(panel, 1200, 300))  # 1100×200: thin again
    assert tool.is_drawn_as_error()
    QTest.mouseRelease(viewport, LEFT, NO_MOD, vp(panel, 1200, 300))
    assert tool.is_drawn_as_error() and not panel.send_button.isEnabled()
