"""The sandbox as a Starlette app: the contract's paths, plus downloads and test controls.

An API call goes through the steps the service's do, in this order: count it; check the key
(401, or 403 on remix and upscale as the contract says); read the form (400); validate it with the
API layer's own request types (400); the safety check (422); take its places in the in-flight limit,
counted in images (429); wait out any latency; fail as an injected fault says; render; answer.

Controls for tests: POST/GET/DELETE /sandbox/faults, GET/DELETE /sandbox/stats.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ideogram_studio.api.errors import ImageFileError, RequestValidationError
from ideogram_studio.api.requests import (
    BY_ENDPOINT,
    ApiRequest,
    DescribeRequest,
    EditRequest,
    LayerizeTextRequest,
    ReplaceBackgroundRequest,
)

from .config import SandboxConfig
from .disconnect import DroppedConnection, TruncatedBody
from .faults import IMAGES_KEY, Fault, FaultError, FaultKind
from .forms import FormError, build_request, read_form
from .results import Output, is_unsafe, produce_description, produce_images, produce_layers
from .state import SandboxState
from .v2_app import routes as v2_routes

#: The contract lists 403, not 401, for these when the key is missing or refused.
FORBIDDEN_NOT_UNAUTHORIZED = frozenset({"/v1/ideogram-v3/remix", "/upscale"})
#: Seconds a client is told to wait when the in-flight limit is reached.
IN_FLIGHT_RETRY_AFTER = 1
UNSAFE_MESSAGE = "Prompt provided failed safety check due to the inclusion of prohibited content."
FAULT_MESSAGES = {
    402: "Not enough credit to run this request (sandbox fault).",
    429: "Too many requests in flight (sandbox fault).",
    500: "Internal server error (sandbox fault).",
    503: "The service is temporarily unavailable (sandbox fault).",
}

Handler = Callable[[Request], Awaitable[Response]]
#: Deprecated endpoints → (successor, unix time of deprecation): /v1/ideogram-v3/edit since 2026-04-29.
DEPRECATED = {"/v1/ideogram-v3/edit": ("/v2/image/inpaint/ideogram-3", 1_777_420_800)}
DEPRECATION_NOTICE = "This endpoint is deprecated; use {successor}."


def _mark_deprecated(response: Response, deprecation: tuple[str, int]) -> None:
    """The three signals of the service (digest): Link successor-version, Deprecation, `notice`."""
    successor, since = deprecation
    response.headers["Link"] = f'<{successor}>; rel="successor-version"'
    response.headers["Deprecation"] = f"@{since}"
    if isinstance(response, JSONResponse) and response.status_code == 200:
        body = json.loads(bytes(response.body))
        body["notice"] = DEPRECATION_NOTICE.format(successor=successor)
        response.body = response.render(body)
        response.headers["content-length"] = str(len(response.body))


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A new sandbox with its own state, reachable as `app.state.sandbox`."""
    state = SandboxState(config or SandboxConfig())
    routes = [Route(path, _api_endpoint(cls), methods=["POST"]) for path, cls in BY_ENDPOINT.items()]
    routes += v2_routes()
    routes += [
        Route(IMAGES_KEY + "/{image_id}.png", _download, methods=["GET"]),
        Route("/sandbox/faults", _faults, methods=["GET", "POST", "DELETE"]),
        Route("/sandbox/stats", _stats, methods=["GET", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = state
    return app


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


# ---- the API ------------------------------------------------------------------------------


def _api_endpoint(request_cls: type[ApiRequest]) -> Handler:
    endpoint = request_cls.endpoint

    async def handle(request: Request) -> Response:
        state = _state(request)
        state.requests_seen[endpoint] += 1
        refused = _check_key(request, state.config, endpoint)
        if refused is not None:
            return refused
        try:
            raw = await read_form(request, request_cls)
        except FormError as exc:
            return _error(400, str(exc))
        state.last_request_fields, state.last_request_files = raw.summary()
        state.last_request_file_data = {name: [data for _, data in parts] for name, parts in raw.files.items()}
        try:
            # Decoding the images fully is CPU work: keep it off the event loop.
            api_request = await run_in_threadpool(build_request, request_cls, raw)
        except (RequestValidationError, ImageFileError) as exc:
            return _error(400, str(exc))
        too_small = _too_small_to_answer(api_request)
        if too_small is not None:
            return _error(400, too_small)
        if is_unsafe(api_request):
            return _error(422, UNSAFE_MESSAGE)
        weight = api_request.image_count()
        if not state.try_acquire(weight):
            return _error(
                429,
                f"Too many images in flight (limit {state.config.max_in_flight_images}); try again shortly.",
                headers={"Retry-After": str(IN_FLIGHT_RETRY_AFTER)},
            )
        try:
            plan = state.take_faults(endpoint)
            delay = state.config.latency + plan.delay
            if delay > 0:
                await asyncio.sleep(delay)
            if plan.failure is not None:
                return _fault_response(plan.failure)
            response = await _answer(request, state, api_request)
            if endpoint in DEPRECATED:
                _mark_deprecated(response, DEPRECATED[endpoint])
            return response
        finally:
            state.release(weight)

    handle.__name__ = f"post_{endpoint.rsplit('/', 1)[-1].replace('-', '_')}"
    return handle


#: Edit and replace-background answer at the source's own size, reported as `upscaled_resolution`,
#: which the contract writes with 2 to 5 digits a side: a smaller source cannot be answered.
MIN_SOURCE_SIDE = 10


def _too_small_to_answer(api_request: ApiRequest) -> str | None:
    if not isinstance(api_request, EditRequest | ReplaceBackgroundRequest) or api_request.image is None:
        return None
    w, h = api_request.image.size
    if min(w, h) >= MIN_SOURCE_SIDE:
        return None
    return f"image: is {w}×{h} pixels; it must be at least {MIN_SOURCE_SIDE} pixels on each side."


def _check_key(request: Request, config: SandboxConfig, endpoint: str) -> Response | None:
    status = 403 if endpoint in FORBIDDEN_NOT_UNAUTHORIZED else 401
    key = request.headers.get("api-key", "").strip()
    if not key:
        return _error(status, "Missing API key: send it in the Api-Key header.")
    if key in config.revoked_keys:
        return _error(status, "This API key has been revoked.")
    return None


def _fault_response(fault: Fault) -> Response:
    if fault.kind is FaultKind.DROP:
        return DroppedConnection()
    headers = None if fault.retry_after is None else {"Retry-After": format(fault.retry_after, "g")}
    message = FAULT_MESSAGES.get(fault.status_code, f"HTTP {fault.status_code} (sandbox fault).")
    if fault.status_code == 402:
        return _error(402, message, headers, reject_reason="INSUFFICIENT_CREDIT")
    return _error(fault.status_code, message, headers)


async def _answer(request: Request, state: SandboxState, api_request: ApiRequest) -> Response:
    base = state.config.image_base_url or str(request.base_url)

    def link(png: bytes) -> str:
        image_id, expires_at = state.store.put(png, state.config.link_lifetime)
        return state.store.link(base, image_id, expires_at)

    if isinstance(api_request, DescribeRequest):
        text = await run_in_threadpool(produce_description, api_request)
        return JSONResponse({"descriptions": [{"text": text}]})
    if isinstance(api_request, LayerizeTextRequest):
        layers = await run_in_threadpool(produce_layers, api_request)
        return JSONResponse(
            {
                "base_image_url": link(layers.base_png),
                "original_image_url": link(layers.original_png),
                "seed": layers.seed,
                "text_blocks": layers.text_blocks,
            }
        )
    outputs = await run_in_threadpool(produce_images, api_request)
    created = datetime.fromtimestamp(state.config.clock(), UTC).isoformat(timespec="seconds")
    return JSONResponse({"created": created, "data": [_image_json(o, link) for o in outputs]})


def _image_json(output: Output, link: Callable[[bytes], str]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "url": None if output.png is None else link(output.png),
        "prompt": output.prompt,
        "resolution": output.resolution,
        "is_image_safe": output.png is not None,
        "seed": output.seed,
        "style_type": output.style_type,
    }
    if output.upscaled_resolution is not None:
        obj["upscaled_resolution"] = output.upscaled_resolution
    return obj


# ---- result downloads ---------------------------------------------------------------------


async def _download(request: Request) -> Response:
    state = _state(request)
    state.image_requests += 1
    if "api-key" in request.headers:
        state.image_requests_with_api_key += 1
    plan = state.take_faults(IMAGES_KEY)
    if plan.delay > 0:
        await asyncio.sleep(plan.delay)
    fault = plan.failure
    if fault is not None and fault.kind is not FaultKind.TRUNCATE:
        return _fault_response(fault)
    data = state.store.get(
        request.path_params["image_id"], request.query_params.get("exp"), request.query_params.get("sig")
    )
    if data is None:
        return _error(404, "This image link has expired or does not exist.")
    if fault is not None:
        return TruncatedBody(data, int(len(data) * fault.keep_fraction), "image/png")
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, no-store"})


# ---- test controls ------------------------------------------------------------------------


async def _faults(request: Request) -> Response:
    """POST a fault object or a list of them; DELETE clears them all; GET lists them."""
    state = _state(request)
    if request.method == "DELETE":
        state.clear_faults()
    elif request.method == "POST":
        try:
            body = await request.json()
            items = body if isinstance(body, list) else [body]
            faults = [Fault.from_json(item) for item in items]
        except ValueError as exc:  # FaultError, or a body that is not JSON
            message = str(exc) if isinstance(exc, FaultError) else "the body must be JSON"
            return _error(400, message)
        state.inject(*faults)
    return JSONResponse({"faults": [f.to_json() for f in state.faults]})


async def _stats(request: Request) -> Response:
    """GET the counters; DELETE resets them (faults and stored images stay)."""
    state = _state(request)
    if request.method == "DELETE":
        state.reset_counters()
    return JSONResponse(state.stats())
