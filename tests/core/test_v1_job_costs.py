"""What a v1 Ideogram 3.0 job cost: the v1 endpoints have no dry run and say no cost, so the queue
prices a job by its v2 twin's quote (api/v1_quotes.py) before sending it and keeps that exact quote
as what the job cost once it is done; a batch asks one quote per price group; a request without a
twin keeps the local table's estimate and never claims to know what it cost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.enums import RenderingSpeed
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.pricing import estimate_cost
from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport

from .helpers import png_bytes, wait_finished
from .memory_store import MemoryJobStore

V1_GENERATE = "/v1/ideogram-v3/generate"
TWIN = "/v2/image/generate/ideogram-3"


@pytest.fixture
def app() -> Starlette:
    return create_app(SandboxConfig())


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[IdeogramClient]:
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(app)) as c:
        yield c


async def test_a_v1_job_is_priced_by_its_twins_quote_and_keeps_it_as_its_cost(
    app: Starlette, client: IdeogramClient
) -> None:
    queue = JobQueue(client, MemoryJobStore())
    request = GenerateRequest(prompt="a lighthouse", rendering_speed=RenderingSpeed.QUALITY, num_images=2)
    job = await queue.submit(request)
    assert job.quote is not None and job.quote["source"] == "service" and job.quote["qualifier"] == "exact"
    assert job.estimated_cost == Decimal("0.18") and job.actual_cost is None  # before: the quote, not a cost
    await wait_finished(queue, job.id)
    await queue.aclose()
    assert job.state is JobState.DONE, job.error
    assert job.actual_cost == Decimal("0.18") == estimate_cost(request) and job.cost_source == "quote"
    state = app.state.sandbox
    assert state.quotes == 1 and state.requests_seen[TWIN] == 1  # the dry run only: nothing made on v2
    assert state.requests_seen[V1_GENERATE] == 1


async def test_a_v1_request_without_a_twin_keeps_the_local_estimate(app: Starlette, client: IdeogramClient) -> None:
    queue = JobQueue(client, MemoryJobStore())
    face = ImageFile.from_bytes(png_bytes(64, 64), "face.png")
    request = GenerateRequest(prompt="a portrait", rendering_speed=RenderingSpeed.TURBO,
                              character_reference_images=(face,))  # fmt: skip
    job = await queue.submit(request)
    assert job.quote is None and job.estimated_cost == Decimal("0.10")
    await wait_finished(queue, job.id)
    await queue.aclose()
    assert job.state is JobState.DONE, job.error
    assert job.actual_cost is None and job.cost_source is None  # no claim to know what it cost
    assert app.state.sandbox.quotes == 0


async def test_a_batch_asks_one_quote_per_price_group(app: Starlette, client: IdeogramClient) -> None:
    queue = JobQueue(client, MemoryJobStore())
    turbo = [GenerateRequest(prompt=f"a mug {i}", rendering_speed=RenderingSpeed.TURBO, seed=i) for i in range(4)]
    quality = [GenerateRequest(prompt=f"a cup {i}", rendering_speed=RenderingSpeed.QUALITY) for i in range(2)]
    jobs = await queue.submit_many([(r, None) for r in turbo + quality])
    assert app.state.sandbox.quotes == 2
    assert [j.estimated_cost for j in jobs] == [Decimal("0.03")] * 4 + [Decimal("0.09")] * 2
    for job in jobs:
        await wait_finished(queue, job.id)
    await queue.aclose()
    assert all(j.state is JobState.DONE and j.cost_source == "quote" for j in jobs)
    assert sum(j.actual_cost or 0 for j in jobs) == Decimal("0.30")
