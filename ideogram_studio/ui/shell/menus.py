"""The window's menu bar: File, View, Mode and Jobs.

Built in two steps like the window (see main_window.py): `build_menus()` with the shell, from Qt
alone, its commands that need the studio disabled until attach(); `add_studio_commands()` once the
studio exists. Rooms that add commands (culling, compare, themes…) take the `Menus` they need rather
than growing the window's module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu


@dataclass
class Menus:
    file: QMenu
    view: QMenu
    mode: QMenu
    jobs: QMenu
    #: Commands that need the studio: disabled until the studio is attached.
    studio_actions: list[QAction] = field(default_factory=list)


def set_shortcut(action: QAction, keys: QKeySequence) -> None:
    """`action.setShortcut(keys)` for the shell: resolving setShortcut()'s overloads makes PySide6 build
    every enum of the `Qt` namespace (~15 ms before the first paint); setShortcuts() with a list does not."""
    action.setShortcuts([keys])


def build_menus(
    window: QMainWindow,
    *,
    settings_action: QAction,
    library_action: QAction,
    mode_actions: Iterable[QAction],
    open_library_folder: Callable[[], None],
    open_batch: Callable[[], object],
) -> Menus:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(settings_action)
    studio: list[QAction] = []
    show_library = QAction("Open library folder", window)
    show_library.triggered.connect(open_library_folder)
    studio.append(show_library)
    file_menu.addAction(show_library)
    batch_action = QAction("&Batch run…", window)
    batch_action.setToolTip("Every combination of a prompt's {choices}, or every row of a sheet")
    set_shortcut(batch_action, QKeySequence("Ctrl+Shift+B"))
    batch_action.triggered.connect(open_batch)
    studio.append(batch_action)
    file_menu.addAction(batch_action)
    file_menu.addSeparator()
    quit_action = QAction("&Quit", window)
    set_shortcut(quit_action, QKeySequence(QKeySequence.StandardKey.Quit))
    quit_action.triggered.connect(window.close)
    file_menu.addAction(quit_action)
    view_menu = bar.addMenu("&View")
    view_menu.addAction(library_action)
    modes_menu = bar.addMenu("&Mode")
    for action in mode_actions:
        modes_menu.addAction(action)
    jobs_menu = bar.addMenu("&Jobs")
    return Menus(file_menu, view_menu, modes_menu, jobs_menu, studio)


def add_studio_commands(
    menus: Menus,
    window: QMainWindow,
    *,
    jobs_dock: QDockWidget,
    view_actions: Iterable[QAction],
    zoom: Iterable[tuple[str, str, Callable[[], None]]],
    job_actions: Iterable[QAction],
    cancel_all: Callable[[], object],
) -> None:
    """The menus' commands that need the studio; then every studio command is enabled."""
    menus.view.addAction(jobs_dock.toggleViewAction())
    menus.view.addActions(list(view_actions))
    for text, shortcut, slot in zoom:
        action = QAction(text, window, shortcut=QKeySequence(shortcut))
        action.triggered.connect(slot)
        menus.view.addAction(action)
    menus.jobs.addActions(list(job_actions))
    cancel = QAction("Cancel all unfinished jobs", window)
    cancel.triggered.connect(cancel_all)
    menus.jobs.addAction(cancel)
    for action in menus.studio_actions:
        action.setEnabled(True)
