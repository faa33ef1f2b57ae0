"""Thumbnails for views: made by the gallery's worker pool, decoded to QImage off the GUI thread,
turned into QPixmap on the GUI thread (QPixmap is not thread-safe), kept in a byte-bounded LRU.

Views ask with `pixmap(hash)`; a miss starts the work and returns None; `ready(hash)` tells the
view to repaint that one item (never a model reset).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from ..gallery import Gallery

log = logging.getLogger(__name__)


class ThumbnailCache(QObject):
    ready = Signal(str)
    failed = Signal(str, str)

    def __init__(
        self, gallery: Gallery, size: int = 256, max_bytes: int = 96 * 1024 * 1024, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._gallery = gallery
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._loop = asyncio.get_event_loop()

    def pixmap(self, image_hash: str) -> QPixmap | None:
        pixmap = self._cache.get(image_hash)
        if pixmap is not None:
            self._cache.move_to_end(image_hash)
            return pixmap
        self.request(image_hash)
        return None

    def request(self, image_hash: str) -> None:
        if image_hash in self._pending or image_hash in self._cache:
            return
        self._pending.add(image_hash)
        future = self._gallery.submit_thumbnail(image_hash, self._size)
        future.add_done_callback(functools.partial(self._decode_in_worker, image_hash))

    def _decode_in_worker(self, image_hash: str, future: Future[Path]) -> None:
        # Runs on the gallery's worker thread: decoding a QImage there is allowed and keeps the
        # GUI thread free; only the QPixmap conversion waits for the GUI thread.
        try:
            path = future.result()
            image = QImage(str(path))
            error = "" if not image.isNull() else "unreadable thumbnail"
        except Exception as exc:  # the gallery's message is for the tooltip
            image, error = QImage(), str(exc)
        with contextlib.suppress(RuntimeError):  # the loop closed while we worked: the app is quitting
            self._loop.call_soon_threadsafe(self._deliver, image_hash, image, error)

    def _deliver(self, image_hash: str, image: QImage, error: str) -> None:
        self._pending.discard(image_hash)
        if error:
            self.failed.emit(image_hash, error)
            return
        pixmap = QPixmap.fromImage(image)
        self._cache[image_hash] = pixmap
        self._bytes += _cost(pixmap)
        while self._bytes > self._max_bytes and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._bytes -= _cost(old)
        self.ready.emit(image_hash)


def _cost(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4
