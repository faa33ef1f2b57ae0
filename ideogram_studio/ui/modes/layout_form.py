"""The layout editor's side form: the whole prompt's fields (high-level description, background,
style, palette) and the selected element's (kind, description, text, colours).

A thin view: `show_layout` fills it from a `Layout` (never re-setting a field that already says the
same, so the caret stays put while typing), and every edit is emitted as `edited(name, value)`
for the editor to turn into an undoable step. An element's text longer than the service accepts
is refused here, with the reason, and the text before it kept.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...api.limits import MAX_PALETTE_MEMBERS
from ...api.palette import ColorPalette
from ...api.structured_layout import PROMPT_LIMIT, Layout, text_room
from ...api.structured_prompt import MAX_ELEMENT_PALETTE
from ...resources.catalog import palette_swatches
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from ..pickers.palette_look import swatch_pixmap
from ..pickers.palette_picker import PalettePicker

KINDS = (("obj", "Object"), ("text", "Text"))
STYLE_KINDS = (("art", "Illustration: art style"), ("photo", "Photograph: photo style"))
SCENE_TEXT = (
    ("background", "Background", "What is behind the elements."),
    ("aesthetics", "Aesthetics", "The look: e.g. bold, minimal, retro."),
    ("lighting", "Lighting", "e.g. soft daylight, neon, studio."),
    ("medium", "Medium", "e.g. digital illustration, oil painting, photograph."),
)
#: Peers cap an element's palette at 5 colours and a prompt's at 16 (structured_prompt.py warns).
ELEMENT_COLOURS = MAX_ELEMENT_PALETTE


def palette_hexes(palette: ColorPalette | None) -> tuple[str, ...]:
    """The picker's value as the structured prompt's upper-case #RRGGBB list."""
    if palette is None:
        return ()
    if palette.name is not None:
        return tuple(c.upper() for c in palette_swatches()[palette.name])
    return tuple(m.color_hex.upper() for m in palette.members)


