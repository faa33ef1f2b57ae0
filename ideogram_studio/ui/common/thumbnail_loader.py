"""Thumbnails for views: made by the gallery's worker pool, decoded to QImage off the GUI thread,
turned into QPixmap on the GUI thread (QPixmap is not thread-safe), kept in a byte-bounded LRU.

Views ask with `pixmap(hash)` (a miss starts the work and returns None) and hear `ready(hash)`
to repaint that one item (never a model reset). A grid of thousands asks more carefully:

- `peek(hash)` looks without asking; `want(hashes)` hands over what the view needs now, nearest
  to the viewport first. It replaces the previous wish list, so work for rows that scrolled away
  is dropped before it starts; at most `max_inflight` thumbnails are in the pool at once, so what
  was asked last is served next (LIFO, as calibre and gwenview do).
- Results are delivered in batches: workers queue them and a timer (≤ 16 ms) turns them into
  pixmaps on the GUI thread with a time budget, then one `batch_ready(hashes)` follows.
- `set_display_size(px, dpr)`: the worker scales to exactly `px × dpr` device pixels and tags the
  image with the ratio, so the view blits it 1:1 (sharp on HiDPI). Late results made for an older
  size are dropped; pixmaps of the older size stay usable as placeholders (`is_current`).
- An unreadable cached thumbnail (a damaged cache) is made again once, from the image itself.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from .image_decode import decode_file

log = logging.getLogger(__name__)


class ThumbnailMaker(Protocol):
    """Where thumbnail files come from: the Gallery, or any library source."""

    def submit_thumbnail(self, image_hash: str, size: int, /, *, force: bool = False) -> Future[Path]: ...


#: Thumbnail sizes made on disk; a display size uses the smallest one at least as large.
DISK_SIZES = (128, 256, 512, 768, 1024)
#: Time the GUI thread may spend per flush turning images into pixmaps.
FLUSH_BUDGET_S = 0.006


@dataclass
class _Entry:
    pixmap: QPixmap
    generation: int
    cost: int


@dataclass
class _Result:
    generation: int
    image_hash: str
    image: QImage | None
    error: str
    cancelled: bool = False


class GuiBridge(QObject):
    """Carries calls from worker threads to the GUI thread. It is never deleted, so a worker never
    emits on an object the GUI thread is destroying. Workers hold only weak references to the
    receivers (a QObject must not die on a worker thread, where its last reference would go);
    the receiver is looked up and checked on arrival."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @staticmethod
    def _run(item: tuple[weakref.ref[QObject], str, tuple[object, ...]]) -> None:
        ref, method, args = item
        target = ref()
        if target is not None and shiboken6.isValid(target):
            getattr(target, method)(*args)


_bridge: GuiBridge | None = None


def gui_bridge() -> GuiBridge:
    """The bridge; first made on the GUI thread (by a constructor), then used from any thread."""
    global _bridge
    if _bridge is None:
        _bridge = GuiBridge()
    return _bridge


def call_in_gui(bridge: GuiBridge, ref: weakref.ref[Any], method: str, *args: object) -> None:
    """From any thread: call `ref().method(*args)` on the GUI thread if that object still exists."""
    with contextlib.suppress(RuntimeError):  # interpreter shutting down
        bridge.call.emit((ref, method, args))


@dataclass
class _Inbox:
    """What the workers share with a cache: plain Python, never a QObject."""

    gallery: ThumbnailMaker
    bridge: GuiBridge
    owner: weakref.ref[Any]
    results: deque[_Result]
    generation: int = 0
    closed: bool = False

    def post(self, result: _Result) -> None:
        self.results.append(result)  # deque.append is atomic
        if not self.closed:
            call_in_gui(self.bridge, self.owner, "_on_arrived")


