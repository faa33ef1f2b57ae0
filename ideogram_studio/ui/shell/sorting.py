"""The rest of sorting results (issue 14), installed once the studio is built: the result's menu on
the viewer and the strip (result_menu.py), drags out of the strip, the batch grid and the viewer
(result_drag.py) and comparing two images (compare_link.py). The keys and marks are culling.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .compare_link import CompareHost, CompareLink
from .result_drag import DragHost, install_result_drags
from .result_menu import ResultHost, result_menu

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu


class SortingHost(CompareHost, DragHost, ResultHost, Protocol):
    """What the menus, the drags and comparing need of the main window."""


def install_sorting(window: SortingHost, view_menu: QMenu | None = None) -> CompareLink:
    install_result_menus(window)
    install_result_drags(window)
    return CompareLink(window, view_menu)


def install_result_menus(window: SortingHost) -> None:
    """The result's context menu, on a right-click in the strip and on the image in the viewer."""

    def popup(image_hash: str, at: QPoint) -> None:
        result_menu(window, image_hash).popup(at)

    def on_viewer(pos: QPoint) -> None:
        image_hash = window.shown_image_hash()
        if image_hash is not None and window.viewer.has_image():
            popup(image_hash, window.viewer.viewport().mapToGlobal(pos))

    window.strip.context_menu_requested.connect(popup)
    window.viewer.customContextMenuRequested.connect(on_viewer)
