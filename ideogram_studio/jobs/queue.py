"""The job queue: write the job down, send it, download every result at once, store it.

Order of work for one job (principle 1, "nothing is lost"):
  1. inputs stored and the job written to the journal (state queued) before anything is sent;
  2. sending -> the client (its limiter, retries); the raw response is journalled at once;
  3. downloading -> each result fetched and stored with lineage as soon as it arrives;
  4. done / failed / cancelled, journalled.
At start-up, journal entries left in sending or downloading become interrupted and are offered
for re-run; they are never resent silently, since a resend costs money.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..api.client import IdeogramClient
from ..api.errors import ApiError
from ..api.images import ImageFile
from ..api.requests import BY_OPERATION, Operation
from ..api.responses import ImageResponse, LayerizeTextResponse
from ..api.v2_client import GenerationLostError
from ..api.v2_requests import V2Request
from ..batch.pricing import price_key
from . import v2_jobs
from .model import FINISHED, AnyRequest, Job, JobEvent, JobEventKind, JobState
from .results import (
    NothingToDownloadError,
    ResultFailures,
    ResultsNotKept,
    can_retry_download,
    downloadable,
    links_expire_at,
    until_text,
)
from .store import JobStore

log = logging.getLogger(__name__)
Listener = Callable[[JobEvent], None]


class BudgetExceededError(ApiError):
    """The job would take today's spend over the cap the designer set."""


FINISHED_VALUES = frozenset(state.value for state in FINISHED)
#: The longest Clear finished waits for a finished job's outcome to be journalled.
FINISHING_WAIT = 10.0

POLL_CANCELLED = (
    "Cancelled while Ideogram was making it: the service may still finish and bill it. Nothing was sent again."
)


class JobNotFoundError(KeyError):
    pass


def _with_colour(request: AnyRequest, tags: dict[str, Any] | None) -> dict[str, Any]:
    """The job's tags, with what became of its inputs' colour profiles ("Converted from Display P3
    to sRGB.") by form field: the stored inputs are the converted bytes, so the note is kept here
    (journalled, and written into each result) for the detail panel. A retry keeps its first notes."""
    out = dict(tags or {})
    notes = {name: [getattr(f, "colour_note", "") for f in files] for name, files in request.files().items()}
    notes = {name: found for name, found in notes.items() if any(found)}
    if notes:
        out["colour_notes"] = notes
    return out


