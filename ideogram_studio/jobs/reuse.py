"""Rebuild the request that made a stored image, from the gallery alone ("Reuse settings").

The image's metadata holds the request fields and its lineage (the hash and form-field role of
every input image); the inputs are stored in the gallery too, so nothing else is needed.
"""

from __future__ import annotations

from typing import Any

from ..api.images import ImageFile
from ..api.requests import BY_OPERATION, ApiRequest, Operation
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