class PaletteDialog(QDialog):
    """The palette picker in a window: the colours of the prompt or of one element.

    Nothing is dropped on the way: the picker holds eight colours, so a prompt's longer palette
    keeps its other colours after the chosen ones (the dialog says which); an element's palette
    over its limit is refused at OK with the reason, the dialog left open to remove some."""

    def __init__(
        self, title: str, colours: tuple[str, ...], limit: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("layout-palette-dialog")
        self.limit = limit
        self._kept = colours[MAX_PALETTE_MEMBERS:] if limit is None else ()
        layout = QVBoxLayout(self)
        self.picker = PalettePicker(self)
        if colours:
            shown = colours[:MAX_PALETTE_MEMBERS] if limit is None else colours
            self.picker.set_custom([(c, None) for c in shown])
        layout.addWidget(self.picker)
        note = QLabel(self)
        note.setObjectName("layout-palette-note")
        note.setWordWrap(True)
        mute(note)
        words = ["Colours only: a structured prompt takes no weights."]
        if limit is not None:
            words.append(f"An element takes up to {limit} colours.")
        if self._kept:
            words.append(f"The picker holds {MAX_PALETTE_MEMBERS} colours: the other {len(self._kept)} of this "
                         f"palette ({', '.join(self._kept)}) are kept after them (None clears all).")  # fmt: skip
        note.setText(" ".join(words))
        layout.addWidget(note)
        self.message = FieldMessage(self)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.picker.changed.connect(self.message.clear_message)

    def colours(self) -> tuple[str, ...]:
        value = self.picker.value()
        if value is None:
            return ()  # "None" clears the palette, the colours the picker could not hold too
        chosen = palette_hexes(value)
        return chosen + tuple(c for c in self._kept if c not in chosen)

    def accept(self) -> None:
        count = len(self.colours())
        if self.limit is not None and count > self.limit:
            self.message.show_error(
                f"An element takes up to {self.limit} colours; this palette has {count}. Remove "
                f"{count - self.limit}, or choose a smaller one."
            )
            return
        super().accept()


class LayoutForm(QWidget):
    #: A field's new value: ("high_level_description" | "background" | … | "palette" | "style_kind",
    #: value) for the prompt, ("element.kind" | "element.desc" | "element.text" | "element.palette",
    #: value) for the selected element.
    edited = Signal(str, object)
    delete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layout-form")
        self._layout = Layout()
        self._index = -1
        self._dialog: PaletteDialog | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scene = QGroupBox("The whole image", self)
        form = QFormLayout(scene)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.description_edit = QPlainTextEdit(scene)
        self.description_edit.setObjectName("layout-description")
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.description_edit.setToolTip("The high-level description: the image in a sentence or two.")
        self.description_edit.textChanged.connect(
            lambda: self._emit("high_level_description", self.description_edit.toPlainText())
        )
        form.addRow("Description", self.description_edit)
        self.text_edits: dict[str, QLineEdit] = {}
        for name, label, tip in SCENE_TEXT:
            edit = QLineEdit(scene)
            edit.setObjectName(f"layout-{name}")
            edit.setToolTip(tip)
            edit.textEdited.connect(lambda text, n=name: self._emit(n, text))
            self.text_edits[name] = edit
            form.addRow(label, edit)
        self.style_kind = QComboBox(scene)
        for key, text in STYLE_KINDS:
            self.style_kind.addItem(text, key)
        self.style_kind.setToolTip("A photograph's style says its photo settings; anything else its art style "
                                   "(the format takes one or the other, never both).")  # fmt: skip
        self.style_kind.activated.connect(lambda _i: self._emit("style_kind", self.style_kind.currentData()))
        form.addRow("Kind", self.style_kind)
        self.style_edit = QLineEdit(scene)
        self.style_edit.setObjectName("layout-style")
        self.style_edit.textEdited.connect(lambda text: self._emit("style", text))
        form.addRow("Style", self.style_edit)
        self.palette_button = QPushButton(scene)
        self.palette_button.setObjectName("layout-palette")
        self.palette_button.setToolTip("The image's colours (the palette picker)")
        self.palette_button.clicked.connect(lambda: self._pick("palette", "Colours of the image", self._layout.palette))
        form.addRow("Colours", self.palette_button)
        outer.addWidget(scene)

        self.element_box = QGroupBox("Selected element", self)
        form = QFormLayout(self.element_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.kind_combo = QComboBox(self.element_box)
        for key, text in KINDS:
            self.kind_combo.addItem(text, key)
        self.kind_combo.activated.connect(lambda _i: self._emit("element.kind", self.kind_combo.currentData()))
        form.addRow("Kind", self.kind_combo)
        self.desc_edit = QLineEdit(self.element_box)
        self.desc_edit.setObjectName("layout-element-desc")
        self.desc_edit.setToolTip("What the element is: e.g. a red fox sitting, headline lettering.")
        self.desc_edit.textEdited.connect(lambda text: self._emit("element.desc", text))
        form.addRow("Description", self.desc_edit)
        self.text_edit = QLineEdit(self.element_box)
        self.text_edit.setObjectName("layout-element-text")
        self.text_edit.setToolTip("The words to render in this box (text elements).")
        self.text_edit.textEdited.connect(self._on_text_edited)
        form.addRow("Text", self.text_edit)
        self.text_message = FieldMessage(self.element_box)
        form.addRow(self.text_message)
        self.element_palette_button = QPushButton(self.element_box)
        self.element_palette_button.setObjectName("layout-element-palette")
        self.element_palette_button.setToolTip(f"This element's own colours (up to {ELEMENT_COLOURS})")
        self.element_palette_button.clicked.connect(self._pick_element_palette)
        form.addRow("Colours", self.element_palette_button)
        delete = QPushButton("Delete element", self.element_box)
        delete.setToolTip("Delete the selected element (Delete)")
        delete.clicked.connect(self.delete_requested)
        form.addRow(delete)
        outer.insertWidget(0, self.element_box)  # the box being worked on comes first
        outer.addStretch(1)
        self._loading = 0
        self.show_layout(Layout(), -1)

    # ---- public ----------------------------------------------------------------------------
    def show_layout(self, layout: Layout, index: int) -> None:
        self._layout, self._index = layout, index
        self._loading += 1
        try:
            _set_plain(self.description_edit, layout.high_level_description)
            for name, edit in self.text_edits.items():
                _set_line(edit, str(getattr(layout, name)))
            photo = layout.photo is not None
            self.style_kind.setCurrentIndex(1 if photo else 0)
            _set_line(self.style_edit, layout.photo if layout.photo is not None else layout.art_style)
            self.style_edit.setToolTip("The photo settings: e.g. 35mm, shallow depth of field." if photo
                                       else "The art style: e.g. flat vector, Swiss poster.")  # fmt: skip
            _show_palette(self.palette_button, layout.palette)
            element = layout.elements[index] if 0 <= index < len(layout.elements) else None
            self.element_box.setEnabled(element is not None)
            self.element_box.setTitle(f"Element {index + 1}" if element else "Selected element: none")
            self.kind_combo.setCurrentIndex(1 if element is not None and element.kind == "text" else 0)
            _set_line(self.desc_edit, element.desc if element else "")
            _set_line(self.text_edit, element.text if element else "")
            self.text_edit.setEnabled(element is not None and element.kind == "text")
            self.text_edit.setPlaceholderText("" if element is None or element.kind == "text"
                                              else "Objects carry no text: make it a Text element")  # fmt: skip
            _show_palette(self.element_palette_button, element.palette if element else ())
            if element is None:
                self.text_message.clear_message()
        finally:
            self._loading -= 1

    def palette_dialog(self) -> PaletteDialog | None:
        """The palette window open now (tests pick colours in it)."""
        return self._dialog

    # ---- slots -----------------------------------------------------------------------------
    def _emit(self, name: str, value: Any) -> None:
        if not self._loading:
            self.edited.emit(name, value)

    def _on_text_edited(self, text: str) -> None:
        if self._loading or not 0 <= self._index < len(self._layout.elements):
            return
        room = text_room(self._layout, self._index)
        if len(text) > room:
            kept = self._layout.elements[self._index].text
            self._loading += 1
            try:
                self.text_edit.setText(kept)
            finally:
                self._loading -= 1
            self.text_message.show_error(
                f"Not taken: {len(text):,} characters. Ideogram takes prompts up to {PROMPT_LIMIT:,} characters, "
                f"so this text can have at most {room:,}."
            )
            return
        self.text_message.clear_message()
        self._emit("element.text", text)

    def _pick_element_palette(self) -> None:
        if 0 <= self._index < len(self._layout.elements):
            colours = self._layout.elements[self._index].palette
            self._pick("element.palette", f"Colours of element {self._index + 1}", colours, ELEMENT_COLOURS)

    def _pick(self, name: str, title: str, colours: tuple[str, ...], limit: int | None = None) -> None:
        dialog = PaletteDialog(title, colours, limit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog

        def done() -> None:
            self._emit(name, dialog.colours())

        dialog.accepted.connect(done)
        dialog.finished.connect(lambda _r: setattr(self, "_dialog", None))
        dialog.open()


def _set_line(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:
        edit.setText(text)


def _set_plain(edit: QPlainTextEdit, text: str) -> None:
    if edit.toPlainText() != text:
        edit.setPlainText(text)


def _show_palette(button: QPushButton, colours: tuple[str, ...]) -> None:
    button.setIcon(swatch_pixmap(list(colours), width=96, height=16))
    button.setIconSize(swatch_pixmap([], width=96, height=16).size())
    button.setText(f"{len(colours)} colour{'s' if len(colours) != 1 else ''}" if colours else "None")
