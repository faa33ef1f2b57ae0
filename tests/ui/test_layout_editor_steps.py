"""The layout editor's history and palettes, through real widgets: every kind of edit is one step
that undo takes back and redo brings again (in order, the JSON exactly as it was); a whole new
prompt (Expand's answer) is a step of its own; palettes never lose a colour silently; prompt files
through the tool row's Open… and Save… dialogs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from ideogram_studio.ui.modes.layout_editor import LayoutEditor

from .layout_helpers import CAPTION, L, drag, elements, open_editor, open_panel, prompt_of


@pytest.fixture
def panel(qtbot):
    return open_panel(qtbot)


@pytest.fixture
def editor(qtbot, panel) -> LayoutEditor:
    return open_editor(qtbot, panel)


def step_combo(qtbot: Any, combo: QWidget) -> None:
    """Choose the next item with the keyboard, as a designer would (emits `activated`)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)


def retype(qtbot: Any, field: QWidget, text: str) -> None:
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)


def pick_colours(qtbot: Any, editor: LayoutEditor, button: QWidget, colours: list[str]) -> None:
    qtbot.mouseClick(button, L)
    dialog = editor.form.palette_dialog()
    assert dialog is not None
    dialog.picker.set_custom([(c, None) for c in colours])
    dialog.accept()


def test_every_kind_of_edit_is_a_step_undone_and_redone_in_order(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    form = editor.form
    shots = [prompt_of(panel)]

    def took() -> None:
        assert editor.undo_stack.index() == start + len(shots)  # exactly one more step
        shots.append(prompt_of(panel))

    start = editor.undo_stack.index()
    qtbot.mouseClick(editor.text_button, L)
    drag(qtbot, editor, (100, 850), (400, 950))  # draw a text box
    took()
    drag(qtbot, editor, (400, 950), (600, 1000))  # resize it by its corner
    took()
    retype(qtbot, form.text_edit, "SAIL")  # its text (typing: one step)
    took()
    form.kind_combo.setFocus()
    qtbot.keyClick(form.kind_combo, Qt.Key.Key_Up)  # text → object
    assert elements(panel)[2]["type"] == "obj" and "text" not in elements(panel)[2]
    took()
    retype(qtbot, form.desc_edit, "a gull")
    took()
    pick_colours(qtbot, editor, form.element_palette_button, ["#AA0000", "#00AA00"])
    took()
    retype(qtbot, form.description_edit, "A calm harbour poster")
    took()
    retype(qtbot, form.text_edits["aesthetics"], "quiet")
    took()
    retype(qtbot, form.style_edit, "woodcut")
    took()
    step_combo(qtbot, form.style_kind)  # illustration → photograph
    assert "photo" in prompt_of(panel)["style_description"]
    took()
    pick_colours(qtbot, editor, form.palette_button, ["#101010", "#F0F0F0", "#808080"])
    took()
    editor.canvas.setFocus()
    editor.canvas._select(0)
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Delete)
    took()
    assert len(set(json.dumps(s, sort_keys=True) for s in shots)) == len(shots)  # each step changed something

    for before in reversed(shots[:-1]):
        editor.undo_action.trigger()
        assert prompt_of(panel) == before
    assert editor.undo_stack.index() == start
    for after in shots[1:]:
        editor.redo_action.trigger()
        assert prompt_of(panel) == after
    assert [b.element.desc for b in editor.canvas.boxes()] == [e["desc"] for e in elements(panel)]


def test_each_expand_answer_is_its_own_step_and_typing_after_it_another(qtbot, panel, editor):
    second = json.loads(json.dumps(CAPTION))
    second["high_level_description"] = "A winter poster"
    panel.set_structured_prompt(CAPTION)
    panel.set_structured_prompt(second)
    edit = panel.structured_box.edit
    at = edit.toPlainText().index('"cream"') + len('"cream')
    cursor = edit.textCursor()
    cursor.setPosition(at)
    edit.setTextCursor(cursor)
    qtbot.keyClicks(edit, " and snow")  # typed in place: many keystrokes, one step
    assert prompt_of(panel)["compositional_deconstruction"]["background"] == "cream and snow"
    # The designer's text and caret stay as they typed them (the boxes follow; the JSON is not rewritten).
    assert edit.textCursor().position() == at + len(" and snow")
    assert editor.undo_stack.index() == 3  # the two answers and the typing
    editor.undo_action.trigger()
    assert prompt_of(panel) == second
    editor.undo_action.trigger()
    assert prompt_of(panel) == CAPTION
    editor.undo_action.trigger()
    assert not editor.prompt_layout().elements


