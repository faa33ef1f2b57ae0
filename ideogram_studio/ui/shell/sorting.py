"""The rest of sorting results (issue 14), installed once the studio is built: the result's menu on
the viewer and the strip (result_menu.py), drags out of the strip, the batch grid and the viewer
(result_drag.py) and comparing two images (compare_link.py). The keys and marks are culling.py's."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt

from .compare_link import CompareHost, CompareLink
from .result_drag import DragHost, install_result_drags
from .result_menu import ResultHost, result_menu
from .results_strip import marks_text

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QPoint
    from PySide6.QtWidgets import QMenu

    from .culling import Culling


class SortingHost(CompareHost, DragHost, ResultHost, Protocol):
    """What the menus, the drags and comparing need of the main window."""

    @property
    def culling(self) -> Culling: ...


def install_sorting(window: SortingHost, view_menu: QMenu | None = None) -> CompareLink:
    install_result_menus(window)
    install_result_drags(window)
    link = CompareLink(window, view_menu)
    show_marks_in_viewer(window)
    window.library_made.connect(lambda: keep_marks_in_step(window))
    if window.has_library():
        keep_marks_in_step(window)
    return link


def show_marks_in_viewer(window: SortingHost) -> None:
    """The shown image's flag, stars and favourite lead the viewer's caption ("✓ ★★★★ · 1024×1024 ·
    seed …"), read from the library when an image shows and updated when the designer marks it."""
    viewer, gallery, runner = window.viewer, window.services.gallery, window.controller.runner
    plain: dict[str, str] = {}  # the shown image's caption without its marks

    def show(image_hash: str, flag: int, stars: int, favourite: bool) -> None:
        if image_hash != window.shown_image_hash() or image_hash not in plain:
            return
        marks = marks_text(flag, stars, favourite)
        viewer.set_caption(f"{marks} · {plain[image_hash]}" if marks else plain[image_hash])

    async def read_marks(image_hash: str) -> None:
        row = await asyncio.to_thread(gallery.get, image_hash)
        if row is not None:
            show(image_hash, row.flag, row.rating, row.favourite)

    def on_shown(_image: object, caption: str, image_hash: str) -> None:
        plain.clear()
        plain[image_hash] = caption
        runner.run(read_marks(image_hash), "viewer-marks")

    window.controller.image_ready.connect(on_shown)
    window.culling.marked.connect(show)


def keep_marks_in_step(window: SortingHost) -> None:
    """The same flags, stars and favourites everywhere: what the viewer, the batch grid or the strip
    set shows in the library's grid and detail panel (its row read again, off the GUI thread), and
    what the library sets shows on the strip's and the grid's thumbnails. Keep picks and its Undo
    run the library's search again (the trashed results leave it, the restored come back)."""
    page, culling, gallery = window.library.page, window.culling, window.services.gallery
    runner, recent, batch = window.controller.runner, window.recent_model, window.result_area.model

    async def reread(image_hash: str) -> None:
        row = await asyncio.to_thread(gallery.get, image_hash)
        if row is not None:
            page.model.update_rows([row])

    def from_library(top: QModelIndex, bottom: QModelIndex, roles: list[int] | None = None) -> None:
        if roles == [Qt.ItemDataRole.DecorationRole]:  # a thumbnail came in: no mark changed
            return
        shown = set(recent.hashes())
        for r in range(top.row(), bottom.row() + 1):
            image = page.model.image(r)
            if image is not None and (image.hash in shown or batch.row_of(image.hash) >= 0):
                recent.set_mark(image.hash, image.flag, image.rating, image.favourite)
                batch.set_mark(image.hash, image.flag, image.rating, image.favourite)

    culling.marked.connect(lambda image_hash, *_: runner.run(reread(image_hash), "library-marks"))
    culling.trashed.connect(lambda _hashes: page.refresh())
    culling.restored.connect(lambda _hashes: page.refresh())
    page.model.dataChanged.connect(from_library)


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
