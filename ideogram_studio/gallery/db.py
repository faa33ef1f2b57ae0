"""A small wrapper of SQLite: pragmas, migrations, transactions, locks.

Two connections shared by all threads (`check_same_thread=False`), each under its own RLock:
one for writes (`BEGIN IMMEDIATE` transactions), one for reads. In WAL mode a reader sees the
last committed state while a long write (a bulk tag, a rebuild) is running, so the grid never
waits for it. A damaged file surfaces as IndexCorruptError wherever it is first noticed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from . import schema
from .errors import SQLITE_STORAGE_CODES, GalleryError, IndexCorruptError, StorageError, storage_error

#: SQLite primary result codes that mean "this file is damaged".
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024


def _create_private(path: Path) -> None:
    """Create the index file 0600 before SQLite does (its -wal and -shm files copy its mode)."""
    with contextlib.suppress(OSError):  # exists already, or cannot be made: SQLite will say why
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))


def is_corruption(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _storage_errno(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return SQLITE_STORAGE_CODES.get(code & 0xFF)
    text = str(exc).lower()  # (older SQLite modules carry no code: the words are stable)
    for words, number in (("disk is full", 13), ("readonly", 8), ("disk i/o error", 10),
                          ("unable to open", 14)):
        if words in text:
            return SQLITE_STORAGE_CODES[number]
    return None


def as_storage_error(exc: sqlite3.Error, action: str, path: Path) -> StorageError | None:
    """The StorageError an SQLite failure amounts to (disk full, read-only, I/O), or None."""
    number = _storage_errno(exc)
    if number is None:
        return None
    error = storage_error(OSError(number, str(exc)), action, path, library=path.parent)
    error.detail = f"SQLite: {exc} ({path})"
    return error


def _translate(exc: BaseException, action: str, path: Path) -> BaseException:
    """What an exception from SQLite is re-raised as: corruption and storage get our own types."""
    if isinstance(exc, sqlite3.DatabaseError) and is_corruption(exc):
        return IndexCorruptError(path, str(exc))
    if isinstance(exc, sqlite3.Error):
        return as_storage_error(exc, action, path) or exc
    return exc


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        _create_private(path)
        self._lock = threading.RLock()  # guards the write connection
        self._rlock = threading.RLock()  # guards the read connection
        self._depth = 0
        self._owner: int | None = None
        self._conn = self._connect(write=True)
        try:
            self._rconn = self._connect(write=False)
        except BaseException:
            self._conn.close()
            raise

    # ---- opening -------------------------------------------------------------------------------
    def _connect(self, *, write: bool) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise GalleryError(f"Cannot open the gallery index {self.path}: {exc}") from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 10000")
            # Reading the schema is the first access to the file: a damaged one fails here.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            # FULL: a committed job-journal entry survives power loss, not only a crash.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA cache_size = -32768")
            if write:
                self._migrate(conn)
            else:
                conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            conn.close()
            if is_corruption(exc):
                raise IndexCorruptError(self.path, str(exc)) from None
            storage = as_storage_error(exc, "open the library's index", self.path)
            if storage is not None:
                raise storage from None
            raise GalleryError(f"Cannot open the gallery index {self.path}: {exc}") from None
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > schema.SCHEMA_VERSION:
            raise GalleryError(
                f"The gallery index was made by a newer version of Ideogram Studio "
                f"(schema {version}, this version knows {schema.SCHEMA_VERSION}). Update the app."
            )
        for target in range(version + 1, len(schema.MIGRATIONS) + 1):
            script = schema.MIGRATIONS[target - 1]
            try:
                # executescript commits first, so the transaction is part of the script itself.
                conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise

    @property
    def user_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # ---- use -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The read connection (sees the last commit). Inside a transaction, the writer's own."""
        if self._owner == threading.get_ident():
            yield self._conn  # inside this thread's own transaction: see its uncommitted writes
            return
        with self._rlock:
            try:
                yield self._rconn
            except sqlite3.Error as exc:
                translated = _translate(exc, "read the library's index", self.path)
                if translated is exc:
                    raise
                raise translated from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception. Nested uses join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                translated = _translate(exc, "save to the library's index", self.path)
                if translated is exc:
                    raise
                raise translated from None
            self._depth = 1
            self._owner = threading.get_ident()
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:  # (a failed COMMIT on a full disk may have rolled back already)
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                translated = _translate(exc, "save to the library's index", self.path)
                if translated is exc:
                    raise
                raise translated from None
            finally:
                self._depth = 0
                self._owner = None

    def quick_check(self) -> list[str]:
        """SQLite's own structural check; an empty list means the file is sound."""
        with self.read() as conn:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        return [] if rows == ["ok"] else rows

    def checkpoint(self) -> None:
        """A passive WAL checkpoint (never blocks readers); call when idle."""
        with contextlib.suppress(StorageError), self.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def close(self) -> None:
        with self._rlock:
            self._rconn.close()
        with self._lock:
            conn = self._conn
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA optimize")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            conn.close()
