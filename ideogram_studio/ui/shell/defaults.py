"""Settings' generation defaults applied to the forms of every mode: a form with nothing saved starts
at them, and changing a default in Settings sets it on every open form (what the designer just
chose is what the next request uses). Only the defaults that changed are set again, so a form's
other values stay as the designer left them. A form without the field (no speed in Background,
say) is left alone; "" means "not set" (the service decides), as in the forms' own lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from ...settings import Settings
from ..modes.mode_panel import ModePanel


@dataclass(frozen=True)
class FormDefaults:
    speed: str | None = None
    images: int | None = None
    magic_prompt: str | None = None
    style_type: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> FormDefaults:
        return cls(
            settings.default_rendering_speed,
            settings.default_num_images,
            settings.default_magic_prompt,
            settings.default_style_type,
        )

    def changed_since(self, before: FormDefaults) -> FormDefaults:
        """Only the values that differ from `before` (the others None: left alone)."""
        return FormDefaults(**{
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != getattr(before, f.name)
        })


#: Each default and the form's widget for it (a combo box found by item data, or a spin box).
_WIDGETS = (("speed", "speed_combo"), ("images", "images_spin"), ("magic_prompt", "magic_combo"),
            ("style_type", "style_type_combo"))  # fmt: skip


def apply_defaults(panels: Iterable[ModePanel], defaults: FormDefaults) -> None:
    """Set each form's fields to `defaults` (None: leave that field), where the form has them."""
    for panel in panels:
        form = panel.fields
        if form is None:
            continue
        for name, widget_name in _WIDGETS:
            value = getattr(defaults, name)
            widget = getattr(form, widget_name, None)
            if value is None or widget is None:
                continue
            if isinstance(value, int):
                widget.setValue(max(widget.minimum(), min(widget.maximum(), value)))
                continue
            index = widget.findData(value)
            if index < 0:
                index = widget.findData(value.lower())  # the v2 forms' lists are lowercase
            if index >= 0:
                widget.setCurrentIndex(index)

