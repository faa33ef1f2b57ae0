"""The reading half of the library's view-model (LibrarySession, session.py): searching, the side
bar's counts, new results, the detail panel and the large preview. No widgets.

It talks to one library source (gallery/library_source.LibrarySource: the local gallery, later a
team library too) and owns:
- the reading threads, one per kind of work, so a search never waits behind a facet count, and
  the counts run at a lower CPU priority than the GUI and the search (2-core machines);
- the search: text → parsed at once (mistakes reported for the field) → after 120 ms of quiet the
  search runs (a newer one supersedes it: a generation counter drops stale results) → the grid
  model gets the first page of ids (FIRST_PAGE) and the first screen of rows → `results_shown`;
  once typing pauses (REST_DELAY_MS), the rest of the ids follow page by page (keyset) on a
  thread of their own while the search is still the current one, and the side bar's counts in
  the background (`counts_ready`);
- the grid model and the thumbnail caches it draws from.

Signals carry plain values; the page never reaches into the threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from ...gallery import Collection, FacetValue, ImageRow, Sort
from ...gallery.library_ops import DateCounts, DetailInfo, LibraryProblem
from ...gallery.library_source import Capability, LibrarySource
from ...gallery.search_syntax import Search, parse_search
from ..common.image_decode import decode_file, decode_image
from ..common.task_runner import EXPECTED, TaskRunner
from ..common.thumbnail_loader import ThumbnailCache
from .grid_model import PAGE_SIZE, LibraryModel
from .maintenance_tasks import LongTasks
from .scope import SCOPE_COLLECTION, SCOPE_TRASH, Scope

log = logging.getLogger(__name__)
T = TypeVar("T")
#: A search's first page: its ids, the cursor to the rest (None: no more), the first screens' rows.
FirstPage = tuple[Sequence[int], object | None, list[ImageRow]]
#: Quiet time after a key before the search runs.
DEBOUNCE_MS = 120
#: Ids shown at once for a new search (the first screens); the rest follow (MORE_PAGE at a time).
FIRST_PAGE = 1_000
#: Ids per page of the rest of a result, for a source that reads them all at once (id_page_size None).
MORE_PAGE = 100_000
#: Quiet time after a search is shown before the rest of its ids are read and the side bar's
#: counts refreshed: a pause in typing (at a million images both keep the CPU busy for a second or
#: more, which the next key's search would wait behind on two cores).
REST_DELAY_MS = 400
FACETS_DELAY_MS = REST_DELAY_MS
#: A selection larger than this is not kept across searches, nor refetched after an edit.
KEEP_SELECTION = 5_000
#: The detail panel's preview (longest side, pixels).
DETAIL_PREVIEW = 512


def _lower_priority() -> None:
    """Make the calling thread yield the CPU to the GUI (Linux: nice applies per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _error_text(exc: BaseException) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


@dataclass(frozen=True)
class Shown:
    """A search's result is in the model: how many, and what to select in it."""

    count: int
    select: list[int] = field(default_factory=list)
    current: int | None = None


@dataclass(frozen=True)
class SideBarCounts:
    """Everything the side bar counts, for one search."""

    search: Search
    facets: dict[str, list[FacetValue]]
    dates: DateCounts
    collections: list[Collection]
    total: int
    trash: int
    tags: list[str]


@dataclass(frozen=True)
class Found:
    """A new result that belongs in the shown search, at `position`."""

    position: int
    image_id: int
    row: ImageRow | None


class LibraryBrowsing(QObject):
    """See the module doc. LibrarySession (session.py) adds the writes, undo and long work."""

    #: A search's first page is in the model (Shown): the grid can paint.
    results_shown = Signal(object)
    #: The whole of that search's result is in the model now: how many rows (the count).
    results_complete = Signal(int)
    #: Fresh side bar counts (SideBarCounts).
    counts_ready = Signal(object)
    #: The search text's mistakes changed (tuple of SearchIssue).
    issues_changed = Signal(tuple)
    #: The library cannot be shown (a LibraryProblem), or can be again (None).
    problem_changed = Signal(object)
    #: Where the grid looks changed: (kind, collection id or None).
    scope_changed = Signal(str, object)
    #: A new result belongs in the grid (Found): the page keeps its scroll anchor and calls insert_found().
    result_found = Signal(object)
    #: The number of rows changed without a new search (the status line).
    rows_changed = Signal()
    #: The detail panel's image: (DetailInfo, QImage or None).
    detail_ready = Signal(object, object)
    #: A large preview: (QImage or None, caption).
    preview_ready = Signal(object, str)
    #: A short note for the status line.
    message = Signal(str)

    def __init__(self, source: LibrarySource, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.runner = runner
        self.thumbnails = ThumbnailCache(source, 256, parent=self, max_inflight=6)
        self.detail_thumbnails = ThumbnailCache(source, 128, 16 * 1024 * 1024, parent=self, max_inflight=4)
        self.model = LibraryModel(source, self.thumbnails, self)
        self.tasks = LongTasks(runner, self)
        self._search_pool = ThreadPoolExecutor(1, thread_name_prefix="library-search")
        # The rest of a result is background work, as the counts are: the GUI thread and the next
        # search come first on a busy machine.
        self._more_pool = ThreadPoolExecutor(1, thread_name_prefix="library-search-more", initializer=_lower_priority)
        self._facets_pool = ThreadPoolExecutor(1, thread_name_prefix="library-facets", initializer=_lower_priority)
        self._io_pool = ThreadPoolExecutor(1, thread_name_prefix="library-io")
        self._text = ""
        self._search = parse_search("")
        self._sort = Sort.NEWEST
        self._scope = Scope()
        self._generation = 0
        self._facets_running = False
        self._facets_dirty = False
        self._closed = False
        self._rebuilding = False  # the index is being rebuilt: nothing is asked of it
        self._held = False  # searched ahead, not shown yet: no rest of the result, no counts (search_ahead)
        #: The search read ahead, shown in the model while held: (generation, search, its rest's cursor,
        #: whether it was read just as the page was shown).
        self._ahead: tuple[int, Search, object | None, bool] | None = None
        self._missing = False
        self._detail_hash: str | None = None
        self._edits = 0  # edits shown in the model ahead of the source, counted
        self._edited: dict[int, int] = {}  # id → the last such edit of it
        self._trash_count = 0
        self._selection: Callable[[], tuple[list[int], int | None]] = _no_selection
        #: The selection when the current search began: changed by its first page, it is the designer's.
        self._selected_at_start: tuple[list[int], int | None] = ([], None)
        self._debounce = self._timer(DEBOUNCE_MS, self.search_now)
        self._facets_timer = self._timer(FACETS_DELAY_MS, self._start_facets)
        self._rest: tuple[int, Search, object] | None = None  # the shown search's rest, to read
        #: The current search while its first page is not shown: (generation, search, selection, its read).
        self._first: tuple[int, Search, tuple[list[int], int | None], Future[FirstPage]] | None = None
        self._rest_timer = self._timer(REST_DELAY_MS, self._read_rest)

    def _timer(self, ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    # ---- state ---------------------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self._scope

    @property
    def text(self) -> str:
        return self._text

    @property
    def trash_count(self) -> int:
        """Images in the trash, as of the last counts."""
        return self._trash_count

    @property
    def detail_hash(self) -> str | None:
        """The image the detail panel shows or is loading (None: none, or to be shown again)."""
        return self._detail_hash

    def forget_detail(self) -> None:
        self._detail_hash = None

    def can(self, capability: Capability) -> bool:
        return capability in self.source.capabilities

    def is_missing(self) -> bool:
        return self._missing

    def search(self) -> Search:
        """The parsed search as shown: text, sort and scope."""
        return self._search.with_query(
            sort=self._sort,
            trashed=self._scope.kind == SCOPE_TRASH,
            collection=self._scope.collection if self._scope.kind == SCOPE_COLLECTION else None,
        )

    def keep_selection_from(self, selection: Callable[[], tuple[list[int], int | None]]) -> None:
        """Where a search asks for the selection to keep across it: (ids, current id)."""
        self._selection = selection

    # ---- quick lookups (GUI thread; an indexed query each) ------------------------------------------
    def id_of(self, image_hash: str) -> int | None:
        return self.source.id_of(image_hash)

    def hashes_for(self, ids: Sequence[int]) -> dict[int, str]:
        return self.source.hashes_for(ids) if ids else {}

    def collections(self) -> list[Collection]:
        return self.source.collections()

    def path_for(self, image_hash: str) -> Path:
        return self.source.path_for(image_hash)

    # ---- searching -------------------------------------------------------------------------------------
    def set_text(self, text: str, *, debounce: bool = True) -> None:
        """New search text: its mistakes at once, the search after a quiet moment (or now)."""
        self._text = text
        self._search = parse_search(text)
        self.issues_changed.emit(self._search.errors)
        if debounce:
            self._debounce.start()
        else:
            self.search_now()

    def set_sort(self, sort: Sort) -> None:
        if sort != self._sort:
            self._sort = sort
            self.search_now()

    def set_scope(self, kind: str, collection: int | None = None) -> None:
        self._scope = Scope(kind, collection)
        self.scope_changed.emit(kind, collection)
        self.search_now(keep_selection=False)

    def refresh(self) -> None:
        """Run the current search again (and refresh the counts)."""
        self.search_now()

    def search_now(self, *, keep_selection: bool = True, select_ids: Sequence[int] | None = None) -> None:
        if self._closed or self._rebuilding:
            return
        self._debounce.stop()
        problem = self.source.problem()
        if problem is not None:
            self._show_problem(problem)
            return
        if self._missing:
            self._missing = False
            self.source.reopen()
            self.problem_changed.emit(None)
        self._generation += 1
        search = self.search()
        self.thumbnails.want([])  # the shown results are about to change: leave the CPU to the search
        selected = self._selection()
        keep = selected if keep_selection else ([], None)
        self._selected_at_start = selected
        if select_ids is not None:
            keep = (list(select_ids), select_ids[0] if select_ids else None)
        # Given to the search's thread now, not when the task first runs: a page made at once queries
        # while its widgets are still being made (the event loop turns only after that).
        first = self._search_pool.submit(_first_page, self.source, search)
        self._first = (self._generation, search, keep, first)
        self.runner.run(self._search_task(self._generation, search, keep, first), "library-search", replace=True)

    def search_ahead(self) -> None:
        """Read the current search's first page now, for a page not shown yet (made ahead): in the
        model when the page is first shown, so its first frame has results. The rest of the result
        and the side bar's counts are held until `release_held` (see the module doc)."""
        self._held = True
        self.search_now(keep_selection=False)

    def release_held(self) -> None:
        """The page is shown the first time (called as it is shown): search as shown. A search read
        ahead and still being read, or read just as the page was shown (show_ready_results), is that
        search: its rest and counts follow it now. One read earlier is run again after the first
        frame, as a page shown the first time always searches (the library may have changed
        meanwhile: a result trashed from the strip, an import in another window)."""
        held, self._held = self._held, False
        ahead, self._ahead = self._ahead, None
        if held and self._first is not None:
            return
        if ahead is not None and ahead[0] == self._generation and ahead[3]:
            self._follow(*ahead[:3])
            return
        QTimer.singleShot(0, self, self.search_now)

    def show_ready_results(self) -> None:
        """If the current search's first page has been read but not shown yet (its task waits for
        the event loop's next turn), show it now: a page being shown paints its first frame with it."""
        if self._first is None:
            return
        generation, search, keep, first = self._first
        if first.done() and not first.cancelled() and first.exception() is None:  # (else its task says why)
            self._show_first(generation, search, keep, first.result(), as_shown=True)

    def _show_problem(self, problem: LibraryProblem) -> None:
        self._missing = True
        self.model.set_ids([])
        self.problem_changed.emit(problem)

    async def _search_task(self, generation: int, search: Search, keep: tuple[list[int], int | None],
                           first: Future[FirstPage]) -> None:
        source = self.source
        try:
            ids, more, rows = await asyncio.wrap_future(first)
        except EXPECTED as exc:
            if generation == self._generation:
                problem = source.problem()
                if problem is not None:
                    self._show_problem(problem)
                else:
                    self._say(_error_text(exc))
            return
        self._show_first(generation, search, keep, (ids, more, rows))

    def _show_first(self, generation: int, search: Search, keep: tuple[list[int], int | None],
                    first: FirstPage, *, as_shown: bool = False) -> None:
        if generation != self._generation or self._closed or self._first is None or self._first[0] != generation:
            return  # a newer search superseded this one, or it is shown already (show_ready_results)
        self._first = None
        ids, more, rows = first
        selected = self._selection()
        if selected != self._selected_at_start:  # the designer chose while it was read: their choice stays
            keep = selected
        self.model.set_ids(ids, rows, complete=more is None)
        self.results_shown.emit(Shown(len(ids), *keep))
        if self._held:  # read ahead: the rest and the counts when the page is shown (release_held)
            self._ahead = (generation, search, more, as_shown)
            return
        self._follow(generation, search, more)

    def _follow(self, generation: int, search: Search, more: object | None) -> None:
        """After a search's first page is shown: the side bar's counts, and the rest of its ids."""
        self.schedule_counts()
        if more is None:
            self.results_complete.emit(self.model.rowCount())
        else:
            self._rest = (generation, search, more)
            self._rest_timer.start()

    def _read_rest(self) -> None:
        rest, self._rest = self._rest, None
        if rest is None or rest[0] != self._generation or self._closed:
            return  # a newer search superseded it (and has its own rest)
        self.runner.run(self._more_pages(*rest), "library-search-more", replace=True)

    async def _more_pages(self, generation: int, search: Search, after: object) -> None:
        """The rest of the result after its first page (keyset paging), a page at a time on a
        thread of its own (a newer search never waits behind it: it stops at the next page),
        appended while the search is current."""
        source, limit = self.source, self.source.id_page_size or MORE_PAGE
        cursor: object | None = after
        while cursor is not None:
            try:
                page = await self._in(self._more_pool, functools.partial(source.id_page, search, after=cursor,
                                                                          limit=limit))
            except EXPECTED as exc:
                log.info("the rest of a search failed: %s", exc)
                if generation == self._generation and not self._closed:
                    self.model.append_ids([], complete=True)
                    self.rows_changed.emit()
                    self.results_complete.emit(self.model.rowCount())
                return
            if generation != self._generation or self._closed:
                return
            cursor = page.next
            self.model.append_ids(page.ids, complete=cursor is None)
            self.rows_changed.emit()
        self.results_complete.emit(self.model.rowCount())

    # ---- the side bar's counts ---------------------------------------------------------------------------
    def schedule_counts(self) -> None:
        if self._held:
            return  # (the page's first show searches, and counts then)
        if self._facets_running:
            self._facets_dirty = True
        else:
            self._facets_timer.start()

    def _start_facets(self) -> None:
        if self._closed or self._rebuilding:
            return
        self._facets_running = True
        self._facets_dirty = False
        self.runner.run(self._facets_task(self.search()), "library-facets", replace=True)

    async def _facets_task(self, search: Search) -> None:
        source = self.source

        def work() -> SideBarCounts:
            return SideBarCounts(
                search=search,
                facets=source.facets(search),
                dates=source.date_counts(search),
                collections=source.collections(),
                total=source.count(Search()),  # the whole library (not in the trash)
                trash=source.trash_count(),
                tags=source.tag_names(),
            )

        try:
            counts = await self._in(self._facets_pool, work)
        except EXPECTED as exc:
            log.info("facet counts failed: %s", exc)
            return
        finally:
            self._facets_running = False
            if self._facets_dirty and not self._closed:
                self._facets_timer.start()
        if self._closed:
            return
        self._trash_count = counts.trash
        self.counts_ready.emit(counts)
        self._counts_delivered(counts)

    # ---- new results ---------------------------------------------------------------------------------
    def insert_new(self, image_hash: str) -> None:
        """A result was just stored: find where it belongs in the shown search (`result_found`)."""
        if self._closed:  # a job finishing while the studio quits: the library's threads are gone
            return
        self.runner.run(self._insert_task(image_hash), "library-insert")

    async def _insert_task(self, image_hash: str) -> None:
        search, generation, source = self.search(), self._generation, self.source

        def work() -> Found | None:
            image_id = source.id_of(image_hash)
            if image_id is None:
                return None
            position = source.position(search, image_id)
            if position is None:
                return Found(-1, image_id, None)
            rows = source.rows_for([image_id])
            return Found(position, image_id, rows[0] if rows else None)

        try:
            found = await self._in(self._search_pool, work)
        except EXPECTED:
            return
        if found is None or generation != self._generation or self._closed:
            return
        if found.position < 0:  # not in this search: only the counts change
            self.schedule_counts()
            return
        self.result_found.emit(found)

    def insert_found(self, found: Found) -> bool:
        """Put a found result into the model (no reset); False if it is there already."""
        return bool(self.insert_found_many([found]))

    def insert_found_many(self, found: Sequence[Found]) -> list[int]:
        """Put found results into the model together (no reset); the rows they went to, ascending."""
        rows = self.model.insert_many((f.position, f.image_id, f.row) for f in found)
        if rows:
            self.schedule_counts()
        return rows

    # ---- detail and preview --------------------------------------------------------------------------------
    def show_detail(self, image_hash: str) -> None:
        """Load what the detail panel shows about one image (`detail_ready`)."""
        self._detail_hash = image_hash
        self.runner.run(self._detail_task(image_hash), "library-detail", replace=True)

    async def _detail_task(self, image_hash: str) -> None:
        source = self.source

        def work() -> tuple[DetailInfo | None, QImage | None]:
            info = source.detail(image_hash)
            image: QImage | None = None
            if info is not None:
                try:
                    path = source.submit_thumbnail(image_hash, DETAIL_PREVIEW).result(timeout=30)
                    image = decode_file(path)
                except Exception:  # no preview is not a reason to show no details
                    image = None
            return info, image

        try:
            info, image = await self._in(self._io_pool, work)
        except EXPECTED as exc:
            self._say(_error_text(exc))
            return
        if info is None or self._detail_hash != image_hash or self._closed:
            return
        self.detail_ready.emit(info, image)

    def load_preview(self, image_hash: str, caption: str = "") -> None:
        """The image itself, for the large preview (`preview_ready`); a newer ask supersedes."""
        self.runner.run(self._preview_task(image_hash, caption), "library-preview", replace=True)

    async def _preview_task(self, image_hash: str, caption: str) -> None:
        source = self.source

        def work() -> QImage:
            return decode_image(source.read_bytes(image_hash))

        try:
            image = await self._in(self._io_pool, work)
        except EXPECTED as exc:
            self._say(_error_text(exc))
            return
        if not self._closed:
            self.preview_ready.emit(image if not image.isNull() else None, caption)

    # ---- plumbing ------------------------------------------------------------------------------------------
    def _counts_delivered(self, counts: SideBarCounts) -> None:
        """Called after `counts_ready` went out (LibrarySession waits for it after making a collection)."""

    async def _in(self, pool: ThreadPoolExecutor, fn: Callable[[], T]) -> T:
        """Run `fn` on one of the session's threads and wait for it (the GUI thread stays free). Once
        the session is shut down (the studio quits) the task asking is cancelled: its threads are gone,
        and "cannot schedule new futures after shutdown" would reach the crash handler."""
        if self._closed:
            raise asyncio.CancelledError
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn)
        except RuntimeError:
            if self._closed:  # shut down while this was being handed over
                raise asyncio.CancelledError from None
            raise

    def _refetch(self, ids: list[int], edits_seen: int | None = None) -> None:
        """Fresh rows for these ids after an edit (their tags, rating…). Rows edited after
        `edits_seen` (the edit count when the write was issued; now, by default) are not replaced."""
        seen = self._edits if edits_seen is None else edits_seen
        self.runner.run(self._refetch_task(ids[:KEEP_SELECTION], seen), "library-refetch")

    def _mark_edited(self, ids: Sequence[int]) -> None:
        """These rows were just changed in the model ahead of the source: rows read before now
        are older than what the grid shows."""
        self._edits += 1
        for image_id in ids:
            self._edited[image_id] = self._edits

    async def _refetch_task(self, ids: list[int], asked_at: int) -> None:
        rows = await self._in(self._io_pool, functools.partial(self.source.rows_for, ids))
        if not self._closed:
            # A row edited again since this refetch was asked for would go back in time: dropped
            # (the later edit's own refetch brings it).
            self.model.update_rows([r for r in rows if self._edited.get(r.id, 0) <= asked_at])
            self.schedule_counts()

    def _say(self, text: str) -> None:
        self.message.emit(text)

    def _stop_writes(self) -> None:
        """Wait for the writes under way (LibrarySession's writer thread) before the source closes."""

    def shutdown(self) -> None:
        """Stop background work and close the source's connections (the window calls it at quit)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(RuntimeError):  # Qt objects already deleted (the window went first)
            self.thumbnails.close()
            self.detail_thumbnails.close()
            self._debounce.stop()
            self._facets_timer.stop()
            self._rest_timer.stop()
        self.model.close()
        self.tasks.cancel()
        self._stop_writes()
        for pool in (self._search_pool, self._more_pool, self._facets_pool, self._io_pool):
            pool.shutdown(wait=True, cancel_futures=True)
        self.source.close()


def _first_page(source: LibrarySource, search: Search) -> FirstPage:
    """A search's first ids (FIRST_PAGE), the cursor to the rest, and the first screens' rows (on
    the search's thread; it holds no reference to the session)."""
    page = source.id_page(search, limit=min(source.id_page_size or FIRST_PAGE, FIRST_PAGE))
    return page.ids, page.next, source.rows_for(list(page.ids[:PAGE_SIZE]))


def _no_selection() -> tuple[list[int], int | None]:
    return [], None

