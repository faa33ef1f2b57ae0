"""The queue's storage on the real gallery: inputs and results as image files with metadata and
lineage, and the job journal in the gallery's index (one database, one backup)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..api.responses import GeneratedImage
from ..gallery import Gallery, JobRecord, StorageError
from ..gallery.metadata import redact_secrets
from .model import Job

log = logging.getLogger(__name__)

#: Input fields that hold files other than images, and where they are kept (inside the library).
NON_IMAGE_ROLES = frozenset({"font_candidate_files"})
NON_IMAGE_DIR = "job-files"
#: Input fields that are the parent of a result; the others are references.
PARENT_FIELDS = ("image", "image_file")


class GalleryJobStore:
    def __init__(self, gallery: Gallery) -> None:
        self.gallery = gallery

    def store_input(self, data: bytes, *, role: str) -> str:
        if role in NON_IMAGE_ROLES:
            return self._store_file(data)
        return self.gallery.store_input(data, role).hash

    def read_input(self, image_hash: str) -> bytes:
        kept = self._files_dir / image_hash
        if kept.is_file():
            return kept.read_bytes()
        return self.gallery.read_bytes(image_hash)

    @property
    def _files_dir(self) -> Path:
        return self.gallery.data_dir / NON_IMAGE_DIR

    def _store_file(self, data: bytes) -> str:
        """A job input that is not an image (layerize's candidate fonts): kept by content hash
        beside the library, so the journal can rebuild the request; never in the image grid."""
        digest = hashlib.sha256(data).hexdigest()
        target = self._files_dir / digest
        if not target.is_file():
            self._files_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        return digest

    def store_result(self, data: bytes, *, job: Job, image: GeneratedImage, index: int) -> str:
        parents = [h for f in PARENT_FIELDS for h in job.input_hashes.get(f, [])]
        references = {
            f: hs for f, hs in job.input_hashes.items() if f not in (*PARENT_FIELDS, "mask", *NON_IMAGE_ROLES)
        }
        response = {
            "prompt": image.prompt,
            "resolution": image.resolution,
            "upscaled_resolution": image.upscaled_resolution,
            "seed": image.seed,
            "style_type": image.style_type,
            "is_image_safe": image.is_image_safe,
            "index": index,
            # A batch's name and row live in the file too, so a rebuilt index still knows them.
            "batch": job.tags.get("batch"),
            "batch_row": job.tags.get("batch_row"),
            **_v2_image_fields(job),
            **_layer_fields(job),
        }
        stored = self.gallery.store_image(
            data,
            operation=job.tags.get("operation_label", job.operation.value),
            request_fields=job.request.fields_json(),
            response_fields={k: v for k, v in response.items() if v is not None},
            parents=parents,
            mask=job.mask_hash,
            references=references,
            job_id=job.id,
            input_colour=job.tags.get("colour_notes"),
        )
        return stored.hash

    def check_space(self, images: int) -> None:
        self.gallery.check_space(images)

    def save_job(self, job: Job) -> None:
        """Journal the job. On a full disk the space reserve is given to the journal and the write
        tried once more: that the job was billed, and where its results are, must not be lost."""
        try:
            self._save_job(job)
        except StorageError as exc:
            if not exc.disk_full or not self.gallery.release_space_reserve():
                raise
            log.warning("journal write of job %s on a full disk: retried with the space reserve", job.id)
            self._save_job(job)

    def save_new_jobs(self, jobs: list[Job]) -> None:
        """Journal many new jobs at once (a batch), with the same full-disk rescue as save_job."""
        records = [_to_record(job) for job in jobs]
        try:
            self.gallery.insert_jobs(records)
        except StorageError as exc:
            if not exc.disk_full or not self.gallery.release_space_reserve():
                raise
            log.warning("journal write of %d jobs on a full disk: retried with the space reserve", len(jobs))
            self.gallery.insert_jobs(records)

    def save_jobs(self, jobs: list[Job]) -> None:
        """Journal the changes of many known jobs at once (a batch paused or resumed, finished jobs
        cleared): one transaction, all or nothing."""
        changes = []
        for job in jobs:
            record = _to_record(job)
            changes.append((job.id, {k: getattr(record, k) for k in _MUTABLE}))
        self.gallery.update_jobs(changes)

    def _save_job(self, job: Job) -> None:
        record = _to_record(job)
        if self.gallery.get_job(job.id) is None:
            self.gallery.insert_job(record)
        else:
            changes = {k: getattr(record, k) for k in _MUTABLE}
            self.gallery.update_job(job.id, **changes)

    def load_jobs(self, states: list[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        records = self.gallery.jobs_in_states(states) if states is not None else self.gallery.recent_jobs(limit or 500)
        records.sort(key=lambda r: r.created_at, reverse=True)
        return [_to_dict(r) for r in records[:limit]]

    def spend_since(self, timestamp: float) -> Decimal:
        since = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
        return self.gallery.spend_since(since, billed_only=True)


_MUTABLE = (
    "state", "result_hashes", "error", "started_at", "finished_at", "billed", "extra", "input_hashes", "estimated_cost",
)  # fmt: skip


def _v2_image_fields(job: Job) -> dict[str, Any]:
    """What a v2 result needs to be reproduced and re-indexed from its file alone: the model, the
    generation id, privacy (always private), the cost. The seed and the final prompt (the structured
    caption the service used) come with the image's own response fields; quality or speed with
    the request fields."""
    record = job.v2_record()
    if not record:
        return {}
    return {
        "api": "v2",
        "model": record["model"],
        "generation_id": job.generation_id,
        "private": True,
        "billing_identifier": job.billing_identifier,
    }


def _layer_fields(job: Job) -> dict[str, Any]:
    """A layerized image's text blocks (text, box, font, size, colour) live with its base image,
    so a layered PSD or SVG can be exported from the library at any time."""
    blocks = (job.response or {}).get("text_blocks")
    return {"text_blocks": blocks} if isinstance(blocks, list) and blocks else {}


def _ts(value: float | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _to_record(job: Job) -> JobRecord:
    return JobRecord(
        id=job.id,
        operation=job.operation.value,
        state=job.state.value,
        request=job.request.fields_json(),
        input_hashes=job.input_hashes,
        result_hashes=list(job.result_hashes),
        error=job.error,
        # The column the spend totals sum: the actual cost once the service said it (v2), else
        # the estimate; the estimate itself is kept in `extra`.
        estimated_cost=job.counted_cost,
        created_at=_ts(job.created_at) or dt.datetime.now(dt.UTC),
        started_at=_ts(job.started_at),
        finished_at=_ts(job.finished_at),
        billed=job.billed,
        extra={
            "withheld": job.withheld,
            "maybe_billed": job.maybe_billed,
            "tags": job.tags,
            # What the service answered, minus any field named like a credential (a server may echo one).
            "response": redact_secrets(job.response),
            "pending_downloads": job.pending_downloads,
            "links_expire_at": job.links_expire_at,
            "error_detail": job.error_detail,
            "estimate": None if job.estimated_cost is None else str(job.estimated_cost),
            **job.v2_record(),
        },
    )


def _to_dict(record: JobRecord) -> dict[str, Any]:
    extra = record.extra or {}
    return {
        "id": record.id,
        "operation": record.operation,
        "state": record.state,
        "request": record.request,
        "input_hashes": record.input_hashes,
        "result_hashes": record.result_hashes,
        "withheld": extra.get("withheld", 0),
        "error": record.error,
        "maybe_billed": extra.get("maybe_billed", False),
        "billed": record.billed,
        "estimated_cost": extra["estimate"] if "estimate" in extra else (
            None if record.estimated_cost is None else str(record.estimated_cost)
        ),
        "created_at": record.created_at.timestamp(),
        "started_at": record.started_at.timestamp() if record.started_at else None,
        "finished_at": record.finished_at.timestamp() if record.finished_at else None,
        "tags": extra.get("tags", {}),
        "response": extra.get("response"),
        "pending_downloads": extra.get("pending_downloads", []),
        "links_expire_at": extra.get("links_expire_at"),
        "error_detail": extra.get("error_detail"),
        **{k: extra[k] for k in V2_KEYS if k in extra},
    }


#: The v2 part of a journal record (Job.v2_record), carried in `extra`.
V2_KEYS = (
    "api", "model", "generation_id", "actual_cost", "cost_source", "billing_identifier", "quote", "failure_reason",
)  # fmt: skip
