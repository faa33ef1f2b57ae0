"""The layout editor of Ideogram 4's structured prompt: the canvas of element boxes, its tool row
and the side form. Generate's centre shows it when the model is 4.x and the designer opens Layout.

Every edit — a box drawn, moved, resized or deleted, a field typed, colours picked, a file opened,
the JSON edited in the panel — is one step on the editor's QUndoStack (Ctrl+Z / Ctrl+Shift+Z);
typing in one field merges into one step. A step holds the whole `Layout` before and after (they
are small immutable values), so undo cannot drift from what was shown. `layout_changed` says the
new layout after every step; the Generate panel writes it into its JSON field, and hands a valid
JSON edit back through `set_from_json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api import structured_layout as sl
from ...api.structured_layout import Element, Layout
from ..common import current_result
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from .layout_canvas import LayoutCanvas, Rect
from .layout_form import LayoutForm

#: Frames offered before a resolution is chosen: Ideogram 4's 1K sizes by aspect (width × height).
FRAMES = (
    ("1:1", 1024, 1024), ("4:5", 896, 1120), ("3:4", 864, 1152), ("2:3", 832, 1248), ("9:16", 768, 1360),
    ("5:4", 1120, 896), ("4:3", 1152, 864), ("3:2", 1248, 832), ("16:9", 1360, 768),
)  # fmt: skip
#: The side form's width, and the least the canvas keeps beside it (the window's centre in a canvas
#: mode is at least 420 px wide: the form can be hidden with "Fields" when it is that narrow).
SIDE_WIDTH = 240
CANVAS_MIN_WIDTH = 300
#: The canvas's mouse and keys, in one quiet line under it.
#: The frame list's items that are not a listed frame: "form" (the form's size), "reference".
FRAME_KIND_ROLE = Qt.ItemDataRole.UserRole + 1
HINT = ("Drag on the frame to draw a box · drag a box to move it, its handles to resize · arrows nudge "
        "(Shift: ×10) · Delete removes · Ctrl+Z undoes")  # fmt: skip
#: A step merges with the one before when both are typing in the same field (Qt's merge ids).
MERGE_IDS: dict[str, int] = {}


def _merge_id(key: str) -> int:
    return MERGE_IDS.setdefault(key, 100 + len(MERGE_IDS))


class LayoutStep(QUndoCommand):
    """One edit: the layout (and the selection) before and after."""

    def __init__(self, editor: LayoutEditor, text: str, after: Layout, selected: int, merge: str = "") -> None:
        super().__init__(text)
        self.editor = editor
        self.before, self.selected_before = editor.prompt_layout(), editor.selected()
        self.after, self.selected_after = after, selected
        self.merge = merge

    def id(self) -> int:
        return _merge_id(self.merge) if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, LayoutStep) or other.merge != self.merge or not self.merge:
            return False
        self.after, self.selected_after = other.after, other.selected_after
        return True

    def redo(self) -> None:
        self.editor._show(self.after, self.selected_after)

    def undo(self) -> None:
        self.editor._show(self.before, self.selected_before)


class LayoutEditor(QWidget):
    #: The layout after any step (a Layout).
    layout_changed = Signal(object)
    canvas_name = "Layout"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layout-editor")
        self._layout = Layout()
        self._selected = -1
        self._file_dialog: QFileDialog | None = None
        self._reference: QPixmap | None = None
        self._form_size: tuple[int, int] | None = None
        self.undo_stack = QUndoStack(self)
        self.canvas = LayoutCanvas(self)
        self.form = LayoutForm(self)
        self.message = FieldMessage(self)
        self.flags_label = QLabel(self)
        self.flags_label.setObjectName("layout-flags")
        self.flags_label.setWordWrap(True)
        self._build()
        self.canvas.box_drawn.connect(self._on_box_drawn)
        self.canvas.box_changed.connect(self._on_box_changed)
        self.canvas.box_nudged.connect(self._on_box_nudged)
        self.canvas.selection_changed.connect(self._on_selected)
        self.canvas.delete_requested.connect(self.delete_element)
        self.form.edited.connect(self._on_form_edited)
        self.form.delete_requested.connect(lambda: self.delete_element(self._selected))
        self._show(self._layout, -1)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 2, 8, 2)
        bar.setSpacing(4)
        bar.addWidget(QLabel("Draw:", self))
        self.kind_group = QButtonGroup(self)
        self.object_button = self._tool("Object", "Boxes drawn on the frame become objects (O)", "O", bar)
        self.text_button = self._tool("Text", "Boxes drawn on the frame become text to render (T)", "T", bar)
        for button in (self.object_button, self.text_button):
            button.setCheckable(True)
            self.kind_group.addButton(button)
        self.object_button.setChecked(True)
        bar.addSpacing(8)
        # Buttons that keep their words (the row does not jump); what they would undo is in the tooltip.
        self.undo_action = QAction("Undo", self)
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = QAction("Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action, do, can, said, word, key in (
            (self.undo_action, self.undo_stack.undo, self.undo_stack.canUndoChanged,
             self.undo_stack.undoTextChanged, "Undo", "Ctrl+Z"),
            (self.redo_action, self.undo_stack.redo, self.undo_stack.canRedoChanged,
             self.undo_stack.redoTextChanged, "Redo", "Ctrl+Shift+Z"),
        ):  # fmt: skip
            action.setEnabled(False)
            action.setToolTip(f"{word} ({key})")
            action.triggered.connect(do)
            can.connect(action.setEnabled)
            said.connect(lambda text, a=action, w=word, k=key: a.setToolTip(f"{w}: {text} ({k})" if text
                                                                          else f"{w} ({k})"))  # fmt: skip
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            bar.addWidget(button)
        bar.addSpacing(8)
        self.frame_combo = QComboBox(self)
        self.frame_combo.setObjectName("layout-frame")
        self.frame_combo.setToolTip(
            "The frame the boxes are placed on: boxes are kept as fractions of it, so they fit any size. "
            "It follows the form's Size when one is chosen; choosing a frame here does not set the image's size."
        )
        for name, w, h in FRAMES:
            self.frame_combo.addItem(f"{name} · {w}×{h}", (w, h))
        self.frame_combo.activated.connect(lambda _i: self.set_frame(*self.frame_combo.currentData()))
        bar.addWidget(self.frame_combo)
        self.reference_button = self._tool("Reference", "Place the boxes over an image (its size is the frame)",
                                           "", bar)  # fmt: skip
        menu = QMenu(self.reference_button)
        menu.addAction("The result in the viewer", self.use_current_result)
        menu.addAction("An image file…", self._pick_reference)
        menu.addAction("None: a blank frame", self.clear_reference)
        self.reference_button.setMenu(menu)
        self.reference_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addStretch(1)
        self.fields_button = self._tool("Fields", "Show or hide the fields beside the canvas", "", bar)
        self.fields_button.setCheckable(True)
        self.fields_button.setChecked(True)
        self.open_button = self._tool("Open…", "Open a structured prompt (.json)", "", bar)
        self.open_button.clicked.connect(self.open_file_dialog)
        self.save_button = self._tool("Save…", "Save the structured prompt as a .json file", "", bar)
        self.save_button.clicked.connect(self.save_file_dialog)
        outer.addLayout(bar)
        outer.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.canvas.setMinimumWidth(CANVAS_MIN_WIDTH // 2)
        left.setMinimumWidth(CANVAS_MIN_WIDTH // 2)
        left_layout.addWidget(self.canvas, 1)
        self.flags_label.setContentsMargins(8, 2, 8, 4)
        left_layout.addWidget(self.flags_label)
        self.hint_label = QLabel(HINT, left)
        self.hint_label.setObjectName("layout-hint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setContentsMargins(8, 0, 8, 2)
        mute(self.hint_label)
        left_layout.addWidget(self.hint_label)
        scroll = QScrollArea(split)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(SIDE_WIDTH)
        scroll.setMaximumWidth(SIDE_WIDTH + 120)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_button.toggled.connect(scroll.setVisible)
        self.side = scroll
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(0, 1)
        split.setCollapsible(0, False)
        outer.addWidget(split, 1)

    def _tool(self, text: str, tip: str, key: str, bar: QHBoxLayout) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName("layout-" + text.lower().rstrip("…"))
        button.setAutoRaise(True)
        if key:
            action = QAction(text, self, shortcut=QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(button.click)
            self.canvas.addAction(action)
            tip = tip.replace(f" ({key})", "") + f" ({key})"
        button.setToolTip(tip)
        bar.addWidget(button)
        return button

    # ---- public ----------------------------------------------------------------------------
    def prompt_layout(self) -> Layout:
        return self._layout

    def selected(self) -> int:
        return self._selected

    def draw_kind(self) -> str:
        return "text" if self.text_button.isChecked() else "obj"

    def set_frame(self, width: int, height: int, reference: QPixmap | None = None) -> None:
        """The frame of the chosen resolution (not an edit of the prompt: boxes are fractions)."""
        self.canvas.set_frame(width, height, reference)
        self._reference = reference
        self._drop_frame_item("reference")
        if reference is not None:  # the list names the frame shown, never a size it is not
            self._add_frame_item("reference", f"The reference · {width}×{height}", (width, height))
            self.frame_combo.setCurrentIndex(0)
        else:
            found = [i for i in range(self.frame_combo.count()) if self.frame_combo.itemData(i) == (width, height)]
            if found:
                self.frame_combo.setCurrentIndex(found[0])
        self._show(self._layout, self._selected)

    def follow_size(self, size: tuple[int, int] | None) -> None:
        """The form's chosen output size (None: the model chooses). The frame takes it, listed first
        as the form's size, unless a reference image is shown (its own size is the frame then)."""
        self._form_size = size
        self._drop_frame_item("form")
        if size is not None:
            self._add_frame_item("form", f"The form's size · {size[0]}×{size[1]}", size, 1 if self._reference else 0)
        if self._reference is not None:
            return
        if size is not None:
            self.set_frame(*size)
        elif self.frame_combo.currentIndex() >= 0:
            self.set_frame(*self.frame_combo.currentData())

    def _add_frame_item(self, kind: str, text: str, size: tuple[int, int], at: int = 0) -> None:
        self.frame_combo.insertItem(at, text, size)
        self.frame_combo.setItemData(at, kind, FRAME_KIND_ROLE)

    def _drop_frame_item(self, kind: str) -> None:
        """Remove the list's item for the form's size or the reference (keeping the current one's
        place: removing an item must not choose another frame)."""
        for i in range(self.frame_combo.count()):
            if self.frame_combo.itemData(i, FRAME_KIND_ROLE) == kind:
                with QSignalBlocker(self.frame_combo):
                    self.frame_combo.removeItem(i)
                return

    def reset(self, layout: Layout) -> None:
        """Start from this layout with no history (the editor's first layout)."""
        self.undo_stack.clear()
        self._layout = layout
        self._show(layout, -1)

    def set_from_json(self, layout: Layout) -> None:
        """The panel's JSON, edited and valid: one step (typing in the JSON merges)."""
        if layout != self._layout:
            selected = self._selected if self._selected < len(layout.elements) else -1
            self.undo_stack.push(LayoutStep(self, "Edit the JSON", layout, selected, "json"))

    def replace(self, layout: Layout, text: str) -> None:
        """A new layout as one step (Expand's answer, a file, a reused result)."""
        if layout != self._layout:
            self.undo_stack.push(LayoutStep(self, text, layout, -1))

    def delete_element(self, index: int) -> None:
        if 0 <= index < len(self._layout.elements):
            self.undo_stack.push(LayoutStep(self, f"Delete element {index + 1}", self._layout.removed(index), -1))

    def open_file(self, path: str | Path) -> bool:
        try:
            layout = sl.read_file(path)
        except sl.LayoutFileError as exc:
            self.message.show_error(str(exc))
            return False
        self.message.show_note(f"Opened {Path(path).name}")
        self.replace(layout, f"Open {Path(path).name}")
        return True

    def save_file(self, path: str | Path) -> bool:
        if not self._layout.elements:  # the format needs one: such a file could not be opened again
            self.message.show_error("Nothing to save yet: a structured prompt needs at least one element.")
            return False
        try:
            sl.write_file(path, self._layout)
        except OSError as exc:
            self.message.show_error(f"{Path(path).name} could not be saved: {exc.strerror or exc}. Nothing was "
                                    "written.")  # fmt: skip
            return False
        self.message.show_note(f"Saved {Path(path).name}")
        return True

    def open_file_dialog(self) -> QFileDialog:
        return self._dialog("Open a structured prompt", QFileDialog.AcceptMode.AcceptOpen, self.open_file)

    def save_file_dialog(self) -> QFileDialog:
        return self._dialog("Save the structured prompt", QFileDialog.AcceptMode.AcceptSave, self.save_file)

    # ---- steps from the canvas and the form --------------------------------------------------
    def _on_box_drawn(self, rect: Rect) -> None:
        kind = self.draw_kind()
        element = Element(kind=kind, desc="headline lettering" if kind == "text" else "").with_bbox(
            self.canvas.to_bbox(rect)
        )
        index = len(self._layout.elements)
        word = "text" if kind == "text" else "object"
        self.undo_stack.push(LayoutStep(self, f"Draw {word} box {index + 1}", self._layout.added(element), index))
        # Straight on to its words (a text box) or what it is (an object): the field takes the typing.
        field = self.form.text_edit if kind == "text" else self.form.desc_edit
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        field.selectAll()

    def _on_box_changed(self, index: int, rect: Rect) -> None:
        element = self._layout.elements[index].with_bbox(self.canvas.to_bbox(rect))
        after = self._layout.with_element(index, element)
        self.undo_stack.push(LayoutStep(self, f"Move box {index + 1}", after, index))

    def _on_box_nudged(self, index: int, rect: Rect) -> None:
        element = self._layout.elements[index].with_bbox(self.canvas.to_bbox(rect))
        after = self._layout.with_element(index, element)
        self.undo_stack.push(LayoutStep(self, f"Nudge box {index + 1}", after, index, f"nudge:{index}"))

    def _on_selected(self, index: int) -> None:
        self._selected = index
        self.form.show_layout(self._layout, index)

    def _on_form_edited(self, name: str, value: Any) -> None:
        layout, index = self._layout, self._selected
        if name.startswith("element."):
            if not 0 <= index < len(layout.elements):
                return
            key = name.removeprefix("element.")
            field = {"kind": "kind", "desc": "desc", "text": "text", "palette": "palette"}[key]
            element = layout.elements[index]
            values = {**element.__dict__, field: value}
            if key == "kind" and value == "obj":
                values["text"] = ""  # only text elements carry text
            after = layout.with_element(index, Element(**values))
            merge = f"{name}:{index}" if key in ("desc", "text") else ""
            self.undo_stack.push(LayoutStep(self, f"Element {index + 1}: {key}", after, index, merge))
            return
        if name == "style_kind":
            after = layout.changed(photo=layout.art_style, art_style="") if value == "photo" and layout.photo is None \
                else layout.changed(art_style=layout.photo or "", photo=None) if value == "art" and layout.photo \
                is not None else layout  # fmt: skip
        elif name == "style":
            after = layout.changed(photo=value) if layout.photo is not None else layout.changed(art_style=value)
        else:
            after = layout.changed(**{name: value})
        if after != layout:
            merge = name if name not in ("palette", "style_kind") else ""
            self.undo_stack.push(LayoutStep(self, f"Edit {name.replace('_', ' ')}", after, index, merge))

    # ---- rendering ---------------------------------------------------------------------------
    def _show(self, layout: Layout, selected: int) -> None:
        """Called by the steps (do and undo): render the layout and say it changed."""
        changed = layout != self._layout
        self._layout, self._selected = layout, selected if selected < len(layout.elements) else -1
        found = sl.flags(layout, self.canvas.frame_size())
        self.canvas.set_layout(layout, {f.index for f in found}, self._selected)
        self.form.show_layout(layout, self._selected)
        self.flags_label.setText("\n".join(f"⚠ {line}" for line in sl.flag_lines(found)[:6]))
        self.flags_label.setVisible(bool(found))
        if changed:
            self.layout_changed.emit(layout)

    def flags(self) -> list[sl.Flag]:
        return sl.flags(self._layout, self.canvas.frame_size())

    def _dialog(self, title: str, mode: QFileDialog.AcceptMode, then: Any) -> QFileDialog:
        dialog = QFileDialog(self, title)
        dialog.setAcceptMode(mode)
        dialog.setNameFilters(["Structured prompts (*.json)", "All files (*)"])
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(then)
        self._file_dialog = dialog
        dialog.open()
        return dialog

    def _pick_reference(self) -> None:
        dialog = QFileDialog(self, "Place the boxes over an image")
        dialog.setNameFilters(["Images (*.png *.jpg *.jpeg *.webp)", "All files (*)"])
        dialog.fileSelected.connect(self.set_reference)
        self._file_dialog = dialog
        dialog.open()

    def use_current_result(self) -> bool:
        image = current_result.current_image()
        if image is None:
            self.message.show_error("No result is shown in the viewer to place the boxes over.")
            return False
        self.use_reference(image)
        return True

    def use_reference(self, image: QImage) -> None:
        """Place the boxes over this image (its size is the frame)."""
        self.message.clear_message()
        self.set_frame(image.width(), image.height(), QPixmap.fromImage(image))

    def clear_reference(self) -> None:
        width, height = self._form_size or self.canvas.frame_size()
        self.set_frame(width, height, None)

    def set_reference(self, path: str) -> bool:
        pixmap = QPixmap(path)
        if pixmap.isNull():
            self.message.show_error(f"{Path(path).name} is not an image the studio can read.")
            return False
        self.message.clear_message()
        self.set_frame(pixmap.width(), pixmap.height(), pixmap)
        return True
