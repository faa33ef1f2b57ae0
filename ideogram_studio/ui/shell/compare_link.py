"""Compare two images (issue 14): the two selected in the strip (Ctrl+click) or in the library, or the
one selected and the one shown; C, the result's menu, the library's menu and View ▸ Compare. They
show in the centre over the results as a slider or side by side (ui/widgets/compare_view.py); Esc
or Done comes back.

The images are read and decoded off the GUI thread (TaskRunner); each is named as the designer
knows it (what tells the two apart: seed, size, else the time), never by its hash.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence

from ...gallery import GalleryError
from ..common.colour import to_srgb_image
from ..common.image_decode import decode_file
from ..widgets.compare_view import CompareView

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMenu, QStatusBar

    from ...gallery.models import ImageRow
    from ...services import Services
    from .batch_view import ResultArea
    from .controller import StudioController
    from .library_link import LibraryLink
    from .results_strip import ResultsStrip

#: What C says when there is not a pair to compare.
PICK_TWO = "Select two images to compare: Ctrl+click them in the strip or the library, then press C"


class CompareHost(Protocol):
    """What comparing needs of the main window (named here: the window imports this module)."""

    @property
    def services(self) -> Services: ...
    @property
    def controller(self) -> StudioController: ...
    @property
    def strip(self) -> ResultsStrip: ...
    @property
    def result_area(self) -> ResultArea: ...
    @property
    def library(self) -> LibraryLink: ...

    @property
    def library_made(self) -> SignalInstance: ...

    def has_library(self) -> bool: ...
    def shown_image_hash(self) -> str | None: ...
    def is_showing_canvas(self) -> bool: ...
    def show_canvas(self, canvas: bool) -> None: ...
    def statusBar(self) -> QStatusBar: ...


class CompareLink(QObject):
    def __init__(self, window: CompareHost, view_menu: QMenu | None = None) -> None:
        super().__init__(window if isinstance(window, QObject) else None)
        self._window = window
        self.view = CompareView()
        self.view.closed.connect(self.close)
        self.action = QAction("Compare two images", self)
        self.action.setShortcuts([QKeySequence("C")])
        # Only where images are chosen (the strip, the results, the library): never while typing.
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.setToolTip("Compare the two selected images, as a slider or side by side (C)")
        self.action.triggered.connect(self.compare_selected)
        window.strip.addAction(self.action)
        window.result_area.addAction(self.action)
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(self.action)
        # The library page is made on first use: C and the menu item join it then.
        window.library_made.connect(self._join_library)
        if window.has_library():
            self._join_library()

    def _join_library(self) -> None:
        page = self._window.library.page
        page.addAction(self.action)
        menu = page.context_menu
        items = menu.actions()
        if len(items) > 2:
            menu.insertAction(items[2], self.action)  # after Open and Preview
        else:
            menu.addAction(self.action)
        menu.aboutToShow.connect(lambda: self.action.setEnabled(len(page.selected_hashes()) == 2))
        menu.aboutToHide.connect(lambda: self.action.setEnabled(True))

    # ---- what the designer does --------------------------------------------------------------------
    def selected_pair(self, image_hash: str | None = None) -> tuple[str, str] | None:
        """The two images to compare: two selected (the library's while it shows, else the strip's);
        or one selected (or `image_hash`, from a result's menu) and the image shown."""
        window = self._window
        in_library = self._showing_library()
        chosen = window.library.page.selected_hashes() if in_library else window.strip.selected_hashes()
        if image_hash is not None and image_hash not in chosen:
            chosen = [image_hash]
        if len(chosen) == 2:
            return chosen[0], chosen[1]
        shown = window.shown_image_hash()
        if len(chosen) == 1 and shown and shown != chosen[0] and not in_library:
            return shown, chosen[0]
        return None

    def _showing_library(self) -> bool:
        return self._window.has_library() and self._window.library.is_showing_library()

    def compare_selected(self, image_hash: str | None = None) -> bool:
        pair = self.selected_pair(image_hash if isinstance(image_hash, str) else None)
        if pair is None:
            self._window.statusBar().showMessage(PICK_TWO, 8000)
            return False
        self.compare(*pair)
        return True

    def compare(self, first: str, second: str) -> None:
        self._window.controller.runner.run(self._load(first, second), "compare")

    def compare_with_source(self, image_hash: str) -> None:
        """A result beside the source it was made from (remix, reframe, edit…): the viewer's before/after,
        side by side too."""
        self._window.controller.runner.run(self._with_source(image_hash), "compare")

    async def _with_source(self, image_hash: str) -> None:
        links = await asyncio.to_thread(self._window.services.gallery.parents, image_hash)
        source = next((link.parent for link in links if link.role == "image"), None)
        if source is None:
            self._window.statusBar().showMessage("This result was not made from a source image", 6000)
            return
        await self._load(source, image_hash, ("Source", "Result"))

    def close(self) -> None:
        self._window.result_area.leave_page()

    def is_comparing(self) -> bool:
        return self._window.result_area.showing_page() and self.view.isVisible()

    # ---- internals ---------------------------------------------------------------------------------
    async def _load(self, first: str, second: str, names: tuple[str, str] | None = None) -> None:
        loaded = await asyncio.gather(self._image(first), self._image(second))
        if any(image is None for image, _ in loaded):
            self._window.statusBar().showMessage("One of the two images could not be read to compare", 8000)
            return
        (a, a_row), (b, b_row) = loaded
        assert a is not None and b is not None
        self.view.set_images(a, b, names or _names(a_row, b_row))
        self._show()

    async def _image(self, image_hash: str) -> tuple[QImage | None, ImageRow | None]:
        gallery = self._window.services.gallery
        try:
            path = await asyncio.to_thread(gallery.path_for, image_hash)
        except (GalleryError, OSError):
            return None, None
        row = await asyncio.to_thread(gallery.get, image_hash)
        image = await asyncio.to_thread(decode_file, path)
        return (None if image.isNull() else to_srgb_image(image)), row

    def _show(self) -> None:
        window = self._window
        if self._showing_library():
            window.library.show_library(False)
        if window.is_showing_canvas():
            window.show_canvas(False)
        window.result_area.show_page(self.view)
        self.view.set_mode(self.view.mode())  # (the focus into the view: its keys answer)


def _names(a: ImageRow | None, b: ImageRow | None) -> tuple[str, str]:
    """Short names for the two sides, in words: what tells them apart (seed, size, else the time)."""
    if a is None or b is None:
        return "First image", "Second image"
    parts: list[tuple[str, str]] = []
    if a.seed != b.seed:
        parts.append((f"seed {a.seed}" if a.seed is not None else "no seed",
                      f"seed {b.seed}" if b.seed is not None else "no seed"))
    if (a.width, a.height) != (b.width, b.height) or not parts:
        parts.append((f"{a.width}×{a.height}", f"{b.width}×{b.height}"))
    if a.seed == b.seed and (a.width, a.height) == (b.width, b.height):
        parts.append((f"{a.created_at:%d %b %H:%M:%S}", f"{b.created_at:%d %b %H:%M:%S}"))
    first, second = (" · ".join(p[i] for p in parts) for i in (0, 1))
    return (f"1: {first}", f"2: {second}") if first == second else (first, second)
