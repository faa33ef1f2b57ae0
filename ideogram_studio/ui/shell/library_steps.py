"""The library page and its link made in steps (issue 15: nothing holds the GUI thread > 50 ms).

Made in one piece, the library takes 150-300 ms of the GUI thread (its modules' imports, ~200
widgets, ~50 actions, ~200 connections, the team link); made ahead in a quiet moment
(idle_build.py), a key typed meanwhile waited for all of it. Here each step is one module imported,
one part of the page made (ui/library/page_layout.py yields between its parts) or the wiring, each
a few tens of milliseconds; `MainWindow.library` finishes at once whatever is left when the
designer asks for the library before it is made.

This module imports nothing of the library at its top: importing it is not a step's worth.
"""

from __future__ import annotations

import importlib
import weakref
from typing import TYPE_CHECKING, Protocol

from ..common.in_steps import InSteps, Steps

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QStackedWidget, QWidget

    from .controller import StudioController
    from .library_link import LibraryHost, LibraryLink

    class StudioWindow(LibraryHost, Protocol):
        """What of the window (main_window.MainWindow) the library is made with."""

        controller: StudioController
        library_action: QAction


#: The library being made for each window (kept with the window: a window makes its library once).
_MAKING: weakref.WeakKeyDictionary[StudioWindow, InSteps[LibraryLink]] = weakref.WeakKeyDictionary()

#: The library's modules, those others import first (one import per step; each is then found
#: loaded by the imports of the modules after it).
MODULES = (
    "ideogram_studio.gallery.library_source",
    "ideogram_studio.gallery.library_ops",
    "ideogram_studio.gallery.local_source",
    "ideogram_studio.ui.library.actions",
    "ideogram_studio.ui.library.culling_row",
    "ideogram_studio.ui.library.detail_panel",
    "ideogram_studio.ui.library.export_dialog",
    "ideogram_studio.ui.library.grid_model",
    "ideogram_studio.ui.library.uniform_grid",
    "ideogram_studio.ui.library.grid_view",
    "ideogram_studio.ui.library.page_actions",
    "ideogram_studio.ui.library.search_field",
    "ideogram_studio.gallery.saved_searches",
    "ideogram_studio.gallery.smart_collections",
    "ideogram_studio.ui.library.maintenance_tasks",
    "ideogram_studio.ui.library.browsing",
    "ideogram_studio.ui.library.session",
    "ideogram_studio.ui.library.sidebar",
    "ideogram_studio.ui.library.task_bar",
    "ideogram_studio.ui.library.page_layout",
    "ideogram_studio.ui.library.page",
    "ideogram_studio.team.config",
    "ideogram_studio.ui.shell.team_link",
    "ideogram_studio.ui.shell.library_link",
)


def library_in_steps(
    window: StudioWindow, attached: bool, stack: QStackedWidget, studio: QWidget
) -> InSteps[LibraryLink]:
    """The window's library link being made, a step at a time: one per window (`MainWindow.library`
    finishes it). `attached`: whether the window has its studio (the library needs it); `stack`, the
    window's centre; `studio`, the page beside the library there."""
    steps = _MAKING.get(window)
    if steps is None:
        if not attached:
            raise AttributeError("the library comes with the studio (attach())")
        steps = _MAKING[window] = InSteps(_steps(window, window.controller, stack, studio, window.library_action))
    return steps


def _steps(
    host: LibraryHost, controller: StudioController, stack: QStackedWidget, studio: QWidget, toggle_action: QAction
) -> Steps[LibraryLink]:
    for name in MODULES:
        importlib.import_module(name)
        yield
    from ..library.page import LibraryPage
    from ..modes import registry
    from .library_link import LibraryLink

    page = yield from LibraryPage.made_in_steps(
        controller.services.gallery,
        controller.runner,
        stack,
        send_to=registry.send_to_items(),
        use_as=registry.use_as_items(),
    )
    yield
    return LibraryLink(host, controller, stack, studio, toggle_action, page)
