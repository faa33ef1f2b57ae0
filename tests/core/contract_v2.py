"""The trimmed v2 contract (tests/contract/openapi-v2.json): schema lookup and request/answer checks.

Requests are decoded as a server would (multipart text parts cast by their schema's type, JSON
parts parsed, files as `<binary>`) and validated with openapi-schema-validator, as contract_check.py
does for v1; answers are validated against the 200/4xx schema of their operation.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .contract_check import _parts

CONTRACT = Path(__file__).resolve().parents[1] / "contract" / "openapi-v2.json"
URN = "urn:ideogram-contract-v2"


@cache
def document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(CONTRACT.read_text())
    return doc


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    return Registry().with_resource(URN, Resource.from_contents(document(), default_specification=DRAFT4))


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def validator(schema: dict[str, Any]) -> OAS30Validator:
    if "$ref" in schema:
        schema = {"$ref": URN + schema["$ref"]}
    return OAS30Validator(schema, registry=_registry(), format_checker=OAS30Validator.FORMAT_CHECKER)


def schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    found = validator(schema).iter_errors(instance)
    return [f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}" for e in found]


def operation(path: str, method: str = "post") -> dict[str, Any]:
    op: dict[str, Any] = document()["paths"][path][method]
    return op


def body_schema(path: str) -> dict[str, Any]:
    content = operation(path)["requestBody"]["content"]
    return resolve(next(iter(content.values()))["schema"])


def _cast(value: bytes, schema: dict[str, Any], content_type: str | None, is_file: bool) -> Any:
    schema = resolve(schema)
    if is_file or schema.get("format") == "binary":
        return "<binary>"
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
        return text
    return text


def request_errors(request: httpx.Request) -> list[str]:
    """Every way `request` (as sent) breaks the v2 contract."""
    doc = document()
    path = request.url.path
    if path not in doc["paths"] or "post" not in doc["paths"][path]:
        return [f"{request.method} {path} is not an operation of the contract"]
    op = operation(path)
    errors: list[str] = []
    if not request.headers.get("api-key"):
        errors.append("the Api-Key header is missing")
    dry_run = request.url.params.get("dry_run")
    if dry_run is not None and not any(p.get("name") == "dry_run" for p in op.get("parameters", [])):
        errors.append(f"{path} declares no dry_run parameter")
    ctype = request.headers.get("content-type", "").split(";")[0]
    content = op["requestBody"]["content"]
    if ctype not in content:
        return [*errors, f"{path} takes {', '.join(content)}, not {ctype}"]
    schema = resolve(content[ctype]["schema"])
    if ctype == "application/json":
        body: Any = json.loads(request.read())
    else:
        body = {}
        properties = schema["properties"]
        for name, value, filename, part_type in _parts(request):
            if name not in properties:
                errors.append(f"{name!r} is not a field of {path}")
                continue
            prop = resolve(properties[name])
            if prop.get("type") == "array":
                body.setdefault(name, []).append(_cast(value, prop["items"], part_type, filename is not None))
            elif name in body:
                errors.append(f"{name!r} was sent twice")
            else:
                body[name] = _cast(value, prop, part_type, filename is not None)
    errors.extend(schema_errors(body, content[ctype]["schema"]))
    return errors


def answer_errors(path: str, response: httpx.Response, method: str = "post") -> list[str]:
    """Every way the answer breaks the contract of `method path` (status listed, body schema)."""
    template = path
    if path.startswith("/v2/generations/"):
        template = "/v2/generations/{generation_id}"
    responses = operation(template, method)["responses"]
    status = str(response.status_code)
    if status not in responses:
        return [f"{method.upper()} {template} lists no {status}"]
    content = responses[status].get("content")
    if not content:
        return []
    if not response.headers.get("content-type", "").startswith("application/json"):
        return [f"{status} should be JSON"]
    return schema_errors(response.json(), content["application/json"]["schema"])
