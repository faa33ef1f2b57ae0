"""v2 jobs in the queue: quotes as the price, async generations journalled before polling and
resumed after a restart (never POSTed again), lost and failed generations, the cost kept."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import FontFile, V2Request
from ideogram_studio.gallery import Gallery
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.jobs.reuse import v2_request_for_image
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport
from ideogram_studio.sandbox.server import serve_in_thread

from .helpers import FakeClock, wait_finished
from .memory_store import MemoryJobStore
from .v2_samples import source

GENERATE = "/v2/image/generate/ideogram-4-5"
REPLACE = "/v2/image/replace-background/ideogram-3"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    return create_app(SandboxConfig(clock=clock, async_pending_seconds=20))


@pytest.fixture
async def client(app: Starlette, clock: FakeClock) -> AsyncIterator[IdeogramClient]:
    async def sleep(seconds: float) -> None:  # time passes for the sandbox as the client waits
        clock.advance(seconds)
        await asyncio.sleep(0)

    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(app),
                              sleep=sleep) as c:  # fmt: skip
        yield c


async def wait_polling(queue: JobQueue, job_id: str) -> None:
    """Wait (woken by the queue's events) until the job is journalled as polling."""
    reached = asyncio.Event()

    def check(_: object = None) -> None:
        if queue.jobs[job_id].state is JobState.POLLING:
            reached.set()

    unsubscribe = queue.subscribe(check)
    try:
        check()
        await asyncio.wait_for(reached.wait(), 10)
    finally:
        unsubscribe()


def generate(**values: object) -> V2Request:
    return V2Request.build(Operation.GENERATE, "ideogram-4-5", {"prompt": "a fox", **values})


async def test_an_async_job_is_journalled_polled_downloaded_and_costed(
    app: Starlette, client: IdeogramClient
) -> None:
    store = MemoryJobStore()
    queue = JobQueue(client, store)
    states: list[str] = []
    queue.subscribe(lambda e: states.append(e.job.state.value))
    job = await queue.submit(generate(num_images=4, quality="medium"))  # 4 images: long, so async
    await wait_finished(queue, job.id)
    await queue.aclose()

    assert job.state is JobState.DONE, job.error
    assert len(job.result_hashes) == 4
    assert "polling" in states and job.generation_id
    assert job.quote is not None and job.quote["qualifier"] == "exact"
    assert job.actual_cost == Decimal("0.24") and job.cost_source == "service" and job.billing_identifier
    record = store.records[job.id]
    assert record["api"] == "v2" and record["generation_id"] == job.generation_id
    state = app.state.sandbox
    assert state.requests_seen[GENERATE] == 2  # the quote and the one POST
    assert state.quotes == 1 and state.generations_created == 1


async def test_a_restart_resumes_polling_and_never_posts_again(app: Starlette, client: IdeogramClient) -> None:
    store = MemoryJobStore()
    first = JobQueue(client, store)
    job = await first.submit(V2Request.build(Operation.REPLACE_BACKGROUND, "ideogram-3", {"prompt": "a beach"},
                                             {"image": [source()]}))  # fmt: skip
    await wait_polling(first, job.id)
    await first.aclose()  # the studio closes mid-way: the journal keeps `polling`
    assert store.records[job.id]["state"] == "polling" and store.records[job.id]["generation_id"]

    second = JobQueue(client, store)
    await second.recover()
    resumed = second.jobs[job.id]
    await wait_finished(second, job.id)
    await second.aclose()
    assert resumed.state is JobState.DONE and len(resumed.result_hashes) == 1
    assert app.state.sandbox.generation_requests[REPLACE] == 1


async def test_a_lost_generation_keeps_its_inputs_and_is_never_resent(
    app: Starlette, client: IdeogramClient
) -> None:
    store = MemoryJobStore()
    first = JobQueue(client, store)
    request = V2Request.build(Operation.REPLACE_BACKGROUND, "ideogram-3", {"prompt": "a beach"}, {"image": [source()]})
    job = await first.submit(request)
    await wait_polling(first, job.id)
    await first.aclose()
    app.state.sandbox.generations.clear()  # the service forgot it

    second = JobQueue(client, store)
    await second.recover()
    await wait_finished(second, job.id)
    await second.aclose()
    lost = second.jobs[job.id]
    assert lost.state is JobState.LOST and "not sent again" in (lost.error or "")
    assert lost.input_hashes["image"] and isinstance(lost.request, V2Request)
    assert app.state.sandbox.generation_requests[REPLACE] == 1


async def test_a_failed_generation_records_its_failure_reason(client: IdeogramClient) -> None:
    queue = JobQueue(client, MemoryJobStore())
    job = await queue.submit(generate(prompt="a fox [fail]", num_images=4))
    await wait_finished(queue, job.id)
    await queue.aclose()
    assert job.state is JobState.FAILED and job.failure_reason and "[fail]" in job.failure_reason


async def test_the_spend_counts_the_actual_cost(tmp_path: Path, client: IdeogramClient) -> None:
    gallery = Gallery.open(tmp_path / "library")
    try:
        queue = JobQueue(client, GalleryJobStore(gallery))
        job = await queue.submit(generate(quality="high", num_images=4, seed=3))
        await wait_finished(queue, job.id)
        await queue.aclose()
        assert job.state is JobState.DONE
        assert await queue.spend_today() == job.actual_cost == Decimal("0.40")
        meta = gallery.metadata(job.result_hashes[0])
        response = meta["response"]
        assert response["model"] == "ideogram-4-5" and response["generation_id"] == job.generation_id
        assert response["private"] is True
        # Downloads finish in any order: the seeds, not the order, are the service's (3, 4, 5, 6).
        seeds = sorted(gallery.metadata(h)["response"]["seed"] for h in job.result_hashes)
        assert seeds == [3, 4, 5, 6]
        assert json.loads(response["prompt"])["high_level_description"] == "a fox"  # the final caption
        assert meta["request"]["quality"] == "high"
    finally:
        gallery.close()


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from ideogram_studio.api.client import IdeogramClient
    from ideogram_studio.api.images import ImageFile
    from ideogram_studio.api.requests import Operation
    from ideogram_studio.api.v2_requests import V2Request
    from ideogram_studio.gallery import Gallery
    from ideogram_studio.jobs import JobQueue
    from ideogram_studio.jobs.gallery_store import GalleryJobStore
    from tests.core.helpers import png_bytes

    async def main():
        gallery = Gallery.open(sys.argv[1])
        client = IdeogramClient(api_key="k", base_url=sys.argv[2])
        queue = JobQueue(client, GalleryJobStore(gallery))
        request = V2Request.build(Operation.REPLACE_BACKGROUND, "ideogram-3", {"prompt": "a beach"},
                                  {"image": [ImageFile.from_bytes(png_bytes(96, 64), "s.png")]})
        job = await queue.submit(request)
        while gallery.get_job(job.id).state != "polling":
            await asyncio.sleep(0.01)
        print(job.id, flush=True)
        await asyncio.sleep(60)

    asyncio.run(main())
    """
)


async def test_kill_9_while_pending_then_a_restart_completes_it_with_one_post(tmp_path: Path) -> None:
    app = create_app(SandboxConfig(async_pending_seconds=1.0))
    library = tmp_path / "killed"
    root = Path(__file__).resolve().parents[2]
    with serve_in_thread(app) as url:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(library), url], stdout=subprocess.PIPE, cwd=root,
                                 env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
        try:
            assert child.stdout is not None
            line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), 60)
            job_id = line.decode().strip()
            assert job_id
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            if child.stdout is not None:
                child.stdout.close()
        gallery = Gallery.open(library)
        try:
            assert gallery.get_job(job_id).state == "polling"  # type: ignore[union-attr]
            async with IdeogramClient(api_key="k", base_url=url) as c:
                queue = JobQueue(c, GalleryJobStore(gallery))
                await queue.recover()
                await wait_finished(queue, job_id)
                job = queue.jobs[job_id]
                await queue.aclose()
            assert job.state is JobState.DONE, job.error
            assert gallery.get_job(job_id).state == "done"  # type: ignore[union-attr]
            assert len(job.result_hashes) == 1
            async with httpx.AsyncClient() as http:
                stats = (await http.get(url + "/sandbox/stats")).json()
            assert stats["generation_requests"] == {REPLACE: 1} and stats["generations_created"] == 1
        finally:
            gallery.close()




async def test_a_stored_image_is_reproduced_from_the_gallery_alone(tmp_path: Path, client: IdeogramClient) -> None:
    gallery = Gallery.open(tmp_path / "library")
    try:
        queue = JobQueue(client, GalleryJobStore(gallery))
        first = await queue.submit(generate(prompt='a poster that says "HELLO"', seed=11, num_images=1))
        await wait_finished(queue, first.id)
        again = v2_request_for_image(gallery, first.result_hashes[0], reproduce=True)
        assert again.values["magic_prompt"] == "off" and again.values["seed"] == 11 and again.json_prompt
        second = await queue.submit(again)
        await wait_finished(queue, second.id)
        await queue.aclose()
        assert second.state is JobState.DONE
        pixels = [gallery.read_bytes(h) for h in (first.result_hashes[0], second.result_hashes[0])]
        assert _pixels(pixels[0]) == _pixels(pixels[1])
    finally:
        gallery.close()


async def test_layerize_with_candidate_fonts_runs_through_the_journal(tmp_path: Path, client: IdeogramClient) -> None:
    gallery = Gallery.open(tmp_path / "library")
    try:
        queue = JobQueue(client, GalleryJobStore(gallery))
        font = FontFile.from_bytes(b"\0\1font", "Lobster.ttf")
        uploads = {"image": [source()], "font_candidate_files": [font]}
        request = V2Request.build(Operation.LAYERIZE_TEXT, "ideogram-3", {"prompt": "SALE"}, uploads)
        job = await queue.submit(request)
        await wait_finished(queue, job.id)
        await queue.aclose()
        assert job.state is JobState.DONE, job.error
        assert job.response and job.response["text_blocks"][0]["font_name"] == "Lobster"
        rebuilt = JobQueue(client, GalleryJobStore(gallery))
        await rebuilt.recover()  # the journal rebuilds the request, font included
        again = rebuilt.jobs[job.id].request
        assert isinstance(again, V2Request) and again.uploads["font_candidate_files"][0].data == b"\0\1font"
        await rebuilt.aclose()
    finally:
        gallery.close()


def _pixels(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as img:
        return img.convert("RGBA").tobytes()
