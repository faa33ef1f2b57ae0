"""The prompt library: every prompt sent (with its mode, model and time), searchable as you type,
and the prompts a designer starred and named, exportable to a file a colleague can import.

Its own SQLite file beside the index (`prompts.sqlite`): prompts are the designer's writing, not an
index of the images, so rebuilding the image index never touches them. Search uses FTS5's trigram
tokenizer, which answers substring queries ("ligh" finds "lighthouse") from an index instead of a
scan; queries shorter than three characters fall back to LIKE over the newest prompts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._util import now_iso
from .db import as_storage_error
from .errors import GalleryError, StorageError

FILE_NAME = "prompts.sqlite"
EXPORT_KIND = "ideogram-studio/prompts"
EXPORT_VERSION = 1
MAX_PROMPT_CHARS = 10_000  # far above the service's limit; a pasted novel is cut, not stored whole
MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: Rows scanned in display order before the index is asked (search()).
_SCAN_FIRST = 5_000
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS prompts (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    first_used TEXT NOT NULL,
    last_used TEXT NOT NULL,
    uses INTEGER NOT NULL DEFAULT 1,
    starred INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS prompts_recent ON prompts(starred DESC, last_used DESC);
CREATE VIRTUAL TABLE IF NOT EXISTS prompts_fts USING fts5(
    text, name, content='prompts', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS prompts_ai AFTER INSERT ON prompts BEGIN
    INSERT INTO prompts_fts(rowid, text, name) VALUES (new.id, new.text, new.name);
END;
CREATE TRIGGER IF NOT EXISTS prompts_ad AFTER DELETE ON prompts BEGIN
    INSERT INTO prompts_fts(prompts_fts, rowid, text, name) VALUES ('delete', old.id, old.text, old.name);
END;
CREATE TRIGGER IF NOT EXISTS prompts_au AFTER UPDATE OF text, name ON prompts BEGIN
    INSERT INTO prompts_fts(prompts_fts, rowid, text, name) VALUES ('delete', old.id, old.text, old.name);
    INSERT INTO prompts_fts(rowid, text, name) VALUES (new.id, new.text, new.name);
END;
"""


class PromptFileError(GalleryError, ValueError):
    """An import file that is not a prompt list of ours, or is damaged; nothing was imported."""


@dataclass(frozen=True)
class PromptEntry:
    id: int
    text: str
    mode: str
    model: str
    first_used: str
    last_used: str
    uses: int
    starred: bool
    name: str


