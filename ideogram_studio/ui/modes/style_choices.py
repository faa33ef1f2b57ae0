"""The Style rows' preset and palette: a cheap button showing the current choice, and the picker
behind it, made the first time it opens.

A picker is a dialog of many widgets (the preset grid with its 62 tiles, the palette's swatch rows);
building both with every form cost ~0.3 s before the first form could take typing. Until its picker
exists, a choice keeps its value itself (the preset, the recents, the palette, as the picker would
give them back); once made, the picker holds the value and the choice reads it from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ...api.enums import StylePreset
from ...api.palette import ColorPalette
from ..common import theme
from ..common.in_steps import InSteps, Steps, each_in_steps, imported
from ..pickers.palette_look import palette_label, palette_pixmap
from ..pickers.preset_previews import PreviewStore, preset_description, preset_name, recent_presets
from .field_widgets import clear_button

#: The preset picker's modules, those others import first (one import per step when it is made ahead).
PICKER_MODULES = (
    "ideogram_studio.ui.pickers.preset_model",
    "ideogram_studio.ui.pickers.preset_grid",
    "ideogram_studio.ui.pickers.preset_compare",
    "ideogram_studio.ui.pickers.preset_picker",
    "ideogram_studio.gallery.styles",
    "ideogram_studio.ui.pickers.my_styles",
    "ideogram_studio.ui.pickers.mine_tab",
)

if TYPE_CHECKING:
    # (imported where the pickers' dialogs are made: QTabWidget's class alone costs ~4.5 ms)
    from PySide6.QtWidgets import QDialog, QTabWidget

    from ..pickers.palette_picker import PalettePicker
    from ..pickers.preset_picker import PresetPicker


class PresetChoice(QObject):
    """The preset button (its name and preview tile), its clear button, and the preset picker."""

    #: The designer chose a preset in the picker, or cleared it.
    changed = Signal()
    #: The picker's own requests, passed on (the picker may not exist when the window connects).
    previews_requested = Signal(str, list)
    compare_requested = Signal(str, list)
    compare_quote_wanted = Signal(str, list)

    def __init__(self, owner: QWidget, row_parent: QWidget, tile: int) -> None:
        """`owner`: the form (the picker's dialog belongs to it); `row_parent`: the row's widget."""
        super().__init__(owner)
        self._owner = owner
        self._preset: StylePreset | None = None
        self._recents: list[StylePreset] = []
        self._dialog: QDialog | None = None
        self._picker: PresetPicker | None = None
        self._making: InSteps[PresetPicker] | None = None
        #: Makes the “Mine” tab (the designer's saved styles) beside the presets: (parent, close the
        #: picker) → tab. Set by the form that has “My styles” (ui/pickers/mine_tab.py).
        self.mine_tab: Callable[[QWidget, Callable[[], None]], QWidget] | None = None
        self.tabs: QTabWidget | None = None
        #: The preview tiles, shared with the picker once it exists (previews may arrive before).
        self.store = PreviewStore(parent=self)
        self.store.preview_changed.connect(self._on_preview_changed)
        self.button = QToolButton(row_parent)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setIconSize(QSize(tile, tile))
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button.setMinimumHeight(tile + 8)
        self.button.clicked.connect(self.open)
        self.clear = clear_button(row_parent, "Use no style preset")
        self.clear.clicked.connect(self._on_clear)
        self._update_button()

    def value(self) -> StylePreset | None:
        return self._preset

    def set_value(self, preset: StylePreset | None) -> None:
        """Show this preset (no `changed`: the caller knows)."""
        self._preset = preset
        if self._picker is not None:
            self._picker.set_current(preset)
        self._update_button()

    def recents(self) -> list[StylePreset]:
        return self._picker.recents() if self._picker is not None else list(self._recents)

    def set_recents(self, presets: Iterable[StylePreset | str]) -> None:
        if self._picker is not None:
            self._picker.set_recents(presets)
        else:
            self._recents = recent_presets(presets)

    def show_compare_quote(self, prompt: str, presets: list[StylePreset], text: str) -> None:
        if self._picker is not None:
            self._picker.show_compare_quote(prompt, presets, text)

    def is_made(self) -> bool:
        """Whether the picker exists yet (it is made on first open, or when asked for)."""
        return self._picker is not None

    def picker(self) -> PresetPicker:
        """The picker, made now if it was never opened (finished now, if it was being made ahead)."""
        return self._picker if self._picker is not None else self.picker_steps().finish()

    def picker_steps(self) -> InSteps[PresetPicker]:
        """The picker being made a step at a time (made ahead: ui/shell/idle_build.py); `picker()`
        finishes it. One picker per choice, however it is made."""
        if self._making is None:
            self._making = InSteps(self._picker_steps())
        return self._making

    def _picker_steps(self) -> Steps[PresetPicker]:
        yield from imported(PICKER_MODULES)
        from PySide6.QtWidgets import QDialog, QTabWidget

        from ..pickers.preset_picker import PresetPicker

        dialog = QDialog(self._owner)
        dialog.setWindowTitle("Style presets")
        dialog.resize(860, 720)
        layout = QVBoxLayout(dialog)
        layout.setContentsMargins(0, 0, 0, 0)
        yield
        picker = PresetPicker(dialog, store=self.store)
        picker.preset_chosen.connect(self._on_chosen)
        picker.previews_requested.connect(self.previews_requested)
        picker.compare_requested.connect(self.compare_requested)
        picker.compare_quote_wanted.connect(self.compare_quote_wanted)
        yield
        tabs = None
        if self.mine_tab is not None:
            tabs = QTabWidget(dialog)
            tabs.setObjectName("preset-tabs")
            tabs.addTab(picker, "Ideogram presets")
            yield
            tabs.addTab(self.mine_tab(tabs, dialog.hide), "Mine")
            layout.addWidget(tabs)
        else:
            layout.addWidget(picker)
        yield
        # The tiles' pixmaps (previews and placeholders), a few at a time: the first paint only shows them.
        yield from each_in_steps([None, *StylePreset], self.store.pixmap)
        # The value as it is now (set meanwhile through this choice), then the picker holds it.
        picker.set_recents(self._recents)
        picker.set_current(self._preset)
        self._dialog, self._picker, self.tabs = dialog, picker, tabs
        return picker

    def open(self) -> None:
        picker = self.picker()
        assert self._dialog is not None
        picker.set_current(self._preset)
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()
        picker.search_field().setFocus()

    def _update_button(self) -> None:
        preset = self._preset
        self.button.setText(preset_name(preset) + "  ▸")
        self.button.setIcon(QIcon(self.store.pixmap(preset)))
        self.button.setToolTip(
            f"Style preset: {preset_name(preset)} — {preset_description(preset)}\nClick to browse presets."
        )
        self.clear.setEnabled(preset is not None)

    @Slot()
    def _on_clear(self) -> None:
        self.set_value(None)
        self.changed.emit()

    @Slot(object)
    def _on_chosen(self, preset: StylePreset | None) -> None:
        self.set_value(preset)
        if self._dialog is not None:
            self._dialog.hide()
        self.changed.emit()

    @Slot(object)
    def _on_preview_changed(self, preset: StylePreset | None) -> None:
        if preset == self._preset:
            self._update_button()


def shown_palette(palette: ColorPalette | None) -> ColorPalette | None:
    """The palette as the picker gives it back once set to `palette`: custom colours win over a name;
    an empty one is none."""
    if palette is None:
        return None
    if palette.members:
        return ColorPalette(members=tuple(palette.members))
    if palette.name is not None:
        return ColorPalette.preset(palette.name)
    return None


class PaletteChoice(QObject):
    """The palette button (its swatches and name), its clear button, and the palette picker."""

    #: The palette changed (set, chosen, edited or cleared), as the picker's own `changed`.
    changed = Signal()

    def __init__(self, owner: QWidget, row_parent: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner
        self._palette: ColorPalette | None = None
        self._dialog: QDialog | None = None
        self._picker: PalettePicker | None = None
        self.button = QToolButton(row_parent)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setIconSize(QSize(84, 16))
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button.setMinimumHeight(30)
        self.button.clicked.connect(self.open)
        self.clear = clear_button(row_parent, "Use no colour palette")
        self.clear.clicked.connect(lambda: self.set_value(None))
        self._update_button()

    def value(self) -> ColorPalette | None:
        return self._picker.value() if self._picker is not None else self._palette

    def set_value(self, palette: ColorPalette | None) -> None:
        """Show this palette; `changed` follows (as the picker's set_value)."""
        if self._picker is not None:
            self._picker.set_value(palette)  # its `changed` comes back through _on_picker_changed
            return
        self._palette = shown_palette(palette)
        self._update_button()
        self.changed.emit()

    def is_made(self) -> bool:
        return self._picker is not None

    def picker(self) -> PalettePicker:
        """The picker, made now if it was never opened."""
        if self._picker is None:
            from PySide6.QtWidgets import QDialog, QDialogButtonBox

            from ..pickers.palette_picker import PalettePicker

            dialog = QDialog(self._owner)
            dialog.setWindowTitle("Colour palette")
            layout = QVBoxLayout(dialog)
            picker = PalettePicker(dialog)
            picker.set_value(self._palette)
            picker.changed.connect(self._on_picker_changed)
            layout.addWidget(picker)
            layout.addStretch(1)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
            buttons.rejected.connect(dialog.close)
            layout.addWidget(buttons)
            dialog.resize(460, 560)
            self._dialog, self._picker = dialog, picker
        return self._picker

    def open(self) -> None:
        self.picker()
        assert self._dialog is not None
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()

    def _update_button(self) -> None:
        palette = self.value()
        button = self.button
        button.setText(palette_label(palette) + "  ▸")
        theme.bind(button, lambda: button.setIcon(QIcon(palette_pixmap(palette, 84, 16))), "icon")
        button.setToolTip(
            "Colour palette: " + palette_label(palette) + ". Click to choose a preset, custom colours, "
            "or colours from an image."
        )
        self.clear.setEnabled(palette is not None)

    @Slot()
    def _on_picker_changed(self) -> None:
        self._update_button()
        self.changed.emit()
