"""The sandbox's v2 routes: one per registry entry, the generation poll, and magic prompt v4.

A v2 call goes: count it; check the key (401); refuse a dry_run the operation does not declare;
read the body (JSON where the contract allows it, else multipart) and refuse fields the contract
does not list; validate with the API layer's own V2Request (400); safety (422); a dry_run answers a
price quote and stops there (counted as a quote, never as a generation; nothing is stored); faults
(402 with a reject_reason, 429, 5xx); the in-flight limit (429, reject_reason inflight_limit,
Retry-After); then the result, or for async a pending generation that completes (or fails, with
"[fail]" in the prompt) `async_pending_seconds` later.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ideogram_studio.api import structured_prompt as sp
from ideogram_studio.api.errors import ImageFileError, RequestValidationError
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.limits import REQUEST_TOTAL
from ideogram_studio.api.registry import GENERATION_PATH, MAGIC_PROMPT_V4_PATH, SPECS, Answer, AsyncMode, OperationSpec
from ideogram_studio.api.v2_pricing import estimate
from ideogram_studio.api.v2_requests import FontFile, Upload, V2Request

from .faults import FaultKind
from .results import UNSAFE_TRIGGER, Output
from .state import SandboxState
from .v2_results import caption_for, magic_caption, produce_description, produce_images, produce_layers

FAIL_TRIGGER = "[fail]"
FAILURE_REASON = "The sandbox was asked to fail this generation ([fail] in the prompt)."
#: A quote for an operation missing from the local table: an estimate with a bound.
UNKNOWN_PRICE_MICROS = 50_000
Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class PendingGeneration:
    generation_id: str
    created: float
    ready_at: float
    outputs: list[Output]
    cost_micros: int
    billing_identifier: str
    failure_reason: str | None = None
    data: list[dict[str, Any]] | None = None
    last_poll: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def routes() -> list[Route]:
    out = [Route(spec.path, _endpoint(spec), methods=["POST"]) for spec in SPECS]
    out.append(Route(GENERATION_PATH, _poll, methods=["GET"]))
    out.append(Route(MAGIC_PROMPT_V4_PATH, _magic_prompt, methods=["POST"]))
    return out


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _key_refused(request: Request, state: SandboxState) -> Response | None:
    key = request.headers.get("api-key", "").strip()
    if not key:
        return _error(401, "Missing API key: send it in the Api-Key header.")
    if key in state.config.revoked_keys:
        return _error(401, "This API key has been revoked.")
    return None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _micros(request: V2Request) -> tuple[int, str, int | None]:
    usd = estimate(request)
    if usd is None:
        micros = UNKNOWN_PRICE_MICROS * request.image_count()
        return micros, "estimate", micros * 2
    return int(usd * 1_000_000), "exact", None


def _billing_identifier(request: V2Request) -> str:
    return f"{request.operation.value}:{request.model}".replace("-", "_")


# ---- POST /v2/... -------------------------------------------------------------------------------


def _endpoint(spec: OperationSpec) -> Handler:
    async def handle(request: Request) -> Response:
        state = _state(request)
        state.requests_seen[spec.path] += 1
        refused = _key_refused(request, state)
        if refused is not None:
            return refused
        unknown = sorted(set(request.query_params) - {"dry_run"})
        if unknown:
            return _error(400, f"{unknown[0]!r} is not a query parameter of {spec.path}.")
        flags = request.query_params.getlist("dry_run")
        if flags and not spec.dry_run:
            return _error(400, f"{spec.path} has no dry_run parameter.")
        if len(flags) > 1 or any(f not in ("true", "false") for f in flags):
            return _error(400, "dry_run: must be true or false, once.")
        dry_run = flags == ["true"]
        try:
            values, uploads = await _read(request, spec)
            v2 = await run_in_threadpool(_build, spec, values, uploads)
        except (RequestValidationError, ImageFileError, _FormError) as exc:
            return _error(400, str(exc))
        if UNSAFE_TRIGGER in str(v2.values.get("prompt", "")).lower():
            return _error(422, "Prompt provided failed safety check due to the inclusion of prohibited content.")
        if dry_run:
            state.quotes += 1
            micros, qualifier, bound = _micros(v2)
            quote: dict[str, Any] = {
                "object": "price_quote", "billing_identifier": _billing_identifier(v2),
                "quantity": v2.image_count(), "usd_micros": micros, "credit_millis": micros // 10,
                "qualifier": qualifier,
            }  # fmt: skip
            if bound is not None:
                quote["upper_bound_usd_micros"] = bound
            return JSONResponse(quote)
        state.generation_requests[spec.path] += 1
        plan = state.take_faults(spec.path)
        fault = plan.failure
        if fault is not None and fault.kind is not FaultKind.DROP:
            headers = None if fault.retry_after is None else {"Retry-After": format(fault.retry_after, "g")}
            reason = {402: "insufficient_funds", 429: "inflight_limit"}.get(fault.status_code)
            extra = {"reject_reason": reason} if reason else {}
            return _error(fault.status_code, f"HTTP {fault.status_code} (sandbox fault).", headers, **extra)
        weight = v2.image_count()
        if not state.try_acquire(weight):
            limit = state.config.max_in_flight_images
            return _error(429, f"Too many images in flight (limit {limit}).", {"Retry-After": "1"},
                          reject_reason="inflight_limit", max_inflight_requests=limit)  # fmt: skip
        try:
            return await _answer(request, state, spec, v2)
        finally:
            state.release(weight)

    handle.__name__ = "post_" + spec.path.strip("/").replace("/", "_").replace("-", "_")
    return handle


class _FormError(ValueError):
    pass


async def _read(request: Request, spec: OperationSpec) -> tuple[dict[str, Any], dict[str, list[tuple[str, bytes]]]]:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > REQUEST_TOTAL + 1024 * 1024:
        raise _FormError("request: the body is over the 50 MB limit")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    values: dict[str, Any] = {}
    files: dict[str, list[tuple[str, bytes]]] = {}
    if ctype == "application/json" and "json" in spec.bodies:
        try:
            body = await request.json()
        except ValueError:
            raise _FormError("the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _FormError("the JSON body must be an object of fields")
        values = body
    elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            async with request.form(max_files=64, max_fields=256) as form:
                for name, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        data = await value.read()
                        if value.content_type == "application/json" and not value.filename:
                            values[name] = data.decode("utf-8", errors="replace")
                        elif value.filename or data:
                            files.setdefault(name, []).append((value.filename or name, data))
                    elif name in values:
                        prior = values[name]
                        values[name] = [*prior, value] if isinstance(prior, list) else [prior, value]
                    else:
                        values[name] = value
        except HTTPException as exc:
            raise _FormError(f"the multipart body cannot be read: {exc.detail}") from None
        except (ValueError, KeyError) as exc:
            raise _FormError(f"the multipart body cannot be read: {exc}") from None
    elif ctype or await request.body():
        raise _FormError(f"{spec.path} takes {' or '.join(sorted(spec.bodies))}, not {ctype or 'no content type'}")
    for name in (*values, *files):
        if name not in spec.fields:  # json_prompt is the studio's own, never a wire field
            raise _FormError(f"{name}: is not a field of {spec.path}")
    return values, files


def _build(spec: OperationSpec, values: dict[str, Any], raw_files: dict[str, list[tuple[str, bytes]]]) -> V2Request:
    uploads: dict[str, list[Upload]] = {}
    for name, parts in raw_files.items():
        try:
            if name == "font_candidate_files":
                uploads[name] = [FontFile.from_bytes(data, filename) for filename, data in parts]
            else:
                uploads[name] = [ImageFile.from_bytes(data, filename) for filename, data in parts]
        except ImageFileError as exc:
            raise ImageFileError(exc.message, field=name) from None
    for name, value in list(values.items()):
        fs = spec.fields[name]
        if fs.is_list and not isinstance(value, list):
            values[name] = [value]
    request = V2Request.build(spec.operation, spec.model, values, uploads)
    request.validate()
    return request


async def _answer(request: Request, state: SandboxState, spec: OperationSpec, v2: V2Request) -> Response:
    base = state.config.image_base_url or str(request.base_url)

    def link(png: bytes) -> str:
        image_id, expires_at = state.store.put(png, state.config.link_lifetime)
        return state.store.link(base, image_id, expires_at)

    if spec.answer in (Answer.DESCRIBE, Answer.DESCRIBE_JSON):
        return JSONResponse(await run_in_threadpool(produce_description, v2))
    state.generations_created += 1
    generation_id = secrets.token_urlsafe(12)
    micros, _, _ = _micros(v2)
    if spec.answer is Answer.LAYERS:
        answer = await run_in_threadpool(produce_layers, v2, link)
        return JSONResponse({"generation_id": generation_id, **answer, "usage_cost_usd_micros": micros})
    outputs = await run_in_threadpool(produce_images, v2)
    wants_async = spec.async_mode is AsyncMode.ONLY or v2.values.get("async") is True
    if wants_async:
        now = state.config.clock()
        prompt = str(v2.values.get("prompt", ""))
        state.generations[generation_id] = PendingGeneration(
            generation_id, now, now + state.config.async_pending_seconds, outputs, micros, _billing_identifier(v2),
            FAILURE_REASON if FAIL_TRIGGER in prompt.lower() else None,
        )  # fmt: skip
        return JSONResponse({"generation_id": generation_id, "generation_kind": "image", "status": "pending"})
    return JSONResponse({
        "generation_id": generation_id, "generation_kind": "image", "seed": outputs[0].seed,
        "data": [_image_json(o, link) for o in outputs],
        "usage_cost_usd_micros": micros, "billing_identifier": _billing_identifier(v2),
    })  # fmt: skip


def _image_json(output: Output, link: Callable[[bytes], str]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "url": None if output.png is None else link(output.png),
        "prompt": output.prompt,
        "resolution": output.resolution,
        "seed": output.seed,
        "is_image_safe": output.png is not None,
    }
    if output.upscaled_resolution is not None:
        obj["upscaled_resolution"] = output.upscaled_resolution
    return obj


# ---- GET /v2/generations/{id} ---------------------------------------------------------------------


async def _poll(request: Request) -> Response:
    state = _state(request)
    state.requests_seen[GENERATION_PATH] += 1
    refused = _key_refused(request, state)
    if refused is not None:
        return refused
    generation: PendingGeneration | None = state.generations.get(request.path_params["generation_id"])
    if generation is None:
        return _error(404, "No generation with this id.")
    now = state.config.clock()
    interval = state.config.poll_min_interval
    if generation.last_poll is not None and interval > 0 and now - generation.last_poll < interval:
        wait = max(1, math.ceil(interval - (now - generation.last_poll)))
        return _error(429, "Polled too often; wait before asking again.", {"Retry-After": str(wait)})
    generation.last_poll = now
    state.polls += 1
    body: dict[str, Any] = {"generation_id": generation.generation_id, "created": _iso(generation.created),
                            "response_type": "image"}  # fmt: skip
    if now < generation.ready_at:
        return JSONResponse({**body, "status": "pending"})
    if generation.failure_reason is not None:
        return JSONResponse({**body, "status": "failed", "failure_reason": generation.failure_reason})
    if generation.data is None:
        base = state.config.image_base_url or str(request.base_url)

        def link(png: bytes) -> str:
            image_id, expires_at = state.store.put(png, state.config.link_lifetime)
            return state.store.link(base, image_id, expires_at)

        generation.data = [_image_json(o, link) for o in generation.outputs]
    return JSONResponse({
        **body, "status": "completed", "data": generation.data, "seed": generation.outputs[0].seed,
        "usage_cost_usd_micros": generation.cost_micros, "billing_identifier": generation.billing_identifier,
    })  # fmt: skip


# ---- POST /v1/ideogram-v4/magic-prompt ----------------------------------------------------------


async def _magic_prompt(request: Request) -> Response:
    state = _state(request)
    state.requests_seen[MAGIC_PROMPT_V4_PATH] += 1
    refused = _key_refused(request, state)
    if refused is not None:
        return refused
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "the body is not valid JSON")
    if not isinstance(body, dict) or set(body) - {"text_prompt", "aspect_ratio"}:
        return _error(400, "the body takes text_prompt and aspect_ratio only")
    text = body.get("text_prompt")
    if not isinstance(text, str) or not text.strip():
        return _error(400, "text_prompt: is required")
    aspect = body.get("aspect_ratio")
    if "aspect_ratio" in body and not isinstance(aspect, str):
        return _error(400, "aspect_ratio: must be text")
    caption = magic_caption(text)
    sp.check_schema(caption)
    return JSONResponse({"json_prompt": caption, **({"aspect_ratio": aspect} if aspect else {})})


__all__ = ["caption_for", "routes"]