def test_an_element_palette_over_its_limit_is_refused_at_ok_and_nothing_is_cut(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    editor.canvas._select(1)
    qtbot.mouseClick(editor.form.element_palette_button, L)
    dialog = editor.form.palette_dialog()
    assert dialog is not None and "up to 5 colours" in dialog.findChild(QWidget, "layout-palette-note").text()
    dialog.picker.set_custom([(f"#0000{i:02X}", None) for i in range(7)])
    dialog.accept()
    assert dialog.isVisible() and dialog.message.kind() == "error"
    assert "up to 5 colours; this palette has 7. Remove 2" in dialog.message.text()
    assert "color_palette" not in elements(panel)[1]  # nothing taken, nothing cut
    for _ in range(2):
        qtbot.mouseClick(dialog.picker.rows()[-1].remove_button(), L)
    assert dialog.message.kind() != "error"
    dialog.accept()
    assert elements(panel)[1]["color_palette"] == [f"#0000{i:02X}" for i in range(5)]


def test_a_prompt_palette_longer_than_the_picker_keeps_its_other_colours(qtbot, panel, editor):
    caption = json.loads(json.dumps(CAPTION))
    colours = [f"#{i:02X}{i:02X}{i:02X}" for i in range(0, 120, 10)]  # 12 colours
    caption["style_description"]["color_palette"] = colours
    panel.structured_box.set_value(caption)
    qtbot.mouseClick(editor.form.palette_button, L)
    dialog = editor.form.palette_dialog()
    assert dialog is not None and len(dialog.picker.rows()) == 8
    note = dialog.findChild(QWidget, "layout-palette-note").text()
    assert "the other 4 of this palette (#505050, #5A5A5A, #646464, #6E6E6E) are kept" in note
    qtbot.mouseClick(dialog.picker.rows()[0].remove_button(), L)  # drop the first colour only
    dialog.accept()
    assert prompt_of(panel)["style_description"]["color_palette"] == colours[1:]
    # None clears them all, the ones the picker could not hold too.
    qtbot.mouseClick(editor.form.palette_button, L)
    dialog = editor.form.palette_dialog()
    assert dialog is not None
    qtbot.mouseClick(dialog.picker.none_button(), L)
    dialog.accept()
    assert prompt_of(panel)["style_description"]["color_palette"] == []
    assert panel.field_message("json_prompt").kind() != "error"


def choose_file(qtbot: Any, editor: LayoutEditor, button: QWidget, path: Path) -> None:
    qtbot.mouseClick(button, L)
    dialog = editor._file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.selectFile(str(path))
    dialog.accept()


def test_open_and_save_through_the_tool_rows_dialogs(qtbot, panel, editor, tmp_path: Path):
    source = tmp_path / "poster.json"
    source.write_text(json.dumps(CAPTION))
    choose_file(qtbot, editor, editor.open_button, source)
    assert prompt_of(panel) == CAPTION and "Opened poster.json" in editor.message.text()
    drag(qtbot, editor, (512, 700), (512, 200))
    saved = tmp_path / "moved"
    choose_file(qtbot, editor, editor.save_button, saved)
    written = tmp_path / "moved.json"  # the dialog adds the suffix
    assert written.exists() and json.loads(written.read_text()) == prompt_of(panel)
    assert elements(panel)[0]["bbox"] != CAPTION["compositional_deconstruction"]["elements"][0]["bbox"]


def choose_size(panel, value: str) -> None:
    combo = panel.size_row.combo
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_the_frame_is_the_forms_chosen_size(qtbot, panel, editor, tmp_path: Path):
    from PIL import Image

    panel.structured_box.set_value(CAPTION)
    steps = editor.undo_stack.index()
    assert editor.canvas.frame_size() == (1024, 1024)
    choose_size(panel, "1440x2560")
    assert editor.canvas.frame_size() == (1440, 2560)
    assert editor.frame_combo.currentText() == "The form's size · 1440×2560"
    rect = editor.canvas.boxes()[1].rect()  # bbox [100, 300, 500, 700] of the new frame
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx((432, 256, 1008, 1280))
    assert editor.undo_stack.index() == steps and prompt_of(panel) == CAPTION  # not an edit of the prompt
    # A model that takes no size (4.0 transparent: an aspect ratio): back to the frame picked here.
    panel.set_model("ideogram-4")
    panel.model_row.transparent_check.setChecked(True)
    assert editor.canvas.frame_size() == (1024, 1024)
    assert editor.frame_combo.findText("The form's size", Qt.MatchFlag.MatchStartsWith) < 0
    panel.model_row.transparent_check.setChecked(False)
    panel.set_model("ideogram-4-5")
    assert editor.canvas.frame_size() == (1440, 2560)  # the size was kept
    # A reference image is the frame while it is shown; without it, the form's size again.
    path = tmp_path / "ref.png"
    Image.new("RGB", (600, 300), "#336699").save(path)
    assert editor.set_reference(str(path))
    assert editor.frame_combo.currentText() == "The reference · 600×300"  # the list names the frame shown
    choose_size(panel, "2048x2048")
    assert editor.canvas.frame_size() == (600, 300)
    assert editor.frame_combo.currentText() == "The reference · 600×300"
    editor.clear_reference()
    assert editor.canvas.frame_size() == (2048, 2048)
    assert editor.frame_combo.currentText() == "The form's size · 2048×2048"
    assert editor.frame_combo.findText("The reference", Qt.MatchFlag.MatchStartsWith) < 0
    choose_size(panel, "")  # let the model choose
    assert editor.canvas.frame_size() == (1024, 1024)


def test_labels_of_overlapping_boxes_do_not_cover_each_other(qtbot, panel, editor):
    from PySide6.QtCore import QRectF

    caption = json.loads(json.dumps(CAPTION))
    caption["compositional_deconstruction"]["elements"] = [
        {"type": "text", "bbox": [60, 100, 220, 900], "text": "NORTH LIGHT", "desc": "headline"},
        {"type": "obj", "bbox": [80, 200, 480, 700], "desc": "a lighthouse on a rock"},  # its corner under 1's label
        {"type": "obj", "bbox": [82, 210, 470, 690], "desc": "a gull"},
    ]
    panel.structured_box.set_value(caption)
    editor.canvas._select(0)

    def on_screen(box) -> QRectF:
        top_left = editor.canvas.mapFromScene(box.label.scenePos())
        return QRectF(top_left.toPointF(), box.label.boundingRect().size())

    rects = [on_screen(b) for b in editor.canvas.boxes()]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b), (a, b)
    # The selected box keeps its label in its own top-left corner.
    first = editor.canvas.boxes()[0]
    corner = editor.canvas.mapFromScene(first.rect().topLeft())
    assert rects[0].left() - corner.x() == pytest.approx(8, abs=2)


