"""Rebuild the request that made a stored image, from the gallery alone ("Reuse settings").

The image's metadata holds the request fields and its lineage (the hash and form-field role of
every input image); the inputs are stored in the gallery too, so nothing else is needed.
"""

from __future__ import annotations

import json
from typing import Any

from ..api import structured_prompt as sp
from ..api.images import ImageFile
from ..api.requests import BY_OPERATION, ApiRequest, Operation
from ..api.v2_requests import JSON_PROMPT, Upload, V2Request
from ..gallery import Gallery, GalleryError

#: Operation names stored in the gallery that are not API operations, and what they were sent as.
LABELS = {"face-swap": Operation.EDIT}


def request_for_image(gallery: Gallery, image_hash: str) -> tuple[ApiRequest, dict[str, Any]]:
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
        raise GalleryError(
            f"This image was made with {meta['response'].get('model')} (the v2 API); the studio's panels reuse "
            "Ideogram 3.0 settings for now. Reproduce it from the command line (ideogram-studio --help)."
        )
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
    return cls.from_parts(dict(meta.get("request") or {}), files), tags


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
