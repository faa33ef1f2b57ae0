"""The v2 API over IdeogramClient: send, quote (`dry_run`), poll generations, magic prompt v4.

- `send` posts a V2Request (JSON or multipart as the registry says; `private` always true; `async`
  when asked) and answers a result, or an AsyncAcknowledgement to poll.
- `quote` sends the exact request with `?dry_run=true`, only where the contract declares DryRun
  (never describe: it could run and bill), and caches quotes by request body, so it is cheap to
  call on every settled form change. `quote_or_estimate` falls back to the local table, labelled.
- `poll` / `wait` read `GET /v2/generations/{id}` with back-off (2 s × 1.5, capped at 30 s),
  honouring Retry-After on 429. A 404 raises GenerationLostError: never POST again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from . import reject_reasons
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    NetworkError,
    OutcomeUnknownError,
    PaymentRequiredError,
    RateLimitedError,
    RequestValidationError,
    SafetyRejectedError,
    ServerError,
)
from .registry import GENERATION_PATH, MAGIC_PROMPT_V4_PATH, Answer
from .structured_prompt import check_schema
from .v2_pricing import estimate
from .v2_requests import Body, V2Request
from .v2_responses import (
    AsyncAcknowledgement,
    Generation,
    GenerationStatus,
    PriceQuote,
    QuoteSource,
    V2Answer,
    V2Description,
    V2ImageResult,
    V2LayersResult,
)

if TYPE_CHECKING:
    from .client import IdeogramClient, RetryListener

POLL_FIRST = 2.0
POLL_FACTOR = 1.5
POLL_MAX = 30.0
QUOTE_CACHE_SIZE = 256


class GenerationLostError(ApiError):
    """The service no longer knows the generation (404). Its inputs are kept; never re-sent."""


class GenerationFailedError(ApiError):
    """The generation ended `failed`; `detail` is the service's failure_reason."""


