"""Limits of the service, in one table that is easy to change.

Sources: openapi-v3.json (10 MB per file) and the newer reference pages (25 MB for the inpaint
and remix source). The server's 400 stays the last word; these only stop a request we know
would be refused before it costs an upload.
"""

from __future__ import annotations

MB = 1024 * 1024

#: Bytes allowed for one file, by (endpoint, field); `None` as endpoint is the default for a field.
FILE_SIZE_LIMITS: dict[tuple[str | None, str], int] = {
    (None, "image"): 10 * MB,
    (None, "mask"): 10 * MB,
    (None, "image_file"): 10 * MB,
    (None, "style_reference_images"): 10 * MB,
    (None, "character_reference_images"): 10 * MB,
    (None, "character_reference_images_mask"): 10 * MB,
    ("/v1/ideogram-v3/inpaint", "image"): 25 * MB,
    ("/v1/ideogram-v3/inpaint", "mask"): 25 * MB,
    ("/v1/ideogram-v3/edit", "image"): 25 * MB,
    ("/v1/ideogram-v3/edit", "mask"): 25 * MB,
    ("/v1/ideogram-v3/remix", "image"): 25 * MB,
}
#: All style reference images of one request together.
STYLE_REFERENCES_TOTAL = 10 * MB
#: All character reference images of one request together.
CHARACTER_REFERENCES_TOTAL = 10 * MB
#: The whole request body.
REQUEST_TOTAL = 50 * MB
MAX_STYLE_REFERENCES = 10
MAX_CHARACTER_REFERENCES = 1
MAX_PALETTE_MEMBERS = 8
MIN_COLOR_WEIGHT = 0.05
MAX_COLOR_WEIGHT = 1.0
MAX_SEED = 2_147_483_647
MAX_NUM_IMAGES = 8
#: Pixels an input image may have before we refuse to decode it (decompression bombs).
MAX_INPUT_PIXELS = 64 * 1024 * 1024
#: Bytes a downloaded result may have; a 4x upscale of the largest resolution stays far below.
MAX_DOWNLOAD_BYTES = 200 * MB
#: In-flight limit of the service: images, not requests (a num_images=4 call takes 4 places).
IN_FLIGHT_IMAGES = 10
#: Formats the service accepts, as Pillow names them, with their MIME type.
ACCEPTED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def file_size_limit(endpoint: str, field: str) -> int:
    return FILE_SIZE_LIMITS.get((endpoint, field), FILE_SIZE_LIMITS[(None, field)])
