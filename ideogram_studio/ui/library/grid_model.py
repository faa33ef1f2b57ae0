"""The library grid's model: its rows are the ids a search returned, nothing more.

As anki's browser and calibre's library view do, a search hands over only ids (`rowCount` is
their number), kept in a flat `array('q')`: a million ids are 8 MB, not a million Python objects.
A row's data (an ImageRow) is fetched when the view first asks for it, a page at a time, on a
worker thread of its own, into a bounded cache (ROW_CACHE rows, least recently shown dropped);
`data()` answers from the cache and only asks for the page. Pages asked for and not started when
the view moved on are dropped (the newest asks are served first). `flags()` never fetches, so
Ctrl+A on a million rows is instant. Thumbnails come from a ThumbnailCache; a batch of them
updates only their items.

The view (uniform_grid.UniformGrid) never asks for every row, so this is a plain
QAbstractListModel. Where a cached row sits is remembered (a hint checked against the ids, then
its neighbourhood, then one scan of the array), so no id → row dictionary over the whole result
is ever built.
"""

from __future__ import annotations

import contextlib
import functools
import json
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)

from ...gallery import GalleryError, ImageRow
from ...gallery.library_source import LibrarySource
from ..common.thumbnail_loader import GuiBridge, ThumbnailCache, call_in_gui, gui_bridge
from ..common.untrusted import isolate, one_line
from ..common.untrusted import tooltip as safe_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
HASH_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3
#: Our own drag format: the ids being dragged (JSON list), for drops on collections.
IDS_MIME = "application/x-ideogram-studio-image-ids"
PAGE_SIZE = 256
#: Pages waiting to be fetched beyond this many are dropped (the oldest asks first).
MAX_PENDING_PAGES = 6
#: Rows kept in memory.
ROW_CACHE = 16_384


#: How far around its remembered place a row is looked for before the whole array is scanned
#: (inserts and removals shift rows by a few places).
NEAR = 64
#: Up to this many rows, an insert also looks for its id everywhere (a scan: ~3 ms per 100,000).
EXACT_INSERT_CHECK = 200_000


def _id_array(ids: Iterable[int]) -> array[int]:
    return ids if isinstance(ids, array) and ids.typecode == "q" else array("q", ids)


def caption(row: ImageRow) -> str:
    """One line of the prompt, isolated (an imported file's prompt may hold a bidi override)."""
    prompt = row.prompt or row.prompt_used or ""
    return isolate(one_line(prompt, 200)) if prompt else ""


def tooltip(row: ImageRow) -> str:
    """Escaped: Qt would render a prompt that looks like HTML (links, images from local paths)."""
    parts = [caption(row) or "(no prompt)", f"{row.width}×{row.height} · {row.operation or 'image'}"]
    if row.style_preset:
        parts.append(f"Preset: {row.style_preset}")
    if row.tags:
        parts.append("Tags: " + ", ".join(isolate(one_line(t, 60)) for t in row.tags[:20]))
    return safe_tooltip("\n".join(parts))


