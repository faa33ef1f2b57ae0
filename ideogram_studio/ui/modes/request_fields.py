"""The request fields the image workflows share, built from the same widgets as the Generate form.

``RequestFields(names)`` shows only the fields named (form-field names of the request), in four
groups: output (shape, speed, images, seed, magic prompt), Style, References and More. It knows
no API rule: the panel builds its request from ``values()`` and validates it, and shows each
error at ``messages()[field]``. The Generate form uses it too, with ``roomy=True`` and a plain
(not collapsible) Style group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import MagicPrompt, RenderingSpeed, StylePreset, StyleType, human_name
from ...api.limits import MAX_CHARACTER_REFERENCES, MAX_NUM_IMAGES, MAX_SEED, MAX_STYLE_REFERENCES
from ...api.requests import ApiRequest
from ..common import theme
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from ..widgets.collapsible import CollapsibleSection
from ..widgets.prompt_edit import PromptEdit
from .field_widgets import (
    clear_button_once_filled,
    enum_value,
    field_label,
    lock_icon,
    parse_style_codes,
    set_enum,
    widgets_of,
)

if TYPE_CHECKING:
    from ...api.palette import ColorPalette
    from ..pickers.palette_picker import PalettePicker
    from ..pickers.preset_picker import PresetPicker
    from .style_choices import PaletteChoice, PresetChoice

SPEEDS = (
    RenderingSpeed.FLASH,
    RenderingSpeed.TURBO,
    RenderingSpeed.BALANCED,
    RenderingSpeed.DEFAULT,
    RenderingSpeed.QUALITY,
)
STYLE_TYPES = (
    StyleType.AUTO,
    StyleType.GENERAL,
    StyleType.REALISTIC,
    StyleType.DESIGN,
    StyleType.FICTION,
    StyleType.STYLIZED,
    StyleType.CUSTOM,
)
LABEL_WIDTH = 92
STYLE_FIELDS = ("style_type", "style_preset", "color_palette", "style_codes")
REFERENCE_FIELDS = ("style_reference_images", "character_reference_images", "character_reference_images_mask")
FIELD_LABELS: dict[str, str] = {
    "prompt": "Prompt",
    "negative_prompt": "Negative prompt",
    "aspect_ratio": "Aspect ratio",
    "resolution": "Resolution",
    "rendering_speed": "Speed",
    "num_images": "Number of images",
    "seed": "Seed",
    "magic_prompt": "Magic prompt",
    "style_type": "Style type",
    "style_preset": "Style preset",
    "color_palette": "Colour palette",
    "style_codes": "Style codes",
    "custom_model_uri": "Custom model",
    "style_reference_images": "Style references",
    "character_reference_images": "Character reference",
    "character_reference_images_mask": "Character mask",
    "request": "The request",
}


class RequestFields(QWidget):
    """The optional fields of a request, as widgets. Emits ``changed`` on any edit."""

    changed = Signal()
    #: The preset and palette rows (their pickers are made on first open).
    _preset_choice: PresetChoice
    _palette_choice: PaletteChoice

    def __init__(
        self,
        names: Iterable[str],
        parent: QWidget | None = None,
        *,
        style_expanded: bool = True,
        style_section: bool = True,
        roomy: bool = False,
        defaults: dict[str, Any] | None = None,
        in_steps: bool = False,
    ) -> None:
        """``style_section``: Style as a collapsible section (else a bold heading over its rows).
        ``roomy``: the Generate form's spacing (gaps between groups, a larger preset tile).
        ``in_steps``: made a group at a time by whoever iterates ``building`` (ModePanel.fields_in_steps)."""
        super().__init__(parent)
        self._names = frozenset(names)
        self._roomy = roomy
        self._loading = 0
        self._preset: StylePreset | None = None
        self._messages: dict[str, FieldMessage] = {}
        self._focus: dict[str, QWidget] = {}
        self._sections: dict[str, CollapsibleSection] = {}
        #: The widgets and layouts of each field's row (label included), for set_unavailable.
        self._parts: dict[str, list[QWidget | QLayout]] = {}
        self._model_hidden: dict[int, tuple[QWidget, str]] = {}
        #: What is left to make of the fields, a group at a time (empty once made).
        self.building: Iterator[None] = self._build_steps(style_expanded, style_section, defaults)
        if not in_steps:
            for _ in self.building:
                pass

    def _build_steps(
        self, style_expanded: bool, style_section: bool, defaults: dict[str, Any] | None
    ) -> Iterator[None]:
        yield from self._setup_ui(style_expanded, style_section)
        if defaults:
            self._apply(defaults)
        self._update_seed_ui()

    # ---- public ----------------------------------------------------------------------------
    def names(self) -> frozenset[str]:
        return self._names

    def has(self, name: str) -> bool:
        return name in self._names

    def values(self) -> dict[str, Any]:
        """The fields as request keyword arguments (only the fields this widget shows)."""
        out: dict[str, Any] = {}
        n = self._names
        if "negative_prompt" in n:
            text = self.negative_edit.text()
            out["negative_prompt"] = text if text.strip() else None
        if "aspect_ratio" in n or "resolution" in n:
            aspect, resolution = self.shape_picker.value()
            out["aspect_ratio"], out["resolution"] = aspect, resolution
        if "rendering_speed" in n:
            out["rendering_speed"] = enum_value(self.speed_combo, RenderingSpeed)
        if "num_images" in n:
            out["num_images"] = self.images_spin.value()
        if "seed" in n:
            out["seed"] = self.seed_spin.value() if self.seed_lock.isChecked() else None
        if "magic_prompt" in n:
            out["magic_prompt"] = enum_value(self.magic_combo, MagicPrompt)
        if "style_type" in n:
            out["style_type"] = enum_value(self.style_type_combo, StyleType)
        if "style_preset" in n:
            out["style_preset"] = self._preset
        if "color_palette" in n:
            out["color_palette"] = self._palette_choice.value()
        if "style_codes" in n:
            out["style_codes"] = parse_style_codes(self.style_codes_edit.text())
        if "custom_model_uri" in n:
            out["custom_model_uri"] = self.custom_model_edit.text().strip() or None
        if "style_reference_images" in n:
            out["style_reference_images"] = tuple(self.style_refs.images())
        if "character_reference_images" in n:
            out["character_reference_images"] = tuple(self.character_refs.images())
            out["character_reference_images_mask"] = tuple(self.character_mask.images())
        return out

    def set_values(self, request: object) -> None:
        """Show exactly the values of a request (or any object with the fields as attributes)."""
        self._loading += 1
        try:
            self._apply({name: getattr(request, name) for name in self._all_names() if hasattr(request, name)})
        finally:
            self._loading -= 1
        self.expand_used()
        self._update_seed_ui()
        self._update_summaries()
        self.changed.emit()

    def messages(self) -> dict[str, FieldMessage]:
        return dict(self._messages)

    def focus_targets(self) -> dict[str, QWidget]:
        return dict(self._focus)

    def sections(self) -> dict[str, CollapsibleSection]:
        """The collapsible section holding each field that has one."""
        return dict(self._sections)

    def set_seed(self, seed: int) -> None:
        self.seed_spin.setValue(seed)
        self.seed_lock.setChecked(True)

    def preset(self) -> StylePreset | None:
        return self._preset

    def set_preset(self, preset: StylePreset | None) -> None:
        self._set_preset(preset)
        self._on_changed()

    def preset_choice(self) -> PresetChoice | None:
        """The preset row (button, preview tiles, picker made on first open), if this form has one."""
        return getattr(self, "_preset_choice", None)

    def preset_picker(self) -> PresetPicker | None:
        """The preset picker (made now if it was never opened), if this form has one."""
        choice = self.preset_choice()
        return choice.picker() if choice is not None else None

    def palette_picker(self) -> PalettePicker | None:
        """The palette picker (made now if it was never opened), if this form has one."""
        choice: PaletteChoice | None = getattr(self, "_palette_choice", None)
        return choice.picker() if choice is not None else None

    def color_palette(self) -> ColorPalette | None:
        return self._palette_choice.value() if hasattr(self, "_palette_choice") else None

    def set_color_palette(self, palette: ColorPalette | None) -> None:
        self._palette_choice.set_value(palette)

    def preset_recents(self) -> list[StylePreset]:
        return self._preset_choice.recents() if hasattr(self, "_preset_choice") else []

    def set_preset_recents(self, presets: Iterable[StylePreset | str]) -> None:
        if hasattr(self, "_preset_choice"):
            self._preset_choice.set_recents(presets)

    def open_preset_picker(self) -> None:
        self._preset_choice.open()

    def open_palette_picker(self) -> None:
        self._palette_choice.open()

    def update_speed_prices(self, request: ApiRequest) -> None:
        """Each speed's price per image for this request, from its own model's table (speed_prices)."""
        from .speed_prices import speed_item_text

        if "rendering_speed" in self._names:
            for i in range(self.speed_combo.count()):
                value = self.speed_combo.itemData(i)
                self.speed_combo.setItemText(i, speed_item_text(request, RenderingSpeed(value) if value else None))

    def set_unavailable(self, reasons: Mapping[str, str]) -> None:
        """Hide the rows of the fields a model does not take (name → why, in each hidden widget's
        tooltip); the others show again. A shared part (heading, section) hides when all its fields do."""
        owners: dict[int, tuple[QWidget, list[str]]] = {}
        for name, parts in self._parts.items():
            for widget in widgets_of(parts):
                owners.setdefault(id(widget), (widget, []))[1].append(name)
        for key, (widget, names) in owners.items():
            why = [reasons[n] for n in names if n in reasons]
            if why and len(why) == len(names):
                if key not in self._model_hidden:
                    self._model_hidden[key] = (widget, widget.toolTip())
                widget.setToolTip(why[0])
                widget.hide()
            elif key in self._model_hidden:
                # Only what the model hid is shown again (a clear button may be hidden for its own reason).
                _, tip = self._model_hidden.pop(key)
                widget.setToolTip(tip)
                widget.show()

    def ui_state(self) -> dict[str, Any]:
        """What is not in the request but worth keeping across restarts."""
        state: dict[str, Any] = {key: s.is_expanded() for key, s in self._section_widgets.items()}
        if "seed" in self._names:
            state["seed"] = self.seed_spin.value()
            state["seed_locked"] = self.seed_lock.isChecked()
        if "style_preset" in self._names:
            state["preset_recents"] = [p.value for p in self._preset_choice.recents()]
        return state

    def restore_ui_state(self, state: dict[str, Any]) -> None:
        for key, section in self._section_widgets.items():
            if isinstance(state.get(key), bool):
                section.set_expanded(state[key])
        if "seed" in self._names:
            seed = state.get("seed")
            if isinstance(seed, int) and 0 <= seed <= MAX_SEED:
                self.seed_spin.setValue(seed)
            if isinstance(state.get("seed_locked"), bool):
                self.seed_lock.setChecked(state["seed_locked"])
        recents = state.get("preset_recents")
        if "style_preset" in self._names and isinstance(recents, list):
            self._preset_choice.set_recents([r for r in recents if r in StylePreset._value2member_map_])
        self.expand_used()

    # ---- ui --------------------------------------------------------------------------------
    def _all_names(self) -> list[str]:
        names = list(self._names)
        if "character_reference_images" in self._names:
            names.append("character_reference_images_mask")
        return names

    def _gap(self, layout: QVBoxLayout, size: int) -> None:
        if self._roomy:
            layout.addSpacing(size)

    def _setup_ui(self, style_expanded: bool, style_section: bool) -> Iterator[None]:
        """The groups of fields, yielding between them (each a few milliseconds)."""
        n = self._names
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._section_widgets: dict[str, CollapsibleSection] = {}

        if "negative_prompt" in n:
            label = field_label(self, "Negative prompt")
            layout.addWidget(label)
            self.negative_edit = PromptEdit(self, history=False)
            self.negative_edit.setPlaceholderText("What to leave out (optional)")
            self.negative_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 14)
            self.negative_edit.setToolTip(
                "Things to exclude. Descriptions in the prompt take precedence over the negative prompt."
            )
            self.negative_edit.textChanged.connect(self._on_changed)
            label.setBuddy(self.negative_edit)
            layout.addWidget(self.negative_edit)
            self._add_message(layout, self, ["negative_prompt"], self.negative_edit)
            self._track(["negative_prompt"], label, self.negative_edit)
            yield

        if "aspect_ratio" in n or "resolution" in n:
            self._gap(layout, 4)
            shape_label = field_label(self, "Shape", bold=True)
            layout.addWidget(shape_label)
            # (the rows' widgets' modules come with them: a panel's rows may come after its first paint)
            from ..pickers.shape_picker import ShapePicker

            self.shape_picker = ShapePicker(self)
            self._track(["aspect_ratio", "resolution"], shape_label, self.shape_picker)
            self.shape_picker.changed.connect(self._on_changed)
            layout.addWidget(self.shape_picker)
            self._add_message(layout, self, ["aspect_ratio", "resolution"], self.shape_picker)
            yield

        grid = self._grid()
        self._gap(layout, 4)
        layout.addLayout(grid)
        if "rendering_speed" in n:
            self.speed_combo = QComboBox(self)
            self.speed_combo.addItem("", "")
            for speed in SPEEDS:
                self.speed_combo.addItem(human_name(speed), speed.value)
            self.speed_combo.setToolTip(
                "Rendering speed: faster is cheaper, Quality is slowest and best. Not set = the service uses Default."
            )
            self.speed_combo.currentIndexChanged.connect(self._on_changed)
            self._row(grid, self, "Speed", self.speed_combo, ["rendering_speed"])
        if "num_images" in n:
            self.images_spin = QSpinBox(self)
            self.images_spin.setRange(1, MAX_NUM_IMAGES)
            self.images_spin.setToolTip(f"How many images to make (1–{MAX_NUM_IMAGES}); each one is billed.")
            self.images_spin.valueChanged.connect(self._on_changed)
            box = QHBoxLayout()
            box.addWidget(self.images_spin)
            box.addStretch(1)
            self._row(grid, self, "Images", box, ["num_images"], buddy=self.images_spin)
        if "seed" in n:
            box = QHBoxLayout()
            box.setSpacing(6)
            self.seed_lock = QToolButton(self)
            self.seed_lock.setCheckable(True)
            self.seed_lock.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.seed_lock.setMinimumWidth(92)
            self.seed_lock.toggled.connect(self._on_seed_lock_toggled)
            box.addWidget(self.seed_lock)
            self.seed_spin = QSpinBox(self)
            self.seed_spin.setRange(0, MAX_SEED)
            self.seed_spin.setMinimumWidth(120 if self._roomy else 110)
            self.seed_spin.setGroupSeparatorShown(False)
            self.seed_spin.valueChanged.connect(self._on_changed)
            box.addWidget(self.seed_spin, 1)
            self._row(grid, self, "Seed", box, ["seed"], buddy=self.seed_spin)
        if "magic_prompt" in n:
            self.magic_combo = QComboBox(self)
            self.magic_combo.addItem("Not set (service decides)", "")
            for option in MagicPrompt:
                self.magic_combo.addItem(human_name(option), option.value)
            self.magic_combo.setToolTip(
                "Magic prompt lets the service rewrite and enrich your prompt. The prompt it used is stored "
                "with each result. Not set = nothing is sent."
            )
            self.magic_combo.currentIndexChanged.connect(self._on_changed)
            self._row(grid, self, "Magic prompt", self.magic_combo, ["magic_prompt"])
        yield

        if any(f in n for f in STYLE_FIELDS) and not style_section:
            self._gap(layout, 6)
            style_label = field_label(self, "Style", bold=True)
            layout.addWidget(style_label)
            self._track([f for f in STYLE_FIELDS if f in n], style_label)
            style_grid = self._grid()
            layout.addLayout(style_grid)
            self._build_style(self, style_grid)
        elif any(f in n for f in STYLE_FIELDS):
            style = QWidget(self)
            style_grid = self._grid(style)
            self._build_style(style, style_grid)
            self._section(layout, "style", "Style", style, [f for f in STYLE_FIELDS if f in n], style_expanded)
        yield

        if any(f in n for f in REFERENCE_FIELDS):
            refs = QWidget(self)
            self._build_references(refs)
            self._gap(layout, 4)
            self._section(layout, "references", "References", refs, [f for f in REFERENCE_FIELDS if f in n], False)
            yield

        if "custom_model_uri" in n:
            more = QWidget(self)
            more_grid = self._grid(more)
            self.custom_model_edit = QLineEdit(more)
            self.custom_model_edit.setPlaceholderText("Optional: your own model, trained at Ideogram")
            clear_button_once_filled(self.custom_model_edit)
            self.custom_model_edit.setToolTip(
                "Paste the address Ideogram shows on your model's page (such as model/my-brand/version/1): "
                "its style comes with it. Leave empty for Ideogram's own model."
            )
            self.custom_model_edit.textChanged.connect(self._on_changed)
            self._row(more_grid, more, "Custom model", self.custom_model_edit, ["custom_model_uri"])
            self._section(layout, "more", "More", more, ["custom_model_uri"], False)

    def _build_style(self, parent: QWidget, grid: QGridLayout) -> None:
        n = self._names
        if "style_type" in n:
            self.style_type_combo = QComboBox(parent)
            self.style_type_combo.addItem("Not set (General)", "")
            for style in STYLE_TYPES:
                self.style_type_combo.addItem(human_name(style), style.value)
            self.style_type_combo.setToolTip(
                "Broad style family. Not set sends nothing, and the API then uses General (not Auto). "
                "Cannot be combined with style codes."
            )
            self.style_type_combo.currentIndexChanged.connect(self._on_changed)
            self._row(grid, parent, "Style type", self.style_type_combo, ["style_type"])
        from .style_choices import PaletteChoice, PresetChoice

        if "style_preset" in n:
            box = QHBoxLayout()
            box.setSpacing(4)
            self._preset_choice = PresetChoice(self, parent, 32 if self._roomy else 28)
            self._preset_choice.changed.connect(self._on_preset_chosen)
            self.preset_button, self.preset_clear = self._preset_choice.button, self._preset_choice.clear
            box.addWidget(self.preset_button, 1)
            box.addWidget(self.preset_clear)
            self._row(grid, parent, "Preset", box, ["style_preset"], buddy=self.preset_button)
        if "color_palette" in n:
            box = QHBoxLayout()
            box.setSpacing(4)
            self._palette_choice = PaletteChoice(self, parent)
            self._palette_choice.changed.connect(self._on_changed)
            self.palette_button, self.palette_clear = self._palette_choice.button, self._palette_choice.clear
            box.addWidget(self.palette_button, 1)
            box.addWidget(self.palette_clear)
            self._row(grid, parent, "Palette", box, ["color_palette"], buddy=self.palette_button)
            from ..pickers.my_styles import MyStylesButton

            self.my_styles = MyStylesButton(self.values, self.apply_style, parent)
            self.my_styles.message.connect(self._on_my_styles_message)
            if (choice := getattr(self, "_preset_choice", None)) is not None:  # a “Mine” tab beside the presets
                choice.mine_tab = self._make_mine_tab
            self._row(grid, parent, "Mine", self.my_styles, [], track_as=[f for f in STYLE_FIELDS if f in n])
        if "style_codes" in n:
            self.style_codes_edit = QLineEdit(parent)
            self.style_codes_edit.setPlaceholderText("e.g. AAFF5733, 0133FF57")
            clear_button_once_filled(self.style_codes_edit)
            self.style_codes_edit.setToolTip(
                "Style codes: 8 hexadecimal characters each, separated by commas or spaces. "
                "Cannot be combined with a style type or with style reference images."
            )
            self.style_codes_edit.textChanged.connect(self._on_changed)
            self._row(grid, parent, "Style codes", self.style_codes_edit, ["style_codes"])

    def _make_mine_tab(self, parent: QWidget, close: Callable[[], None]) -> QWidget:
        from ..pickers.mine_tab import mine_tab_factory  # (with the picker: not before the form takes typing)

        return mine_tab_factory(self.my_styles)(parent, close)

    def _build_references(self, refs: QWidget) -> None:
        from .reference_zone import ReferenceZone

        n = self._names
        layout = QVBoxLayout(refs)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        if "style_reference_images" in n:
            layout.addWidget(field_label(refs, "Style references"))
            self.style_refs = ReferenceZone("Style references", MAX_STYLE_REFERENCES, refs)
            self.style_refs.changed.connect(self._on_changed)
            layout.addWidget(self.style_refs)
            self._add_message(layout, refs, ["style_reference_images"], self.style_refs)
        if "character_reference_images" in n:
            row = QHBoxLayout()
            row.setSpacing(8)
            left = QVBoxLayout()
            left.addWidget(field_label(refs, "Character"))
            self.character_refs = ReferenceZone(
                "Character reference", MAX_CHARACTER_REFERENCES, refs, hint="Drop the character's image"
            )
            self.character_refs.changed.connect(self._on_changed)
            left.addWidget(self.character_refs)
            left.addStretch(1)
            row.addLayout(left, 1)
            right = QVBoxLayout()
            right.addWidget(field_label(refs, "Character mask (optional)"))
            self.character_mask = ReferenceZone(
                "Character mask", MAX_CHARACTER_REFERENCES, refs, hint="Grayscale, same size as the reference"
            )
            self.character_mask.changed.connect(self._on_changed)
            right.addWidget(self.character_mask)
            right.addStretch(1)
            row.addLayout(right, 1)
            layout.addLayout(row)
            self._add_message(
                layout, refs, ["character_reference_images", "character_reference_images_mask"], self.character_refs
            )
            note = QLabel("A character reference switches the job to character-reference pricing.", refs)
            mute(note)
            note.setWordWrap(True)
            layout.addWidget(note)

    def _grid(self, parent: QWidget | None = None) -> QGridLayout:
        grid = QGridLayout(parent) if parent is not None else QGridLayout()
        if parent is not None:
            grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        return grid

    def _row(
        self,
        grid: QGridLayout,
        parent: QWidget,
        label: str,
        field: QWidget | QHBoxLayout,
        names: list[str],
        buddy: QWidget | None = None,
        track_as: list[str] | None = None,
    ) -> None:
        row = grid.rowCount()
        lab = field_label(parent, label)
        lab.setMinimumWidth(LABEL_WIDTH)
        grid.addWidget(lab, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if isinstance(field, QWidget):
            grid.addWidget(field, row, 1)
            target = field
        else:
            grid.addLayout(field, row, 1)
            assert buddy is not None
            target = buddy
        lab.setBuddy(buddy or target)
        self._track(track_as if track_as is not None else names, lab, field)
        message = FieldMessage(parent)
        grid.addWidget(message, row + 1, 1)
        for name in names:
            self._messages[name] = message
            self._focus[name] = target

    def _track(self, names: Iterable[str], *parts: QWidget | QLayout) -> None:
        for name in names:
            self._parts.setdefault(name, []).extend(parts)

    def _add_message(self, layout: QVBoxLayout, parent: QWidget, names: list[str], target: QWidget) -> None:
        message = FieldMessage(parent)
        layout.addWidget(message)
        for name in names:
            self._messages[name] = message
            self._focus[name] = target

    def _section(
        self, layout: QVBoxLayout, key: str, title: str, content: QWidget, fields: list[str], expanded: bool
    ) -> None:
        section = CollapsibleSection(title, content, self)
        section.setObjectName(f"section-{key}")
        section.set_expanded(expanded)
        layout.addWidget(section)
        self._track(fields, section)
        self._section_widgets[key] = section
        for f in fields:
            self._sections[f] = section
        if key == "references":
            self._sections["character_reference_images_mask"] = section

    # ---- values ----------------------------------------------------------------------------
    def _apply(self, values: dict[str, Any]) -> None:
        self._loading += 1
        try:
            if ("aspect_ratio" in values or "resolution" in values) and hasattr(self, "shape_picker"):
                self.shape_picker.set_value(values.get("aspect_ratio"), values.get("resolution"))
            for name, value in values.items():
                self._apply_one(name, value)
        finally:
            self._loading -= 1
        self._update_summaries()

    def _apply_one(self, name: str, value: Any) -> None:
        if name == "negative_prompt" and hasattr(self, "negative_edit"):
            self.negative_edit.set_text(value or "")
        elif name == "rendering_speed" and hasattr(self, "speed_combo"):
            set_enum(self.speed_combo, value)
        elif name == "num_images" and hasattr(self, "images_spin"):
            self.images_spin.setValue(int(value))
        elif name == "seed" and hasattr(self, "seed_lock"):
            if value is None:
                self.seed_lock.setChecked(False)
            else:
                self.seed_spin.setValue(int(value))
                self.seed_lock.setChecked(True)
        elif name == "magic_prompt" and hasattr(self, "magic_combo"):
            set_enum(self.magic_combo, value)
        elif name == "style_type" and hasattr(self, "style_type_combo"):
            set_enum(self.style_type_combo, value)
        elif name == "style_preset" and hasattr(self, "preset_button"):
            self._set_preset(value)
        elif name == "color_palette" and hasattr(self, "palette_button"):
            self._palette_choice.set_value(value)
        elif name == "style_codes" and hasattr(self, "style_codes_edit"):
            self.style_codes_edit.setText(", ".join(value))
        elif name == "custom_model_uri" and hasattr(self, "custom_model_edit"):
            self.custom_model_edit.setText(value or "")
        elif name == "style_reference_images" and hasattr(self, "style_refs"):
            self.style_refs.set_images(list(value))
        elif name == "character_reference_images" and hasattr(self, "character_refs"):
            self.character_refs.set_images(list(value))
        elif name == "character_reference_images_mask" and hasattr(self, "character_mask"):
            self.character_mask.set_images(list(value))

    def apply_style(self, values: dict[str, Any]) -> None:
        """Apply a saved style's fields (those this form shows); the rest of the form stays."""
        self._apply({k: v for k, v in values.items() if k in self._all_names()})
        self.expand_used()
        self.changed.emit()

    def _on_my_styles_message(self, text: str, problem: bool) -> None:
        message = self._messages.get("style_preset") or self._messages.get("color_palette")
        if message is not None:
            (message.show_error if problem else message.show_note)(text)

    def expand_used(self) -> None:
        values = self.values()
        for name, section in self._sections.items():
            value = values.get(name)
            if value not in (None, (), "") and name in (*REFERENCE_FIELDS, "custom_model_uri"):
                section.set_expanded(True)

    def _update_summaries(self) -> None:
        from ..pickers.palette_look import palette_label
        from ..pickers.preset_previews import preset_name

        values = self.values()
        style = self._section_widgets.get("style")
        if style is not None:
            parts = []
            if values.get("style_type"):
                parts.append(human_name(values["style_type"]))
            if values.get("style_preset"):
                parts.append(preset_name(values["style_preset"]))
            if values.get("color_palette"):
                parts.append(palette_label(values["color_palette"]))
            if values.get("style_codes"):
                parts.append(f"{len(values['style_codes'])} code(s)")
            style.set_summary(", ".join(parts))
        refs = self._section_widgets.get("references")
        if refs is not None:
            parts = []
            if count := len(values.get("style_reference_images", ())):
                parts.append(f"{count} style image{'s' if count != 1 else ''}")
            if values.get("character_reference_images"):
                parts.append("character" + (" + mask" if values.get("character_reference_images_mask") else ""))
            refs.set_summary(", ".join(parts))
        more = self._section_widgets.get("more")
        if more is not None:
            more.set_summary("custom model" if values.get("custom_model_uri") else "")

    def _update_seed_ui(self) -> None:
        if "seed" not in self._names:
            return
        locked = self.seed_lock.isChecked()
        self.seed_lock.setText("Locked" if locked else "Random")
        theme.bind(self.seed_lock, lambda: self.seed_lock.setIcon(lock_icon(locked)), "icon")
        self.seed_lock.setToolTip(
            "The seed is locked: the same request makes the same image. Click for a random seed."
            if locked
            else "A new random seed each time. Click to lock a seed and reproduce a result."
        )
        self.seed_spin.setEnabled(locked)
        self.seed_spin.setToolTip(
            f"Seed 0–{MAX_SEED}." if locked else "Lock the seed to set it; the service now picks one at random."
        )

    def _set_preset(self, preset: StylePreset | None) -> None:
        self._preset = preset
        self._preset_choice.set_value(preset)

    # ---- slots -----------------------------------------------------------------------------
    @Slot()
    def _on_changed(self) -> None:
        if not self._loading:
            self._update_summaries()
            self.changed.emit()

    @Slot(bool)
    def _on_seed_lock_toggled(self, _locked: bool) -> None:
        self._update_seed_ui()
        self._on_changed()

    @Slot()
    def _on_preset_chosen(self) -> None:
        """Chosen in the picker or cleared with the row's ×."""
        self._preset = self._preset_choice.value()
        self._on_changed()
