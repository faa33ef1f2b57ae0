"""What can be done with an image of the library, as data (shared by the context menu and the
detail panel), and the requests Describe and Upscale send, built from the gallery's bytes.

The library only emits signals; the window connects them: `send_to_requested(target, hash)` opens
a mode with the image as its source, `use_as_requested(target, hash)` adds it as a reference (the
targets are the window's, given to the page as `MenuItems`: see ui/modes/registry.py),
`describe_requested(hash)` and `upscale_requested(hash, resemblance, detail)` submit the requests
below through the controller.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...api.images import ImageFile
from ...api.requests import DescribeRequest, UpscaleRequest
from ...gallery import Gallery, NotFoundError

#: (target, label) items of a "Send to" or "Use as" menu, in order: the window's targets.
MenuItems = Sequence[tuple[str, str]]
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
