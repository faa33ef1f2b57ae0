"""What this computer remembers of the team library, to show it when the team is unreachable:
the rows it has seen (SQLite) and their thumbnails (files), in the user's cache folder.

A cache only: deleting the folder loses nothing; it fills again while browsing.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from .models import TeamImage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    hash       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    id         INTEGER NOT NULL,
    trashed    INTEGER NOT NULL,
    is_input   INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_created ON rows (created_at DESC, id DESC);
"""


class TeamCache:
    """Rows and thumbnails seen, keyed by a team (so two team libraries never mix)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.thumbs = folder / "thumbs"
        self.thumbs.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(folder / "rows.sqlite", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last page on power loss is fine
        self._db.executescript(_SCHEMA)
        self._queue: queue.Queue[list[TeamImage] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="team-cache", daemon=True)
        self._writer.start()

    def remember(self, rows: Iterable[TeamImage]) -> None:
        """Keep these rows (written by a background thread: browsing never waits for the cache)."""
        batch = list(rows)
        if batch:
            self._queue.put(batch)

    def flush(self) -> None:
        """Wait until every row handed to remember() is written."""
        self._queue.join()

    def _write_loop(self) -> None:
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                self._write(batch)
            finally:
                self._queue.task_done()

    def _write(self, rows: list[TeamImage]) -> None:
        items = [
            (r.hash, r.created_at.isoformat(), r.id, int(r.trashed_at is not None), int(r.is_input),
             json.dumps(r.as_json()))
            for r in rows
        ]
        # One transaction: one sync for the whole page, not one per row. A cache that cannot
        # write just misses.
        with self._lock, contextlib.suppress(sqlite3.Error), self._db:
            self._db.executemany("INSERT OR REPLACE INTO rows VALUES (?,?,?,?,?,?)", items)

    def forget(self, hashes: Iterable[str]) -> None:
        self.flush()
        with self._lock, contextlib.suppress(sqlite3.Error), self._db:
            self._db.executemany("DELETE FROM rows WHERE hash = ?", [(h,) for h in hashes])

    def rows(self, *, limit: int = 5000, trashed: bool = False, text: str = "") -> list[TeamImage]:
        """The remembered rows, newest first (what the team section shows while offline)."""
        self.flush()
        with self._lock:
            found = self._db.execute(
                "SELECT data FROM rows WHERE trashed = ? AND is_input = 0 ORDER BY created_at DESC, id DESC LIMIT ?",
                (int(trashed), limit),
            ).fetchall()
        rows = [TeamImage.from_json(json.loads(d)) for (d,) in found]
        words = text.casefold().split()
        if words:
            rows = [r for r in rows if all(w in _haystack(r) for w in words)]
        return rows

    def get(self, digest: str) -> TeamImage | None:
        self.flush()
        with self._lock:
            row = self._db.execute("SELECT data FROM rows WHERE hash = ?", (digest,)).fetchone()
        return TeamImage.from_json(json.loads(row[0])) if row else None

    def thumbnail_path(self, key: str) -> Path:
        return self.thumbs / key.replace("/", "_")

    def cached_thumbnail(self, key: str) -> Path | None:
        path = self.thumbnail_path(key)
        return path if path.is_file() else None

    def store_thumbnail(self, key: str, data: bytes) -> Path:
        path = self.thumbnail_path(key)
        tmp = path.with_name(path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return path

    def close(self) -> None:
        self._queue.put(None)
        self._writer.join(10)
        with self._lock:
            self._db.close()


def _haystack(row: TeamImage) -> str:
    return " ".join(filter(None, (row.prompt, row.prompt_used, row.negative_prompt, " ".join(row.tags)))).casefold()
