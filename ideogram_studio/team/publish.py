"""Publishing local images to the team library: idempotent, resumable, and never half-done.

What to publish goes first into the outbox, a small SQLite file in the local data folder, so
the queue survives a crash, a `kill -9` or a team that is unreachable for a day. A run drains
it in batches; for each batch:

1. read each file and check its bytes against its hash (a damaged file is left out, with a
   reason); make or reuse its thumbnail;
2. put the files to the store, `blobs/<sha256>` and `thumbs/<sha256>-256.<ext>`, with a
   conditional put: bytes someone already published are "already there", not an error;
3. insert the rows of the images whose files are stored — image, lineage, tags, your rating —
   in one transaction, `ON CONFLICT DO NOTHING`, with one NOTIFY for the others;
4. remove the batch from the outbox.

A crash between any two steps is repaired by running again: puts of stored bytes are answered
"already there", rows already inserted are skipped, and a row is never inserted before its file
is stored, so no row ever points at a missing blob. An image's inputs (source, mask,
references) are queued before it, so the team gets its whole lineage.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from ..gallery import Gallery
from ..gallery.errors import GalleryError
from ..gallery.models import ImageRow
from .blobs import blob_key, thumb_key
from .errors import TeamError, TeamIntegrityError, TeamPermissionError, TeamUnreachableError
from .library import THUMB_SIZE, TeamLibrary, make_thumbnail, notify, refresh_team_ratings
from .models import PublishReport

BATCH = 50
WORKERS = 8
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool] | None
_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}

_INSERT_IMAGE = (
    "INSERT INTO images (hash, format, width, height, bytes, thumbnail, created_at, operation, source, prompt, "
    "prompt_used, negative_prompt, style_type, style_preset, palette, aspect_ratio, resolution, seed, "
    "rendering_speed, job_id, is_input, metadata, tags) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (hash) DO NOTHING RETURNING hash"
)
_INSERT_LINEAGE = (
    "INSERT INTO lineage (child_hash, parent_hash, role, operation) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"
)


class Outbox:
    """The persistent queue of hashes to publish (order kept: inputs before what was made from them)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # add() asks for FULL for itself
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, hash TEXT NOT NULL UNIQUE, "
            "queued_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT)"
        )

    def add(self, hashes: Iterable[str]) -> int:
        now = datetime.now(UTC).isoformat()
        with self._lock:
            before = self._count()
            self._db.execute("PRAGMA synchronous=FULL")  # the queue is the promise: survive power loss
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO outbox (hash, queued_at) VALUES (?, ?)",
                                 [(h, now) for h in hashes])
            self._db.execute("COMMIT")
            # Removals need not reach the disk at once: one lost by a power cut is published again,
            # which finds it already there.
            self._db.execute("PRAGMA synchronous=NORMAL")
            return self._count() - before

    def next(self, limit: int) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT hash FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [r[0] for r in rows]

    def done(self, hashes: Iterable[str]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM outbox WHERE hash = ?", [(h,) for h in hashes])
            self._db.execute("COMMIT")

    def note_failure(self, hashes: Iterable[str], message: str) -> None:
        with self._lock:
            self._db.executemany("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE hash = ?",
                                 [(message, h) for h in hashes])

    def count(self) -> int:
        with self._lock:
            return self._count()

    def _count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def last_error(self) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT last_error FROM outbox WHERE last_error IS NOT NULL "
                                   "ORDER BY seq LIMIT 1").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class _Item:
    row: ImageRow
    data: bytes
    metadata: dict[str, Any]
    parents: list[tuple[str, str, str | None]]  # (parent hash, role, operation)
    thumb: tuple[bytes, str] | None
    stored: bool = False  # its files are in the store (new or already there)
    new_blob: bool = False