class JobQueue:
    def __init__(
        self,
        client: IdeogramClient,
        store: JobStore,
        *,
        budget_cap: Decimal | None = None,
        capacity: int | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.budget_cap = budget_cap
        #: Images allowed in flight by this queue (defaults to the client's limiter capacity).
        self.capacity = capacity or client.limiter.capacity
        self.jobs: dict[str, Job] = {}
        self._pending: deque[Job] = deque()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._listeners: list[Listener] = []
        self._streams: list[asyncio.Queue[JobEvent]] = []
        self._session_started = time.time()
        self._closed = False
        #: The jobs this start found cut short (by the session before): announced once, then forgotten.
        self.recovered: list[Job] = []
        #: Journal writes started from synchronous commands (cancel), kept until they finish.
        self._side_tasks: set[asyncio.Task[None]] = set()

    # ---- observing -----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every event; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def events(self) -> AsyncIterator[JobEvent]:
        """An async stream of events, for as long as the caller iterates."""
        stream: asyncio.Queue[JobEvent] = asyncio.Queue()
        self._streams.append(stream)
        try:
            while True:
                yield await stream.get()
        finally:
            self._streams.remove(stream)

    def _emit(self, kind: JobEventKind, job: Job, image_hash: str | None = None, result_index: int = 0) -> None:
        event = JobEvent(kind, job, image_hash, result_index)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not break the queue
                log.exception("job listener failed")
        for stream in self._streams:
            stream.put_nowait(event)

    # ---- start-up --------------------------------------------------------------------------
    async def recover(self) -> list[Job]:
        """Load the journal: unfinished jobs become interrupted (offered for re-run, never resent)."""

        def load() -> list[dict[str, Any]]:
            recent = self.store.load_jobs(None, 500)
            # A paused batch is kept whole, however long ago it was queued (it may be 1,000 rows).
            known = {r["id"] for r in recent}
            paused = [r for r in self.store.load_jobs([JobState.PAUSED.value], None) if r["id"] not in known]
            return sorted(recent + paused, key=lambda r: r["created_at"], reverse=True)

        records = await asyncio.to_thread(load)
        interrupted: list[Job] = []
        self.recovered = interrupted
        for record in reversed(records):
            if (record.get("tags") or {}).get("cleared") and record.get("state") in FINISHED_VALUES:
                continue  # cleared from the jobs panel by the designer: the journal keeps it
            try:
                job = await asyncio.to_thread(self._job_from_record, record)
            except (ApiError, KeyError, ValueError) as exc:
                log.warning("journal entry %s cannot be rebuilt: %s", record.get("id"), exc)
                continue
            if v2_jobs.resumable(job):
                # The service has it (its generation_id is journalled): poll again, never POST.
                self.jobs[job.id] = job
                self._emit(JobEventKind.ADDED, job)
                self._start(job, self._run(job, resume=True))
                continue
            if job.state in (JobState.SENDING, JobState.DOWNLOADING, JobState.QUEUED):
                was = job.state
                job.state = JobState.INTERRUPTED
                job.maybe_billed = was is not JobState.QUEUED and not job.billed
                if was is JobState.DOWNLOADING and job.pending_downloads and job.response is not None:
                    n = len(job.pending_downloads)
                    job.error = (
                        f"The studio stopped while this job's results were downloading. It was billed; {n} "
                        f"image{'s are' if n != 1 else ' is'} still at the service {until_text(job.links_expire_at)}: "
                        "press Retry download to fetch them (no new request, no new charge)."
                    )
                else:
                    job.error = (
                        "The studio stopped while this job was "
                        + {"queued": "waiting", "sending": "being sent", "downloading": "downloading"}[was.value]
                        + ". It was not sent again automatically"
                        + (" (it may have been billed)." if job.maybe_billed else ".")
                    )
                try:
                    await asyncio.to_thread(self.store.save_job, job)
                except OSError as exc:  # a full disk: the journal keeps the old state, found again next time
                    log.warning("could not journal the recovery of job %s: %s", job.id, exc)
                interrupted.append(job)
            self.jobs[job.id] = job
            self._emit(JobEventKind.ADDED, job)
        return interrupted

    def _job_from_record(self, record: dict[str, Any]) -> Job:
        operation = Operation(record["operation"])
        request: AnyRequest
        if record.get("api") == "v2":
            request = v2_jobs.request_from_record(record, self.store.read_input)
        else:
            files = {
                name: [ImageFile.from_bytes(self.store.read_input(h), f"{name}.png") for h in hashes]
                for name, hashes in (record.get("input_hashes") or {}).items()
            }
            request = BY_OPERATION[operation].from_parts(record.get("request") or {}, files)
        cost = record.get("estimated_cost")
        job = Job(
            operation=operation,
            request=request,
            id=record["id"],
            state=JobState(record["state"]),
            input_hashes=dict(record.get("input_hashes") or {}),
            result_hashes=list(record.get("result_hashes") or []),
            withheld=int(record.get("withheld") or 0),
            error=record.get("error"),
            maybe_billed=bool(record.get("maybe_billed")),
            billed=bool(record.get("billed")),
            estimated_cost=None if cost is None else Decimal(cost),
            created_at=float(record.get("created_at") or time.time()),
            started_at=record.get("started_at"),
            finished_at=record.get("finished_at"),
            tags=dict(record.get("tags") or {}),
            response=record.get("response"),
            pending_downloads=[int(i) for i in record.get("pending_downloads") or []],
            links_expire_at=record.get("links_expire_at"),
            error_detail=record.get("error_detail"),
        )
        v2_jobs.restore_fields(job, record)
        return job

    # ---- spend -----------------------------------------------------------------------------
    async def spend_today(self) -> Decimal:
        midnight = dt.datetime.combine(dt.date.today(), dt.time()).timestamp()
        return await asyncio.to_thread(self.store.spend_since, midnight)

    async def spend_session(self) -> Decimal:
        return await asyncio.to_thread(self.store.spend_since, self._session_started)

    # ---- commands --------------------------------------------------------------------------
    async def submit(self, request: AnyRequest, *, front: bool = False, tags: dict[str, Any] | None = None) -> Job:
        """Validate, check the budget, store inputs, journal the job, then queue it."""
        if self._closed:
            raise RuntimeError("the queue is closed")
        request.validate()
        cost, quote = await v2_jobs.price(self.client, request)  # (a v1 request through its v2 twin)
        await self._check_budget(cost)
        # A disk that cannot take the results is said now, before anything is stored or billed.
        await asyncio.to_thread(self.store.check_space, request.image_count())
        job = Job(operation=request.operation, request=request, estimated_cost=cost, tags=_with_colour(request, tags))
        job.quote = quote
        job.input_hashes = await asyncio.to_thread(self._store_inputs, request)
        await asyncio.to_thread(self.store.save_job, job)
        self.jobs[job.id] = job
        if front:
            self._pending.appendleft(job)
        else:
            self._pending.append(job)
        self._emit(JobEventKind.ADDED, job)
        self._dispatch()
        return job

    async def submit_many(
        self, items: Sequence[tuple[AnyRequest, dict[str, Any] | None]], *, front: bool = False
    ) -> list[Job]:
        """A batch: every request validated and priced, the budget and the disk checked for the
        whole batch, all jobs journalled in one transaction, then queued in order. All or nothing:
        a problem with any request is raised before anything is stored or sent."""
        if self._closed:
            raise RuntimeError("the queue is closed")
        jobs: list[Job] = []
        total = Decimal(0)
        prices: dict[str, tuple[Decimal | None, dict[str, Any] | None]] = {}
        for request, tags in items:
            request.validate()
            key = price_key(request)  # one quote per price group (a prompt or seed changes no price)
            if key not in prices:
                prices[key] = await v2_jobs.price(self.client, request)
            cost, quote = prices[key]
            total += cost or Decimal(0)
            job = Job(
                operation=request.operation, request=request, estimated_cost=cost, tags=_with_colour(request, tags)
            )
            job.quote = quote
            jobs.append(job)
        await self._check_budget(total if total else None)
        images = sum(job.request.image_count() for job in jobs)
        await asyncio.to_thread(self.store.check_space, images)

        def store_all() -> None:
            for job in jobs:
                job.input_hashes = self._store_inputs(job.request)
            save_many = getattr(self.store, "save_new_jobs", None)
            if save_many is not None:
                save_many(jobs)
            else:
                for job in jobs:
                    self.store.save_job(job)

        await asyncio.to_thread(store_all)
        for job in reversed(jobs) if front else jobs:
            self.jobs[job.id] = job
            if front:
                self._pending.appendleft(job)
            else:
                self._pending.append(job)
            self._emit(JobEventKind.ADDED, job)
        self._dispatch()
        return jobs

    async def _check_budget(self, cost: Decimal | None) -> None:
        if self.budget_cap is None or cost is None:
            return
        spent = await self.spend_today() + self._queued_cost()
        if spent + cost > self.budget_cap:
            raise BudgetExceededError(
                f"This request (≈ ${cost:.2f}) would take today's spend to ≈ ${spent + cost:.2f}, over your "
                f"budget cap of ${self.budget_cap:.2f}. Raise the cap in Settings, or send fewer images."
            )

    def _queued_cost(self) -> Decimal:
        """Cost of jobs accepted but not yet billed (so a burst cannot slip past the cap)."""
        return sum(
            (j.estimated_cost or Decimal(0) for j in self.jobs.values() if not j.state.finished and not j.billed),
            Decimal(0),
        )

    def _store_inputs(self, request: AnyRequest) -> dict[str, list[str]]:
        return {
            name: [self.store.store_input(f.data, role=name) for f in files] for name, files in request.files().items()
        }

    def cancel(self, job_id: str) -> None:
        job = self._get(job_id)
        if job in self._pending or job.state is JobState.PAUSED:
            if job in self._pending:
                self._pending.remove(job)
            # The state changes at once (the UI shows it); the journal write follows in the background.
            note = "Cancelled before it was sent; nothing was billed."
            job.state, job.error = JobState.CANCELLED, note
            self._remember(asyncio.get_running_loop().create_task(self._finish(job, JobState.CANCELLED, note)))
            return
        task = self._running.get(job_id)
        if task is not None:
            task.cancel()

    # ---- pause, resume, clear ------------------------------------------------------------------
    def batch_jobs(self, batch: str) -> list[Job]:
        """The jobs of one batch (batch/plan.py tags them), in the order they were queued."""
        return sorted((j for j in self.jobs.values() if j.batch == batch), key=lambda j: j.created_at)

    async def pause(self, job_ids: Iterable[str]) -> list[Job]:
        """Hold queued jobs back (a batch paused). They leave the line at once, so none of them is
        sent after this call; they are journalled as paused, so a restart finds them paused and
        sends none. Jobs already sent go on (their charge is made). Returns the jobs paused."""
        wanted = set(job_ids)
        held = [job for job in self._pending if job.id in wanted]
        if not held:
            return []
        line = list(self._pending)
        self._pending = deque(job for job in line if job.id not in wanted)
        for job in held:
            job.state = JobState.PAUSED
        try:
            await asyncio.to_thread(self._save_many, held)
        except BaseException:  # not journalled: back in line where they were (minus any sent meanwhile)
            for job in held:
                job.state = JobState.QUEUED
            still = {job.id for job in self._pending} | {job.id for job in held}
            self._pending = deque(job for job in line if job.id in still)
            self._dispatch()
            raise
        for job in held:
            self._emit(JobEventKind.CHANGED, job)
        return held

    async def resume(self, job_ids: Iterable[str]) -> list[Job]:
        """Put paused jobs back in line (journalled as queued first), in the order they were queued."""
        wanted = set(job_ids)
        jobs = sorted(
            (j for j in self.jobs.values() if j.id in wanted and j.state is JobState.PAUSED), key=lambda j: j.created_at
        )
        if not jobs:
            return []
        for job in jobs:
            job.state = JobState.QUEUED
        try:
            await asyncio.to_thread(self._save_many, jobs)
        except BaseException:  # still paused on disk: paused they stay
            for job in jobs:
                job.state = JobState.PAUSED
            raise
        if self._closed:
            return jobs
        self._pending.extend(jobs)
        for job in jobs:
            self._emit(JobEventKind.CHANGED, job)
        self._dispatch()
        return jobs

    async def pause_batch(self, batch: str) -> list[Job]:
        return await self.pause(j.id for j in self.batch_jobs(batch))

    async def resume_batch(self, batch: str) -> list[Job]:
        return await self.resume(j.id for j in self.batch_jobs(batch))

    async def clear_finished(self) -> list[Job]:
        """Take finished jobs off the list. The journal keeps them (spend totals, lineage), marked
        cleared so a restart does not bring them back. A billed job whose results are still to be
        downloaded stays: its Retry download fetches what was paid for."""
        # A job shows "done" before its outcome is journalled: wait for those last writes (a click on
        # Clear finished right after a job finished must clear it, not do nothing).
        finishing = [t for j in self.jobs.values() if j.state.finished and (t := self._running.get(j.id))]
        if finishing:
            await asyncio.wait(finishing, timeout=FINISHING_WAIT)
        jobs = [
            j
            for j in self.jobs.values()
            if j.state.finished and j.id not in self._running and not can_retry_download(j)
        ]
        if not jobs:
            return []
        for job in jobs:
            job.tags = {**job.tags, "cleared": True}
        try:
            await asyncio.to_thread(self._save_many, jobs)
        except BaseException:
            for job in jobs:
                job.tags = {k: v for k, v in job.tags.items() if k != "cleared"}
            raise
        for job in jobs:
            self.jobs.pop(job.id, None)
            self._emit(JobEventKind.REMOVED, job)
        return jobs

    def _save_many(self, jobs: list[Job]) -> None:
        save_many = getattr(self.store, "save_jobs", None)
        if save_many is not None:
            save_many(jobs)
        else:
            for job in jobs:
                self.store.save_job(job)

    async def retry(self, job_id: str, *, front: bool = False) -> Job:
        """Send a failed, cancelled or interrupted job again, as a new job with the same request."""
        old = self._get(job_id)
        if not old.state.finished or old.state is JobState.DONE:
            raise ValueError("only failed, cancelled or interrupted jobs can be retried; use rerun for done ones")
        return await self.submit(old.request, front=front, tags=old.tags | {"retry_of": old.id})

    async def rerun(self, job_id: str) -> Job:
        """Run a finished job's request again (a new job; a new seed unless the request fixed one)."""
        old = self._get(job_id)
        return await self.submit(old.request, tags=old.tags | {"rerun_of": old.id})

    async def retry_download(self, job_id: str) -> Job:
        """Fetch the results a billed job could not keep, from the same links: no new request, no
        new charge. Raises NothingToDownloadError (nothing left, or the links expired) or the
        store's StorageError (the disk is still full) before anything changes."""
        job = self._get(job_id)
        if job.id in self._running:
            raise NothingToDownloadError("This job is already downloading.")
        if not can_retry_download(job):
            if job.pending_downloads and job.response is not None:
                raise NothingToDownloadError(
                    "The links to this job's results have expired (the service keeps them for a limited time). "
                    "Use Re-run to make new images (a new charge)."
                )
            raise NothingToDownloadError("This job has no results left to download.")
        await asyncio.to_thread(self.store.check_space, len(job.pending_downloads))
        job.state, job.status_note = JobState.DOWNLOADING, None  # on screen at once; journalled by the task
        self._emit(JobEventKind.CHANGED, job)
        task = asyncio.get_running_loop().create_task(self._redownload(job), name=f"download-{job.id}")
        self._running[job.id] = task
        task.add_done_callback(functools.partial(self._on_task_done, job.id))
        return job

    async def _redownload(self, job: Job) -> None:
        assert job.response is not None
        job.error = job.error_detail = None
        job.finished_at = None
        try:
            await self._download_all(job, downloadable(job.response), list(job.pending_downloads))
            await self._finish(job, JobState.DONE)
        except asyncio.CancelledError:
            await asyncio.shield(self._finish(job, JobState.CANCELLED, self._cancel_note(job)))
            raise
        except ResultsNotKept as exc:
            job.error_detail = exc.detail
            await self._finish(job, JobState.FAILED, exc.message)
        except OSError as exc:  # the journal could not be written: nothing was fetched
            job.error_detail = str(getattr(exc, "detail", None) or exc)
            await self._finish(job, JobState.FAILED, getattr(exc, "message", None) or str(exc))

    @staticmethod
    def _cancel_note(job: Job) -> str:
        if job.pending_downloads and job.response is not None:
            return "Cancelled while downloading: it was billed; press Retry download to fetch the rest."
        return "Cancelled."

    def _get(self, job_id: str) -> Job:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise JobNotFoundError(job_id) from None

    # ---- running ---------------------------------------------------------------------------
    def _images_running(self) -> int:
        return sum(self.jobs[j].image_count for j in self._running)

    def _dispatch(self) -> None:
        while self._pending and not self._closed:
            job = self._pending[0]
            running = self._images_running()
            if running and running + min(job.image_count, self.capacity) > self.capacity:
                return
            self._pending.popleft()
            self._start(job, self._run(job))

    def _start(self, job: Job, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work, name=f"job-{job.id}")
        self._running[job.id] = task
        task.add_done_callback(functools.partial(self._on_task_done, job.id))

    def _on_task_done(self, job_id: str, _task: asyncio.Task[None]) -> None:
        self._running.pop(job_id, None)
        if not self._closed:
            self._dispatch()

    async def _run(self, job: Job, *, resume: bool = False) -> None:
        """Send the job (or, `resume`, follow its journalled generation), download, store."""
        sent = resume
        try:
            if not resume:
                job.started_at = time.time()
                await self._set_state(job, JobState.SENDING)
                sent = True

            def on_retry(attempt: int, error: ApiError, delay: float) -> None:
                job.status_note = f"{error.message} Retrying in {delay:.0f} s."
                self._emit(JobEventKind.CHANGED, job)

            def notify(j: Job) -> None:
                self._emit(JobEventKind.CHANGED, j)

            response: Any
            if resume:
                response = await v2_jobs.follow(self.client, job, notify)
            elif isinstance(job.request, V2Request):
                response = await v2_jobs.send(self.client, job, self._set_state, notify, on_retry)
            else:
                response = await self.client.send(job.request, on_retry=on_retry)
                v2_jobs.record_cost(job, None, None)  # v1 says no cost: its twin's exact quote is it
            job.status_note = None
            job.billed = True
            if isinstance(response, LayerizeTextResponse):  # v1 layerize: its base image is a result
                response = response.as_image_response()
            if isinstance(response, ImageResponse):
                job.response = response.raw
                await self._download_all(job, response)
            elif response is not None:
                job.response = response.raw
            await self._finish(job, JobState.DONE)
        except asyncio.CancelledError:
            if job.state is JobState.DONE:
                # Cancelled (a quit) while "done" was being journalled: done it stays, never "cancelled".
                await asyncio.shield(self._finish(job, JobState.DONE))
                raise
            if self._closed and job.state is JobState.POLLING:
                # The studio is closing: the journal keeps `polling`, the next start resumes it.
                raise
            if job.state is JobState.POLLING:
                job.maybe_billed = True
                await asyncio.shield(self._finish(job, JobState.CANCELLED, POLL_CANCELLED))
                raise
            note = self._cancel_note(job)
            if sent and not job.billed:
                job.maybe_billed = True
                note = "Cancelled after it was sent: the service may still run and bill it."
            await asyncio.shield(self._finish(job, JobState.CANCELLED, note))
            raise
        except ResultsNotKept as exc:
            job.error_detail = exc.detail
            await self._finish(job, JobState.FAILED, exc.message)
        except GenerationLostError as exc:
            await self._finish(job, JobState.LOST, exc.message)
        except ApiError as exc:
            job.maybe_billed = job.maybe_billed or exc.maybe_billed
            job.error_detail = exc.detail
            await self._finish(job, JobState.FAILED, exc.message)
        except OSError as exc:  # the journal could not be written before sending: nothing was sent
            job.error_detail = str(getattr(exc, "detail", None) or exc)
            message = getattr(exc, "message", None) or f"The library could not be written ({exc.strerror or exc})."
            await self._finish(job, JobState.FAILED, message if sent else f"{message} Nothing was sent.")
        except Exception as exc:  # a bug or an answer nobody foresaw: fail the job, never leave it "sending"
            log.exception("job %s failed unexpectedly", job.id)
            job.maybe_billed = job.maybe_billed or (sent and not job.billed)
            await self._finish(
                job,
                JobState.FAILED,
                f"Something went wrong in the studio while running this job ({type(exc).__name__}); it was not "
                "sent again and its inputs are kept. The details are in the log.",
            )

    async def _download_all(self, job: Job, response: ImageResponse, indexes: list[int] | None = None) -> None:
        """Fetch and store the results (`indexes`: only those, for Retry download). What could not
        be kept stays in `job.pending_downloads`; ResultsNotKept says why."""
        images = list(enumerate(response.data))
        if indexes is None:
            job.withheld = sum(1 for _, img in images if not (img.is_image_safe and img.url))
            wanted = [(i, img) for i, img in images if img.is_image_safe and img.url]
        else:
            chosen = set(indexes)
            wanted = [(i, img) for i, img in images if i in chosen and img.is_image_safe and img.url]
        job.pending_downloads = [i for i, _ in wanted]
        job.links_expire_at = links_expire_at(job, response)
        job.progress = (0, len(wanted))
        try:
            await self._set_state(job, JobState.DOWNLOADING)
        except OSError as exc:  # even the reserve is gone: download anyway, the links expire
            log.warning("could not journal the download of job %s: %s", job.id, exc)
            self._emit(JobEventKind.CHANGED, job)
        failures = ResultFailures()

        async def one(index: int, image: Any) -> None:
            try:
                data = await self.client.download(image)
            except ApiError as exc:
                failures.download.append(exc)
                return
            try:
                image_hash = await asyncio.to_thread(self.store.store_result, data, job=job, image=image, index=index)
            except OSError as exc:  # disk full, read-only: the image stays at the service for Retry download
                failures.storage.append(exc)
                return
            except Exception as exc:  # never lose a billed image to a bug: keep it for Retry download
                log.exception("result %d of job %s could not be stored", index, job.id)
                failures.other.append(exc)
                return
            if image_hash not in job.result_hashes:
                job.result_hashes.append(image_hash)
            job.pending_downloads.remove(index)
            job.progress = (job.progress[0] + 1, job.progress[1])
            self._emit(JobEventKind.RESULT, job, image_hash, index)

        # All at once: the links expire, and the client's limiter is for POSTs only.
        await asyncio.gather(*(one(i, img) for i, img in wanted))
        if failures:
            raise failures.error(job)

    async def _set_state(self, job: Job, state: JobState) -> None:
        job.state = state
        await asyncio.to_thread(self.store.save_job, job)  # journal first: a crash now finds it
        self._emit(JobEventKind.CHANGED, job)

    async def _finish(self, job: Job, state: JobState, error: str | None = None) -> None:
        """Journal the outcome, then tell the listeners: whoever sees "done" finds it on disk."""
        job.state = state
        job.error = error
        job.status_note = None
        job.finished_at = time.time()
        try:
            await asyncio.to_thread(self.store.save_job, job)
        except OSError as exc:
            # The disk is full even for the journal (its reserve spent): the job still finishes on
            # screen. The journal keeps the last state it could write, which the next start reads
            # (a job caught downloading is offered for Retry download, never resent).
            log.warning("could not journal the outcome of job %s: %s", job.id, exc)
        self._emit(JobEventKind.CHANGED, job)

    def _remember(self, task: asyncio.Task[None]) -> None:
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    # ---- shutdown --------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Cancel queued and running jobs and wait for them to be journalled."""
        self._closed = True
        for job in list(self._pending):
            await self._finish(job, JobState.CANCELLED, "Cancelled when the studio closed; nothing was billed.")
        self._pending.clear()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *self._side_tasks, return_exceptions=True)
