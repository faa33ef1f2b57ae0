"""Work for a hidden widget, done when it is next shown: before it paints, not while it is hidden.

A theme switch restyles every widget that has a style sheet, a muted palette or a themed icon; most
of them are hidden at that moment (the other modes' panels, the library page while the studio shows,
closed dialogs and menus), and restyling them all froze the window for ~0.1-0.3 s. Hidden ones are
restyled when they are next shown instead (`later`).

Shown is when the highest hidden widget above them (their "hidden root": a stack's page, a dialog,
a menu) gets its Show event. Qt sends that after its children's Show events and before anything
paints, so the work is done there, for everything under it at once and in the order it was asked
for by phase: a widget's style sheet re-polishes the widgets inside it and gives them back the
palette they were polished with, so sheets go before palettes and icons (as theme.apply_theme
does for visible widgets). What is still hidden then (a row hidden inside the shown page) waits
for its own root.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid


class _Waiting(NamedTuple):
    phase: int  # 0 before 1 before 2
    order: int  # then in the order asked
    widget: QWidget
    key: str
    work: Callable[[], None]


def hidden_root(widget: QWidget) -> QWidget:
    """The highest hidden widget at or above `widget` whose parent is visible (or a window)."""
    while not widget.isWindow():
        parent = widget.parentWidget()
        if parent is None or parent.isVisible():
            break
        widget = parent
    return widget


class WhenShown(QObject):
    """Holds the work waiting for hidden widgets (one for the application: `when_shown()`)."""

    def __init__(self) -> None:
        super().__init__()
        self._order = itertools.count()
        #: Per hidden root: its waiting work, by (the widget's id, key): asking twice does it once.
        self._waiting: dict[QWidget, dict[tuple[int, str], _Waiting]] = {}
        #: The roots whose `destroyed` is connected (once each, however often they wait again).
        self._watched: set[int] = set()

    def later(self, widget: QWidget, key: str, phase: int, work: Callable[[], None]) -> None:
        """Do `work` when `widget` is next shown (at once if it is visible). Asking again with the
        same widget and key before then replaces the earlier work."""
        if widget.isVisible():
            work()
            return
        root = hidden_root(widget)
        waiting = self._waiting.get(root)
        if waiting is None:
            waiting = self._waiting[root] = {}
            root.installEventFilter(self)
            if id(root) not in self._watched:  # (the lambda keeps the wrapper, so its id, alive)
                self._watched.add(id(root))
                root.destroyed.connect(lambda _=None, r=root: self._forget(r))
        waiting[(id(widget), key)] = _Waiting(phase, next(self._order), widget, key, work)

    def _forget(self, root: QWidget) -> None:
        self._waiting.pop(root, None)
        self._watched.discard(id(root))

    def pending(self) -> int:
        """How many pieces of work wait (for tests and benchmarks)."""
        return sum(len(w) for w in self._waiting.values())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and watched in self._waiting:
            watched.removeEventFilter(self)
            for item in sorted(self._waiting.pop(watched).values(), key=lambda i: (i.phase, i.order)):
                if isValid(item.widget):
                    self.later(item.widget, item.key, item.phase, item.work)  # (now, or at its own root's Show)
        return False


_INSTANCE: list[WhenShown] = []


def when_shown() -> WhenShown:
    """The application's one WhenShown."""
    if not _INSTANCE:
        _INSTANCE.append(WhenShown())
    return _INSTANCE[0]
