"""Validate the multipart requests the client builds against the OpenAPI contract.

openapi-core's multipart decoding leaves every text part a string and does not decode the JSON
parts that the contract also marks `style: form`, so it rejects valid requests. We decode the
body as a server would — each text part cast by the type its schema declares, JSON parts
parsed — and hand the object to the same schema validator openapi-core uses
(openapi-schema-validator's OAS30Validator), with the contract's own `$ref`s resolved.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

CONTRACT = Path(__file__).resolve().parents[1] / "contract" / "openapi-v3.json"
URN = "urn:ideogram-contract"


@cache
def _document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(CONTRACT.read_text())
    return doc


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    return Registry().with_resource(URN, Resource.from_contents(_document(), default_specification=DRAFT4))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = _document()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _parts(request: httpx.Request) -> list[tuple[str, bytes, str | None, str | None]]:
    raw = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.read()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    out = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        ctype = part.get("content-type")
        payload = part.get_payload(decode=True)
        out.append((str(name), payload if isinstance(payload, bytes) else b"", filename, ctype))
    return out


def _cast(value: bytes, schema: dict[str, Any], content_type: str | None, is_file: bool) -> Any:
    schema = _resolve(schema)
    if is_file or schema.get("format") == "binary":
        return "<binary>"  # the schema says `type: string, format: binary`: any bytes
    text = value.decode()
    if content_type and content_type.startswith("application/json"):
        return json.loads(text)
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind == "boolean":
            return {"true": True, "false": False}[text]
    except (ValueError, KeyError):
        return text  # left as text, so the validator reports the wrong type
    return text


def request_errors(request: httpx.Request) -> list[str]:
    """Every way `request` breaks the contract (empty when it is valid)."""
    doc = _document()
    path = request.url.path
    errors: list[str] = []
    if path not in doc["paths"] or request.method != "POST":
        return [f"{request.method} {path} is not an operation of the contract"]
    if not request.headers.get("api-key"):
        errors.append("the Api-Key header is missing")
    if "authorization" in request.headers:
        errors.append("an Authorization header was sent; the API takes Api-Key")
    content = doc["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
    schema = _resolve(content["schema"])
    properties = schema["properties"]
    body: dict[str, Any] = {}
    for name, value, filename, ctype in _parts(request):
        if name not in properties:
            errors.append(f"{name!r} is not a field of {path}")
            continue
        prop = _resolve(properties[name])
        if prop.get("type") == "array":
            body.setdefault(name, []).append(_cast(value, prop["items"], ctype, filename is not None))
        elif name in body:
            errors.append(f"{name!r} was sent twice")
        else:
            body[name] = _cast(value, prop, ctype, filename is not None)
    validator = OAS30Validator(
        {"$ref": f"{URN}{content['schema']['$ref']}"},
        registry=_registry(),
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )
    errors.extend(f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}" for e in validator.iter_errors(body))
    return errors


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests through to `inner`, keeping a copy of each for later checks."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
