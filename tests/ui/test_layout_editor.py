"""The structured prompt's layout editor, driven with the mouse and keyboard through real widgets:
boxes drawn, moved and resized → the panel's JSON; the JSON edited → the boxes; undo/redo of every
kind of edit; flags; the text limit refused at the field; prompt files opened and saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ideogram_studio.api.structured_layout import PROMPT_LIMIT, text_room
from ideogram_studio.ui.modes.layout_editor import LayoutEditor

from .layout_helpers import CAPTION, L, drag, elements, open_editor, open_panel


@pytest.fixture
def panel(qtbot):
    return open_panel(qtbot)


@pytest.fixture
def editor(qtbot, panel) -> LayoutEditor:
    return open_editor(qtbot, panel)


def test_boxes_drawn_with_the_mouse_become_the_json(qtbot, panel, editor):
    qtbot.keyClicks(panel.prompt_edit, "ignored")  # the editor started from the sentence (empty then)
    assert not panel.structured_box.in_use()  # opening the editor writes nothing
    drag(qtbot, editor, (102.4, 204.8), (512, 409.6))  # frame 1024×1024: [200, 100, 400, 500]
    (first,) = elements(panel)
    assert first["type"] == "obj"
    assert first["bbox"] == pytest.approx([200, 100, 400, 500], abs=3)
    qtbot.mouseClick(editor.text_button, L)
    drag(qtbot, editor, (100, 700), (900, 900))
    second = elements(panel)[1]
    assert second["type"] == "text" and "text" in second
    assert second["bbox"] == pytest.approx([684, 98, 879, 879], abs=3)
    assert editor.selected() == 1 and len(editor.canvas.boxes()) == 2


def test_moving_and_resizing_a_box_rewrites_its_bbox(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    assert [b.element.desc for b in editor.canvas.boxes()] == ["headline", "a lighthouse"]
    # Move the headline up by 512 px (half the frame): y 600–800 → 100–300.
    drag(qtbot, editor, (512, 700), (512, 188))
    assert elements(panel)[0]["bbox"] == pytest.approx([100, 100, 300, 900], abs=3)
    # Resize the selected box from its bottom-right handle.
    drag(qtbot, editor, (921.6, 307.2), (1000, 400))
    assert elements(panel)[0]["bbox"] == pytest.approx([100, 100, 391, 977], abs=4)


def test_the_json_edited_moves_the_boxes(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    edited = json.loads(json.dumps(CAPTION))
    edited["compositional_deconstruction"]["elements"][1]["bbox"] = [0, 0, 250, 500]
    edited["compositional_deconstruction"]["elements"].append({"type": "obj", "bbox": [800, 800, 1000, 1000],
                                                               "desc": "a gull"})  # fmt: skip
    panel.structured_box.edit.selectAll()
    qtbot.keyClicks(panel.structured_box.edit, json.dumps(edited))
    boxes = editor.canvas.boxes()
    assert [b.element.desc for b in boxes] == ["headline", "a lighthouse", "a gull"]
    rect = boxes[1].rect()
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx((0, 0, 512, 256), abs=1)
    # JSON that breaks the schema leaves the boxes as they were and says why at the field.
    panel.structured_box.edit.selectAll()
    qtbot.keyClicks(panel.structured_box.edit, '{"high_level_description": 1}')
    assert len(editor.canvas.boxes()) == 3


def test_undo_and_redo_every_kind_of_edit(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    stack = editor.undo_stack
    start = stack.count()
    drag(qtbot, editor, (512, 700), (512, 200))  # move
    moved = elements(panel)[0]["bbox"]
    qtbot.keyClicks(editor.form.desc_edit, " in gold")  # a field: one step for the typing
    assert elements(panel)[0]["desc"] == "headline in gold"
    editor.canvas.setFocus()
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Delete)  # delete
    assert len(elements(panel)) == 1
    assert stack.count() == start + 3
    editor.canvas.setFocus()
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(elements(panel)) == 2
    editor.undo_action.trigger()
    assert elements(panel)[0]["desc"] == "headline" and elements(panel)[0]["bbox"] == moved
    editor.undo_action.trigger()
    assert elements(panel)[0]["bbox"] == [600, 100, 800, 900]
    assert editor.canvas.boxes()[0].rect().top() == pytest.approx(614.4)
    editor.redo_action.trigger()
    editor.redo_action.trigger()
    assert elements(panel)[0] == {**CAPTION["compositional_deconstruction"]["elements"][0], "bbox": moved,
                                  "desc": "headline in gold"}  # fmt: skip
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(elements(panel)) == 1


def test_scene_fields_and_palettes_are_steps_too(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    form = editor.form
    form.text_edits["background"].selectAll()
    qtbot.keyClicks(form.text_edits["background"], "night sky")
    assert json.loads(panel.structured_box.text())["compositional_deconstruction"]["background"] == "night sky"
    editor.canvas._select(1)
    qtbot.mouseClick(form.element_palette_button, L)
    dialog = form.palette_dialog()
    assert dialog is not None
    dialog.picker.set_custom([("#ff8800", None), ("#003366", None)])
    dialog.accept()
    assert elements(panel)[1]["color_palette"] == ["#FF8800", "#003366"]
    editor.undo_action.trigger()
    assert "color_palette" not in elements(panel)[1]
    editor.undo_action.trigger()
    assert json.loads(panel.structured_box.text())["compositional_deconstruction"]["background"] == "cream"


def test_overlapping_out_of_frame_and_tiny_boxes_are_flagged_not_refused(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    drag(qtbot, editor, (512, 300), (512, 650))  # the lighthouse onto the headline
    drag(qtbot, editor, (10, 10), (22, 22))  # a 12 px box
    kinds = {(f.index, f.kind) for f in editor.flags()}
    assert {(0, "overlap"), (1, "overlap"), (2, "small")} <= kinds
    assert editor.flags_label.isVisible() and "overlaps" in editor.flags_label.text()
    assert editor.canvas.boxes()[2].flagged and editor.canvas.boxes()[0].flagged
    # Dragged half out of the frame: kept there (flagged), sent clipped.
    drag(qtbot, editor, (16, 16), (-200, 16))
    assert (2, "outside") in {(f.index, f.kind) for f in editor.flags()}
    assert elements(panel)[2]["bbox"][1] == 0
    assert editor.canvas.boxes()[2].rect().left() < 0
    assert len(elements(panel)) == 3  # nothing refused


def test_text_longer_than_the_service_takes_is_refused_at_the_field(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    editor.canvas._select(0)
    room = text_room(editor.prompt_layout(), 0)
    field = editor.form.text_edit
    field.selectAll()
    QApplication.clipboard().setText("x" * (room + 1))
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "NORTH LIGHT" and elements(panel)[0]["text"] == "NORTH LIGHT"  # nothing lost
    assert editor.form.text_message.kind() == "error"
    assert f"{PROMPT_LIMIT:,}" in editor.form.text_message.text()
    QApplication.clipboard().setText("y" * room)
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert elements(panel)[0]["text"] == "y" * room
    assert editor.form.text_message.kind() != "error"


def test_a_prompt_file_opens_saves_and_a_foreign_one_is_refused(qtbot, panel, editor, tmp_path: Path):
    folder = tmp_path / "prompts"
    folder.mkdir()
    good = folder / "poster.json"
    good.write_text(json.dumps(CAPTION))
    assert editor.open_file(good)
    assert elements(panel) == CAPTION["compositional_deconstruction"]["elements"]
    foreign = folder / "workflow.json"
    foreign.write_text('{"nodes": [], "links": []}')
    assert not editor.open_file(foreign)
    assert editor.message.kind() == "error" and "not an Ideogram structured prompt" in editor.message.text()
    assert elements(panel) == CAPTION["compositional_deconstruction"]["elements"]  # nothing lost
    drag(qtbot, editor, (512, 700), (512, 200))
    saved = folder / "moved.json"
    assert editor.save_file(saved)
    assert json.loads(saved.read_text()) == json.loads(panel.structured_box.text())
    editor.undo_action.trigger()  # the open is a step too
    editor.undo_action.trigger()
    assert not editor.prompt_layout().elements


def test_a_reference_image_sets_the_frame(qtbot, panel, editor, tmp_path: Path):
    from PIL import Image

    path = tmp_path / "ref.png"
    Image.new("RGB", (600, 300), "#336699").save(path)
    panel.structured_box.set_value(CAPTION)
    assert editor.set_reference(str(path))
    assert editor.canvas.frame_size() == (600, 300)
    rect = editor.canvas.boxes()[1].rect()
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx((180, 30, 420, 150))
    assert not editor.set_reference(str(tmp_path / "missing.png"))
    assert editor.message.kind() == "error"
    editor.clear_reference()
    assert editor.canvas.frame_size() == (600, 300) and not editor.canvas._pixmap_item.isVisible()


def test_the_viewers_result_as_the_reference(qtbot, panel, editor):
    from PySide6.QtGui import QImage

    from ideogram_studio.ui.common import current_result

    current_result.set_provider(lambda: None)
    try:
        assert not editor.use_current_result() and editor.message.kind() == "error"
        image = QImage(640, 480, QImage.Format.Format_RGB32)
        image.fill(0x336699)
        current_result.set_provider(lambda: image)
        assert editor.use_current_result()
        assert editor.canvas.frame_size() == (640, 480) and editor.canvas._pixmap_item.isVisible()
    finally:
        current_result.set_provider(None)


def test_a_save_that_cannot_be_written_says_so_and_leaves_nothing(qtbot, panel, editor, tmp_path: Path):
    assert not editor.save_file(tmp_path / "empty.json")  # no element yet: it could not be opened again
    assert "at least one element" in editor.message.text() and not (tmp_path / "empty.json").exists()
    panel.structured_box.set_value(CAPTION)
    target = tmp_path / "no-such-folder" / "poster.json"
    assert not editor.save_file(target)
    assert editor.message.kind() == "error" and "could not be saved" in editor.message.text()
    assert not target.parent.exists()