class Publisher:
    """Drains the outbox into one team library. One run at a time (`run` holds a lock)."""

    def __init__(self, gallery: Gallery, team: TeamLibrary, outbox: Outbox, *, batch: int = BATCH,
                 workers: int = WORKERS) -> None:
        self.gallery = gallery
        self.team = team
        self.outbox = outbox
        self.batch = batch
        self.workers = workers
        self._running = threading.Lock()

    def enqueue(self, hashes: Sequence[str]) -> int:
        """Queue images and, before each, its inputs that are in the local library. New entries."""
        ordered: dict[str, None] = {}
        for digest in hashes:
            self._with_inputs(digest, ordered, depth=0)
        return self.outbox.add(ordered)

    def _with_inputs(self, digest: str, ordered: dict[str, None], depth: int) -> None:
        if digest in ordered or depth > 50:
            return
        try:
            links = self.gallery.parents(digest)
        except GalleryError:
            links = []
        for link in links:
            if self.gallery.get(link.parent) is not None:
                self._with_inputs(link.parent, ordered, depth + 1)
        ordered[digest] = None

    def publish(self, hashes: Sequence[str], *, progress: Progress | None = None, cancel: Cancel = None
                ) -> PublishReport:
        self.enqueue(hashes)
        return self.run(progress=progress, cancel=cancel)

    def run(self, *, progress: Progress | None = None, cancel: Cancel = None) -> PublishReport:
        """Publish everything queued; stops early (keeping the rest queued) when the team is unreachable."""
        report = PublishReport()
        with self._running, ThreadPoolExecutor(self.workers, thread_name_prefix="team-publish") as pool:
            total = self.outbox.count()
            done = 0
            while True:
                if cancel is not None and cancel():
                    break
                hashes = self.outbox.next(self.batch)
                if not hashes:
                    break
                try:
                    self._publish_batch(hashes, pool, report)
                except (TeamUnreachableError, TeamPermissionError) as exc:
                    self.outbox.note_failure(hashes, str(exc))
                    if isinstance(exc, TeamPermissionError):  # can never succeed with this account
                        self.outbox.done(hashes)
                        report.failed.update(dict.fromkeys(hashes, str(exc)))
                    report.error = str(exc)
                    break
                except TeamError as exc:
                    self.outbox.note_failure(hashes, str(exc))
                    report.error = str(exc)
                    break
                done += len(hashes)
                if progress is not None:
                    progress(min(done, total), total)
        report.waiting = self.outbox.count()
        return report

    # ---- one batch -----------------------------------------------------------------------------
    def _publish_batch(self, hashes: list[str], pool: ThreadPoolExecutor, report: PublishReport) -> None:
        finished: list[str] = []  # leave the outbox after this batch, whatever happened to them
        items: list[_Item] = []
        errors: list[TeamError] = []
        # Each worker reads, checks and uploads one image: disk, hashing and network overlap.
        for digest, outcome in zip(hashes, pool.map(self._prepare_and_put, hashes), strict=True):
            if isinstance(outcome, _Item):
                items.append(outcome)
            elif isinstance(outcome, GalleryError | TeamIntegrityError):
                report.failed[digest] = str(outcome)
                finished.append(digest)
            else:
                errors.append(outcome)
        stored = [i for i in items if i.stored]
        if stored:
            new = self._insert_rows(stored)
            for item in stored:
                (report.published if item.row.hash in new else report.already).append(item.row.hash)
                finished.append(item.row.hash)
        self.outbox.done(finished)
        if errors:
            raise errors[0]

    def _prepare_and_put(self, digest: str) -> _Item | GalleryError | TeamError:
        try:
            item = self._prepare(digest)
        except (GalleryError, TeamIntegrityError) as exc:
            return exc
        error = self._put_files(item)
        return item if error is None else error

    def _prepare(self, digest: str) -> _Item:
        row = self.gallery.get(digest)
        if row is None:
            raise TeamIntegrityError("It is no longer in your library.")
        data = self.gallery.read_bytes(digest)
        if hashlib.sha256(data).hexdigest() != digest:
            raise TeamIntegrityError(
                f"Its file is damaged (the bytes do not match hash {digest[:12]}…), so it was not published. "
                "Run Library → Check to repair your library."
            )
        parents = [(link.parent, link.role, link.operation) for link in self.gallery.parents(digest)]
        return _Item(row, data, self.gallery.metadata(digest), parents, self._thumbnail(digest, data))

    def _thumbnail(self, digest: str, data: bytes) -> tuple[bytes, str] | None:
        path = self.gallery.cached_thumbnail(digest, THUMB_SIZE)
        if path is None:
            with contextlib.suppress(Exception):  # no thumbnail is no reason not to publish
                path = self.gallery.submit_thumbnail(digest, THUMB_SIZE).result(timeout=60)
        if path is not None:
            with contextlib.suppress(OSError):
                return path.read_bytes(), path.suffix
        with contextlib.suppress(Exception):
            return make_thumbnail(data)
        return None

    def _put_files(self, item: _Item) -> TeamError | None:
        """Store the blob, then the thumbnail; the error (not raised: the others go on)."""
        try:
            item.new_blob = self.team.blobs.put_if_absent(
                blob_key(item.row.hash), item.data, _CONTENT_TYPES.get(item.row.format, "application/octet-stream"))
            if item.thumb is not None:
                data, ext = item.thumb
                self.team.blobs.put_if_absent(thumb_key(item.row.hash, THUMB_SIZE, ext), data,
                                              "image/webp" if ext == ".webp" else "image/jpeg")
        except TeamError as exc:
            return exc
        item.stored = True
        return None

    def _insert_rows(self, items: list[_Item]) -> set[str]:
        """The rows of stored images, in one transaction; the hashes that were new."""
        new: set[str] = set()
        with self.team.db.transaction() as conn, conn.cursor() as cur:
            cur.executemany(_INSERT_IMAGE, [_image_params(i) for i in items], returning=True)
            while True:
                for r in cur.fetchall():
                    new.add(r["hash"])
                if not cur.nextset():
                    break
            fresh = [i for i in items if i.row.hash in new]
            lineage = [(i.row.hash, p, role, op) for i in fresh for p, role, op in i.parents]
            if lineage:
                cur.executemany(_INSERT_LINEAGE, lineage)
            rated = [(i.row.hash, i.row.rating) for i in fresh if i.row.rating > 0]
            if rated:
                cur.executemany("INSERT INTO ratings (hash, rating) VALUES (%s, %s) ON CONFLICT DO NOTHING", rated)
                refresh_team_ratings(conn, [h for h, _ in rated])
            if new:
                notify(conn, "publish", [i.row.hash for i in fresh])
        return new


def _image_params(item: _Item) -> tuple[Any, ...]:
    r = item.row
    thumb = thumb_key(r.hash, THUMB_SIZE, item.thumb[1]) if item.thumb is not None else None
    return (
        r.hash, r.format, r.width, r.height, r.bytes, thumb, r.created_at, r.operation, r.source, r.prompt,
        r.prompt_used, r.negative_prompt, r.style_type, r.style_preset, r.palette, r.aspect_ratio, r.resolution,
        r.seed, r.rendering_speed, r.job_id, r.is_input, Jsonb(item.metadata), list(r.tags),
    )
