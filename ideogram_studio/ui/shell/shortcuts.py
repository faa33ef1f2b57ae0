"""The studio's shortcuts, read from the window's QActions (never a hand-written list): the F1
reference shows them, Settings ▸ Shortcuts rebinds them, and QSettings (group ``shortcuts``) keeps the
designer's own.

A command is every action with the same name and the same default keys (Pick in the viewer, the
strip and the library is one command); the Mode menu's "Generate" (Alt+1) and the panel's
"Generate" (Ctrl+Return) are two. A command is saved under its action's object name, or else its
text; when two commands share that, their default keys tell them apart. Each action's own shortcuts
are its defaults (kept on the action as a property the first time it is seen).

Two commands conflict on a key only where both can answer it: a window-wide command conflicts with
every other, a command of a widget (the mask canvas, the library page) with those of the widgets
around it or inside it, not with another widget's (Ctrl+Z undoes in the library and in the mask).

`apply_saved` sets the saved keys: one QSettings group read, and nothing more when nothing was
rebound; it runs at start and when a part of the window made later (a mode panel) has its actions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QMenu, QMenuBar, QToolBar, QWidget

GROUP = "shortcuts"
_DEFAULTS = "studioDefaultShortcuts"
PORTABLE = QKeySequence.SequenceFormat.PortableText
NATIVE = QKeySequence.SequenceFormat.NativeText
#: A widget's name for where its commands answer, when its class name does not say it well.
PLACE = "shortcutPlace"
_WINDOW_WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


def action_id(action: QAction) -> str:
    """How a command is known in the saved shortcuts (stable across starts)."""
    return action.objectName() or action_name(action)


def action_name(action: QAction) -> str:
    """The command as the designer reads it."""
    return action.text().replace("&", "").rstrip("…").strip() or action.toolTip()


def defaults_of(action: QAction) -> list[QKeySequence]:
    """The action's own shortcuts, as the studio made it (remembered the first time it is seen)."""
    saved = action.property(_DEFAULTS)
    if saved is None:
        saved = [k.toString(PORTABLE) for k in action.shortcuts() if not k.isEmpty()]
        action.setProperty(_DEFAULTS, saved)
    return [QKeySequence.fromString(text, PORTABLE) for text in saved]


def keys_text(keys: Iterable[QKeySequence]) -> str:
    return ", ".join(k.toString(NATIVE) for k in keys) or "—"


def _words(class_name: str) -> str:
    """'MaskCanvas' → 'Mask canvas' (where a widget's command answers, as the designer reads it)."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", class_name)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else class_name


def _places(action: QAction, window: QWidget) -> list[str]:
    """Where the action answers: its menus (by title), else the widgets it belongs to; "" = everywhere."""
    menus = [o.title().replace("&", "") for o in action.associatedObjects() if isinstance(o, QMenu) and o.title()]
    if menus:
        return menus
    if action.shortcutContext() in _WINDOW_WIDE:
        return [""]
    places = [str(w.property(PLACE) or _words(w.metaObject().className()))
              for w in _scopes(action, window) if not isinstance(w, QToolBar | QAbstractButton)]  # fmt: skip
    return list(dict.fromkeys(places))  # (a bar or a button showing the action is not a place)


def _scopes(action: QAction, window: QWidget) -> list[QWidget]:
    """The widgets within which the action's keys work (the window for a window-wide action)."""
    if action.shortcutContext() in _WINDOW_WIDE:
        return [window]
    widgets = [o for o in action.associatedObjects() if isinstance(o, QWidget) and not isinstance(o, QMenu | QMenuBar)]
    parent = action.parent()
    if not widgets and isinstance(parent, QWidget):
        widgets = [parent]
    return widgets


def _overlap(a: QWidget, b: QWidget) -> bool:
    return a is b or a.isAncestorOf(b) or b.isAncestorOf(a)


@dataclass
class Command:
    id: str
    name: str
    actions: list[QAction]
    #: Where it answers, as the designer reads it ("" = everywhere in the window).
    places: list[str] = field(default_factory=list)
    scopes: list[QWidget] = field(default_factory=list)

    @property
    def where(self) -> str:
        return ", ".join(p for p in self.places if p) or "Everywhere"

    @property
    def keys(self) -> list[QKeySequence]:
        return [k for k in self.actions[0].shortcuts() if not k.isEmpty()]

    @property
    def defaults(self) -> list[QKeySequence]:
        return defaults_of(self.actions[0])

    def set_keys(self, keys: Iterable[QKeySequence]) -> None:
        chosen = [k for k in keys if not k.isEmpty()]
        for action in self.actions:
            defaults_of(action)  # remembered before the first change
            before = [k for k in action.shortcuts() if not k.isEmpty()]
            action.setShortcuts(chosen)
            _retip(action, before, chosen)

    def overlaps(self, other: Command) -> bool:
        """True when a key could reach both (one's widgets hold, or lie in, the other's)."""
        return any(_overlap(a, b) for a in self.scopes for b in other.scopes)


