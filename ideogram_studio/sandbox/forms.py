"""Reading an API call's body into the API layer's request types, as the service would read it.

The body is multipart/form-data (generate and generate-transparent also take JSON, as the contract
allows). Repeated fields become lists. A JSON part (`color_palette`, upscale's `image_request`) may
come as a plain value or as a part with a file name; both are read as text. Files are decoded
with `ImageFile.from_bytes`, which refuses what is not a whole PNG, JPEG or WebP image. Then
`from_parts` refuses unknown fields and `validate()` the rest: one set of rules for client and server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ideogram_studio.api.errors import ImageFileError, RequestValidationError
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.limits import REQUEST_TOTAL
from ideogram_studio.api.requests import ApiRequest, UpscaleRequest

#: Upscale sends every field but the image inside this JSON part.
UPSCALE_JSON_PART = "image_request"
#: Endpoints whose contract also lists an application/json body.
JSON_BODY_ENDPOINTS = frozenset({"/v1/ideogram-v3/generate", "/v1/ideogram-v3/generate-transparent"})
#: Slack over the documented request limit for multipart framing.
BODY_SLACK = 1024 * 1024


class FormError(ValueError):
    """The body could not be read as a form at all (wrong content type, broken multipart)."""


@dataclass
class RawForm:
    """The parts as received, before any meaning is given to them."""

    text: dict[str, list[Any]] = field(default_factory=dict)
    files: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)

    def summary(self) -> tuple[dict[str, str | list[str]], dict[str, list[str]]]:
        """Text fields (single values unwrapped) and file names, for the state's counters."""
        text = {k: [str(v) for v in vs] if len(vs) > 1 else str(vs[0]) for k, vs in self.text.items()}
        return text, {k: [name for name, _ in vs] for k, vs in self.files.items()}


async def read_form(request: Request, request_cls: type[ApiRequest]) -> RawForm:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > REQUEST_TOTAL + BODY_SLACK:
        raise FormError(f"request: the body is {int(length) // (1024 * 1024)} MB; the limit is 50 MB")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" and request_cls.endpoint in JSON_BODY_ENDPOINTS:
        return await _read_json(request)
    if not content_type and not await request.body():
        return RawForm()  # nothing sent: let validation name the first required field
    if content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise FormError(f"the body must be multipart/form-data (got {content_type or 'no content type'})")
    json_parts = request_cls.json_parts | ({UPSCALE_JSON_PART} if request_cls is UpscaleRequest else set())
    raw = RawForm()
    try:
        async with request.form(max_files=64, max_fields=256) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    if name in json_parts:
                        raw.text.setdefault(name, []).append(data.decode("utf-8", errors="replace"))
                    elif value.filename or data:  # a browser's empty file input is no file
                        raw.files.setdefault(name, []).append((value.filename or name, data))
                else:
                    raw.text.setdefault(name, []).append(value)
    except HTTPException as exc:
        raise FormError(f"the multipart body cannot be read: {exc.detail}") from None
    except (ValueError, KeyError) as exc:
        raise FormError(f"the multipart body cannot be read: {exc}") from None
    return raw


async def _read_json(request: Request) -> RawForm:
    try:
        body = await request.json()
    except ValueError:
        raise FormError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise FormError("the JSON body must be an object of fields")
    return RawForm(text={k: [v] for k, v in body.items()})


def build_request(request_cls: type[ApiRequest], raw: RawForm) -> ApiRequest:
    """Parse and validate; raises RequestValidationError or ImageFileError naming the field."""
    file_fields = set(request_cls.file_field_names())
    fields: dict[str, Any] = {}
    for name, values in raw.text.items():
        if name in file_fields:
            raise RequestValidationError(name, "must be an image file part, not a text value")
        fields[name] = values[0] if len(values) == 1 else values
    if request_cls is UpscaleRequest:
        fields = _unpack_image_request(fields)
    files: dict[str, list[ImageFile]] = {}
    for name, parts in raw.files.items():
        if name not in file_fields:
            raise RequestValidationError(name, f"is not a file field of {request_cls.endpoint}")
        try:
            files[name] = [ImageFile.from_bytes(data, filename) for filename, data in parts]
        except ImageFileError as exc:
            raise ImageFileError(exc.message, field=name) from None
    request = request_cls.from_parts(fields, files)
    request.validate()
    return request


def _unpack_image_request(fields: dict[str, Any]) -> dict[str, Any]:
    if UPSCALE_JSON_PART not in fields:
        raise RequestValidationError(UPSCALE_JSON_PART, "is required (a JSON object, may be {})")
    text = fields.pop(UPSCALE_JSON_PART)
    if not isinstance(text, str):
        raise RequestValidationError(UPSCALE_JSON_PART, "must be sent once")
    try:
        inner = json.loads(text)
    except json.JSONDecodeError:
        raise RequestValidationError(UPSCALE_JSON_PART, "must be a JSON object") from None
    if not isinstance(inner, dict):
        raise RequestValidationError(UPSCALE_JSON_PART, "must be a JSON object")
    if fields:
        stray = next(iter(fields))
        raise RequestValidationError(stray, f"belongs inside {UPSCALE_JSON_PART}, not beside it")
    return dict(inner)
