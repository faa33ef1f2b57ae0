"""What can be done with an image of the library, as data (shared by the context menu and the
detail panel), and the requests Describe and Upscale send, built from the gallery's bytes.

The library only emits signals; the window connects them: `send_to_requested(mode, hash)` opens
a mode with the image as its source, `use_as_requested(role, hash)` adds it as a reference
(`role` is "face-swap-character" or "style-reference", the window's send targets), `describe_requested(hash)` and
`upscale_requested(hash, resemblance, detail)` submit the requests below through the controller.
"""

from __future__ import annotations

from ...api.images import ImageFile
from ...api.requests import DescribeRequest, UpscaleRequest
from ...gallery import Gallery, NotFoundError

#: (mode, label) of "Send to": the window's mode names.
SEND_TO = (
    ("edit", "Edit"),
    ("remix", "Remix"),
    ("reframe", "Reframe"),
    ("replace-background", "Replace background"),
    ("face-swap", "Face swap (the photo)"),
)
#: (role, label) of "Use as": the window's send targets for references (MainWindow.SEND_TARGETS).
ROLE_CHARACTER = "face-swap-character"
ROLE_STYLE = "style-reference"
USE_AS = (
    (ROLE_CHARACTER, "Face-swap character"),
    (ROLE_STYLE, "Style reference"),
)
DEFAULT_RESEMBLANCE = 50
DEFAULT_DETAIL = 50


def image_file(gallery: Gallery, image_hash: str) -> ImageFile:
    """The stored image as an API input (decoded and checked; raises ImageFileError if refused)."""
    row = gallery.get(image_hash)
    if row is None:
        raise NotFoundError(f"No image {image_hash[:12]}… in the gallery.")
    data = gallery.read_bytes(image_hash)
    name = gallery.path_for(image_hash).name
    return ImageFile.from_bytes(data, name)


def describe_request(gallery: Gallery, image_hash: str) -> DescribeRequest:
    request = DescribeRequest(image_file=image_file(gallery, image_hash))
    request.validate()
    return request


def upscale_request(
    gallery: Gallery,
    image_hash: str,
    resemblance: int = DEFAULT_RESEMBLANCE,
    detail: int = DEFAULT_DETAIL,
    *,
    prompt: str | None = None,
) -> UpscaleRequest:
    request = UpscaleRequest(image_file=image_file(gallery, image_hash), resemblance=int(resemblance),
                             detail=int(detail), prompt=prompt or None)
    request.validate()
    return request