def _work_done(inbox: _Inbox, image_hash: str, generation: int, size: int, target: int | None, dpr: float,
               force: bool, future: Future[Path]) -> None:
    """On the gallery's worker thread: decode (and scale) the QImage there, which keeps the GUI
    thread free; only the QPixmap conversion waits for the GUI thread."""
    if future.cancelled():
        inbox.post(_Result(generation, image_hash, None, "", cancelled=True))
        return
    image: QImage | None = None
    error = ""
    try:
        path = future.result()
        image = decode_file(path)
        if image.isNull():
            if not force and generation == inbox.generation and not inbox.closed:
                # A damaged cached thumbnail: make it again from the image itself, once.
                again = inbox.gallery.submit_thumbnail(image_hash, size, force=True)
                again.add_done_callback(
                    functools.partial(_work_done, inbox, image_hash, generation, size, target, dpr, True)
                )
                return
            image, error = None, "The thumbnail cannot be read."
        elif target is not None:
            if max(image.width(), image.height()) > target:
                image = image.scaled(target, target, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            image.setDevicePixelRatio(dpr)
    except Exception as exc:  # the gallery's message is for the tooltip
        image, error = None, str(exc) or type(exc).__name__
    inbox.post(_Result(generation, image_hash, image, error))


def disk_size_for(device_px: int) -> int:
    for size in DISK_SIZES:
        if size >= device_px:
            return size
    return DISK_SIZES[-1]


class ThumbnailCache(QObject):
    #: One thumbnail is ready (or ready again at a new size).
    ready = Signal(str)
    #: A thumbnail could not be made: (hash, reason).
    failed = Signal(str, str)
    #: The thumbnails delivered by one flush.
    batch_ready = Signal(list)

    def __init__(
        self,
        gallery: ThumbnailMaker,
        size: int = 256,
        max_bytes: int = 96 * 1024 * 1024,
        parent: QObject | None = None,
        *,
        max_inflight: int = 8,
        flush_ms: int = 16,
    ):
        super().__init__(parent)
        self._gallery = gallery
        self._size = size  # the thumbnail size asked of the gallery (longest side, pixels)
        self._target: int | None = None  # device pixels to scale to (None: as made)
        self._dpr = 1.0
        self._max_bytes = max_bytes
        self._max_inflight = max(1, max_inflight)
        self._bytes = 0
        self._generation = 0
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._queue: OrderedDict[str, None] = OrderedDict()
        self._inflight: dict[str, int] = {}
        self._failed: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(0, min(16, flush_ms)))
        self._timer.timeout.connect(self._flush)
        self._closed = False
        self._inbox = _Inbox(gallery, gui_bridge(), weakref.ref(self), deque())
        self._results = self._inbox.results

    # ---- asking --------------------------------------------------------------------------------
    def pixmap(self, image_hash: str) -> QPixmap | None:
        """The thumbnail if cached (possibly of an older size), else None; a miss asks for it."""
        entry = self._cache.get(image_hash)
        if entry is not None:
            self._cache.move_to_end(image_hash)
            if entry.generation != self._generation:
                self.request(image_hash)
            return entry.pixmap
        self.request(image_hash)
        return None

    def peek(self, image_hash: str) -> QPixmap | None:
        """The cached thumbnail (possibly of an older size) without asking for anything."""
        entry = self._cache.get(image_hash)
        if entry is None:
            return None
        self._cache.move_to_end(image_hash)
        return entry.pixmap

    def is_current(self, image_hash: str) -> bool:
        entry = self._cache.get(image_hash)
        return entry is not None and entry.generation == self._generation

    def failure(self, image_hash: str) -> str | None:
        return self._failed.get(image_hash)

    def request(self, image_hash: str) -> None:
        """Ask for one thumbnail, ahead of everything else wanted."""
        if not self._needs(image_hash):
            return
        self._queue[image_hash] = None
        self._queue.move_to_end(image_hash, last=False)
        self._pump()

    def want(self, hashes: Iterable[str]) -> None:
        """What the view needs now, most wanted first. Replaces the previous wish list: what is
        no longer wanted and not yet started is dropped."""
        self._queue = OrderedDict((h, None) for h in hashes if self._needs(h))
        self._pump()

    def _needs(self, image_hash: str) -> bool:
        return not (
            self._closed
            or self.is_current(image_hash)
            or self._inflight.get(image_hash) == self._generation
            or image_hash in self._failed
        )

    # ---- size ------------------------------------------------------------------------------------
    def set_display_size(self, logical_px: int, dpr: float = 1.0) -> bool:
        """Thumbnails `logical_px` long at `dpr` device pixels per logical pixel. True if changed."""
        target = max(16, round(logical_px * max(1.0, dpr)))
        if target == self._target and dpr == self._dpr:
            return False
        self._target = target
        self._dpr = max(1.0, dpr)
        self._size = disk_size_for(target)
        self._generation += 1
        self._inbox.generation = self._generation
        self._queue.clear()
        return True

    @property
    def size(self) -> int:
        return self._size

    @property
    def device_size(self) -> int | None:
        return self._target

    # ---- upkeep ----------------------------------------------------------------------------------
    def invalidate(self, image_hash: str) -> None:
        entry = self._cache.pop(image_hash, None)
        if entry is not None:
            self._bytes -= entry.cost
        self._failed.pop(image_hash, None)

    def clear(self) -> None:
        self._cache.clear()
        self._queue.clear()
        self._failed.clear()
        self._bytes = 0
        self._generation += 1
        self._inbox.generation = self._generation

    def retry_failed(self) -> None:
        self._failed.clear()

    def set_max_bytes(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._evict()

    def stats(self) -> dict[str, int]:
        return {"pixmaps": len(self._cache), "bytes": self._bytes, "inflight": len(self._inflight),
                "queued": len(self._queue), "failed": len(self._failed)}

    def close(self) -> None:
        """Stop asking for work; results still on their way are dropped."""
        self._closed = True
        self._inbox.closed = True
        self._queue.clear()
        self._timer.stop()

    # ---- work ------------------------------------------------------------------------------------
    def _pump(self) -> None:
        while self._queue and len(self._inflight) < self._max_inflight and not self._closed:
            image_hash, _ = self._queue.popitem(last=False)
            self._submit(image_hash)

    def _submit(self, image_hash: str, *, force: bool = False) -> None:
        generation = self._generation
        self._inflight[image_hash] = generation
        try:
            future = self._gallery.submit_thumbnail(image_hash, self._size, force=force)
        except Exception as exc:  # the gallery is closing, or the size is refused
            self._inflight.pop(image_hash, None)
            self._failed[image_hash] = str(exc)
            return
        future.add_done_callback(
            functools.partial(_work_done, self._inbox, image_hash, generation, self._size, self._target, self._dpr,
                              force)
        )

    def _on_arrived(self) -> None:
        if not self._closed and not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        started = time.perf_counter()
        done: list[str] = []
        while self._results:
            if done and time.perf_counter() - started > FLUSH_BUDGET_S:
                break
            r = self._results.popleft()
            if self._inflight.get(r.image_hash) == r.generation:
                del self._inflight[r.image_hash]
            if r.generation != self._generation or r.cancelled or self._closed:
                continue  # made for an older size, or no longer wanted
            if r.error or r.image is None:
                self._failed[r.image_hash] = r.error or "No thumbnail."
                self.failed.emit(r.image_hash, self._failed[r.image_hash])
                continue
            pixmap = QPixmap.fromImage(r.image)
            old = self._cache.pop(r.image_hash, None)
            if old is not None:
                self._bytes -= old.cost
            cost = _cost(pixmap)
            self._cache[r.image_hash] = _Entry(pixmap, r.generation, cost)
            self._bytes += cost
            done.append(r.image_hash)
        self._evict()
        for image_hash in done:
            self.ready.emit(image_hash)
        if done:
            self.batch_ready.emit(done)
        if self._results:
            self._timer.start(0)
        self._pump()

    def _evict(self) -> None:
        while self._bytes > self._max_bytes and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._bytes -= old.cost


def _cost(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4
