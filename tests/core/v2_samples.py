"""A valid V2Request for every registry entry (the smallest that exercises its files)."""

from __future__ import annotations

from typing import Any

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.registry import OperationSpec
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import FontFile, Upload, V2Request

from .helpers import mask_bytes, png_bytes

SOURCE = (512, 384)


def source() -> ImageFile:
    return ImageFile.from_bytes(png_bytes(*SOURCE), "source.png")


def mask() -> ImageFile:
    return ImageFile.from_bytes(mask_bytes(*SOURCE, (100, 100, 300, 300)), "mask.png")


def sample(spec: OperationSpec, **values: Any) -> V2Request:
    fields: dict[str, Any] = {}
    uploads: dict[str, list[Upload]] = {}
    if spec.has("prompt"):
        fields["prompt"] = "a red fox reading a newspaper"
    if "resolution" in spec.required:
        fields["resolution"] = "1024x1024"
    for name in spec.required:
        if spec.fields[name].is_file:
            uploads[name] = [mask() if name == "mask" else source()]
    if spec.operation is Operation.LAYERIZE_TEXT:
        uploads["font_candidate_files"] = [FontFile.from_bytes(b"\0\1\0\0font", "Lobster.ttf")]
    if spec.has("num_images"):
        fields["num_images"] = 2
    fields.update(values)
    return V2Request.build(spec.operation, spec.model, fields, uploads)
