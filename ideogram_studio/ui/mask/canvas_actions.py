"""The mask canvas's commands as data: names, texts, keys and tooltips of its QActions.

The canvas wires each one to its slot (``MaskCanvas._make_actions``); the editor puts them on its
tool bar. Every tooltip names the action's keys (``shortcut_tooltip``). The zoom commands ("fit",
"actual_size", "zoom_in", "zoom_out") come from ``ZoomView`` with the same keys as in the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

#: The painting tools, in tool-bar order.
TOOLS = ("brush", "eraser", "rect", "lasso")


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    keys: tuple[str, ...] = ()
    tip: str | None = None
    checkable: bool = False


#: Checkable: one of them is the current tool (an exclusive group).
TOOL_ACTIONS = (
    ActionSpec("brush", "Brush", ("B",), "Brush: paint the area to change", checkable=True),
    ActionSpec("eraser", "Eraser", ("E",), "Eraser: unpaint", checkable=True),
    ActionSpec("rect", "Rectangle", ("R",), "Rectangle: drag to add a rectangle (Alt: subtract)", checkable=True),
    ActionSpec("lasso", "Lasso", ("L",), "Lasso: draw around an area to add it (Alt: subtract)", checkable=True),
)
#: Checkable switches.
TOGGLE_ACTIONS = (
    ActionSpec(
        "subtract",
        "Subtract",
        (),
        "Rectangle and lasso cut out of the mask instead of adding (or hold Alt)",
        checkable=True,
    ),
    ActionSpec("show", "Show mask", ("H",), "Show or hide the mask overlay", checkable=True),
)
#: One-shot commands.
COMMAND_ACTIONS = (
    ActionSpec("size_down", "Smaller brush", ("[",)),
    ActionSpec("size_up", "Larger brush", ("]",)),
    ActionSpec("undo", "Undo", ("Ctrl+Z",)),
    ActionSpec("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y")),
    ActionSpec("invert", "Invert", ("Shift+V",), "Invert the mask"),
    ActionSpec("clear", "Clear", ("Shift+C",), "Clear the mask (nothing to change)"),
    ActionSpec("fill", "Fill", ("Shift+F",), "Fill the mask (change everything)"),
)


def shortcut_tooltip(text: str, shortcuts: list[QKeySequence]) -> str:
    """``text`` followed by the keys in brackets, as the platform writes them."""
    keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts if not s.isEmpty())
    return f"{text} ({keys})" if keys else text


def build_action(owner: QWidget, spec: ActionSpec) -> QAction:
    """A QAction for ``spec``, its keys active while the focus is in ``owner`` or its children."""
    action = QAction(spec.text, owner)
    action.setObjectName(f"mask_{spec.name}")
    shortcuts = [QKeySequence(k) for k in spec.keys]
    action.setShortcuts(shortcuts)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setCheckable(spec.checkable)
    action.setToolTip(shortcut_tooltip(spec.tip or spec.text, shortcuts))
    return action