def test_undo_and_redo_keep_their_words_and_say_what_in_the_tooltip(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    drag(qtbot, editor, (512, 700), (512, 200))
    assert editor.undo_action.text() == "Undo" and editor.undo_action.toolTip() == "Undo: Move box 1 (Ctrl+Z)"
    assert not editor.redo_action.isEnabled()
    editor.undo_action.trigger()
    assert editor.redo_action.isEnabled() and editor.redo_action.toolTip() == "Redo: Move box 1 (Ctrl+Shift+Z)"


def test_the_arrows_nudge_the_selected_box_and_a_run_of_them_is_one_step(qtbot, panel, editor):
    panel.structured_box.set_value(CAPTION)
    editor.canvas.setFocus()
    editor.canvas._select(1)  # bbox [100, 300, 500, 700]
    steps = editor.undo_stack.index()
    for _ in range(5):
        qtbot.keyClick(editor.canvas, Qt.Key.Key_Right)
    for _ in range(2):
        qtbot.keyClick(editor.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Up)
    assert elements(panel)[1]["bbox"] == [119, 305, 519, 705]
    assert editor.undo_stack.index() == steps + 1 and editor.undo_action.toolTip() == "Undo: Nudge box 2 (Ctrl+Z)"
    assert editor.selected() == 1
    editor.undo_action.trigger()
    assert elements(panel)[1]["bbox"] == [100, 300, 500, 700]
    # Nothing selected: the arrows move nothing (and nothing is recorded).
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Escape)
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Left)
    assert elements(panel)[1]["bbox"] == [100, 300, 500, 700] and editor.undo_stack.index() == steps


def test_a_drawn_box_takes_its_words_at_once_and_an_empty_text_box_is_flagged(qtbot, panel, editor):
    qtbot.mouseClick(editor.text_button, L)
    drag(qtbot, editor, (100, 100), (900, 300))
    assert editor.form.text_edit.hasFocus()
    assert {(f.index, f.kind) for f in editor.flags()} == {(0, "no-text")}
    assert "no text yet" in editor.flags_label.text() and editor.canvas.boxes()[0].flagged
    qtbot.keyClicks(editor.form.text_edit, "SALE")
    assert elements(panel)[0]["text"] == "SALE" and not editor.flags()
    qtbot.mouseClick(editor.object_button, L)
    drag(qtbot, editor, (100, 500), (500, 900))
    assert editor.form.desc_edit.hasFocus() and editor.form.desc_edit.selectedText() == ""
    qtbot.keyClicks(editor.form.desc_edit, "a red mug")
    assert elements(panel)[1]["desc"] == "a red mug" and elements(panel)[1]["type"] == "obj"
