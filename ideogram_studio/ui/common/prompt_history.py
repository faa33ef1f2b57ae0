"""The prompt library's view-model: one per window, shared by every mode's prompt field.

Every call runs on one worker thread (SQLite work in order, never on the GUI thread); answers come
back as signals, and an answer to a query the designer has already typed past is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ...gallery.errors import GalleryError
from ...gallery.prompt_library import PromptEntry, PromptLibrary

log = logging.getLogger(__name__)


class PromptHistory(QObject):
    #: (query, [PromptEntry]) for the latest query only
    results = Signal(str, list)
    #: a sentence for the status bar (a full disk, an import refused, an export written)
    message = Signal(str)
    _delivered = Signal(object, object)  # (callback, value): hop back to the GUI thread

    def __init__(self, library: PromptLibrary, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prompt-library")
        self._latest = ""
        # A bound slot, not a lambda: PySide calls a lambda in the emitting (worker) thread, a
        # slot of this QObject in the object's own (GUI) thread.
        self._delivered.connect(self._on_delivered)

    @classmethod
    def open(cls, folder: Path, parent: QObject | None = None) -> PromptHistory:
        return cls(PromptLibrary(folder), parent)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._library.close()

    # ---- commands --------------------------------------------------------------------------
    def search(self, query: str) -> None:
        self._latest = query
        self._run(lambda: self._library.search(query), lambda rows: self._deliver_rows(query, rows))

    def record(self, text: str, mode: str, model: str = "") -> None:
        self._run(lambda: self._library.record(text, mode=mode, model=model))

    def forget(self, entry_id: int) -> None:
        self._run(lambda: self._library.forget(entry_id), lambda _r: self.search(self._latest))

    def star(self, entry_id: int, name: str) -> None:
        self._run(lambda: self._library.star(entry_id, name), lambda _r: self.search(self._latest))

    def unstar(self, entry_id: int) -> None:
        self._run(lambda: self._library.unstar(entry_id), lambda _r: self.search(self._latest))

    def export_to(self, path: Path) -> None:
        self._run(
            lambda: self._library.write_export(path),
            lambda n: self.message.emit(f"{n} starred prompt{'s' if n != 1 else ''} exported to {path.name}."),
        )

    def import_from(self, path: Path) -> None:
        def imported(n: int) -> None:
            self.message.emit(f"{n} prompt{'s' if n != 1 else ''} imported from {path.name}.")
            self.search(self._latest)

        self._run(lambda: self._library.import_file(path), imported)

    # ---- plumbing --------------------------------------------------------------------------
    @Slot(object, object)
    def _on_delivered(self, callback: Callable[[Any], Any], value: Any) -> None:
        callback(value)

    def _run(self, work: Callable[[], Any], then: Callable[[Any], Any] | None = None) -> None:
        future = self._pool.submit(work)

        def done(f: Future[Any]) -> None:
            exc = f.exception()
            if isinstance(exc, GalleryError):
                self._delivered.emit(self.message.emit, str(exc))
            elif exc is not None:
                log.error("prompt library: %s", exc, exc_info=exc)
            elif then is not None:
                self._delivered.emit(then, f.result())

        future.add_done_callback(done)

    def _deliver_rows(self, query: str, entries: list[PromptEntry]) -> None:
        if query != self._latest:
            return  # the designer has typed on: a newer answer is coming
        self.results.emit(query, entries)

