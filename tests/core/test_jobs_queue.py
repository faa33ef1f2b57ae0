"""The job queue on the sandbox: journal first, downloads at once, cancel, retry, budget, recovery."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient, RetryPolicy
from ideogram_studio.api.enums import RenderingSpeed
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest, GenerateRequest, RemixRequest
from ideogram_studio.jobs import BudgetExceededError, Job, JobEvent, JobEventKind, JobQueue, JobState
from ideogram_studio.sandbox import Fault, SandboxState, sandbox_transport

from .helpers import mask_bytes, png_bytes, until, wait_finished
from .memory_store import MemoryJobStore


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def client(sandbox_app: Starlette) -> AsyncIterator[IdeogramClient]:
    async with IdeogramClient(
        api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app), sleep=no_sleep
    ) as c:
        yield c


@pytest.fixture
def store() -> MemoryJobStore:
    return MemoryJobStore()


@pytest.fixture
async def queue(client: IdeogramClient, store: MemoryJobStore) -> AsyncIterator[JobQueue]:
    q = JobQueue(client, store)
    yield q
    await q.aclose()


async def test_a_job_is_journalled_before_it_is_sent(
    queue: JobQueue, store: MemoryJobStore, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.latency(0.2, endpoint="generate"))
    seen_at_send: list[str] = []
    queue.subscribe(
        lambda e: seen_at_send.append(store.records[e.job.id]["state"]) if e.job.state is JobState.SENDING else None
    )
    job = await queue.submit(GenerateRequest(prompt="a fox", num_images=2, rendering_speed=RenderingSpeed.TURBO))
    assert store.records[job.id]["state"] == "queued"
    assert store.records[job.id]["request"]["prompt"] == "a fox"
    assert job.estimated_cost == Decimal("0.06")
    await wait_finished(queue, job.id)
    assert seen_at_send and seen_at_send[0] == "sending"
    assert job.state is JobState.DONE
    assert len(job.result_hashes) == 2 and store.records[job.id]["result_hashes"] == job.result_hashes
    assert store.records[job.id]["billed"] is True


async def test_results_are_reported_as_each_is_stored(queue: JobQueue) -> None:
    events: list[JobEvent] = []
    queue.subscribe(events.append)
    job = await queue.submit(GenerateRequest(prompt="x", num_images=3))
    await wait_finished(queue, job.id)
    results = [e for e in events if e.kind is JobEventKind.RESULT]
    assert [e.image_hash for e in results] == job.result_hashes
    assert events[0].kind is JobEventKind.ADDED


async def test_async_event_stream(queue: JobQueue) -> None:
    kinds: list[JobEventKind] = []

    async def listen() -> None:
        async for event in queue.events():
            kinds.append(event.kind)
            if event.kind is JobEventKind.CHANGED and event.job.state.finished:
                return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)
    await queue.submit(GenerateRequest(prompt="x"))
    await asyncio.wait_for(listener, 5)
    assert JobEventKind.RESULT in kinds


async def test_inputs_are_stored_with_the_job_and_lineage_kept(queue: JobQueue, store: MemoryJobStore) -> None:
    source = ImageFile.from_bytes(png_bytes(64, 64), "s.png")
    mask = ImageFile.from_bytes(mask_bytes(64, 64, (0, 0, 20, 20)), "m.png")
    job = await queue.submit(EditRequest(prompt="hat", image=source, mask=mask))
    assert store.blobs[job.input_hashes["image"][0]] == source.data
    assert job.source_hash == job.input_hashes["image"][0] and job.mask_hash == job.input_hashes["mask"][0]
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE


async def test_failed_job_keeps_its_request_and_says_why(queue: JobQueue, sandbox_state: SandboxState) -> None:
    sandbox_state.inject(Fault.error(500))
    job = await queue.submit(GenerateRequest(prompt="x"))
    await wait_finished(queue, job.id)
    assert job.state is JobState.FAILED and job.error and "trouble" in job.error
    sandbox_state.clear_faults()
    again = await queue.retry(job.id)
    await wait_finished(queue, again.id)
    assert again.state is JobState.DONE and again.request == job.request


async def test_retry_after_429_is_shown_as_a_note(queue: JobQueue, sandbox_state: SandboxState) -> None:
    notes: list[str] = []
    queue.subscribe(lambda e: notes.append(e.job.status_note) if e.job.status_note else None)
    sandbox_state.inject(Fault.error(429, retry_after=1, times=1))
    job = await queue.submit(GenerateRequest(prompt="x"))
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE
    assert any("Retrying" in n for n in notes)


async def test_cancel_queued_and_running(queue: JobQueue, store: MemoryJobStore, sandbox_state: SandboxState) -> None:
    sandbox_state.inject(Fault.latency(5, endpoint="generate"))
    big = await queue.submit(GenerateRequest(prompt="a", num_images=8))
    waiting = await queue.submit(GenerateRequest(prompt="b", num_images=4))  # does not fit beside 8
    await until(lambda: big.state is JobState.SENDING, "the big job to be sent")
    assert waiting.state is JobState.QUEUED
    queue.cancel(waiting.id)
    assert waiting.state is JobState.CANCELLED and "nothing was billed" in (waiting.error or "")
    await until(lambda: store.records[waiting.id]["state"] == "cancelled", "the journal to say cancelled")
    queue.cancel(big.id)
    await wait_finished(queue, big.id)
    assert big.state is JobState.CANCELLED and big.maybe_billed


async def test_front_of_queue(queue: JobQueue, sandbox_state: SandboxState) -> None:
    sandbox_state.inject(Fault.latency(0.3, endpoint="generate", times=1))
    first = await queue.submit(GenerateRequest(prompt="first", num_images=8))
    later = await queue.submit(GenerateRequest(prompt="later", num_images=4))
    urgent = await queue.submit(GenerateRequest(prompt="urgent", num_images=4), front=True)
    await wait_finished(queue, first.id, later.id, urgent.id)
    assert urgent.started_at is not None and later.started_at is not None
    assert urgent.started_at <= later.started_at


async def test_budget_cap_refuses_with_a_clear_message(client: IdeogramClient, store: MemoryJobStore) -> None:
    queue = JobQueue(client, store, budget_cap=Decimal("0.10"))
    try:
        done = await queue.submit(GenerateRequest(prompt="x", rendering_speed=RenderingSpeed.DEFAULT))  # 0.06
        await wait_finished(queue, done.id)
        assert await queue.spend_today() == Decimal("0.06")
        with pytest.raises(BudgetExceededError, match=r"budget cap of \$0.10"):
            await queue.submit(GenerateRequest(prompt="x", rendering_speed=RenderingSpeed.DEFAULT))
        assert len(store.records) == 1  # the refused job was never written down nor sent
        assert await queue.spend_session() == Decimal("0.06")
    finally:
        await queue.aclose()


async def test_unsafe_images_count_as_spent(queue: JobQueue) -> None:
    job = await queue.submit(GenerateRequest(prompt="a [withheld] thing", num_images=2))
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE and job.withheld == 1 and len(job.result_hashes) == 1
    assert await queue.spend_today() == job.estimated_cost


async def test_a_download_that_fails_is_fetched_again_without_a_new_request(
    queue: JobQueue, sandbox_state: SandboxState, client: IdeogramClient
) -> None:
    client.retry = RetryPolicy(attempts=2)
    sandbox_state.inject(Fault.truncate())
    job = await queue.submit(GenerateRequest(prompt="x"))
    await wait_finished(queue, job.id)
    assert job.state is JobState.FAILED and job.billed and job.pending_downloads == [0]
    assert "Retry download" in (job.error or "") and "no new charge" in (job.error or "")
    assert "re-run" not in (job.error or "").lower()  # (said twice before, and it would pay again)
    assert "Error" not in (job.error or "")  # exception names go to the details, not the sentence
    assert job.error_detail and "RemoteProtocolError" in job.error_detail
    sent = sandbox_state.requests_seen["/v1/ideogram-v3/generate"]
    sandbox_state.clear_faults()
    await queue.retry_download(job.id)
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE and len(job.result_hashes) == 1 and job.pending_downloads == []
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == sent  # nothing resent, nothing billed
    assert sandbox_state.image_requests_with_api_key == 0  # Retry download never sends the key either


async def test_a_full_disk_keeps_the_links_for_retry_download(
    queue: JobQueue, store: MemoryJobStore, sandbox_state: SandboxState
) -> None:
    store.fail_results_with = OSError(errno.ENOSPC, "No space left on device")
    job = await queue.submit(GenerateRequest(prompt="x", num_images=2))
    await wait_finished(queue, job.id)
    assert job.state is JobState.FAILED and job.billed and sorted(job.pending_downloads) == [0, 1]
    assert "the 2 images of this job are kept at the service" in (job.error or "").lower()
    assert "Retry download" in (job.error or "")
    record = store.records[job.id]
    assert record["request"]["prompt"] == "x" and sorted(record["pending_downloads"]) == [0, 1]
    # Still full: Retry download says so before fetching anything.
    store.fail_space_with = OSError(errno.ENOSPC, "The disk holding your library is full")
    with pytest.raises(OSError, match="full"):
        await queue.retry_download(job.id)
    assert job.state is JobState.FAILED
    # Space freed: the same links, no new request.
    store.fail_space_with = store.fail_results_with = None
    sent = sandbox_state.requests_seen["/v1/ideogram-v3/generate"]
    await queue.retry_download(job.id)
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE and len(job.result_hashes) == 2
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == sent
    assert store.records[job.id]["state"] == "done"


async def test_a_full_disk_is_said_before_anything_is_sent(
    queue: JobQueue, store: MemoryJobStore, sandbox_state: SandboxState
) -> None:
    store.fail_space_with = OSError(errno.ENOSPC, "The disk holding your library is full")
    with pytest.raises(OSError, match="full"):
        await queue.submit(GenerateRequest(prompt="x"))
    assert not store.records and not queue.jobs
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == 0


async def test_a_journal_that_cannot_be_written_never_leaves_a_job_hanging(
    queue: JobQueue, store: MemoryJobStore, sandbox_state: SandboxState
) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")

    def disk_fills_up_once_sent(event: JobEvent) -> None:
        if event.job.state is JobState.SENDING:
            store.fail_journal_with = store.fail_results_with = full

    queue.subscribe(disk_fills_up_once_sent)
    job = await queue.submit(GenerateRequest(prompt="x"))
    await wait_finished(queue, job.id)
    # Sent before the disk filled up: finished on screen, with its links kept for Retry download.
    assert job.state is JobState.FAILED and job.pending_downloads == [0]
    # The journal kept the last state it could write (sending): a restart offers it, never resends.
    assert store.records[job.id]["state"] == "sending"


async def test_a_job_whose_journal_fails_before_sending_is_not_sent(
    queue: JobQueue, store: MemoryJobStore, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.latency(0.3))
    first = await queue.submit(GenerateRequest(prompt="first"))  # holds the single place
    queue.capacity = 1
    second = await queue.submit(GenerateRequest(prompt="second"))
    store.fail_journal_with = OSError(errno.ENOSPC, "No space left on device")
    await wait_finished(queue, first.id, second.id)
    assert second.state is JobState.FAILED and "Nothing was sent" in (second.error or "")
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == 1


async def test_interrupted_jobs_are_offered_not_resent(
    client: IdeogramClient, store: MemoryJobStore, sandbox_state: SandboxState
) -> None:
    first = JobQueue(client, store)
    remix = RemixRequest(prompt="snow", image=ImageFile.from_bytes(png_bytes(32, 32), "s.png"), image_weight=70)
    sandbox_state.inject(Fault.latency(10, endpoint="remix"))
    job = await first.submit(remix)
    await until(lambda: store.records[job.id]["state"] == "sending", "the journal to say sending")
    # The app "dies": the record stays in `sending`. A new queue starts from the journal.
    seen_before = sandbox_state.requests_seen["/v1/ideogram-v3/remix"]
    second = JobQueue(client, store)
    interrupted = await second.recover()
    assert [j.id for j in interrupted] == [job.id]
    again = interrupted[0]
    assert again.state is JobState.INTERRUPTED and again.maybe_billed and "not sent again" in (again.error or "")
    assert again.request == remix  # rebuilt from the journal and the stored inputs
    assert not second._running and not second._pending  # nothing was scheduled to be sent again
    assert sandbox_state.requests_seen["/v1/ideogram-v3/remix"] == seen_before
    sandbox_state.clear_faults()
    rerun = await second.retry(again.id)
    await wait_finished(second, rerun.id)
    assert rerun.state is JobState.DONE
    first._closed = True  # the "dead" queue is never closed normally
    for task in first._running.values():
        task.cancel()
    await second.aclose()


async def test_a_quit_while_done_is_journalled_keeps_it_done(queue: JobQueue, store: MemoryJobStore) -> None:
    """The queue closes (the studio quits) right as a job finished: the journal says done, not cancelled."""
    real_save = store.save_job
    loop = asyncio.get_running_loop()
    quits: list[concurrent.futures.Future[None]] = []

    def save_then_quit(job: Job) -> None:
        real_save(job)
        if job.state is JobState.DONE and not quits:  # the quit arrives during the "done" write
            quits.append(asyncio.run_coroutine_threadsafe(queue.aclose(), loop))

    store.save_job = save_then_quit  # type: ignore[method-assign]
    job = await queue.submit(GenerateRequest(prompt="x"))
    await wait_finished(queue, job.id)
    await asyncio.wait_for(asyncio.wrap_future(quits[0]), 10)  # the queue closed (its tasks awaited)
    assert job.state is JobState.DONE and store.records[job.id]["state"] == "done"