class LibraryModel(QAbstractListModel):
    #: Rows arrived for these ids (the detail panel may refresh).
    rows_loaded = Signal(list)
    #: Cached rows were dropped: the view should repaint what it shows (and so fetch again).
    refreshed = Signal()

    def __init__(self, source: LibrarySource, thumbnails: ThumbnailCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._thumbs = thumbnails
        self._ids: array[int] = array("q")
        self._place: dict[int, int] = {}  # id → where it was last seen (cached rows only): a hint
        self._inserted: set[int] = set()  # ids inserted since the last reset (not appended twice)
        self._complete = True
        self._rows: OrderedDict[int, ImageRow] = OrderedDict()
        self._pending: OrderedDict[int, None] = OrderedDict()  # page numbers, newest last
        self._inflight: int | None = None
        self._generation = 0
        self._frozen = False
        self._hash_to_id: dict[str, int] = {}
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="library-rows")
        self._bridge = gui_bridge()
        self._ref = weakref.ref(self)
        thumbnails.batch_ready.connect(self._on_thumbnails)
        thumbnails.failed.connect(self._on_thumbnail_failed)

    # ---- content -------------------------------------------------------------------------------
    def set_ids(self, ids: Iterable[int], rows: Iterable[ImageRow] = (), *, complete: bool = True) -> None:
        """A new result (a search): a reset. Rows already known may come along. `complete` False:
        more of the result follows (append_ids)."""
        self.beginResetModel()
        self._ids = _id_array(ids)
        self._place.clear()
        self._inserted.clear()
        self._complete = complete
        self._pending.clear()
        self._generation += 1
        for r, row in enumerate(rows):
            self._remember(row, r if r < len(self._ids) and self._ids[r] == row.id else None)
        self.endResetModel()

    def append_ids(self, ids: Iterable[int], rows: Iterable[ImageRow] = (), *, complete: bool = True) -> None:
        """More of the same result (its next page): rows added at the end."""
        more = _id_array(ids)
        if self._inserted:  # a new result inserted meanwhile may be in this page too
            more = array("q", (i for i in more if i not in self._inserted))
        self._complete = complete
        if not more:
            return
        for row in rows:
            self._remember(row)
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._ids.extend(more)
        self.endInsertRows()

    def is_complete(self) -> bool:
        """False while more of the result is still coming (append_ids)."""
        return self._complete

    def ids(self) -> list[int]:
        """A copy of every id shown, as a list (tests, small results; ids_in for a selection)."""
        ids: list[int] = self._ids.tolist()
        return ids

    def ids_in(self, ranges: Iterable[tuple[int, int]]) -> list[int]:
        """The ids of these row ranges (first, last inclusive), in order: array slices, no per-row work."""
        out: array[int] = array("q")
        for first, last in ranges:
            out.extend(self._ids[max(0, first) : last + 1])
        ids: list[int] = out.tolist()
        return ids

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, image_id: int) -> int | None:
        """Where an id sits: its remembered place, near it, else one scan of the ids (C speed)."""
        ids, n = self._ids, len(self._ids)
        hint = self._place.get(image_id)
        if hint is not None:
            for r in (hint, *(hint + d for k in range(1, NEAR + 1) for d in (k, -k))):
                if 0 <= r < n and ids[r] == image_id:
                    self._place[image_id] = r
                    return r
        try:
            r = ids.index(image_id)
        except ValueError:
            self._place.pop(image_id, None)
            return None
        if image_id in self._rows:
            self._place[image_id] = r
        return r

    def _near(self, image_id: int, position: int) -> bool:
        """Whether an id is at or around a position: a new result is either not shown yet or
        shown where the source places it (a search that ran after it was stored), so beyond
        EXACT_INSERT_CHECK rows this is the whole check (no scan of a million ids per insert)."""
        ids, n = self._ids, len(self._ids)
        return any(0 <= r < n and ids[r] == image_id for r in range(position - NEAR, position + NEAR + 1))

    def rows_of(self, ids: Iterable[int]) -> dict[int, int]:
        """id → row for these ids (those not shown are left out): one pass over the array for many."""
        wanted = list(dict.fromkeys(ids))
        if len(wanted) <= 16:
            found = {i: self.row_of(i) for i in wanted}
            return {i: r for i, r in found.items() if r is not None}
        want = set(wanted)
        return {i: r for r, i in enumerate(self._ids) if i in want}

    def row_of_hash(self, image_hash: str) -> int | None:
        image_id = self._hash_to_id.get(image_hash)
        return self.row_of(image_id) if image_id is not None else None

    def image(self, row: int) -> ImageRow | None:
        """The row's data if already fetched (never fetches)."""
        if not 0 <= row < len(self._ids):
            return None
        return self._rows.get(self._ids[row])

    def image_by_id(self, image_id: int) -> ImageRow | None:
        return self._rows.get(image_id)

    def hash_at(self, row: int) -> str | None:
        image = self.image(row)
        return image.hash if image is not None else None

    def insert(self, position: int, image_id: int, row: ImageRow | None = None) -> bool:
        """Insert one id (a new result) at `position`; False if it is already there."""
        return bool(self.insert_many([(position, image_id, row)]))

    def insert_many(self, found: Iterable[tuple[int, int, ImageRow | None]]) -> list[int]:
        """Insert new results (position, id, row), each where it belongs once the earlier ones
        are in (positions in ascending order); ids already there are skipped. The rows they went to."""
        done: list[int] = []
        for position, image_id, row in sorted(found, key=lambda f: f[0]):
            if image_id in self._inserted or self._near(image_id, position) or (
                    len(self._ids) <= EXACT_INSERT_CHECK and self.row_of(image_id) is not None):
                continue
            position = max(0, min(position, len(self._ids)))
            self.beginInsertRows(QModelIndex(), position, position)
            self._ids.insert(position, image_id)
            self._inserted.add(image_id)
            self.endInsertRows()
            if row is not None:
                self._remember(row, position)
            done.append(position)
        if done:
            self._generation += 1
            self._pending.clear()
        return done

    def remove_ids(self, ids: Iterable[int]) -> list[int]:
        """Remove these ids' rows (one signal per contiguous run); returns the rows removed (old numbering)."""
        rows = sorted(self.rows_of(ids).values())
        if not rows:
            return []
        runs: list[tuple[int, int]] = []
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((start, prev))
                start = r
            prev = r
        runs.append((start, prev))
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        self._generation += 1
        self._pending.clear()
        return rows

    def update_rows(self, rows: Iterable[ImageRow]) -> None:
        """Fresh data for some rows (a rating, a tag): repaint just those."""
        for row in rows:
            self._remember(row)
            r = self.row_of(row.id)
            if r is not None:
                index = self.index(r)
                self.dataChanged.emit(index, index, [])

    def patch(self, ids: Iterable[int], **changes: Any) -> None:
        """Change cached rows at once (favourite, rating) before the index confirms it."""
        from dataclasses import replace

        updated = [replace(self._rows[i], **changes) for i in ids if i in self._rows]
        self.update_rows(updated)

    def forget(self, ids: Iterable[int] | None = None) -> None:
        """Drop cached rows (all, or these): they are fetched again when shown."""
        if ids is None:
            self._rows.clear()
            self._place.clear()
        else:
            for i in ids:
                self._rows.pop(i, None)
                self._place.pop(i, None)
        self._generation += 1
        self._pending.clear()
        self.refreshed.emit()

    def set_frozen(self, frozen: bool) -> None:
        """While frozen (the index is being rebuilt), nothing is fetched."""
        self._frozen = frozen
        if not frozen and self._pending:
            self._start_next()

    def ensure_rows(self, first: int, last: int) -> None:
        """Ask for the pages covering rows first..last (nearest first)."""
        if not self._ids:
            return
        first, last = max(0, first), min(last, len(self._ids) - 1)
        for page in range(last // PAGE_SIZE, first // PAGE_SIZE - 1, -1):
            lo = page * PAGE_SIZE
            if any(i not in self._rows for i in self._ids[lo : min(lo + PAGE_SIZE, len(self._ids))]):
                self._ask(page)

    def fetch_now(self, rows: Iterable[int]) -> list[ImageRow]:
        """Rows for these row numbers, fetching the missing ones now (drag, export of a selection)."""
        ids = [self._ids[r] for r in rows if 0 <= r < len(self._ids)]
        missing = [i for i in ids if i not in self._rows]
        if missing:
            with contextlib.suppress(GalleryError):
                for row in self._source.rows_for(missing):
                    self._remember(row)
        return [r for r in (self._rows.get(i) for i in ids) if r is not None]

    def close(self) -> None:
        self._pending.clear()
        self._executor.shutdown(wait=True, cancel_futures=True)

    # ---- Qt model --------------------------------------------------------------------------------
    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        r = index.row()
        if not 0 <= r < len(self._ids):
            return None
        image_id = self._ids[r]
        if role == ID_ROLE:
            return image_id
        row = self._rows.get(image_id)
        if row is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
                        ROW_ROLE, HASH_ROLE):
                self._ask(r // PAGE_SIZE)
            return None
        self._rows.move_to_end(image_id)
        if role == ROW_ROLE:
            return row
        if role == HASH_ROLE:
            return row.hash
        if role == Qt.ItemDataRole.DisplayRole:
            return caption(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.pixmap(row.hash)
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemNeverHasChildren)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [IDS_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged images as files (for other applications) and as ids (for collections)."""
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return self.mime_for_rows(rows)

    def mime_for_rows(self, rows: Sequence[int]) -> QMimeData:
        images = self.fetch_now(rows)
        mime = QMimeData()
        files = [self._source.local_file(image) for image in images]
        mime.setUrls([QUrl.fromLocalFile(str(path)) for path in files if path is not None])
        mime.setData(IDS_MIME, QByteArray(json.dumps([image.id for image in images]).encode()))
        if len(images) == 1 and images[0].prompt:
            mime.setText(images[0].prompt)
        return mime

    # ---- fetching ----------------------------------------------------------------------------------
    def _remember(self, row: ImageRow, place: int | None = None) -> None:
        self._rows[row.id] = row
        self._rows.move_to_end(row.id)
        self._hash_to_id[row.hash] = row.id
        if place is not None:
            self._place[row.id] = place
        while len(self._rows) > ROW_CACHE:
            old_id, old = self._rows.popitem(last=False)
            self._place.pop(old_id, None)
            if self._hash_to_id.get(old.hash) == old_id:
                del self._hash_to_id[old.hash]

    def _ask(self, page: int) -> None:
        if page == self._inflight or page < 0:
            return
        self._pending[page] = None
        self._pending.move_to_end(page)
        while len(self._pending) > MAX_PENDING_PAGES:
            self._pending.popitem(last=False)  # asked longest ago: the view has moved on
        if self._inflight is None:
            self._start_next()

    def _start_next(self) -> None:
        if self._frozen or self._inflight is not None or not self._pending:
            return
        page, _ = self._pending.popitem(last=True)  # the newest ask first
        lo = page * PAGE_SIZE
        ids = [i for i in self._ids[lo : lo + PAGE_SIZE] if i not in self._rows]
        if not ids:
            self._start_next()
            return
        self._inflight = page
        generation = self._generation
        try:
            future = self._executor.submit(self._source.rows_for, ids)
        except RuntimeError:  # shut down
            self._inflight = None
            return

        # The worker holds no reference to this model (a QObject must not die on a worker thread).
        future.add_done_callback(functools.partial(_page_fetched, self._bridge, self._ref, generation, page))

    def _on_page_done(self, item: tuple[int, int, Future[list[ImageRow]]]) -> None:
        generation, page, future = item
        if self._inflight == page:
            self._inflight = None
        rows: list[ImageRow] = []
        if not future.cancelled() and future.exception() is None:
            rows = future.result()
        same = generation == self._generation
        lo = page * PAGE_SIZE
        places = {i: lo + j for j, i in enumerate(self._ids[lo : lo + PAGE_SIZE])} if same else {}
        for row in rows:
            self._remember(row, places.get(row.id))
        if rows:
            hi = min(lo + PAGE_SIZE, len(self._ids)) - 1
            if not same:  # rows moved meanwhile (an insert, a removal): repaint what is shown
                lo, hi = 0, len(self._ids) - 1
            if hi >= lo:
                self.dataChanged.emit(self.index(lo), self.index(hi), [])
            self.rows_loaded.emit([row.id for row in rows])
        self._start_next()

    def _on_thumbnail_failed(self, image_hash: str, _reason: str) -> None:
        self._on_thumbnails([image_hash])

    def _on_thumbnails(self, hashes: list[str]) -> None:
        for image_hash in hashes:
            r = self.row_of_hash(image_hash)
            if r is not None:
                index = self.index(r)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def _page_fetched(bridge: GuiBridge, ref: weakref.ref[LibraryModel], generation: int, page: int,
                  future: Future[list[ImageRow]]) -> None:
    call_in_gui(bridge, ref, "_on_page_done", (generation, page, future))
