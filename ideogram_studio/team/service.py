"""One team library in use by one studio: the connection, the publish queue, live updates, and
the queue published again whenever the team comes back. Qt-free; a UI holds one and marshals its
callbacks (they come from worker threads) to its own thread.

    service = TeamService.from_settings(config, credentials, gallery, cache_root=…, data_dir=…)
    service.start(on_event=…, on_state=…)   # connects in the background, then listens
    report = service.publish(hashes)          # blocking: call it from a worker
    service.close()

When the team is unreachable, `publish` queues and returns a report saying how many wait; the
queue (an SQLite file in the data folder) outlives the app, and is drained on the next connect.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ..gallery import Gallery
from .config import TeamConfig, TeamCredentials
from .errors import TeamError, TeamUnreachableError
from .library import TeamLibrary, TeamStatus, team_key
from .listener import TeamEvent, TeamListener
from .models import PublishReport, PullReport
from .publish import Cancel, Outbox, Progress, Publisher
from .pull import pull

OUTBOX_NAME = "team-outbox.sqlite"


class TeamService:
    def __init__(self, config: TeamConfig, credentials: TeamCredentials, gallery: Gallery, library: TeamLibrary,
                 outbox: Outbox, *, retry_s: float = 30.0) -> None:
        self.config = config
        self._credentials = credentials
        self.gallery = gallery
        self.library = library
        self.publisher = Publisher(gallery, library, outbox)
        self.status: TeamStatus | None = None
        self.online = False
        self.message = "Not connected yet."
        self._listener: TeamListener | None = None
        self._on_event: Callable[[TeamEvent], None] | None = None
        self._on_state: Callable[[bool, str], None] | None = None
        self._on_published: Callable[[PublishReport], None] | None = None
        self._drain = threading.Lock()
        self._closed = threading.Event()
        self._retry_s = retry_s
        self._retry: threading.Thread | None = None

    @classmethod
    def from_settings(cls, config: TeamConfig, credentials: TeamCredentials, gallery: Gallery, *,
                      cache_root: Path, data_dir: Path, retry_s: float = 30.0) -> TeamService:
        library = TeamLibrary.from_config(config, credentials, cache_root=cache_root)
        # One queue per team library, in the data folder (a cache folder may be wiped).
        outbox = Outbox(data_dir / "team" / team_key(config) / OUTBOX_NAME)
        return cls(config, credentials, gallery, library, outbox, retry_s=retry_s)

    # ---- life cycle ----------------------------------------------------------------------------
    def start(self, *, on_event: Callable[[TeamEvent], None] | None = None,
              on_state: Callable[[bool, str], None] | None = None,
              on_published: Callable[[PublishReport], None] | None = None) -> None:
        """Connect and listen in the background; every (re)connect drains the publish queue."""
        self._on_event, self._on_state, self._on_published = on_event, on_state, on_published
        self._listener = TeamListener(self.config.db_url, self._credentials, self._event, self._state)
        self._listener.start()
        # The database's return is seen by the listener; the store's is not: retry now and then.
        self._retry = threading.Thread(target=self._retry_loop, name="team-retry", daemon=True)
        self._retry.start()

    def connect(self) -> TeamStatus:
        """Check the servers and the schema now (blocking). Raises TeamError."""
        self.status = self.library.connect()
        return self.status

    def close(self) -> None:
        self._closed.set()
        if self._listener is not None:
            self._listener.stop()
        if self._retry is not None:
            self._retry.join(10)
        with self._drain:
            self.publisher.outbox.close()
            self.library.close()

    # ---- what the UI calls (from workers) -------------------------------------------------------
    def publish(self, hashes: Sequence[str], *, progress: Progress | None = None, cancel: Cancel = None
                ) -> PublishReport:
        """Queue the images, then publish the queue if the team can be reached."""
        self.publisher.enqueue(hashes)
        with self._drain:
            return self._run(progress, cancel)

    def pull(self, hashes: Sequence[str], *, progress: Progress | None = None, cancel: Cancel = None) -> PullReport:
        return pull(self.library, self.gallery, hashes, progress=progress, cancel=cancel)

    def waiting(self) -> int:
        return self.publisher.outbox.count()

    # ---- internals -----------------------------------------------------------------------------
    def _run(self, progress: Progress | None, cancel: Cancel) -> PublishReport:
        try:
            if self.status is None:
                self.connect()
            return self.publisher.run(progress=progress, cancel=cancel)
        except TeamUnreachableError as exc:
            return PublishReport(waiting=self.publisher.outbox.count(), error=str(exc))

    def _state(self, online: bool, message: str) -> None:
        self.online = online
        self.message = message or ("Connected." if online else "The team library cannot be reached.")
        if self._on_state is not None:
            self._on_state(online, self.message)
        if online:
            threading.Thread(target=self._drain_queue, name="team-drain", daemon=True).start()

    def _retry_loop(self) -> None:
        while not self._closed.wait(self._retry_s):
            if self.online:
                self._drain_queue()

    def _drain_queue(self) -> None:
        if self._closed.is_set() or not self.publisher.outbox.count():
            return
        with self._drain:
            if self._closed.is_set():
                return
            try:
                report = self._run(None, self._closed.is_set)
            except TeamError as exc:
                report = PublishReport(waiting=self.publisher.outbox.count(), error=str(exc))
        if self._on_published is not None:
            with contextlib.suppress(Exception):
                self._on_published(report)

    def _event(self, event: TeamEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)
