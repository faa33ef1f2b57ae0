"""A job: one request to the service, from the moment it is written down to its stored results."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..api.requests import ApiRequest, Operation
from ..api.v2_requests import V2Request

#: A v1 request type or a v2 request (addressed by operation and model).
AnyRequest = ApiRequest | V2Request


class JobState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: Found sending or downloading at start-up: the app stopped mid-way. Offered for re-run,
    #: never resent silently (a resend costs money).
    INTERRUPTED = "interrupted"
    #: v2 async: the service accepted it (its generation_id is journalled); the queue polls it.
    #: Found at start-up, polling resumes: it is never POSTed again.
    POLLING = "polling"
    #: v2 async: the service no longer knows the generation (404). Inputs kept; never re-sent.
    LOST = "lost"
    #: Held back by the designer (a batch paused): never sent until resumed. Journalled, so a
    #: paused batch is still paused after a restart, and nothing of it is sent twice.
    PAUSED = "paused"

    @property
    def finished(self) -> bool:
        return self in FINISHED

    @property
    def active(self) -> bool:
        return self in (JobState.SENDING, JobState.POLLING, JobState.DOWNLOADING)


FINISHED = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED, JobState.LOST})


@dataclass(eq=False)
class Job:
    """Mutable while it runs; every change of state is written to the journal by the queue."""

    operation: Operation
    request: AnyRequest
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: JobState = JobState.QUEUED
    #: Content hashes of the stored input images, by form field (image, mask, references).
    input_hashes: dict[str, list[str]] = field(default_factory=dict)
    result_hashes: list[str] = field(default_factory=list)
    #: Images the service withheld as unsafe (billed, nothing to download).
    withheld: int = 0
    error: str | None = None
    #: The service may have run (and billed) it although we saw no answer.
    maybe_billed: bool = False
    #: The service answered 200: the estimate counts as spent.
    billed: bool = False
    estimated_cost: Decimal | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    #: Free-form labels for the UI ("preview: WATERCOLOR", "compare"), stored with the job.
    tags: dict[str, Any] = field(default_factory=dict)
    #: Downloads finished / expected, while downloading.
    progress: tuple[int, int] = (0, 0)
    #: The raw response, kept so an interrupted download can be resumed while links live.
    response: dict[str, Any] | None = None
    #: A human line about what is happening ("rate limited, retrying in 3 s").
    status_note: str | None = None
    #: The technical side of `error` (exception names, errno, the file), shown under "Details…".
    error_detail: str | None = None
    #: Indexes into the response's images still to fetch and save (a download or a save failed,
    #: or the studio stopped mid-way): "Retry download" fetches them, no new request.
    pending_downloads: list[int] = field(default_factory=list)
    #: When the result links stop working (unix time), once the service has answered.
    links_expire_at: float | None = None
    #: v2: the service's id for the generation (journalled before any poll), and what it cost:
    #: `usage_cost_usd_micros` from the answer or the poll, else the quote (`cost_source` says which).
    generation_id: str | None = None
    actual_cost: Decimal | None = None
    cost_source: str | None = None
    billing_identifier: str | None = None
    #: The price quote shown before sending (usd, qualifier, upper bound), when there was one.
    quote: dict[str, Any] | None = None
    #: v2: why the service could not make it (`failure_reason` of a failed generation).
    failure_reason: str | None = None

    @property
    def image_count(self) -> int:
        return self.request.image_count()

    @property
    def batch(self) -> str | None:
        """The name of the batch this job belongs to (batch/plan.py tags it), if any."""
        name = self.tags.get("batch")
        return str(name) if name else None

    @property
    def cleared(self) -> bool:
        """Cleared from the jobs panel by the designer (kept in the journal, not shown again)."""
        return bool(self.tags.get("cleared"))

    @property
    def source_hash(self) -> str | None:
        """The image this job transforms (lineage parent), if any."""
        for name in ("image", "image_file"):
            hashes = self.input_hashes.get(name)
            if hashes:
                return hashes[0]
        return None

    @property
    def mask_hash(self) -> str | None:
        hashes = self.input_hashes.get("mask")
        return hashes[0] if hashes else None

    def record(self) -> dict[str, Any]:
        """JSON-safe journal record (the request's images are referenced by hash only)."""
        return {
            "id": self.id,
            "operation": self.operation.value,
            "state": self.state.value,
            "request": self.request.fields_json(),
            "input_hashes": self.input_hashes,
            "result_hashes": self.result_hashes,
            "withheld": self.withheld,
            "error": self.error,
            "maybe_billed": self.maybe_billed,
            "billed": self.billed,
            "estimated_cost": None if self.estimated_cost is None else str(self.estimated_cost),
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "tags": self.tags,
            "response": self.response,
            "pending_downloads": self.pending_downloads,
            "links_expire_at": self.links_expire_at,
            "error_detail": self.error_detail,
            **self.v2_record(),
        }

    @property
    def counted_cost(self) -> Decimal | None:
        """What the spend totals count: the actual cost when known, else the estimate."""
        return self.actual_cost if self.actual_cost is not None else self.estimated_cost

    def v2_record(self) -> dict[str, Any]:
        """The v2 part of the journal record (absent for v1 jobs)."""
        if not isinstance(self.request, V2Request):
            return {}
        return {
            "api": "v2",
            "model": self.request.model,
            "generation_id": self.generation_id,
            "actual_cost": None if self.actual_cost is None else str(self.actual_cost),
            "cost_source": self.cost_source,
            "billing_identifier": self.billing_identifier,
            "quote": self.quote,
            "failure_reason": self.failure_reason,
        }


class JobEventKind(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    RESULT = "result"
    REMOVED = "removed"


@dataclass(frozen=True)
class JobEvent:
    kind: JobEventKind
    job: Job
    #: For RESULT: the content hash of the stored image.
    image_hash: str | None = None
    #: For RESULT: the image's place in the service's answer (results are stored as their downloads finish).
    result_index: int = 0
