"""Settings' generation defaults applied to the forms: a form with nothing saved starts at the
default speed, and choosing a new default in Settings sets it on every open form (what the designer
just chose is what the next request uses)."""

from __future__ import annotations

from collections.abc import Iterable

from ..modes.mode_panel import ModePanel


def apply_default_speed(panels: Iterable[ModePanel], speed: str) -> None:
    """Set each form's speed to `speed` (a RenderingSpeed value) where the form offers it."""
    for panel in panels:
        fields = panel.fields
        combo = getattr(fields, "speed_combo", None) if fields is not None else None
        if combo is None:
            continue
        index = combo.findData(speed)
        if index >= 0:
            combo.setCurrentIndex(index)
