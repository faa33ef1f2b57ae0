"""LibrarySession: the library page's view-model. No widgets: the page (page.py) forwards what the
designer does to it and renders what it says; a test can drive it without any page.

The reading half (search, counts, new results, detail, preview; the threads, the generation
counter that drops stale results, the grid model and the thumbnails) is LibraryBrowsing
(browsing.py). This half owns every write and the undo stack:
- favourite, rating, tags, collections, trash, restore, delete for good: the grid changes at
  once; the source confirms on a writer thread, one write after another, so an undo never
  overtakes what it undoes; a failed write says why and shows the truth again;
- the long work (import, export, check and repair, rebuild) through LongTasks, reported in words
  (reports.py).

The session talks only to a LibrarySource (gallery/library_source.py), never to a Gallery.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ...gallery import Collection, ImportReport, IntegrityReport, Namer, PurgeReport, RebuildReport
from ...gallery.errors import GalleryError
from ...gallery.library_ops import ExportOutcome, neighbour_row
from ...gallery.library_source import LibrarySource
from ...gallery.saved_searches import SavedSearches
from ...gallery.search_syntax import parse_search
from ...gallery.smart_collections import built_in
from ..common.task_runner import EXPECTED, TaskRunner
from .browsing import KEEP_SELECTION, Found, LibraryBrowsing, Shown, SideBarCounts
from .reports import check_report, export_report, import_report, purge_message, rebuild_report
from .scope import SCOPE_ALL, SCOPE_COLLECTION, SCOPE_TRASH
from .undo_commands import AnnotateCommand, RestoreCommand, TrashCommand

T = TypeVar("T")
#: The action offered with a check that found problems.
REPAIR = "Repair"
BUSY = "Wait for the running task to finish first."
#: Up to this many images, an edit's old values are taken from the grid's rows on the GUI thread
#: (fetched there if not loaded); beyond, they are read on a worker thread first.
READ_OLD_HERE = 2_000

__all__ = ["KEEP_SELECTION", "REPAIR", "Found", "LibrarySession", "Shown", "SideBarCounts"]


class LibrarySession(LibraryBrowsing):
    """See the module doc."""

    #: After a delete: the row to make current (the next neighbour).
    select_row = Signal(int)
    #: What the detail panel shows was edited: show it again.
    detail_stale = Signal()
    #: A collection was made and the side bar lists it (its id): the page offers to name it.
    collection_created = Signal(int)
    #: False while the index is rebuilt (nothing may be asked of it), True after.
    enabled_changed = Signal(bool)
    #: The saved searches with their live counts: [(name, query, count)].
    saved_searches_changed = Signal(list)
    #: The built-in smart collections with their live counts: [(name, query or None, count or None, hint)].
    smart_collections_changed = Signal(list)

    def __init__(self, source: LibrarySource, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(source, runner, parent)
        self.undo_stack = QUndoStack(self)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="library-writer")
        self._name_new_collection: int | None = None
        self._saved: SavedSearches | None = None
        #: The newest batch's library tag ("batch <name>"), as the studio's job list knows it (the
        #: shell sets this; alone, the library takes the batch tag that sorts last).
        self.latest_batch_tag: Callable[[], str | None] = lambda: None

    # ---- saved searches (smart collections) -------------------------------------------------------
    @property
    def saved_store(self) -> SavedSearches:
        """The designer's saved searches, kept in the config folder: they follow the designer from
        library to library (a team library included), as a search does."""
        if self._saved is None:
            from ...settings import config_dir

            self._saved = SavedSearches(config_dir())
        return self._saved

    @saved_store.setter
    def saved_store(self, store: SavedSearches) -> None:
        self._saved = store

    def refresh_saved_searches(self) -> None:
        """Count every saved search again (off the GUI thread, beside the library's own writes);
        a newer refresh replaces one still running."""
        if not self._closed:
            self.runner.run(self._count_saved(), "library-saved-searches", replace=True)

    async def _count_saved(self) -> None:
        batch_tag = self.latest_batch_tag()  # on the GUI thread: it reads the studio's job list

        def counted() -> list[tuple[str, str, int | None]]:
            out: list[tuple[str, str, int | None]] = []
            for s in self.saved_store.all():
                search = parse_search(s.query)
                out.append((s.name, s.query, self.source.count(search) if search.ok else None))
            return out

        def smart() -> list[tuple[str, str | None, int | None, str]]:
            out: list[tuple[str, str | None, int | None, str]] = []
            for c in built_in(self.source.tag_names(), batch_tag):
                count = None if c.query is None else self.source.count(parse_search(c.query))
                out.append((c.name, c.query, count, c.hint))
            return out

        entries = await asyncio.to_thread(counted)
        if not self._closed:
            self.saved_searches_changed.emit(entries)
        built_ins = await asyncio.to_thread(smart)
        if not self._closed:
            self.smart_collections_changed.emit(built_ins)

    def save_search(self, name: str, query: str) -> None:
        self._saved_edit(lambda: self.saved_store.add(name, query), f"Search saved as “{' '.join(name.split())}”.")

    def rename_saved_search(self, old: str, new: str) -> None:
        self._saved_edit(lambda: self.saved_store.rename(old, new), "")

    def delete_saved_search(self, name: str) -> None:
        self._saved_edit(lambda: self.saved_store.remove(name), f"Saved search “{name}” deleted.")

    def _saved_edit(self, edit: Callable[[], object], done: str) -> None:
        self.runner.run(self._saved_edit_task(edit, done), "library-saved-search-edit")

    async def _saved_edit_task(self, edit: Callable[[], object], done: str) -> None:
        try:
            await asyncio.to_thread(edit)
        except GalleryError as exc:
            done = str(exc)
        if self._closed:
            return
        if done:
            self.message.emit(done)
        self.refresh_saved_searches()

    # ---- favourite and rating (undoable) -----------------------------------------------------------
    def toggle_favourite(self, ids: list[int]) -> None:
        """Favourite these images, or unfavourite them if they all are."""
        if ids:
            self._annotate("favourite", ids, None)

    def rate(self, ids: list[int], stars: int) -> None:
        if ids:
            self._annotate("rating", ids, stars)

    def _annotate(self, field: str, ids: list[int], value: Any) -> None:
        """Push the undoable edit once the old values (what undo puts back) are known: from the
        grid's rows for a few images, read on a worker thread for many (a million selected)."""
        if len(ids) <= READ_OLD_HERE:
            self._push_annotation(field, ids, value, {r.id: getattr(r, field) for r in self._rows_of(ids)})
        else:
            self.runner.run(self._annotate_many(field, ids, value), "library-annotate")

    async def _annotate_many(self, field: str, ids: list[int], value: Any) -> None:
        old = await self._in(self._io_pool, functools.partial(_old_values, self.source, field, ids))
        if not self._closed:
            self._push_annotation(field, ids, value, old)

    def _push_annotation(self, field: str, ids: list[int], value: Any, old: dict[int, Any]) -> None:
        if field == "favourite":
            new = not all(old.values()) if old else True
            text = ("Favourite" if new else "Unfavourite") + f" {len(ids):,} image(s)"
        else:
            new = value
            text = f"Rate {len(ids):,} image(s) {value}★" if value else f"Clear the rating of {len(ids):,} image(s)"
        self.undo_stack.push(AnnotateCommand(self, field, ids, new, old, text))

    def set_flag(self, ids: list[int], flag: int) -> None:
        """Pick (1), reject (-1) or unflag (0) these images (P / X / U), undoably."""
        if not ids:
            return
        old = {r.id: r.flag for r in self._rows_of(ids)}
        verb = {1: "Pick", -1: "Reject"}.get(flag, "Unflag")
        self.undo_stack.push(AnnotateCommand(self, "flag", ids, flag, old, f"{verb} {len(ids):,} image(s)"))

    def _rows_of(self, ids: list[int]) -> list[Any]:
        return self.model.fetch_now(sorted(self.model.rows_of(ids).values()))

    def apply_annotation(self, field: str, groups: dict[Any, list[int]]) -> None:
        self._mark_edited([i for ids in groups.values() for i in ids])
        for value, ids in groups.items():
            self.model.patch(ids, **{field: value})
        changed = [i for ids in groups.values() for i in ids]
        self._write(functools.partial(_annotate, self.source, field, groups), then=self._refetch_after(changed))

    def _refetch_after(self, ids: list[int]) -> Callable[[object], None]:
        # The edits known when the write is issued, not when it is done: an edit made between the
        # write's commit and this callback on the GUI thread must still make older rows stale.
        issued_at = self._edits
        return lambda _result: self._refetch(ids, issued_at)

    # ---- trash (undoable), restore, delete for good -----------------------------------------------------
    def trash(self, ids: list[int]) -> None:
        if self._scope.kind == SCOPE_TRASH:
            self._say("These images are in the Trash already: Restore them, or Delete for good.")
            return
        if ids:
            self.undo_stack.push(TrashCommand(self, ids, f"Move {len(ids):,} image(s) to the Trash"))

    def restore(self, ids: list[int]) -> None:
        if self._scope.kind == SCOPE_TRASH and ids:
            self.undo_stack.push(RestoreCommand(self, ids, f"Restore {len(ids):,} image(s)"))

    def apply_trash(self, ids: list[int], *, reselect: bool = True) -> None:
        old_count = self.model.rowCount()
        removed = self.model.remove_ids(ids)
        if reselect and self._scope.kind != SCOPE_TRASH:
            row = neighbour_row(removed, old_count)
            if row is not None:
                self.select_row.emit(row)
        self._say(f"Moved {len(ids):,} image(s) to the Trash — Ctrl+Z brings them back.")
        self._write(functools.partial(self.source.trash, ids), then=self._changed_in_place)

    def apply_restore(self, ids: list[int], *, from_trash_view: bool = False) -> None:
        if from_trash_view or self._scope.kind == SCOPE_TRASH:
            self.model.remove_ids(ids)
            self._write(functools.partial(self.source.restore, ids), then=self._changed_in_place)
        else:
            self._write(functools.partial(self.source.restore, ids),
                        then=lambda _r: self.search_now(keep_selection=False, select_ids=ids))
        self._say(f"Restored {len(ids):,} image(s).")

    def purge(self, ids: list[int]) -> None:
        """Delete these images (in the Trash) for good; the page has asked first."""
        if self._scope.kind != SCOPE_TRASH:
            self._say("Only images in the Trash can be deleted for good.")
            return
        if ids:
            self.model.remove_ids(ids)
            self._write(functools.partial(self.source.purge, ids), then=self._after_purge)

    def empty_trash(self) -> None:
        """Delete everything in the Trash for good; the page has asked first."""
        self.model.set_ids([])  # a search follows the purge
        self._write(self.source.empty_trash, then=self._after_purge)

    def _after_purge(self, report: PurgeReport | None) -> None:
        for image_hash in report.purged if report is not None else []:
            self.thumbnails.invalidate(image_hash)
        self._say(purge_message(report))
        self.undo_stack.clear()  # what was purged cannot come back
        self.search_now()

    # ---- tags and collections ---------------------------------------------------------------------------
    def add_tags(self, ids: list[int], tags: list[str]) -> None:
        if ids and tags:
            self._write(functools.partial(self.source.add_tags, ids, tags), then=self._tags_changed(ids))

    def remove_tag(self, ids: list[int], tag: str) -> None:
        if ids:
            self._write(functools.partial(self.source.remove_tags, ids, [tag]), then=self._tags_changed(ids))

    def _tags_changed(self, ids: list[int]) -> Callable[[object], None]:
        def then(_result: object) -> None:
            self._refetch(ids)
            self._show_detail_again()
            self.schedule_counts()

        return then

    def add_to_collection(self, collection_id: int, ids: list[int]) -> None:
        if ids:
            self._write(functools.partial(self.source.add_to_collection, collection_id, ids),
                        then=self._collection_changed(f"Added {len(ids):,} image(s) to the collection."))

    def remove_from_collection(self, collection_id: int, ids: list[int]) -> None:
        self._write(functools.partial(self.source.remove_from_collection, collection_id, ids),
                    then=self._collection_changed("Removed from the collection."))

    def _collection_changed(self, text: str) -> Callable[[object], None]:
        def then(_result: object) -> None:
            self._say(text)
            self._show_detail_again()
            if self._scope.kind == SCOPE_COLLECTION:
                self.search_now()
            else:
                self.schedule_counts()

        return then

    def create_collection(self, parent_id: int | None = None) -> None:
        """A new collection with a free name; once the side bar lists it, `collection_created`."""
        names = {c.name for c in self.source.collections()}
        name, n = "New collection", 1
        while name in names:
            n += 1
            name = f"New collection {n}"
        self._write(functools.partial(self.source.create_collection, name, parent_id), then=self._collection_made)

    def _collection_made(self, collection: Collection) -> None:
        self._name_new_collection = collection.id
        self.schedule_counts()

    def _counts_delivered(self, counts: SideBarCounts) -> None:
        made = self._name_new_collection
        if made is not None and any(c.id == made for c in counts.collections):
            self._name_new_collection = None
            self.collection_created.emit(made)

    def rename_collection(self, collection_id: int, name: str) -> None:
        self._write(functools.partial(self.source.rename_collection, collection_id, name),
                    then=self._counts_changed)

    def delete_collection(self, collection_id: int) -> None:
        def then(_result: object) -> None:
            if self._scope.kind == SCOPE_COLLECTION and self._scope.collection == collection_id:
                self.set_scope(SCOPE_ALL)
            else:
                self.schedule_counts()

        self._write(functools.partial(self.source.delete_collection, collection_id), then=then)

    def _show_detail_again(self) -> None:
        self.forget_detail()
        self.detail_stale.emit()

    # ---- long work ------------------------------------------------------------------------------------
    def import_paths(self, paths: Sequence[Path]) -> None:
        """Import files and folders, with progress and a report."""
        maintenance = self.source.maintenance()
        if not paths or maintenance is None:
            return
        work = functools.partial(_import, maintenance.import_paths, list(paths))
        if self.tasks.start("Import", work, import_report, done=self._changed) is None:
            self._say(BUSY)

    def export(self, ids: list[int], folder: Path, *, metadata: bool = True, namer: Namer | None = None) -> None:
        """Copies without any source's place, camera or owner; `metadata` False: pixels only;
        `namer`: file names from a naming template."""
        maintenance = self.source.maintenance()
        if maintenance is None:
            return
        if not ids:
            self._say("Select the images to export first.")
            return
        work = functools.partial(
            _export, functools.partial(maintenance.export, metadata=metadata, namer=namer), ids, folder
        )
        self.tasks.start("Export" if metadata else "Export (pixels only)", work,
                         functools.partial(_export_report, folder))

    def check_library(self, repair: bool = False) -> None:
        maintenance = self.source.maintenance()
        if maintenance is None:
            return
        self.tasks.start(
            "Repair library" if repair else "Library check",
            functools.partial(_check, maintenance.check, repair),
            check_report,
            done=self._repaired if repair else None,
            actions=None if repair else _repair_offered,
        )

    def run_task_action(self, label: str) -> None:
        """An action offered with a long task's report was chosen."""
        if label == REPAIR:
            self.check_library(repair=True)

    def _repaired(self, _report: IntegrityReport) -> None:
        self.thumbnails.retry_failed()
        self.model.forget()
        self.search_now()

    def rebuild_index(self) -> None:
        """Rebuild the index from the files (nothing else touches the library meanwhile)."""
        maintenance = self.source.maintenance()
        if maintenance is None:
            return
        if self.tasks.busy():
            self._say(BUSY)
            return
        self._rebuilding = True
        self.model.set_frozen(True)
        self.source.reopen()
        self.enabled_changed.emit(False)
        self.tasks.start("Rebuild index", functools.partial(_rebuild, maintenance.rebuild), rebuild_report,
                         cancellable=False, done=self._rebuilt, failed=self._rebuilt)

    def _rebuilt(self, _report: RebuildReport | None = None) -> None:
        self._rebuilding = False
        self.source.reopen()
        self.model.set_frozen(False)
        self.model.forget()
        self.enabled_changed.emit(True)
        self.search_now()

    # ---- writing -------------------------------------------------------------------------------------
    def _write(self, fn: Callable[[], T], then: Callable[[T], None] | None = None) -> None:
        """Run a write on the writer thread (in order), then `then(result)` on the GUI thread."""
        if self._closed:
            return
        task = self.runner.run(self._write_task(fn, then), "library-write")
        task.add_done_callback(self._on_write_done)

    async def _write_task(self, fn: Callable[[], T], then: Callable[[T], None] | None) -> None:
        result = await asyncio.get_running_loop().run_in_executor(self._writer, fn)
        if then is not None and not self._closed:
            then(result)

    def _on_write_done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled() or self._closed:
            return
        exc = task.exception()
        if isinstance(exc, EXPECTED):
            self._say(getattr(exc, "message", None) or str(exc))
            self.search_now()  # the grid showed the change already: show the truth again

    def _changed(self, _result: object = None) -> None:
        self.search_now()

    def _changed_in_place(self, _result: object = None) -> None:
        """Rows left the grid already: only the status line and the counts follow."""
        self.rows_changed.emit()
        self.schedule_counts()

    def _counts_changed(self, _result: object = None) -> None:
        self.schedule_counts()

    def _stop_writes(self) -> None:
        self._writer.shutdown(wait=True)


# ---- work for the worker threads (plain functions: no reference to the session) ----------------------


def _annotate(source: LibrarySource, field: str, groups: dict[Any, list[int]]) -> None:
    for value, ids in groups.items():
        if field == "favourite":
            source.set_favourite(ids, bool(value))
        elif field == "flag":
            source.set_flag(ids, int(value))
        else:
            source.set_rating(ids, int(value))


def _old_values(source: LibrarySource, field: str, ids: list[int]) -> dict[int, Any]:
    """The current favourite or rating of each image (what undo puts back), read a chunk at a time."""
    out: dict[int, Any] = {}
    for i in range(0, len(ids), 5_000):
        out.update((r.id, getattr(r, field)) for r in source.rows_for(ids[i : i + 5_000]))
    return out


def _import(run: Callable[..., ImportReport], paths: list[Path], progress: Any, cancel: Any) -> ImportReport:
    return run(paths, progress, cancel)


def _export(run: Callable[..., ExportOutcome], ids: list[int], folder: Path, progress: Any,
            cancel: Any) -> ExportOutcome:
    return run(ids, folder, progress, cancel)


def _export_report(folder: Path, outcome: ExportOutcome) -> Any:
    return export_report(outcome, folder)


def _check(run: Callable[..., IntegrityReport], repair: bool, progress: Any, cancel: Any) -> IntegrityReport:
    return run(repair, progress, cancel)


def _repair_offered(report: IntegrityReport) -> tuple[str, ...]:
    return (REPAIR,) if not report.clean and not report.cancelled else ()


def _rebuild(run: Callable[..., RebuildReport], progress: Any, _cancel: Any) -> RebuildReport:
    return run(progress)
