"""The mask canvas's commands as data: names, texts, keys and tooltips of its QActions.

The canvas wires each one to its slot (``make_actions``); the editor puts them on its
tool bar. Every tooltip names the action's keys (``shortcut_tooltip``). The zoom commands ("fit",
"actual_size", "zoom_in", "zoom_out") come from ``ZoomView`` with the same keys as in the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
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


def make_actions(
    owner: QWidget,
    commands: dict[str, Callable[[], None]],
    toggled: Callable[[str, bool], None],
    undo: QUndoStack,
    tool: str,
) -> dict[str, QAction]:
    """Every action above, wired: a command to its slot in ``commands``, a checkable one to ``toggled``
    (name, checked); the tools in one exclusive group with ``tool`` checked; Undo and Redo enabled
    and their tooltips named after ``undo``'s steps."""
    actions: dict[str, QAction] = {}
    group = QActionGroup(owner)
    group.setExclusive(True)
    for spec in (*TOOL_ACTIONS, *TOGGLE_ACTIONS, *COMMAND_ACTIONS):
        action = build_action(owner, spec)
        if spec.checkable:
            action.toggled.connect(lambda on, n=spec.name: toggled(n, on))
        else:
            action.triggered.connect(commands[spec.name])
        if spec.name in TOOLS:
            group.addAction(action)
        actions[spec.name] = action
    actions[tool].setChecked(True)
    actions["show"].setChecked(True)
    actions["undo"].setEnabled(False)
    actions["redo"].setEnabled(False)
    undo.canUndoChanged.connect(actions["undo"].setEnabled)
    undo.canRedoChanged.connect(actions["redo"].setEnabled)

    def retip(name: str, verb: str, what: str) -> None:
        action = actions[name]
        text = f"{verb} {what.lower()}" if what else verb
        action.setToolTip(shortcut_tooltip(text, action.shortcuts()))

    undo.undoTextChanged.connect(lambda t: retip("undo", "Undo", t))
    undo.redoTextChanged.connect(lambda t: retip("redo", "Redo", t))
    return actions
