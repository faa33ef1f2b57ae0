"""What the library browser needs beyond the Gallery facade, Qt-free.

- `LibraryReader`: searches (an ImageQuery plus the search syntax's extras: words and tags to
  leave out, a highest rating), counts, facets and row pages on read-only connections of its
  own, one per thread, so a slow facet count never holds up the rows the grid is waiting for
  (the Gallery's read connection is one, shared under a lock; SQLite's WAL lets readers run side
  by side).
  The SQL is the gallery's one read path (reads.py), shared with GalleryIndex.
- Long work with progress and cancel (export in chunks). What it reports is data (counts, paths,
  typed problems); the sentences the designer reads are the UI's (ui/library/reports.py).
- Small rules: where the selection goes after a delete, whether the library folder is there
  (and if not, why), an image's lineage as a chain.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ._util import to_iso
from .errors import GalleryError, StorageError
from .gallery import Gallery
from .importer import Cancel, ExportReport, Namer, Progress
from .journal import JobRecord
from .maintenance import INDEX_NAME
from .metadata import LineageLink
from .models import FacetValue, ImageRef, ImageRow
from .query import FACETS, Cursor, Sort
from .reads import (
    chunks,
    count_where,
    facet_counts,
    fetch_rows,
    marks,
    search_filter,
    select_id_page,
    select_ids,
    where_search,
)
from .search_syntax import Search

#: Roles of a parent that the child was made from (the others are masks and references).
SOURCE_ROLES = ("image", "image_file")
T = TypeVar("T")


@dataclass(frozen=True)
class DateCounts:
    today: int = 0
    yesterday: int = 0
    week: int = 0
    month: int = 0


class LibraryReader:
    """Read-only queries for the library browser, on connections of its own (one per thread).

    Call `reopen()` after the index file was replaced (rebuild), `close()` when done.
    """

    def __init__(self, gallery: Gallery) -> None:
        self.gallery = gallery
        self._path = gallery.data_dir / INDEX_NAME
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._generation = 0
        self._closed = False
        self._opened: tuple[int, int] | None = None
        #: Reads under way, so that close() never pulls a connection from under one (SQLite crashes).
        self._busy = 0
        self._idle = threading.Condition(self._lock)

    def _file_id(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    # ---- connections ----------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            if getattr(self._local, "generation", -1) == self._generation:
                if self._file_id() == self._opened:
                    return conn
                self.reopen()  # the index file was replaced (a rebuild): read the new one
            self._retire(conn)  # stale: closed here, by the thread that used it
            self._local.conn = None
        if self._closed:
            raise GalleryError("The library is closed.")
        if not self._path.is_file():
            raise StorageError(f"The library's index {self._path} cannot be found; was the folder moved?")
        try:
            # mode=rw: never create an empty index where the real one went missing.
            conn = sqlite3.connect(f"file:{self._path}?mode=rw", uri=True, timeout=10.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA busy_timeout = 10000")
            # A sort larger than the cache (the side bar's counts over a million images: ~100 MB)
            # goes to a temporary file, not the heap, which would keep it after (glibc returns a
            # thread's freed memory lazily): the library's memory does not grow with its size.
            conn.execute("PRAGMA temp_store = FILE")
            conn.execute("PRAGMA cache_size = -8192")  # one per thread: keep them small
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the library's index ({exc}).") from None
        with self._lock:
            self._conns.append(conn)
            self._opened = self._file_id()
        self._local.conn = conn
        self._local.generation = self._generation
        return conn

    def reopen(self) -> None:
        """Make every connection stale: each thread closes its own and opens the index anew at its
        next query. Closing another thread's connection from here could pull it from under a query
        that thread is running (a crash in SQLite, seen under load), so it is never done."""
        with self._lock:
            self._generation += 1

    def _retire(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def close(self, wait: float = 5.0) -> None:
        """At shutdown: no new read starts, the reads under way are interrupted (SQLite's own
        cross-thread call, repeated: it does nothing to a read that has not reached SQLite yet)
        and waited for, then every connection is closed. Should a read still run after `wait`
        seconds, its connections are left to the process's end: closing one under a running
        query crashes the process (seen when a window closed mid-count)."""
        deadline = time.monotonic() + wait
        with self._lock:
            self._closed = True
        while True:
            with self._lock:
                running = list(self._conns) if self._busy else []
            for c in running:
                with contextlib.suppress(sqlite3.Error):
                    c.interrupt()
            with self._lock:
                left = deadline - time.monotonic()
                if self._idle.wait_for(lambda: self._busy == 0, timeout=max(0.0, min(0.05, left))):
                    conns, self._conns = self._conns, []
                    self._generation += 1
                    break
            if left <= 0:
                return
        for c in conns:
            with contextlib.suppress(sqlite3.Error):
                c.close()

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` on this thread's connection; SQLite's errors become GalleryErrors."""
        with self._lock:
            if self._closed:
                raise GalleryError("The library is closed.")
            self._busy += 1
        try:
            return fn(self._conn())
        except sqlite3.Error as exc:
            if self._closed:
                raise GalleryError("The library is closed.") from None
            raise GalleryError(f"The library index could not be read ({exc}).") from None
        finally:
            with self._lock:
                self._busy -= 1
                if not self._busy:
                    self._idle.notify_all()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._read(lambda conn: conn.execute(sql, list(params)).fetchall())

    # ---- queries ---------------------------------------------------------------------------------
    def ids(self, search: Search) -> list[int]:
        """The ids of the whole result, in the search's order."""
        clause, params = where_search(search)
        return self._read(lambda conn: select_ids(conn, clause, params, search.query.sort))

    def id_page(self, search: Search, *, after: Cursor | None = None,
                limit: int | None = None) -> tuple[Sequence[int], Cursor | None]:
        """One page of the result's ids (`limit` None: all the rest) and where the next starts."""
        clause, params = where_search(search)
        return self._read(lambda conn: select_id_page(conn, clause, params, search.query.sort, after=after,
                                                      limit=limit))

    def count(self, search: Search) -> int:
        clause, params = where_search(search)
        return self._read(lambda conn: count_where(conn, clause, params))

    def contains(self, search: Search, image_id: int) -> bool:
        clause, params = where_search(search)
        return bool(self._all(f"SELECT 1 FROM images WHERE ({clause}) AND images.id = ?", [*params, image_id]))

    def position(self, search: Search, image_id: int) -> int | None:
        """Where an image sits in the search's order (None: not in it)."""
        if not self.contains(search, image_id):
            return None
        sort = search.query.sort
        if sort.keyset:
            rows = self._all("SELECT created_at FROM images WHERE id = ?", [image_id])
            if not rows:
                return None
            clause, params = where_search(search)
            op = ">" if sort is Sort.NEWEST else "<"
            sql = f"SELECT count(*) FROM images WHERE ({clause}) AND (images.created_at, images.id) {op} (?, ?)"
            return int(self._all(sql, [*params, rows[0][0], image_id])[0][0])
        ids = self.ids(search)
        try:
            return ids.index(image_id)
        except ValueError:
            return None

    def rows_for(self, ids: Sequence[int]) -> list[ImageRow]:
        """Rows in the order of `ids`; ids no longer in the index are left out."""
        return self._read(lambda conn: fetch_rows(conn, ids))

    def hashes_for(self, ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in chunks(list(ids)):
            out.update(self._all(f"SELECT id, hash FROM images WHERE id IN ({marks(len(chunk))})", chunk))
        return out

    def id_of(self, image_hash: str) -> int | None:
        rows = self._all("SELECT id FROM images WHERE hash = ?", [image_hash])
        return int(rows[0][0]) if rows else None

    def facets(self, search: Search, fields: Sequence[str] = FACETS) -> dict[str, list[FacetValue]]:
        """Counts per value of each field under the search minus that field's own filter
        (reads.facet_counts, as GalleryIndex.facets)."""
        return self._read(lambda conn: facet_counts(conn, search_filter(search), fields))

    def date_counts(self, search: Search, today: date | None = None) -> DateCounts:
        """How many images of the search (minus its date filters) were made today, yesterday,
        this week and this month (local time)."""
        today = today or date.today()
        s = search.with_query(created_from=None, created_to=None)
        clause, params = where_search(s)

        def start(day: date) -> str:
            return to_iso(datetime(day.year, day.month, day.day).astimezone())

        t, y = start(today), start(today - timedelta(days=1))
        w, m = start(today - timedelta(days=today.weekday())), start(today.replace(day=1))
        sql = (
            "SELECT coalesce(sum(images.created_at >= ?), 0), "
            "coalesce(sum(images.created_at >= ? AND images.created_at < ?), 0), "
            "coalesce(sum(images.created_at >= ?), 0), coalesce(sum(images.created_at >= ?), 0) "
            f"FROM images WHERE {clause}"
        )
        row = self._all(sql, [t, y, t, w, m, *params])[0]
        return DateCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def trash_count(self) -> int:
        return int(self._all("SELECT count(*) FROM images WHERE trashed_at IS NOT NULL AND is_input = 0")[0][0])


# ---- rules -------------------------------------------------------------------------------------


def neighbour_row(removed_rows: Iterable[int], old_count: int) -> int | None:
    """The row to select after removing these rows: the image that slid into the place of the
    first one removed (the next neighbour), else the one before it; None when nothing is left."""
    removed = sorted(set(r for r in removed_rows if 0 <= r < old_count))
    new_count = old_count - len(removed)
    if new_count <= 0:
        return None
    if not removed:
        return None
    return min(removed[0], new_count - 1)


class ProblemKind(StrEnum):
    """Why the library cannot be shown."""

    #: The data folder is not there (moved, renamed, or its disk is not connected).
    FOLDER_MISSING = "folder-missing"
    #: The folder is there but its index file is not.
    INDEX_MISSING = "index-missing"


@dataclass(frozen=True)
class LibraryProblem:
    kind: ProblemKind
    folder: Path


def library_problem(gallery: Gallery) -> LibraryProblem | None:
    """Why the library cannot be shown (its folder or index is gone), or None when it is fine."""
    root = gallery.data_dir
    if not root.is_dir():
        return LibraryProblem(ProblemKind.FOLDER_MISSING, root)
    if not (root / INDEX_NAME).is_file():
        return LibraryProblem(ProblemKind.INDEX_MISSING, root)
    return None


# ---- lineage and details -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainStep:
    """One image of a lineage chain and how the next one was made from it."""

    hash: str
    operation: str | None  # what made this image (None for an original)
    mask: str | None = None  # the mask used to make this image


@dataclass
class DetailInfo:
    row: ImageRow
    metadata: dict[str, Any]
    parents: list[LineageLink]
    children: list[LineageLink]
    #: The chain of sources, oldest first, ending with this image.
    chain: list[ChainStep]
    job: JobRecord | None
    collections: list[str]
    collection_ids: list[int] = field(default_factory=list)


def lineage_chain(gallery: Gallery, image_hash: str, max_depth: int = 12) -> list[ChainStep]:
    """This image and its sources (the `image` parent of each), oldest first."""
    steps: list[ChainStep] = []
    seen: set[str] = set()
    current: str | None = image_hash
    while current is not None and current not in seen and len(steps) <= max_depth:
        seen.add(current)
        parents = gallery.parents(current)
        source = next((p for p in parents if p.role in SOURCE_ROLES), None)
        mask = next((p.parent for p in parents if p.role == "mask"), None)
        row = gallery.get(current)
        op = row.operation if row is not None else (source.operation if source is not None else None)
        steps.append(ChainStep(current, op, mask))
        current = source.parent if source is not None else None
    steps.reverse()
    return steps


def load_detail(gallery: Gallery, ref: ImageRef) -> DetailInfo | None:
    """Everything the detail panel shows about one image (run off the GUI thread)."""
    row = gallery.get(ref)
    if row is None:
        return None
    job = gallery.get_job(row.job_id) if row.job_id else None
    names = {c.id: c.name for c in gallery.collections()}
    ids = gallery.collections_of(row.id)
    return DetailInfo(
        row=row,
        metadata=gallery.metadata(row.id),
        parents=gallery.parents(row.hash),
        children=gallery.children(row.hash),
        chain=lineage_chain(gallery, row.hash),
        job=job,
        collections=[names[i] for i in ids if i in names],
        collection_ids=ids,
    )


def per_image_cost(job: JobRecord | None) -> Decimal | None:
    if job is None or job.estimated_cost is None:
        return None
    n = max(1, len(job.result_hashes) or int(job.request.get("num_images") or 1))
    return job.estimated_cost / n


# ---- long work -----------------------------------------------------------------------------------


def _cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


@dataclass
class ExportOutcome:
    written: list[tuple[str, Path]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cancelled: bool = False
    rows: dict[str, ImageRow] = field(default_factory=dict)  # of the missing, to name them in words


def export_with_progress(
    gallery: Gallery,
    refs: Sequence[ImageRef],
    folder: Path,
    *,
    progress: Progress | None = None,
    cancel: Cancel = None,
    chunk: int = 20,
    metadata: bool = True,
    namer: Namer | None = None,
) -> ExportOutcome:
    """Gallery.export in chunks, so it can report progress and stop between chunks.

    metadata=False: pixels only; namer: names from a naming template (see Gallery.export)."""
    out = ExportOutcome()
    total = len(refs)
    for i in range(0, total, chunk):
        if _cancelled(cancel):
            out.cancelled = True
            break
        part: ExportReport = gallery.export(
            list(refs[i : i + chunk]), folder, metadata=metadata, namer=namer,
            number_from=len(out.written) + 1, total=total,
        )
        out.written.extend(part.written)
        out.missing.extend(part.missing)
        out.rows.update(part.rows)
        if progress is not None:
            last = part.written[-1][1] if part.written else folder
            progress(min(total, i + chunk), total, last)
    return out
