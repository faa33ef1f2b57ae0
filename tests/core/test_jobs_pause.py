"""Batch pause and resume (journal-first: a paused batch survives a restart paused and nothing is
sent twice), a batch's progress in words, clearing finished jobs, the one-time crash notice."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.gallery import Gallery
from ideogram_studio.jobs import Job, JobQueue, JobState, batch_progress, latest_batch
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import Fault, SandboxState, sandbox_transport

from .helpers import until, wait_finished
from .memory_store import MemoryJobStore

GENERATE = "/v1/ideogram-v3/generate"


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def client(sandbox_app: Starlette) -> AsyncIterator[IdeogramClient]:
    async with IdeogramClient(
        api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app), sleep=no_sleep
    ) as c:
        yield c


@pytest.fixture
def gallery(tmp_path: Path) -> AsyncIterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


def batch_of(n: int, name: str = "mugs") -> list[tuple[GenerateRequest, dict[str, object]]]:
    return [
        (GenerateRequest(prompt=f"a mug {row}", seed=row), {"batch": name, "batch_row": row}) for row in range(1, n + 1)
    ]


class Gone:
    """The journal as a dead process sees it: nothing it does reaches the disk any more."""

    def __getattr__(self, name: str) -> object:
        def refuse(*_: object, **__: object) -> None:
            raise OSError("the process is gone")

        return refuse


async def kill(queue: JobQueue) -> None:
    """The studio "dies": no clean close; its running tasks stop and write nothing more."""
    queue._closed = True
    queue.store = Gone()  # type: ignore[assignment]
    for task in list(queue._running.values()):
        task.cancel()
    await asyncio.gather(*queue._running.values(), return_exceptions=True)


@pytest.mark.parametrize("storage", ["memory", "gallery"])
async def test_a_paused_batch_survives_a_restart_paused_and_nothing_is_sent_twice(
    client: IdeogramClient, sandbox_state: SandboxState, gallery: Gallery, storage: str
) -> None:
    store = MemoryJobStore() if storage == "memory" else GalleryJobStore(gallery)
    first = JobQueue(client, store, capacity=1)  # one image in flight: the rest of the batch waits in line
    sandbox_state.inject(Fault.latency(0.5, endpoint="generate", times=1))
    jobs = await first.submit_many(batch_of(5))
    await until(lambda: jobs[0].state is JobState.SENDING, "the first row to be sent")
    paused = await first.pause_batch("mugs")
    assert [j.id for j in paused] == [j.id for j in jobs[1:]]
    assert all(j.state is JobState.PAUSED for j in jobs[1:])
    journal = {r["id"]: r["state"] for r in store.load_jobs(None, None)}
    assert [journal[j.id] for j in jobs[1:]] == ["paused"] * 4  # on disk before anything else happens
    await wait_finished(first, jobs[0].id)  # the row already sent finishes; nothing else goes
    assert jobs[0].state is JobState.DONE
    assert sandbox_state.requests_seen[GENERATE] == 1
    assert batch_progress(first.jobs.values(), "mugs").text() == "Batch “mugs”: 1 of 5 done · paused"

    await kill(first)
    second = JobQueue(client, store, capacity=1)
    cut_short = await second.recover()
    assert cut_short == [] and second.recovered == []  # paused is not "interrupted": no crash notice
    again = second.batch_jobs("mugs")
    assert [j.state for j in again] == [JobState.DONE] + [JobState.PAUSED] * 4
    assert not second._pending and not second._running  # nothing sent at start
    assert sandbox_state.requests_seen[GENERATE] == 1

    resumed = await second.resume_batch("mugs")
    assert [j.request.prompt for j in resumed] == [f"a mug {row}" for row in range(2, 6)]  # in row order
    await wait_finished(second, *(j.id for j in resumed))
    assert all(j.state is JobState.DONE for j in second.batch_jobs("mugs"))
    assert sandbox_state.requests_seen[GENERATE] == 5  # each row paid once
    assert batch_progress(second.jobs.values(), "mugs").text() == "Batch “mugs”: 5 of 5 done"
    await second.aclose()


async def test_a_paused_job_can_be_cancelled_and_a_close_keeps_it_paused(
    client: IdeogramClient, sandbox_state: SandboxState
) -> None:
    store = MemoryJobStore()
    queue = JobQueue(client, store, capacity=1)
    sandbox_state.inject(Fault.latency(0.3, endpoint="generate", times=1))
    jobs = await queue.submit_many(batch_of(3))
    await until(lambda: jobs[0].state is JobState.SENDING, "the first row to be sent")
    await queue.pause_batch("mugs")
    queue.cancel(jobs[1].id)
    assert jobs[1].state is JobState.CANCELLED and "nothing was billed" in (jobs[1].error or "")
    await queue.aclose()  # a clean close: a queued job is cancelled, a paused one stays paused
    assert store.records[jobs[2].id]["state"] == "paused"
    assert store.records[jobs[1].id]["state"] == "cancelled"
    assert sandbox_state.requests_seen[GENERATE] == 1


async def test_a_pause_the_journal_refuses_leaves_the_batch_in_line(
    client: IdeogramClient, sandbox_state: SandboxState
) -> None:
    store = MemoryJobStore()
    queue = JobQueue(client, store, capacity=1)
    sandbox_state.inject(Fault.latency(0.3, endpoint="generate", times=1))
    jobs = await queue.submit_many(batch_of(3))
    await until(lambda: jobs[0].state is JobState.SENDING, "the first row to be sent")
    store.fail_journal_with = OSError(28, "No space left on device")
    with pytest.raises(OSError):
        await queue.pause_batch("mugs")
    assert [j.state for j in jobs[1:]] == [JobState.QUEUED, JobState.QUEUED]  # as the journal says
    store.fail_journal_with = None
    await wait_finished(queue, *(j.id for j in jobs))
    assert all(j.state is JobState.DONE for j in jobs)
    await queue.aclose()


async def test_clear_finished_keeps_unfinished_and_paid_for_downloads_and_stays_cleared(
    client: IdeogramClient, sandbox_state: SandboxState
) -> None:
    store = MemoryJobStore()
    queue = JobQueue(client, store)
    done = await queue.submit(GenerateRequest(prompt="done"))
    await wait_finished(queue, done.id)
    sandbox_state.inject(Fault.error(400, endpoint="generate", times=1))
    failed = await queue.submit(GenerateRequest(prompt="failed"))
    await wait_finished(queue, failed.id)
    unpaid_download = await queue.submit(GenerateRequest(prompt="kept"))
    await wait_finished(queue, unpaid_download.id)
    # A billed job whose result is still at the service (a full disk, say): it must stay on the list.
    unpaid_download.pending_downloads, unpaid_download.links_expire_at = [0], None
    sandbox_state.inject(Fault.latency(5, endpoint="generate"))
    running = await queue.submit(GenerateRequest(prompt="running"))
    removed: list[str] = []
    queue.subscribe(lambda e: removed.append(e.job.id) if e.kind.value == "removed" else None)

    cleared = await queue.clear_finished()
    assert {j.id for j in cleared} == {done.id, failed.id} == set(removed)
    assert set(queue.jobs) == {unpaid_download.id, running.id}
    queue.cancel(running.id)
    await wait_finished(queue, running.id)
    await kill(queue)
    later = JobQueue(client, store)
    await later.recover()
    assert done.id not in later.jobs and failed.id not in later.jobs  # a restart does not bring them back
    assert unpaid_download.id in later.jobs and running.id in later.jobs
    assert store.records[done.id]["state"] == "done"  # the journal keeps them (spend, lineage)
    await later.aclose()


class SlowOutcome(MemoryJobStore):
    """A journal whose write of a finished job's outcome waits (a library busy with other writes)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def save_job(self, job: Job) -> None:
        if job.state.finished:
            self.release.wait(10)
        super().save_job(job)


