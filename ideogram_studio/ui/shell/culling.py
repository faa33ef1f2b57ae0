"""Sorting results, as in Lightroom: P pick, X reject, U unflag, 1–5 stars (0 clears them), F or "."
favourite, on the image in the viewer, the batch grid's current image or the strip's current
thumbnail; then "Keep picks, trash rejects" moves every rejected result of the batch being looked at
(the grid's, or the batch of the image shown) to the trash in one step, which Undo brings back.

The flags and stars are the gallery's (kept in the index and the image's sidecar, so the library
shows and searches them); this view-model runs every gallery call off the GUI thread through the
TaskRunner and tells the widgets what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ...gallery import Gallery
from ...gallery.models import FLAG_NONE, FLAG_PICK, FLAG_REJECT, ImageRow
from ..common.task_runner import TaskRunner
from .results_strip import RecentResultsModel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from ...services import Services
    from .batch_view import ResultArea
    from .controller import StudioController
    from .results_strip import ResultsStrip


class StudioWindow(Protocol):
    """What install_culling() needs of the main window (named here: the window imports this module)."""

    @property
    def services(self) -> Services: ...
    @property
    def controller(self) -> StudioController: ...
    @property
    def viewer(self) -> QWidget: ...
    @property
    def strip(self) -> ResultsStrip: ...
    @property
    def recent_model(self) -> RecentResultsModel: ...
    @property
    def result_area(self) -> ResultArea: ...

    def shown_image_hash(self) -> str | None: ...

    def statusBar(self) -> QStatusBar: ...

FLAG_WORDS = {FLAG_PICK: "Picked", FLAG_REJECT: "Rejected", FLAG_NONE: "Unflagged"}


class Culling(QObject):
    #: A result's flag, stars or favourite changed (hash, flag, stars, favourite): marks redrawn.
    marked = Signal(str, int, int, bool)
    #: A sentence for the status bar.
    message = Signal(str)
    #: Results moved to the trash by "keep picks, trash rejects" (hashes), and brought back by Undo.
    trashed = Signal(list)
    restored = Signal(list)

    def __init__(self, gallery: Gallery, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gallery = gallery
        self._runner = runner
        #: The hashes the last "keep picks, trash rejects" moved to the trash (Undo restores them).
        self._last_trashed: list[str] = []
        self.keep_picks_action = QAction("Keep picks, trash rejects", self)
        self.keep_picks_action.setToolTip(
            "Move the rejected results of the batch you are looking at to the trash (X rejects)"
        )
        self.undo_action = QAction("Undo trash rejects", self)
        self.undo_action.setToolTip("Bring back the results the last Keep picks, trash rejects moved to the trash")
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo_trash_rejects)

    # ---- keys ------------------------------------------------------------------------------------
    def bind(self, widget: QWidget, current: Callable[[], str | list[str] | None]) -> list[QAction]:
        """P / X / U and 0–5 on a widget (while it or a child has the focus: never while typing in a
        form), acting on the hash (or the hashes: the strip's selection) `current()` names."""
        actions: list[QAction] = []

        def add(text: str, key: str, apply: Callable[[str], None]) -> None:
            action = QAction(text, widget)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda: self._on_key(current(), apply))
            widget.addAction(action)
            actions.append(action)

        add("Pick", "P", lambda h: self.set_flag(h, FLAG_PICK))
        add("Reject", "X", lambda h: self.set_flag(h, FLAG_REJECT))
        add("Unflag", "U", lambda h: self.set_flag(h, FLAG_NONE))
        for stars in range(6):
            add(f"{stars} stars" if stars != 1 else "1 star", str(stars), partial(self._rate, stars=stars))
        add("Favourite", "F", self.toggle_favourite)
        add("Favourite", ".", self.toggle_favourite)
        return actions

    def _rate(self, image_hash: str, *, stars: int) -> None:
        self.set_rating(image_hash, stars)

    def _on_key(self, chosen: str | list[str] | None, apply: Callable[[str], None]) -> None:
        for image_hash in [chosen] if isinstance(chosen, str) else chosen or []:
            apply(image_hash)

    # ---- writes ----------------------------------------------------------------------------------
    def set_flag(self, image_hash: str, flag: int) -> None:
        self._runner.run(self._write(image_hash, flag=flag), "culling")

    def set_rating(self, image_hash: str, stars: int) -> None:
        self._runner.run(self._write(image_hash, stars=stars), "culling")

    def toggle_favourite(self, image_hash: str) -> None:
        self._runner.run(self._write(image_hash, toggle_favourite=True), "culling")

    async def _write(
        self, image_hash: str, *, flag: int | None = None, stars: int | None = None, toggle_favourite: bool = False
    ) -> None:
        if flag is not None:
            await asyncio.to_thread(self._gallery.set_flag, [image_hash], flag)
        if stars is not None:
            await asyncio.to_thread(self._gallery.set_rating, [image_hash], stars)
        if toggle_favourite:
            before = await asyncio.to_thread(self._gallery.get, image_hash)
            if before is not None:
                await asyncio.to_thread(self._gallery.set_favourite, [image_hash], not before.favourite)
        row = await asyncio.to_thread(self._gallery.get, image_hash)
        if row is None:
            return
        self.marked.emit(image_hash, row.flag, row.rating, row.favourite)
        stars_text = f"{row.rating} ★" if row.rating else "no stars"
        favourite = ", favourite" if row.favourite else ""
        self.message.emit(f"{FLAG_WORDS.get(row.flag, 'Unflagged')}, {stars_text}{favourite}")

    async def load_marks(self, hashes: list[str]) -> None:
        """The flags and stars of results already in the strip (at start)."""
        for row in await asyncio.to_thread(self._rows, hashes):
            if row.flag or row.rating or row.favourite:
                self.marked.emit(row.hash, row.flag, row.rating, row.favourite)

    def _rows(self, hashes: list[str]) -> list[ImageRow]:
        """The gallery's rows of these hashes (in a worker thread), trashed ones included."""
        return [row for row in map(self._gallery.get, hashes) if row is not None]

    def trash_rejects(self, hashes: list[str]) -> None:
        """Keep picks, trash rejects: every rejected result among `hashes` goes to the trash."""
        self._runner.run(self._trash_rejects(hashes), "culling")

    def trash_rejects_of_batch(self, batch: list[str], shown: str | None, recent: list[str]) -> None:
        """Keep picks, trash rejects for the batch being looked at: `batch` when the window knows it;
        else the results in `recent` made by the same job as the image `shown`."""
        self._runner.run(self._trash_rejects(batch, shown, recent), "culling")

    def _same_job(self, shown: str, recent: list[str]) -> list[str]:
        """The results among `recent` made by the job that made `shown` (in a worker thread)."""
        row = self._gallery.get(shown)
        if row is None or not row.job_id:
            return [shown]
        return [r.hash for r in self._rows(recent) if r.job_id == row.job_id] or [shown]

    async def _trash_rejects(
        self, hashes: list[str], shown: str | None = None, recent: list[str] | None = None
    ) -> None:
        if not hashes and shown:
            hashes = await asyncio.to_thread(self._same_job, shown, recent or [])
        if not hashes:
            self.message.emit("Open a batch or a result first: Keep picks acts on the batch you look at")
            return
        rows = await asyncio.to_thread(self._rows, hashes)
        rejected = [row.hash for row in rows if row.flag == FLAG_REJECT and row.trashed_at is None]
        if not rejected:
            self.message.emit("No rejected results to trash: press X on a result to reject it")
            return
        await asyncio.to_thread(self._gallery.trash, rejected)
        self._last_trashed = rejected
        self.undo_action.setEnabled(True)
        self.trashed.emit(rejected)
        count = len(rejected)
        self.message.emit(
            f"{count} rejected result{'s' if count != 1 else ''} of this batch moved to the trash"
            " (Undo brings them back)"
        )

    def undo_trash_rejects(self) -> None:
        if self._last_trashed:
            self._runner.run(self._undo(list(self._last_trashed)), "culling")

    async def _undo(self, hashes: list[str]) -> None:
        await asyncio.to_thread(self._gallery.restore, hashes)
        self._last_trashed = []
        self.undo_action.setEnabled(False)
        self.restored.emit(hashes)
        count = len(hashes)
        self.message.emit(f"{count} result{'s' if count != 1 else ''} back from the trash")


