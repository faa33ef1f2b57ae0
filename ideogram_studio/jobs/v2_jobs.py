"""v2 jobs: price them by the service's quote (v1 Ideogram 3.0 jobs too, through their v2 twin),
send them, follow async generations to the end.

The rule that matters (digest, "Async jobs and polling"): the `generation_id` is written to the
journal (state `polling`) before the first poll, so after a crash or a restart polling resumes
and the request is never POSTed again (that would bill twice). A generation the service no longer
knows (404) makes the job `lost`, its inputs kept; a failed one records its `failure_reason`.
The cost kept with the job is the service's `usage_cost_usd_micros` when it says it, else the quote.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from ..api.client import IdeogramClient, RetryListener
from ..api.errors import ApiError
from ..api.images import ImageFile
from ..api.pricing import estimate_cost
from ..api.requests import ApiRequest, Operation
from ..api.responses import ImageResponse
from ..api.v1_quotes import as_v2
from ..api.v2_client import GenerationFailedError
from ..api.v2_pricing import estimate
from ..api.v2_requests import FontFile, Upload, V2Request
from ..api.v2_responses import AsyncAcknowledgement, Generation, QuoteSource, V2ImageResult, V2LayersResult, usd
from .model import Job, JobState

log = logging.getLogger(__name__)
AnyRequest = ApiRequest | V2Request
SetState = Callable[[Job, JobState], Awaitable[None]]
Notify = Callable[[Job], None]
FONT_FIELD = "font_candidate_files"


async def price(client: IdeogramClient, request: AnyRequest) -> tuple[Decimal | None, dict[str, Any] | None]:
    """The service's quote for the budget check (cached by body, so the UI's quote is reused),
    else the local table. Returns the cost and the quote as stored with the job.

    A v1 Ideogram 3.0 request is priced by its v2 twin's quote (api/v1_quotes.py: the v1 endpoints
    have no dry run); when the twin cannot be quoted, v1's own table, and the send goes ahead."""
    if isinstance(request, V2Request):
        twin: V2Request | None = request
        local = estimate(request)
    else:
        twin, local = as_v2(request), estimate_cost(request)
    if twin is None or not twin.spec.dry_run:
        return local, None
    try:
        quote = await client.v2.quote_or_estimate(twin)
    except ApiError as exc:
        if twin is request:
            raise
        log.info("No quote for the v1 request's twin: %s", exc)
        return local, None
    if quote is None or (twin is not request and quote.source is not QuoteSource.SERVICE):
        return local, None
    record = {
        "usd": str(quote.usd),
        "qualifier": quote.qualifier,
        "upper_bound_usd": None if quote.upper_bound_usd is None else str(quote.upper_bound_usd),
        "billing_identifier": quote.billing_identifier,
        "source": quote.source.value,
    }
    return quote.usd, record


def record_cost(job: Job, micros: int | None, billing_identifier: str | None) -> None:
    """Keep what the job cost: the service's usage when given, else the quote."""
    if billing_identifier:
        job.billing_identifier = billing_identifier
    if micros is not None:
        job.actual_cost, job.cost_source = usd(micros), "service"
    elif job.quote is not None and job.quote.get("source") == "service":
        job.actual_cost, job.cost_source = Decimal(job.quote["usd"]), "quote"
        job.billing_identifier = job.billing_identifier or job.quote.get("billing_identifier")


async def send(
    client: IdeogramClient, job: Job, set_state: SetState, notify: Notify, on_retry: RetryListener
) -> ImageResponse | None:
    """POST the job; an async answer is journalled (generation_id, state polling) and followed."""
    request = job.request
    assert isinstance(request, V2Request)
    answer = await client.v2.send(request, on_retry=on_retry)
    job.billed = True
    if isinstance(answer, AsyncAcknowledgement):
        job.generation_id = answer.generation_id
        await set_state(job, JobState.POLLING)  # journal first: a crash from here on resumes polling
        return await follow(client, job, notify)
    if isinstance(answer, V2ImageResult):
        job.generation_id = answer.generation_id
        record_cost(job, answer.usage_cost_usd_micros, answer.billing_identifier)
        return answer.as_image_response()
    if isinstance(answer, V2LayersResult):  # the base image is fetched now; the blocks stay in the response
        generation_id = answer.raw.get("generation_id")
        job.generation_id = generation_id if isinstance(generation_id, str) else None
        usage = answer.raw.get("usage_cost_usd_micros")
        record_cost(job, usage if isinstance(usage, int) else None, None)
        return answer.as_image_response()
    job.response = answer.raw
    usage = answer.raw.get("usage_cost_usd_micros")
    record_cost(job, usage if isinstance(usage, int) else None, None)
    return None


async def follow(client: IdeogramClient, job: Job, notify: Notify) -> ImageResponse:
    """Poll the job's generation to its end (GenerationLostError on 404: never re-sent)."""
    assert job.generation_id is not None

    def on_poll(generation: Generation | None, wait: float) -> None:
        state = "still running" if generation is not None else "busy"
        job.status_note = f"Ideogram is {state}; looking again in {wait:.0f} s."
        notify(job)

    try:
        generation = await client.v2.wait(job.generation_id, on_poll=on_poll)
    except GenerationFailedError as exc:
        job.failure_reason = exc.detail
        job.billed = False  # a failed generation is not billed unless the poll says it cost something
        raise
    job.status_note = None
    record_cost(job, generation.usage_cost_usd_micros, generation.billing_identifier)
    return generation.result().as_image_response()


def request_from_record(record: dict[str, Any], read_input: Callable[[str], bytes]) -> V2Request:
    """Rebuild a journalled v2 request with its stored inputs."""
    uploads: dict[str, list[Upload]] = {}
    for name, hashes in (record.get("input_hashes") or {}).items():
        items: list[Upload] = []
        for i, image_hash in enumerate(hashes):
            data = read_input(image_hash)
            if name == FONT_FIELD:
                items.append(FontFile.from_bytes(data, f"font-{i}.ttf"))
            else:
                items.append(ImageFile.from_bytes(data, f"{name}.png"))
        uploads[name] = items
    return V2Request.build(Operation(record["operation"]), str(record["model"]), record.get("request") or {}, uploads)


def restore_fields(job: Job, record: dict[str, Any]) -> None:
    job.generation_id = record.get("generation_id")
    cost = record.get("actual_cost")
    job.actual_cost = None if cost is None else Decimal(cost)
    job.cost_source = record.get("cost_source")
    job.billing_identifier = record.get("billing_identifier")
    job.quote = record.get("quote")
    job.failure_reason = record.get("failure_reason")


def resumable(job: Job) -> bool:
    """Found at start-up with a generation id and no answer yet: poll it again, never POST."""
    return job.state is JobState.POLLING and job.generation_id is not None


__all__ = ["ApiError", "follow", "price", "record_cost", "request_from_record", "restore_fields", "resumable", "send"]
