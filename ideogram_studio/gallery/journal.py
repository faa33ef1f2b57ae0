"""The job journal's table: data access only (the jobs package owns states and their logic).

A job is written here before its request is sent, with the hashes of its stored input images,
so it can be re-run after a crash from the gallery alone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from ._util import dumps, from_iso, to_iso, utcnow
from .db import Database
from .errors import GalleryError, NotFoundError
from .metadata import check_no_secrets


@dataclass
class JobRecord:
    id: str
    operation: str
    state: str
    #: The request's JSON fields (no files, never a key).
    request: dict[str, Any] = field(default_factory=dict)
    #: Form field → hashes of the stored input images (`image`, `mask`, `style_reference_images`…).
    input_hashes: dict[str, list[str]] = field(default_factory=dict)
    result_hashes: list[str] = field(default_factory=list)
    error: str | None = None
    estimated_cost: Decimal | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: The service answered: the estimate counts as spent (withheld images included).
    billed: bool = False
    #: The queue's other notes (withheld count, maybe-billed, labels, raw response); JSON, never a key.
    extra: dict[str, Any] = field(default_factory=dict)


_COLUMNS = (
    "id", "operation", "state", "request", "input_hashes", "result_hashes", "error", "estimated_cost",
    "created_at", "updated_at", "started_at", "finished_at", "billed", "extra",
)
_UPDATABLE = frozenset(_COLUMNS) - {"id"}
_INSERT = f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})"


def _encode(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "billed":
        return int(bool(value))
    if name in ("request", "input_hashes", "result_hashes", "extra"):
        check_no_secrets(value, "the job's request")
        return dumps(value)
    if name == "estimated_cost":
        return str(Decimal(value))
    if name.endswith("_at"):
        if not isinstance(value, datetime):
            raise GalleryError(f"{name} must be a datetime")
        return to_iso(value)
    return str(value)


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _record(r: sqlite3.Row) -> JobRecord:
    return JobRecord(
        id=r["id"],
        operation=r["operation"],
        state=r["state"],
        request=json.loads(r["request"]),
        input_hashes=json.loads(r["input_hashes"]),
        result_hashes=json.loads(r["result_hashes"]),
        error=r["error"],
        estimated_cost=_decimal(r["estimated_cost"]),
        created_at=from_iso(r["created_at"]),
        updated_at=from_iso(r["updated_at"]),
        started_at=from_iso(r["started_at"]) if r["started_at"] else None,
        finished_at=from_iso(r["finished_at"]) if r["finished_at"] else None,
        billed=bool(r["billed"]),
        extra=json.loads(r["extra"] or "{}"),
    )


class JobJournal:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert_job(self, job: JobRecord) -> None:
        values = [_encode(c, getattr(job, c)) for c in _COLUMNS]
        values[0] = job.id
        with self.db.transaction() as conn:
            try:
                conn.execute(_INSERT, values)
            except sqlite3.IntegrityError:
                raise GalleryError(f"A job with id {job.id!r} is already in the journal.") from None

    def insert_jobs(self, jobs: list[JobRecord]) -> None:
        """Many new jobs in one transaction (a batch): one flush to disk instead of one per job."""
        rows = []
        for job in jobs:
            values = [_encode(c, getattr(job, c)) for c in _COLUMNS]
            values[0] = job.id
            rows.append(values)
        with self.db.transaction() as conn:
            try:
                conn.executemany(_INSERT, rows)
            except sqlite3.IntegrityError:
                raise GalleryError("A job of this batch is already in the journal.") from None

    def update_job(self, job_id: str, **changes: Any) -> JobRecord:
        """Change some columns (updated_at is set to now unless given); returns the new record."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise GalleryError(f"Unknown job field(s): {', '.join(sorted(unknown))}")
        changes.setdefault("updated_at", utcnow())
        cols = list(changes)
        with self.db.transaction() as conn:
            cur = conn.execute(
                f"UPDATE jobs SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                [*(_encode(c, changes[c]) for c in cols), job_id],
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No job {job_id!r} in the journal.")
            return _record(conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())

    def get_job(self, job_id: str) -> JobRecord | None:
        with self.db.read() as conn:
            r = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _record(r) if r else None

    def update_jobs(self, changes: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        """Change some columns of many jobs in one transaction (a batch paused or resumed, finished
        jobs cleared): all or nothing, one flush to disk."""
        now = utcnow()
        with self.db.transaction() as conn:
            for job_id, job_changes in changes:
                unknown = set(job_changes) - _UPDATABLE
                if unknown:
                    raise GalleryError(f"Unknown job field(s): {', '.join(sorted(unknown))}")
                values = {"updated_at": now, **job_changes}
                cols = list(values)
                cur = conn.execute(
                    f"UPDATE jobs SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                    [*(_encode(c, values[c]) for c in cols), job_id],
                )
                if cur.rowcount == 0:
                    raise NotFoundError(f"No job {job_id!r} in the journal.")

    def jobs_in_states(self, states: Iterable[str]) -> list[JobRecord]:
        """Jobs in any of these states, oldest first (e.g. to offer interrupted jobs for re-run)."""
        states = list(states)
        if not states:
            return []
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM jobs WHERE state IN ({','.join('?' * len(states))}) ORDER BY created_at, id", states
            ).fetchall()
        return [_record(r) for r in rows]

    def recent_jobs(self, limit: int = 100) -> list[JobRecord]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?", (limit,)).fetchall()
        return [_record(r) for r in rows]

    def delete_job(self, job_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    # ---- spending --------------------------------------------------------------------------------
    def spend_between(
        self, start: datetime, end: datetime | None = None, *, states: Iterable[str] | None = None,
        billed_only: bool = False,
    ) -> Decimal:
        """Sum of estimated_cost of jobs created in [start, end), exact (Decimal, never float)."""
        sql = "SELECT estimated_cost FROM jobs WHERE estimated_cost IS NOT NULL AND created_at >= ?"
        if billed_only:
            sql += " AND billed = 1"
        params: list[Any] = [to_iso(start)]
        if end is not None:
            sql += " AND created_at < ?"
            params.append(to_iso(end))
        if states is not None:
            st = list(states)
            sql += f" AND state IN ({','.join('?' * len(st))})" if st else " AND 0"
            params.extend(st)
        with self.db.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return sum((d for (t,) in rows if (d := _decimal(t)) is not None), Decimal(0))

    def spend_since(
        self, since: datetime, *, states: Iterable[str] | None = None, billed_only: bool = False
    ) -> Decimal:
        return self.spend_between(since, None, states=states, billed_only=billed_only)

    def spend_on(
        self, day: date, tz: tzinfo | None = None, *, states: Iterable[str] | None = None, billed_only: bool = False
    ) -> Decimal:
        """Sum for one calendar day in `tz` (default: this computer's local time zone)."""
        zone = tz or datetime.now().astimezone().tzinfo
        start = datetime.combine(day, time.min, tzinfo=zone)
        return self.spend_between(start, start + timedelta(days=1), states=states, billed_only=billed_only)

    def job_rows(self) -> list[Mapping[str, Any]]:
        """Every job as raw column values (for salvage during a rebuild)."""
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM jobs").fetchall()]