class V2Api:
    def __init__(self, client: IdeogramClient, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.client = client
        self._sleep = sleep
        self._quotes: OrderedDict[str, PriceQuote] = OrderedDict()
        #: Quotes asked of the service (cache misses): for tests and the benchmark.
        self.quotes_sent = 0

    # ---- building -------------------------------------------------------------------------
    def http_request(self, request: V2Request, *, dry_run: bool = False, send_async: bool = False) -> httpx.Request:
        """The exact HTTP request (without the key, which `transmit` adds)."""
        if dry_run and not request.spec.dry_run:
            raise RequestValidationError(
                "dry_run", f"{request.operation.value} with {request.model} has no price quote (the API offers none)"
            )
        return self._prepare(request.endpoint, request.body(send_async=send_async), dry_run=dry_run)

    def _prepare(self, endpoint: str, body: Body, *, dry_run: bool, encoded: bytes | None = None) -> httpx.Request:
        url = self.client.base_url + endpoint + ("?dry_run=true" if dry_run else "")
        _kind, payload = body
        if isinstance(payload, dict):
            content = encoded if encoded is not None else _encode(payload)
            return httpx.Request("POST", url, content=content, headers=JSON_HEADERS)
        return httpx.Request("POST", url, files=payload)

    # ---- sending --------------------------------------------------------------------------
    async def send(
        self, request: V2Request, *, send_async: bool | None = None, on_retry: RetryListener | None = None
    ) -> V2Answer:
        request.validate()
        use_async = request.wants_async if send_async is None else send_async

        async def attempt() -> dict[str, Any]:
            http = self.http_request(request, send_async=use_async)
            return await self._exchange(http, request.endpoint, request.operation.value, request.image_count())

        body = await self.client.with_retries(attempt, on_retry)
        answer = request.spec.answer
        if answer is Answer.DESCRIBE or answer is Answer.DESCRIBE_JSON:
            return V2Description.from_json(body)
        if "data" not in body and "base_image_url" not in body and isinstance(body.get("generation_id"), str):
            return AsyncAcknowledgement(body["generation_id"], raw=body)
        if answer is Answer.LAYERS:
            return V2LayersResult.from_json(body)
        return V2ImageResult.from_json(body)

    async def _exchange(self, http: httpx.Request, endpoint: str, what: str, weight: int) -> dict[str, Any]:
        response = await self.client.transmit(http, weight=weight)
        body = _json(response)
        self.client.deprecations.observe(endpoint, response, body)
        if response.status_code == 200:
            if not isinstance(body, dict):
                raise OutcomeUnknownError("Ideogram answered, but not with a readable result.", status=200)
            return body
        raise _error(response, body, what)

    # ---- quotes ---------------------------------------------------------------------------
    def quote_key(self, request: V2Request) -> str:
        """The cache key: path plus the body as it would be sent (files by content hash)."""
        return _body_key(request.endpoint, request.body(send_async=request.wants_async))

    async def quote(self, request: V2Request) -> PriceQuote:
        """The service's price for exactly this request (nothing runs, nothing is billed)."""
        if not request.spec.dry_run:
            raise RequestValidationError(
                "dry_run", f"{request.operation.value} has no price quote (the API offers no dry run for it)"
            )
        request.validate()
        body = request.body(send_async=request.wants_async)  # built and encoded once: the key and the POST
        encoded = _encode(body[1]) if isinstance(body[1], dict) else None
        key = _body_key(request.endpoint, body, encoded)
        cached = self._quotes.get(key)
        if cached is not None:
            self._quotes.move_to_end(key)
            return cached
        http = self._prepare(request.endpoint, body, dry_run=True, encoded=encoded)
        self.quotes_sent += 1
        answer = await self.client.with_retries(lambda: self._exchange(http, request.endpoint, "quote", 0))
        try:
            quote = PriceQuote.from_json(answer)
        except ValueError:
            raise OutcomeUnknownError("Ideogram answered the quote with something that is not a price.") from None
        self._quotes[key] = quote
        if len(self._quotes) > QUOTE_CACHE_SIZE:
            self._quotes.popitem(last=False)
        return quote

    def forget_quotes(self) -> None:
        """Empty the quote cache (prices change; the benchmark measures misses)."""
        self._quotes.clear()

    async def quote_or_estimate(self, request: V2Request) -> PriceQuote | None:
        """The service's quote; when it cannot quote (no key, no network), the local table, labelled."""
        if self.client.has_key:
            try:
                return await self.quote(request)
            except (NetworkError, ServerError, AuthenticationError):
                pass
        local = estimate(request)
        return None if local is None else PriceQuote(local, "estimate", source=QuoteSource.LOCAL_TABLE)

    # ---- generations ----------------------------------------------------------------------
    async def poll(self, generation_id: str) -> Generation:
        """One read of the generation (free; never runs it again). 429 raises RateLimitedError."""
        path = GENERATION_PATH.format(generation_id=generation_id)
        http = httpx.Request("GET", self.client.base_url + path)
        try:
            response = await self.client.transmit(http)
        except OutcomeUnknownError as exc:  # a GET is safe to repeat
            raise NetworkError(exc.message) from None
        body = _json(response)
        if response.status_code == 404:
            raise GenerationLostError(
                "Ideogram no longer knows this generation; it was not sent again. Its inputs are kept.", status=404
            )
        if response.status_code != 200 or not isinstance(body, dict):
            raise _error(response, body, "generation")
        return Generation.from_json(body)

    async def wait(
        self, generation_id: str, *, on_poll: Callable[[Generation | None, float], None] | None = None
    ) -> Generation:
        """Poll until the generation ends; returns it completed, raises GenerationFailedError."""
        delay = POLL_FIRST
        while True:
            try:
                generation: Generation | None = await self.poll(generation_id)
            except RateLimitedError as exc:
                generation = None
                wait = exc.retry_after if exc.retry_after is not None else delay
            except (NetworkError, ServerError):
                generation = None
                wait = delay
            else:
                assert generation is not None
                if generation.status is GenerationStatus.COMPLETED:
                    return generation
                if generation.status is GenerationStatus.FAILED:
                    reason = generation.failure_reason or "no reason given"
                    raise GenerationFailedError(f"Ideogram could not make it: {reason}.", detail=reason)
                wait = delay
            if on_poll is not None:
                on_poll(generation, wait)
            await self._sleep(wait)
            delay = min(POLL_MAX, delay * POLL_FACTOR)

    # ---- magic prompt v4 ------------------------------------------------------------------
    async def magic_prompt(self, text: str, aspect_ratio: str | None = None) -> dict[str, Any]:
        """Turn a sentence into the 4.x structured prompt (`POST /v1/ideogram-v4/magic-prompt`)."""
        if not text.strip():
            raise RequestValidationError("text_prompt", "is required")
        payload: dict[str, Any] = {"text_prompt": text}
        if aspect_ratio:
            payload["aspect_ratio"] = aspect_ratio
        http = httpx.Request("POST", self.client.base_url + MAGIC_PROMPT_V4_PATH, json=payload)
        body = await self.client.with_retries(lambda: self._exchange(http, MAGIC_PROMPT_V4_PATH, "magic prompt", 0))
        prompt = body.get("json_prompt")
        check_schema(prompt)
        assert isinstance(prompt, dict)
        return prompt


JSON_HEADERS = {"Content-Type": "application/json"}


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _body_key(endpoint: str, body: Body, encoded: bytes | None = None) -> str:
    """The request body as sent (JSON bytes, or each multipart part with its file's digest)."""
    _kind, payload = body
    digest = hashlib.sha256(endpoint.encode())
    if isinstance(payload, dict):
        digest.update(encoded if encoded is not None else _encode(payload))
    else:
        for name, part in payload:
            digest.update(name.encode() + b"\0" + repr(part[0]).encode() + b"\0")
            digest.update(hashlib.sha256(part[1]).digest())
    return digest.hexdigest()


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error(response: httpx.Response, body: Any, what: str) -> ApiError:
    status = response.status_code
    reason = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), str) else None
    if status == 400:
        return BadRequestError(f"Ideogram refused the {what} request: {reason or 'invalid input'}.", status=400,
                               detail=reason)  # fmt: skip
    if status in (401, 403):
        return AuthenticationError(
            f"Ideogram refused the API key (missing, wrong or revoked, or without access to {what}). "
            "Check the key in Settings.",
            status=status,
        )
    if status == 402:
        return PaymentRequiredError(reject_reasons.sentence(body, 402), status=402, detail=reason)
    if status == 422:
        return SafetyRejectedError(
            f"Ideogram's safety check refused the prompt or an input image{': ' + reason if reason else ''}.",
            status=422,
        )
    if status == 429:
        from .client import _retry_after

        wait = _retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(reject_reasons.sentence(body, 429), retry_after=wait)
    if status >= 500:
        return ServerError(f"Ideogram is having trouble (HTTP {status}); try again shortly.", status=status)
    return BadRequestError(f"Ideogram answered HTTP {status}: {reason or 'unexpected response'}.", status=status)
