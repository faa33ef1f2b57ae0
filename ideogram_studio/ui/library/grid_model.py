"""The library grid's model: its rows are the ids a search returned, nothing more.

As anki's browser and calibre's library view do, a search hands over only a list of ids
(`rowCount` is its length). A row's data (an ImageRow) is fetched when the view first asks for
it, a page at a time, on a worker thread of its own; `data()` answers from the row cache and
only asks for the page. Pages asked for and not started when the view moved on are dropped
(the newest asks are served first). `flags()` never fetches, so Ctrl+A on 100,000 rows is
instant. Thumbnails come from a ThumbnailCache; a batch of them updates only their items.

It is a QStringListModel of empty placeholders (one per id) so that `rowCount()` and `index()`
are answered in C++: at every layout QListView asks `model->index(row)` for every row
(`QListViewPrivate::isHidden`), and a Python `rowCount` behind each of those calls cost
80–190 ms per search at 100,000 rows (a GUI stall); with C++ answers a reset takes ~20 ms.
Never call the QStringListModel API (setData, setStringList…) from outside: use the methods here.
"""

from __future__ import annotations

import contextlib
import functools
import json
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
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


_EMPTY: list[str] = []


def _placeholders(n: int) -> list[str]:
    """n empty strings (one shared list grown as needed, sliced)."""
    if len(_EMPTY) < n:
        _EMPTY.extend([""] * (n - len(_EMPTY)))
    return _EMPTY[:n]


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


class LibraryModel(QStringListModel):
    #: Rows arrived for these ids (the detail panel may refresh).
    rows_loaded = Signal(list)
    #: Cached rows were dropped: the view should repaint what it shows (and so fetch again).
    refreshed = Signal()

    def __init__(self, source: LibrarySource, thumbnails: ThumbnailCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._thumbs = thumbnails
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None  # built on demand, dropped on every change
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
    def set_ids(self, ids: Sequence[int], rows: Iterable[ImageRow] = ()) -> None:
        """A new result (a search): a reset. Rows already known may come along."""
        self._ids = list(ids)
        self._row_of = None
        self._pending.clear()
        self._generation += 1
        for row in rows:
            self._remember(row)
        self.setStringList(_placeholders(len(self._ids)))  # the reset (rows counted in C++)

    def append_ids(self, ids: Sequence[int], rows: Iterable[ImageRow] = ()) -> None:
        """More of the same result (the next page of a source that pages): rows added at the end."""
        new = [i for i in ids if self.row_of(i) is None]
        if not new:
            return
        for row in rows:
            self._remember(row)
        start = len(self._ids)
        self._ids.extend(new)
        self._row_of = None
        QStringListModel.insertRows(self, start, len(new))  # begin/endInsertRows with the C++ row count

    def ids(self) -> list[int]:
        return self._ids

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, image_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {i: r for r, i in enumerate(self._ids)}
        return self._row_of.get(image_id)

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
        if self.row_of(image_id) is not None:
            return False
        position = max(0, min(position, len(self._ids)))
        if row is not None:
            self._remember(row)
        self._ids.insert(position, image_id)
        self._row_of = None
        self._generation += 1
        self._pending.clear()
        QStringListModel.insertRows(self, position, 1)  # begin/endInsertRows with the C++ row count
        return True

    def remove_ids(self, ids: Iterable[int]) -> list[int]:
        """Remove these ids' rows (one signal per contiguous run); returns the rows removed (old numbering)."""
        rows = sorted({r for r in (self.row_of(i) for i in ids) if r is not None})
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
            del self._ids[first : last + 1]
            self._row_of = None
            QStringListModel.removeRows(self, first, last - first + 1)
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
        else:
            for i in ids:
                self._rows.pop(i, None)
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

    def fetch_now(self, rows: Sequence[int]) -> list[ImageRow]:
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

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemNeverHasChildren)

    # Rows come from searches only: the string list's own editing is refused.
    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 0) -> bool:
        return False

    def insertRows(self, row: int, count: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return False

    def removeRows(self, row: int, count: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return False

    def moveRows(self, source: QModelIndex | QPersistentModelIndex, row: int, count: int,
                 destination: QModelIndex | QPersistentModelIndex, child: int) -> bool:
        return False

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: QModelIndex | QPersistentModelIndex) -> bool:
        return False

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        return False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        return None

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
    def _remember(self, row: ImageRow) -> None:
        self._rows[row.id] = row
        self._rows.move_to_end(row.id)
        self._hash_to_id[row.hash] = row.id
        while len(self._rows) > ROW_CACHE:
            old_id, old = self._rows.popitem(last=False)
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
        for row in rows:
            self._remember(row)
        if rows:
            if generation == self._generation:
                lo = page * PAGE_SIZE
                hi = min(lo + PAGE_SIZE, len(self._ids)) - 1
                if hi >= lo:
                    self.dataChanged.emit(self.index(lo), self.index(hi), [])
            else:  # rows moved meanwhile: find them
                self._emit_rows(r for r in (self.row_of(row.id) for row in rows) if r is not None)
            self.rows_loaded.emit([row.id for row in rows])
        self._start_next()

    def _emit_rows(self, rows: Iterable[int]) -> None:
        """dataChanged for these rows, one signal per contiguous run."""
        ordered = sorted(set(rows))
        if not ordered:
            return
        start = prev = ordered[0]
        for r in [*ordered[1:], -2]:
            if r != prev + 1:
                self.dataChanged.emit(self.index(start), self.index(prev), [])
                start = r
            prev = r

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
