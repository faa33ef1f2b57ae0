"""Live updates: a thread LISTENing on the team channel, turning notifications into events.

Every change to the team library sends one NOTIFY in the transaction that makes it (library.py,
publish.py), so a notification arrives only once the change is visible. The listener owns one
connection; when it drops, the state callback says so, the thread reconnects with a back-off,
and a `resync` event tells the view to reload (notifications sent meanwhile were missed).

Callbacks run on the listener thread: a UI marshals them to its own thread.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from .config import TeamCredentials
from .db import connect, translate
from .errors import TeamError
from .schema import CHANNEL

_POLL_S = 0.25  # how long one wait for notifications lasts (also how fast stop() is honoured)
_PING_EVERY_S = 5.0  # a silent link is checked this often, so a dead server is noticed


@dataclass(frozen=True)
class TeamEvent:
    """What changed: op is publish, tags, trash, restore, rating, collections, or resync (reload all)."""

    op: str
    hashes: tuple[str, ...] = ()
    count: int = 0


def parse_event(payload: str) -> TeamEvent:
    try:
        data: Any = json.loads(payload)
    except ValueError:
        return TeamEvent("resync")
    if not isinstance(data, dict):
        return TeamEvent("resync")
    hashes = tuple(h for h in data.get("hashes") or () if isinstance(h, str))
    count = data.get("count")
    return TeamEvent(str(data.get("op") or "resync"), hashes, int(count) if isinstance(count, int) else len(hashes))


class TeamListener:
    """Runs until stop(); `on_event(TeamEvent)` and `on_state(online, message)` from its thread."""

    def __init__(self, url: str, credentials: TeamCredentials, on_event: Callable[[TeamEvent], None],
                 on_state: Callable[[bool, str], None] | None = None, *, retry_s: float = 1.0,
                 max_retry_s: float = 30.0) -> None:
        self._url = url
        self._credentials = credentials
        self._on_event = on_event
        self._on_state = on_state
        self._retry_s = retry_s
        self._max_retry_s = max_retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self.online = False
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait on it)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="team-listener", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        delay = self._retry_s
        first = True
        while not self._stop.is_set():
            try:
                self._listen(resync=not first)
                delay = self._retry_s
            except (TeamError, psycopg.Error) as exc:
                message = str(exc if isinstance(exc, TeamError) else translate(exc))
                self._state(False, message)
                self._stop.wait(delay)
                delay = min(delay * 2, self._max_retry_s)
            except Exception as exc:  # a callback's bug must not end live updates silently
                self._state(False, f"Live updates stopped working ({type(exc).__name__}); retrying.")
                self._stop.wait(delay)
            first = False
            self.listening.clear()

    def _listen(self, *, resync: bool) -> None:
        conn = connect(self._url, self._credentials, autocommit=True)
        self._conn = conn
        try:
            conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self._state(True, "")
            if resync:
                self._on_event(TeamEvent("resync"))
            last_ping = time.monotonic()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=_POLL_S):
                    self._on_event(parse_event(note.payload))
                    last_ping = time.monotonic()
                if time.monotonic() - last_ping > _PING_EVERY_S:
                    conn.execute("SELECT 1")
                    last_ping = time.monotonic()
        finally:
            with contextlib.suppress(Exception):
                conn.close()
            self._conn = None

    def _state(self, online: bool, message: str) -> None:
        changed = online != self.online
        self.online = online
        if (changed or not online) and self._on_state is not None:
            self._on_state(online, message)