def install_culling(window: StudioWindow, menu: QMenu) -> Culling:
    """The window's culling: keys on the viewer, the batch grid and the strip, marks in the strip and
    the grid, sentences in the status bar, Keep picks / Undo in `menu`."""
    strip, recent, area = window.strip, window.recent_model, window.result_area
    culling = Culling(window.services.gallery, window.controller.runner, menu)
    culling.bind(window.viewer, window.shown_image_hash)
    culling.bind(area.grid, area.grid.current_hash)
    culling.bind(strip, lambda: strip.selected_hashes() or strip.current_hash())  # every one selected
    culling.marked.connect(recent.set_mark)
    culling.marked.connect(area.model.set_mark)
    culling.message.connect(lambda text: window.statusBar().showMessage(text, 6000))
    culling.trashed.connect(recent.remove)
    culling.trashed.connect(area.forget)
    culling.restored.connect(lambda hashes: _put_back(recent, hashes))
    culling.restored.connect(area.bring_back)
    culling.keep_picks_action.triggered.connect(
        lambda: culling.trash_rejects_of_batch(area.batch_hashes(), area.current_hash(), recent.hashes())
    )
    recent.modelReset.connect(lambda: window.controller.runner.run(culling.load_marks(recent.hashes()), "marks"))
    menu.addSeparator()
    menu.addActions([culling.keep_picks_action, culling.undo_action])
    return culling


def _put_back(recent: RecentResultsModel, hashes: list[str]) -> None:
    for image_hash in reversed(hashes):
        recent.prepend(image_hash)
