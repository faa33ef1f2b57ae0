"""Connections to the team database (psycopg 3) and PostgreSQL errors turned into sentences."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import psycopg
import psycopg.conninfo
import psycopg.errors
from psycopg.rows import dict_row

from .config import TeamCredentials, check_db_url
from .errors import (
    TeamAuthError,
    TeamConfigError,
    TeamError,
    TeamPermissionError,
    TeamSchemaError,
    TeamUnreachableError,
)

T = TypeVar("T")
CONNECT_TIMEOUT_S = 5
APPLICATION_NAME = "Ideogram Studio"


def conninfo(url: str, credentials: TeamCredentials) -> str:
    check_db_url(url)
    extra: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": APPLICATION_NAME,
        # A link that dies silently (laptop leaves the studio network) is noticed within ~25 s.
        "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
    }
    if credentials.db_password:
        extra["password"] = credentials.db_password
    return psycopg.conninfo.make_conninfo(url, **extra)


def connect(url: str, credentials: TeamCredentials, *, autocommit: bool = False) -> psycopg.Connection[dict[str, Any]]:
    """A new connection with dict rows; TeamError subclasses for every failure."""
    where = _where(url)
    try:
        # prepare_threshold=None: no server-side prepared statements, so every search is planned
        # with its own words (a generic plan cannot tell "zebra" from "red" and picks one plan for both).
        return psycopg.connect(conninfo(url, credentials), autocommit=autocommit, row_factory=dict_row,
                               prepare_threshold=None)
    except psycopg.Error as exc:
        raise translate(exc, where=where) from None


def translate(exc: BaseException, *, where: str = "the team database") -> TeamError:
    """A psycopg error as a TeamError with a sentence (never the password, never a traceback)."""
    if isinstance(exc, TeamError):
        return exc
    text = str(exc).strip()
    low = text.lower()
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return TeamPermissionError(
            "Your team account may browse but not change the team library (it has a read-only role). "
            "Ask your studio administrator for a designer role to publish, tag or rate."
        )
    if isinstance(exc, psycopg.errors.InvalidPassword) or "password authentication failed" in low \
            or "no password supplied" in low or "authentication failed" in low:
        return TeamAuthError(f"{where} refused the user name or password. Check them in Settings → Team library.")
    if "does not exist" in low and "database" in low:
        return TeamConfigError(f"The database named in the team URL does not exist on {where}.")
    if "role" in low and "does not exist" in low:
        return TeamAuthError(f"{where} has no user of that name. Check the user in the team database URL.")
    if "ssl" in low and ("not support" in low or "required" in low or "certificate" in low):
        return TeamConfigError(f"{where} and the URL's sslmode do not agree ({_first_line(text)}).")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return TeamUnreachableError(
            f"{where} cannot be reached ({_first_line(text) or 'no answer'}). "
            "Your local library is not affected; team changes wait until it is back."
        )
    if isinstance(exc, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedColumn):
        return TeamSchemaError(f"The team library's tables are not what this app expects ({_first_line(text)}).")
    return TeamError(f"The team database refused the request ({_first_line(text)}).")


def _where(url: str) -> str:
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "The team database"
    host = parts.get("host") or "?"
    port = parts.get("port")
    return f"The team database at {host}{':' + str(port) if port else ''}"


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0].strip() if lines else ""


class Db:
    """One lazily (re)opened connection, used under a lock; reconnects after a dropped link."""

    def __init__(self, url: str, credentials: TeamCredentials) -> None:
        self.url = url
        self._credentials = credentials
        self._conn: psycopg.Connection[dict[str, Any]] | None = None
        self._lock = threading.RLock()
        self.where = _where(url)

    def _connection(self) -> psycopg.Connection[dict[str, Any]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._drop()
            self._conn = connect(self.url, self._credentials, autocommit=True)
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None

    @contextlib.contextmanager
    def session(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """The shared (autocommit) connection, held under the lock; errors come out as TeamError."""
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except psycopg.Error as exc:
                if conn.broken or conn.closed:
                    self._drop()
                raise translate(exc, where=self.where) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """A transaction on the shared connection; errors come out as TeamError."""
        with self.session() as conn, conn.transaction():
            yield conn

    def run(self, fn: Callable[[psycopg.Connection[dict[str, Any]]], T]) -> T:
        with self.transaction() as conn:
            return fn(conn)

    def close(self) -> None:
        with self._lock:
            self._drop()
