"""A price quote for a v1 Ideogram 3.0 request: the v1 endpoints have no dry run, but each has a v2
twin for Ideogram 3.0 (`/v2/image/<operation>/ideogram-3`) that takes the same fields (enums in
lowercase) and does. Its quote is the service's price for the same work.

`as_v2` gives that twin, or None when the request uses something the twin does not take and that
changes the price (a character reference is `ideogram-3-character`, another model), or when the twin
would refuse it: then the caller keeps the local table's figure, labelled as such.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .errors import ImageFileError, RequestValidationError
from .registry import REGISTRY
from .requests import ApiRequest, Operation
from .v2_requests import Upload, V2Request

#: v1 operations with an Ideogram 3.0 twin on v2.
TWINS = frozenset({Operation.GENERATE, Operation.GENERATE_TRANSPARENT, Operation.REMIX, Operation.EDIT,
                   Operation.REFRAME, Operation.REPLACE_BACKGROUND})  # fmt: skip
#: Fields the twin does not take that do not change the price (left out of the quoted request).
PRICE_NEUTRAL = frozenset({"custom_model_uri", "character_reference_images_mask"})


def as_v2(request: ApiRequest | V2Request) -> V2Request | None:
    """The v2 Ideogram 3.0 request that prices like ``request``; None when there is none."""
    if isinstance(request, V2Request):
        return request
    operation = request.operation
    spec = REGISTRY.get((operation, "ideogram-3"))
    if operation not in TWINS or spec is None or request.has_character_reference:
        return None
    values: dict[str, Any] = {}
    for name, value in request.fields_json().items():
        if name not in spec.fields:
            if name in PRICE_NEUTRAL:
                continue
            return None
        values[name] = _lower(value, spec.fields[name].choices)
    uploads: dict[str, list[Upload]] = {}
    for name, files in request.files().items():
        if name not in spec.fields:
            if name in PRICE_NEUTRAL:
                continue
            return None
        uploads[name] = list(files)
    try:
        twin = V2Request.build(operation, "ideogram-3", values, uploads)
        twin.validate()
    except (RequestValidationError, ImageFileError):
        return None
    return twin


def _lower(value: Any, choices: tuple[str, ...]) -> Any:
    """v1 spells enums in capitals (AUTO, 16x9 stays as it is); v2 in lowercase."""
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, str) and choices and value not in choices and value.lower() in choices:
        return value.lower()
    return value
