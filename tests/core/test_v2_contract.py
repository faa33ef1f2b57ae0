"""The registry, the requests the client builds and the sandbox's answers, against the trimmed v2 contract."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.registry import SPECS, Answer, FieldKind, OperationSpec
from ideogram_studio.sandbox import sandbox_transport

from .contract_v2 import answer_errors, body_schema, document, operation, request_errors, resolve
from .helpers import SANDBOX_URL, TEST_API_KEY
from .v2_samples import sample

IDS = [f"{s.operation.value}:{s.model}" for s in SPECS]


def _kind_agrees(spec: OperationSpec, name: str, schema: dict[str, Any]) -> list[str]:
    fs = spec.fields[name]
    schema = resolve(schema)
    items = resolve(schema["items"]) if schema.get("type") == "array" else None
    where = f"{spec.path} {name}"
    if fs.kind is FieldKind.FILE:
        if fs.max_count > 1:
            ok = items is not None and items.get("format") == "binary" and schema.get("maxItems") == fs.max_count
        else:
            ok = schema.get("format") == "binary"
        return [] if ok else [f"{where}: file kind or count differs"]
    if fs.kind is FieldKind.CHOICE:
        return [] if tuple(schema.get("enum", ())) == fs.choices else [f"{where}: enum differs"]
    if fs.kind is FieldKind.INTEGER:
        same = (schema.get("type"), schema.get("minimum"), schema.get("maximum")) == ("integer", fs.minimum, fs.maximum)
        return [] if same else [f"{where}: integer range differs"]
    if fs.kind is FieldKind.TEXT:
        pattern = schema.get("pattern")
        same = schema.get("type") == "string" and schema.get("maxLength") == fs.max_length
        same = same and (pattern is None if fs.pattern is None else pattern == f"^({fs.pattern})$")
        return [] if same else [f"{where}: text rule differs"]
    if fs.kind is FieldKind.CODES:
        return [] if items is not None and items.get("pattern") == f"^{fs.pattern}$" else [f"{where}: codes differ"]
    expected = {FieldKind.BOOLEAN: "boolean", FieldKind.NUMBER: "number", FieldKind.PALETTE: None}[fs.kind]
    return [] if schema.get("type") == expected else [f"{where}: type differs"]


def test_the_registry_and_the_contract_agree() -> None:
    paths = {p for p, item in document()["paths"].items() if "post" in item and p.startswith("/v2/")}
    assert paths == {s.path for s in SPECS}
    problems: list[str] = []
    for spec in SPECS:
        op = operation(spec.path)
        schema = body_schema(spec.path)
        if (op["x-operation"], op["x-model"]) != (spec.operation.value, spec.model):
            problems.append(f"{spec.path}: addressed differently")
        if set(schema["properties"]) != set(spec.fields):
            problems.append(f"{spec.path}: fields {set(schema['properties']) ^ set(spec.fields)}")
            continue
        if set(schema["required"]) != set(spec.required):
            problems.append(f"{spec.path}: required fields differ")
        for name, prop in schema["properties"].items():
            problems += _kind_agrees(spec, name, prop)
        bodies = {"application/json": "json", "multipart/form-data": "multipart"}
        if {bodies[c] for c in op["requestBody"]["content"]} != set(spec.bodies):
            problems.append(f"{spec.path}: body kinds differ")
        declares_dry_run = any(p["name"] == "dry_run" for p in op.get("parameters", []))
        if declares_dry_run != spec.dry_run:
            problems.append(f"{spec.path}: dry_run differs")
        if op["x-async"] != spec.async_mode.value:
            problems.append(f"{spec.path}: async differs")
        limits = {n: [f.max_bytes // (1024 * 1024), f.max_count] for n, f in spec.fields.items() if f.is_file}
        if op["x-file-limits-mb"] != limits:
            problems.append(f"{spec.path}: file limits differ")
        if op.get("x-mask-polarity") != (spec.mask_polarity.value if spec.mask_polarity else None):
            problems.append(f"{spec.path}: mask polarity differs")
    assert problems == []


@pytest.fixture
async def recorded(sandbox_app: Starlette) -> Any:
    requests: list[httpx.Request] = []
    inner = sandbox_transport(sandbox_app)

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await request.aread()
            requests.append(request)
            return await inner.handle_async_request(request)

    client = IdeogramClient(api_key=TEST_API_KEY, base_url=SANDBOX_URL, transport=Recording())
    yield client, requests
    await client.aclose()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
async def test_every_operation_is_sent_as_the_contract_says_and_answered_so(
    recorded: Any, sandbox_app: Starlette, spec: OperationSpec
) -> None:
    client, requests = recorded
    request = sample(spec)
    answer = await client.v2.send(request, send_async=False)

    assert answer is not None
    sent = requests[-1]
    assert request_errors(sent) == []
    # The answer as the sandbox gave it, checked against the contract.
    response = await _replay(sandbox_app, sent)
    assert response.status_code == 200, response.text
    assert answer_errors(spec.path, response) == []
    if "private" in spec.fields:
        assert b'"private":true' in sent.content or b"true" in _part(sent, "private")


QUOTABLE = [s for s in SPECS if s.dry_run]


@pytest.mark.parametrize("spec", QUOTABLE, ids=[f"{s.operation.value}:{s.model}" for s in QUOTABLE])
async def test_quotes_match_the_contract_and_are_never_generations(
    recorded: Any, sandbox_app: Starlette, spec: OperationSpec
) -> None:
    client, requests = recorded
    request = sample(spec)
    quote = await client.v2.quote(request)
    again = await client.v2.quote(request)

    assert again is quote and client.v2.quotes_sent == 1  # cached by body
    assert quote.usd > 0 and quote.qualifier in ("exact", "estimate")
    assert request_errors(requests[-1]) == []
    assert requests[-1].url.params["dry_run"] == "true"
    state = sandbox_app.state.sandbox
    assert state.quotes == 1 and state.generations_created == 0 and len(state.store) == 0
    response = await _replay(sandbox_app, requests[-1])
    assert answer_errors(spec.path, response) == []


async def _replay(app: Starlette, request: httpx.Request) -> httpx.Response:
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=SANDBOX_URL) as http:
        return await http.send(
            httpx.Request(request.method, request.url, headers=request.headers, content=request.content)
        )


def _part(request: httpx.Request, name: str) -> bytes:
    marker = f'name="{name}"'.encode()
    content = request.content
    at = content.find(marker)
    return content[at : at + 200] if at >= 0 else b""


def test_describe_answers_are_their_own_kinds() -> None:
    kinds = {s.model: s.answer for s in SPECS if s.operation.value == "describe"}
    assert kinds == {"ideogram-3": Answer.DESCRIBE, "ideogram-4": Answer.DESCRIBE_JSON}