class PromptLibrary:
    """Thread-safe (one connection under a lock): the UI calls it from a worker thread."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode: a power cut may lose the last prompts, never corrupt the file.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            if self._conn.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION:
                self._conn.executescript(_SCHEMA + f"PRAGMA user_version = {_SCHEMA_VERSION};")
        except sqlite3.Error as exc:
            raise _storage(exc, self.path) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _storage(exc, self.path) from None

    # ---- writing -----------------------------------------------------------------------------
    def record(self, text: str, *, mode: str = "", model: str = "", when: str | None = None) -> None:
        """Keep a sent prompt: a new one is added, a known one moves to the top."""
        self.record_many([(text, mode, model, when or now_iso())])

    def record_many(self, prompts: list[tuple[str, str, str, str]]) -> None:
        """Keep (text, mode, model, when) prompts in one transaction (a batch sends many)."""
        rows = [(t.strip()[:MAX_PROMPT_CHARS], mode, model, when, when) for t, mode, model, when in prompts]
        rows = [r for r in rows if r[0]]
        if not rows:
            return
        with self._tx() as db:
            db.executemany(
                "INSERT INTO prompts(text, mode, model, first_used, last_used) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(text) DO UPDATE SET uses = uses + 1, last_used = excluded.last_used, "
                "mode = excluded.mode, model = excluded.model",
                rows,
            )

    def forget(self, entry_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM prompts WHERE id = ?", (entry_id,))

    def star(self, entry_id: int, name: str = "") -> None:
        with self._tx() as db:
            db.execute("UPDATE prompts SET starred = 1, name = ? WHERE id = ?", (name.strip(), entry_id))

    def unstar(self, entry_id: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE prompts SET starred = 0, name = '' WHERE id = ?", (entry_id,))

    # ---- reading -----------------------------------------------------------------------------
    def search(self, query: str = "", *, limit: int = 50, starred_only: bool = False) -> list[PromptEntry]:
        """Starred first, then the most recently used; `query` matches anywhere in text or name.

        Two steps, because a common word matches a third of a large library: first the newest
        rows are scanned in display order, which stops as soon as a page is full; only when they
        hold fewer than `limit` matches does the trigram index find every match (a rare word
        matches few rows, so that is fast too)."""
        query = query.strip()
        starred = "WHERE starred = 1" if starred_only else ""
        recent = f"SELECT * FROM prompts {starred} ORDER BY starred DESC, last_used DESC, id DESC"
        if not query:
            return self._rows(f"{recent} LIMIT ?", [limit])
        needle = query.lower()
        match = "(instr(lower(text), ?) > 0 OR instr(lower(name), ?) > 0)"
        if len(query) < 3:  # below the trigram size: the scan is the whole answer
            return self._rows(f"SELECT * FROM ({recent}) WHERE {match} LIMIT ?", [needle, needle, limit])
        head = self._rows(
            f"SELECT * FROM ({recent} LIMIT {_SCAN_FIRST}) WHERE {match} LIMIT ?", [needle, needle, limit]
        )
        if len(head) >= limit:
            return head
        fts = "id IN (SELECT rowid FROM prompts_fts WHERE prompts_fts MATCH ?)"
        where = f"WHERE {fts}" + (" AND starred = 1" if starred_only else "")
        phrase = '"' + query.replace('"', '""') + '"'
        return self._rows(
            f"SELECT * FROM prompts {where} ORDER BY starred DESC, last_used DESC, id DESC LIMIT ?", [phrase, limit]
        )

    def _rows(self, sql: str, args: list[Any]) -> list[PromptEntry]:
        with self._lock:
            try:
                rows = self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise _storage(exc, self.path) from None
        return [_entry(r) for r in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM prompts").fetchone()[0])

    # ---- files -------------------------------------------------------------------------------
    def export_starred(self) -> dict[str, Any]:
        entries = self.search(starred_only=True, limit=1_000_000)
        return {
            "kind": EXPORT_KIND,
            "version": EXPORT_VERSION,
            "prompts": [{"text": e.text, "name": e.name, "mode": e.mode, "model": e.model} for e in entries],
        }

    def write_export(self, path: Path) -> int:
        data = self.export_starred()
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        return len(data["prompts"])

    def import_file(self, path: Path) -> int:
        """Add the file's prompts as starred ones; all or nothing. Returns how many were added."""
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise PromptFileError(f"{path.name} is too large for a prompt list (over 20 MB).")
            data = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise PromptFileError(f"{path.name} is not a prompt list ({type(exc).__name__}).") from None
        items = _validated(data, path.name)
        when = now_iso()
        with self._tx() as db:
            for item in items:
                db.execute(
                    "INSERT INTO prompts(text, mode, model, first_used, last_used, starred, name) "
                    "VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT(text) DO UPDATE SET starred = 1, "
                    "name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END",
                    (item["text"], item["mode"], item["model"], when, when, item["name"]),
                )
        return len(items)


def _validated(data: Any, name: str) -> list[dict[str, str]]:
    if not isinstance(data, dict) or data.get("kind") != EXPORT_KIND:
        raise PromptFileError(f"{name} is not a prompt list exported by Ideogram Studio.")
    if data.get("version") != EXPORT_VERSION:
        raise PromptFileError(f"{name} was written by another version of the studio (version {data.get('version')!r}).")
    prompts = data.get("prompts")
    if not isinstance(prompts, list):
        raise PromptFileError(f"{name} is damaged: it has no list of prompts.")
    out: list[dict[str, str]] = []
    for index, item in enumerate(prompts, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            raise PromptFileError(f"{name} is damaged: prompt {index} has no text.")
        fields = {k: item.get(k, "") for k in ("name", "mode", "model")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise PromptFileError(f"{name} is damaged: prompt {index} has a field that is not text.")
        out.append({"text": item["text"].strip()[:MAX_PROMPT_CHARS], **fields})
    return out


def _entry(row: sqlite3.Row) -> PromptEntry:
    data = dict(row)
    data["starred"] = bool(data["starred"])
    return PromptEntry(**data)


def _storage(exc: sqlite3.Error, path: Path) -> StorageError:
    """The gallery's own reading of an SQLite failure (disk full, read-only, I/O: errno and a sentence),
    else a plain StorageError naming the file."""
    return as_storage_error(exc, "save the prompt library", path) or StorageError(
        f"The prompt library {path.name} could not be used ({exc})."
    )
