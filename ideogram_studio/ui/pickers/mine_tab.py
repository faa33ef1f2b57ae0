"""The preset picker's “Mine” tab: the designer's saved styles as tiles beside Ideogram's presets.

One click applies a style to the form (and closes the picker); the buttons below save the form's
style (the viewer's current result becomes its preview), take the current result as the preview
of the selected style, rename, export, import and delete. The work is MyStylesButton's (the Style
rows' menu): this tab is another face of it, so both always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import StylePreset, human_name
from ..common import theme
from ..common.untrusted import isolate, one_line, tooltip
from .my_styles import MyStylesButton
from .preset_previews import TILE, preset_name

if TYPE_CHECKING:  # (the gallery package is imported when the styles are first read: not with the form)
    from ...gallery.styles import Style

STYLE_ROLE = Qt.ItemDataRole.UserRole + 1
#: How a style's fields read in its tooltip (words, not field names).
FIELD_WORDS = {
    "style_type": "Style type", "style_preset": "Preset", "style_codes": "Style codes", "color_palette": "Palette",
    "rendering_speed": "Speed", "magic_prompt": "Magic prompt", "model": "Model",
}


def describe(style: Style) -> str:
    """A style in words: “Preset: Travel Poster · Palette: Ember · 2 references”."""
    parts = []
    for key, label in FIELD_WORDS.items():
        value = style.fields.get(key)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):  # a palette: its preset's name, else its colours
            name = value.get("name")
            value = human_name(str(name)) if name else f"{len(value.get('members') or [])} colours"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        elif key == "style_preset":
            value = _preset_words(str(value))
        elif key != "style_codes":
            value = human_name(str(value))
        parts.append(f"{label}: {value}")
    if style.references:
        parts.append(f"{len(style.references)} reference image{'s' * (len(style.references) != 1)}")
    return " · ".join(parts) or "No style fields"


def _preset_words(value: str) -> str:
    """A preset as the picker writes it."""
    try:
        return preset_name(StylePreset(value))
    except ValueError:
        return human_name(value)


class MineTab(QWidget):
    #: A style was applied to the form (the picker closes).
    applied = Signal()

    def __init__(self, styles: MyStylesButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mine-tab")
        self._styles = styles
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.list = QListWidget(self)
        self.list.setObjectName("mine-styles")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(TILE, TILE))
        self.list.setGridSize(QSize(TILE + 48, TILE + 2 * self.fontMetrics().lineSpacing() + 16))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.itemClicked.connect(self._on_clicked)
        self.list.currentItemChanged.connect(self._update_buttons)
        layout.addWidget(self.list, 1)
        self.empty = QLabel(
            "Styles you save appear here. “Save this form's style…” keeps the style part of the form "
            "(type, preset, codes, palette, references), with the result in the viewer as its preview.",
            self,
        )
        self.empty.setWordWrap(True)
        theme.mute(self.empty)
        layout.addWidget(self.empty)
        self.message = QLabel(self)
        self.message.setObjectName("mine-message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        styles.message.connect(self._on_message)

        grid = QGridLayout()
        grid.setSpacing(4)
        self.save_button = self._button("Save this form's style…", "mine-save", self._on_save)
        self.update_button = self._button("Update from this form", "mine-update", self._on_update)
        self.update_button.setToolTip("The selected style takes the form's style part now; its name and preview stay")
        self.preview_button = self._button("Use current result as preview", "mine-preview", self._on_preview)
        self.rename_button = self._button("Rename…", "mine-rename", self._on_rename)
        self.export_button = self._button("Export…", "mine-export", self._on_export)
        self.import_button = self._button("Import…", "mine-import", self._on_import)
        self.delete_button = self._button("Delete", "mine-delete", self._on_delete)
        buttons = (self.save_button, self.update_button, self.preview_button, self.rename_button,
                   self.export_button, self.import_button, self.delete_button)
        for i, button in enumerate(buttons):
            grid.addWidget(button, i // 3, i % 3)
        layout.addLayout(grid)
        self.refresh()

    # ---- public ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the saved styles again (another form, or the Style rows' menu, may have changed them)."""
        selected = self.selected_id()
        self.list.clear()
        placeholder = QPixmap(TILE, TILE)
        placeholder.fill(theme.color("placeholder_bg"))
        for style in self._styles.library.all():
            icon = QIcon(str(style.preview)) if style.preview is not None else QIcon(placeholder)
            item = QListWidgetItem(icon, one_line(style.name, 40), self.list)
            item.setData(STYLE_ROLE, style.id)
            item.setToolTip(tooltip(f"{style.name}\n{describe(style)}\nClick to apply it to the form."))
            if style.id == selected:
                self.list.setCurrentItem(item)
        has = self.list.count() > 0
        self.list.setVisible(has)
        self.empty.setVisible(not has)
        self._update_buttons()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(STYLE_ROLE)) if item is not None else None

    def select(self, style_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(STYLE_ROLE) == style_id:
                self.list.setCurrentRow(row)

    # ---- slots -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _button(self, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda *_: slot())
        return button

    def _update_buttons(self, *_: object) -> None:
        chosen = self.selected_id() is not None
        for button in (self.update_button, self.preview_button, self.rename_button, self.export_button,
                       self.delete_button):
            button.setEnabled(chosen)

    def _on_message(self, text: str, problem: bool) -> None:
        self.message.setText(isolate(one_line(text, 300)))
        theme.set_text_color(self.message, "error" if problem else "muted")

    def _on_clicked(self, item: QListWidgetItem) -> None:
        if self._styles.apply(str(item.data(STYLE_ROLE))):
            self.applied.emit()

    def _on_save(self) -> None:
        style = self._styles.ask_save(parent=self)
        self.refresh()
        if style is not None:
            self.select(style.id)

    def _on_update(self) -> None:
        if (style_id := self.selected_id()) is not None:
            self._styles.update_from_form(style_id)
            self.refresh()
            self.select(style_id)

    def _on_preview(self) -> None:
        if (style_id := self.selected_id()) is not None:
            self._styles.use_current_result_as_preview(style_id)
            self.refresh()

    def _on_rename(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            style = self._styles.library.get(str(item.data(STYLE_ROLE)))
            if style is not None:
                self._styles.ask_rename(style.id, style.name, parent=self)
                self.refresh()

    def _on_export(self) -> None:
        style = self._styles.library.get(self.selected_id() or "")
        if style is not None:
            self._styles.ask_export(style.id, style.name, parent=self)

    def _on_import(self) -> None:
        self._styles.ask_import(parent=self)
        self.refresh()

    def _on_delete(self) -> None:
        if (style_id := self.selected_id()) is not None:
            self._styles.delete(style_id)
            self.refresh()


def mine_tab_factory(styles: MyStylesButton) -> Callable[[QWidget, Callable[[], None]], QWidget]:
    """What the preset picker's dialog calls to make the tab: (parent, close the picker)."""
    def make(parent: QWidget, close: Callable[[], None]) -> QWidget:
        tab = MineTab(styles, parent)
        tab.applied.connect(close)
        return tab

    return make


__all__ = ["MineTab", "describe", "mine_tab_factory"]