def _retip(action: QAction, before: list[QKeySequence], after: list[QKeySequence]) -> None:
    """A tooltip that names the command's key ("Next result (Right)") names the new one, or none."""
    tip = action.toolTip()
    every = keys_text(before)
    for named in dict.fromkeys([every, *(k.toString(NATIVE) for k in before)]):
        if before and tip.endswith(f" ({named})"):
            rest = tip[: -len(named) - 3]
            now = keys_text(after) if named == every else after[0].toString(NATIVE) if after else ""
            action.setToolTip(f"{rest} ({now})" if after else rest)
            return


def commands(window: QWidget) -> list[Command]:
    """Every command of the window that has, or had, a shortcut; sorted by name, then place."""
    found: dict[tuple[str, tuple[str, ...]], Command] = {}
    for action in window.findChildren(QAction):
        defaults = defaults_of(action)
        if not defaults and not [k for k in action.shortcuts() if not k.isEmpty()]:
            continue
        name = action_id(action)
        if not name:
            continue
        group = (name, tuple(k.toString(PORTABLE) for k in defaults))
        command = found.get(group)
        if command is None:
            command = found[group] = Command(name, action_name(action), [])
        command.actions.append(action)
        command.places += [p for p in _places(action, window) if p not in command.places]
        command.scopes += [w for w in _scopes(action, window) if w not in command.scopes]
    ids: dict[str, int] = {}
    for name, _keys in found:
        ids[name] = ids.get(name, 0) + 1
    for (name, keys), command in found.items():
        if ids[name] > 1:  # "Generate" the mode and "Generate" the request: told apart by their keys
            command.id = f"{name} [{', '.join(keys)}]"
    return sorted(found.values(), key=lambda c: (c.name.casefold(), c.where.casefold()))


@runtime_checkable
class WindowParts(Protocol):
    """The window's parts made on first use (the main window)."""

    def mode_panel(self, mode_id: str) -> object: ...
    def prepare_library(self, show: bool = False) -> None: ...


def make_every_part(window: QWidget) -> None:
    """Make the parts of the window made on first use (every mode's panel, the library page), so that
    their commands are listed too (the reference and Settings show every shortcut, not only those of
    the parts visited)."""
    from ..modes import registry

    if isinstance(window, WindowParts):
        for mode in registry.MODES:
            window.mode_panel(mode.id)
        window.prepare_library()


def holder(candidates: Iterable[Command], keys: QKeySequence, command: Command,
           keys_of: dict[str, list[QKeySequence]] | None = None) -> Command | None:  # fmt: skip
    """The command other than `command` that already answers `keys` where `command` does, or None.
    `keys_of`: each command's keys by id, when not its actions' own (Settings' staged keys)."""
    if keys.isEmpty():
        return None
    for other in candidates:
        if other.id == command.id or not other.overlaps(command):
            continue
        held = keys_of[other.id] if keys_of is not None else other.keys
        if any(k.matches(keys) == QKeySequence.SequenceMatch.ExactMatch for k in held):
            return other
    return None


def conflict(window: QWidget, keys: QKeySequence, command_id: str) -> Command | None:
    """The command that already answers `keys` where the command `command_id` does, or None."""
    every = commands(window)
    command = next(c for c in every if c.id == command_id)
    return holder(every, keys, command)


def _entry(command_id: str) -> str:
    """The command's QSettings key ('/' would make a group of "Swap before/after")."""
    return quote(command_id, safe=" []+,-()'")


def save(settings: QSettings, window: QWidget) -> None:
    """Keep what differs from the defaults (a command back at its default leaves no entry). Commands
    of parts not made in this session (a mode not visited) keep their entries."""
    settings.beginGroup(GROUP)
    try:
        for command in commands(window):
            keys = [k.toString(PORTABLE) for k in command.keys]
            if keys != [k.toString(PORTABLE) for k in command.defaults]:
                settings.setValue(_entry(command.id), "\n".join(keys))  # "" = no shortcut at all
            else:
                settings.remove(_entry(command.id))
    finally:
        settings.endGroup()
    settings.sync()


def apply_saved(settings: QSettings, window: QWidget) -> int:
    """Set the saved shortcuts on the window's actions; how many commands were changed."""
    settings.beginGroup(GROUP)
    try:
        saved = {name: settings.value(name, "") for name in settings.childKeys()}
    finally:
        settings.endGroup()
    if not saved:
        return 0  # nothing rebound: not even a pass over the actions
    changed = 0
    for command in commands(window):
        value = saved.get(_entry(command.id))
        if value is None:
            continue
        texts = value if isinstance(value, list) else str(value).split("\n")  # (a list if hand-edited)
        command.set_keys(QKeySequence.fromString(str(t), PORTABLE) for t in texts if t)
        changed += 1
    return changed