async def test_clear_finished_right_after_a_job_shows_done_clears_it(client: IdeogramClient) -> None:
    store = SlowOutcome()
    queue = JobQueue(client, store)
    job = await queue.submit(GenerateRequest(prompt="just done"))
    await until(lambda: job.state is JobState.DONE, "the job to show done")  # its outcome not yet journalled
    clearing = asyncio.ensure_future(queue.clear_finished())
    await asyncio.sleep(0.05)
    store.release.set()
    cleared = await clearing
    assert [j.id for j in cleared] == [job.id] and job.id not in queue.jobs
    assert store.records[job.id]["state"] == "done"
    await queue.aclose()


async def test_jobs_cut_short_are_announced_by_the_one_start_that_finds_them(
    client: IdeogramClient, sandbox_state: SandboxState
) -> None:
    store = MemoryJobStore()
    first = JobQueue(client, store)
    sandbox_state.inject(Fault.latency(10, endpoint="generate"))
    job = await first.submit(GenerateRequest(prompt="cut"))
    await until(lambda: store.records[job.id]["state"] == "sending", "the journal to say sending")
    await kill(first)
    second = JobQueue(client, store)
    assert [j.id for j in await second.recover()] == [job.id]
    await second.aclose()
    third = JobQueue(client, store)
    assert await third.recover() == [] and third.recovered == []  # the next start says nothing again
    assert third.jobs[job.id].state is JobState.INTERRUPTED  # still listed, with its Retry
    await third.aclose()


def job(name: str | None, state: JobState, created: float, **tags: object) -> Job:
    j = Job(operation=GenerateRequest(prompt="x").operation, request=GenerateRequest(prompt="x"), state=state)
    j.created_at = created
    j.tags = {**({"batch": name} if name else {}), **tags}
    return j


def test_a_batch_counts_a_retried_row_once_by_its_retry() -> None:
    failed = job("B", JobState.FAILED, 1)
    jobs = [
        job("B", JobState.DONE, 0),
        failed,
        job("B", JobState.SENDING, 3, retry_of=failed.id),
        job("B", JobState.QUEUED, 2),
    ]
    progress = batch_progress(jobs, "B")
    assert (progress.total, progress.done, progress.failed, progress.running, progress.queued) == (3, 1, 0, 1, 1)
    assert progress.text() == "Batch “B”: 1 of 3 done · 2 to go"
    assert progress.can_pause and not progress.can_resume


def test_the_batch_shown_is_the_newest_with_work_left() -> None:
    jobs = [job("old", JobState.PAUSED, 1), job("new", JobState.DONE, 5), job(None, JobState.QUEUED, 9)]
    assert latest_batch(jobs) == "old"
    jobs[0].state = JobState.CANCELLED
    assert latest_batch(jobs) == "new"
    assert latest_batch([job(None, JobState.DONE, 1)]) is None
