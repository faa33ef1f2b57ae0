"""The mode panels made in steps (issue 15: nothing holds the GUI thread > 50 ms).

Made in one piece, a mode's panel takes 25-200 ms of the GUI thread (its modules' imports, numpy's
for the mask canvas, some hundred widgets, the first check of its form); made ahead in a quiet moment
(idle_build.py), a key typed meanwhile waited for all of it. Made in steps, each step is one module
imported, one part of the form, or the wiring (registry.Mode.panel_in_steps, ModePanel.made_in_steps,
then MainWindow._panel_steps), each a few milliseconds; `MainWindow.mode_panel` finishes at once
whatever is left when the designer asks for the mode before it is made: one panel per mode, always.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..common.in_steps import InSteps, Steps

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...settings import Settings
    from ..modes.mode_panel import ModePanel
    from ..modes.registry import Mode
    from .preset_link import PresetLink

#: The panels being made for each window, by mode id (kept with the window: one panel per mode).
_MAKING: weakref.WeakKeyDictionary[QWidget, dict[str, InSteps[ModePanel]]] = weakref.WeakKeyDictionary()


def panel_in_steps(window: QWidget, mode: Mode, steps: Callable[[Mode], Steps[ModePanel]]) -> InSteps[ModePanel]:
    """The panel of `mode` being made for `window` by `steps` (begun at the first call; the same
    one after)."""
    making = _MAKING.setdefault(window, {})
    if mode.id not in making:
        making[mode.id] = InSteps(steps(mode))
    return making[mode.id]


def restore_values(panel: ModePanel, saved: object, settings: Settings) -> None:
    """The panel's last-used values (`saved`, as MainWindow.save_layout stored them), or, for a form
    never used, Settings' generation defaults."""
    from .defaults import FormDefaults, apply_defaults

    state = _json(saved)
    if state:
        panel.restore_state(state)
    else:
        defaults = FormDefaults.of(settings)
        panel.when_rows(lambda: apply_defaults([panel], defaults))  # (the rows may come after the first paint)


def add_preset_choice(presets: PresetLink, panel: ModePanel) -> None:
    """The panel's preset row among the window's (its picker is made on first open), once its rows are there."""
    choice = panel.fields.preset_choice() if panel.fields is not None else None
    if choice is not None:
        presets.add(choice)


def _json(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
