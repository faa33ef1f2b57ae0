"""Rebuild the request that made a stored image, from the gallery alone ("Reuse settings").

The image's metadata holds the request fields and its lineage (the hash and form-field role of
every input image); the inputs are stored in the gallery too, so nothing else is needed.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from ..api import structured_prompt as sp
from ..api.images import ImageFile
from ..api.limits import MAX_SEED
from ..api.requests import BY_OPERATION, ApiRequest, Operation
from ..api.v2_requests import JSON_PROMPT, Upload, V2Request
from ..gallery import Gallery, GalleryError

#: Operation names stored in the gallery that are not API operations, and what they were sent as.
LABELS = {"face-swap": Operation.EDIT}


def request_for_image(gallery: Gallery, image_hash: str) -> tuple[ApiRequest | V2Request, dict[str, Any]]:
    """The request (with its input images) and the job tags to send it the same way again."""
    meta = gallery.metadata(image_hash)
    label = str(meta.get("operation") or "")
    tags: dict[str, Any] = {}
    if label in LABELS:
        operation = LABELS[label]
        tags["operation_label"] = label
    else:
        try:
            operation = Operation(label)
        except ValueError:
            raise GalleryError(
                "This image was not made by the studio (it was imported), so there are no settings to reuse."
            ) from None
    if (meta.get("response") or {}).get("api") == "v2":
        if operation is Operation.GENERATE_TRANSPARENT:  # Generate's Transparent box made it
            tags["operation_label"] = Operation.GENERATE.value
        return v2_request_for_image(gallery, image_hash), tags
    return _v1_request(gallery, meta, operation), tags


def _v1_request(gallery: Gallery, meta: dict[str, Any], operation: Operation) -> ApiRequest:
    cls = BY_OPERATION[operation]
    file_fields = set(cls.file_field_names())
    files: dict[str, list[ImageFile]] = {}
    for link in meta.get("lineage") or []:
        field = str(link.get("role"))
        if field == "image" and "image" not in file_fields:  # describe/upscale call their source image_file
            field = "image_file"
        if field not in file_fields:
            continue
        data = gallery.read_bytes(str(link["hash"]))
        files.setdefault(field, []).append(ImageFile.from_bytes(data, f"{field}.png"))
    return cls.from_parts(dict(meta.get("request") or {}), files)


def again_request(
    gallery: Gallery, image_hash: str, *, vary: bool = False
) -> tuple[ApiRequest | V2Request, dict[str, Any]]:
    """"Reproduce" (vary False): the stored image again — for a v2 result the caption the service
    used, magic prompt off, the same seed; for 3.0 the same request with the result's seed.
    "Vary": the same with a new seed, drawn here (never the image's own) so that it is new whatever
    the service would pick, and kept with the result. With the job's tags."""
    meta = gallery.metadata(image_hash)
    label = "Vary" if vary else "Reproduce"
    row = gallery.get(image_hash)
    new_seed = _new_seed(None if row is None else row.seed)
    if (meta.get("response") or {}).get("api") == "v2":
        again = v2_request_for_image(gallery, image_hash, reproduce=True)
        if vary and again.spec.has("seed"):
            again = V2Request.build(again.operation, again.model, {**again.values, "seed": new_seed}, again.uploads)
        return again, {"label": label}
    base, tags = request_for_image(gallery, image_hash)
    if not isinstance(base, ApiRequest) or "seed" not in base.field_types():
        raise GalleryError(f"{label} needs a result made with a seed; this operation takes none.")
    fields = {k: v for k, v in base.fields_json().items() if k != "seed"}
    if vary:
        fields["seed"] = new_seed
    elif row is not None and row.seed is not None:
        fields["seed"] = row.seed
    return type(base).from_parts(fields, base.files()), {**tags, "label": label}


def _new_seed(old: int | None) -> int:
    while (seed := secrets.randbelow(MAX_SEED + 1)) == old:
        continue
    return seed


def v2_request_for_image(gallery: Gallery, image_hash: str, *, reproduce: bool = False) -> V2Request:
    """The v2 request that made a stored image, with its inputs, from the gallery alone.

    `reproduce`: the image itself again — the caption the service used (the final structured
    prompt), magic prompt off, the same seed, one image (the digest's recipe for 4.x)."""
    meta = gallery.metadata(image_hash)
    response = meta.get("response") or {}
    if response.get("api") != "v2":
        raise GalleryError("This image was not made with a v2 model.")
    operation = Operation(str(meta.get("operation")))
    values = dict(meta.get("request") or {})
    uploads: dict[str, list[Upload]] = {}
    for link in meta.get("lineage") or []:
        role = str(link.get("role"))
        data = gallery.read_bytes(str(link["hash"]))
        uploads.setdefault(role, []).append(ImageFile.from_bytes(data, f"{role}.png"))
    request = V2Request.build(operation, str(response["model"]), values, uploads)
    if not reproduce:
        return request
    used = response.get("prompt")
    again = {k: v for k, v in values.items() if k not in ("prompt", JSON_PROMPT, "magic_prompt", "seed")}
    if isinstance(used, str) and sp.looks_structured(used) and request.spec.structured_prompt:
        again[JSON_PROMPT] = json.loads(used)
    elif isinstance(used, str):
        again["prompt"] = used
    if request.spec.has("magic_prompt"):
        again["magic_prompt"] = "off"
    if response.get("seed") is not None and request.spec.has("seed"):
        again["seed"] = response["seed"]
    if request.spec.has("num_images"):
        again["num_images"] = 1
    return V2Request.build(operation, request.model, again, uploads)
