"""A stored image as a layered file: its text blocks (a layerized image) as layers of a PSD or live
text of an SVG, its edit mask as a hidden PSD layer. The pixels and facts come from the library
alone; imaging/layered_export.py writes the files."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from ..imaging.layered_export import (
    LayeredExportError,
    TextBlock,
    open_image,
    text_blocks,
    write_layered_psd,
    write_svg,
)
from .errors import NotFoundError
from .gallery import Gallery

#: The lineage role of an edit's mask (jobs/gallery_store.py stores it so).
MASK_ROLE = "mask"


def stored_text_blocks(gallery: Gallery, image_hash: str) -> list[TextBlock]:
    """The text blocks kept with a layerized image (none for any other image)."""
    response = gallery.metadata(image_hash).get("response")
    return text_blocks(response.get("text_blocks")) if isinstance(response, dict) else []


def export_psd(gallery: Gallery, image_hash: str, target: Path) -> int:
    """The image (+ one layer per text block, + its mask hidden) as a PSD; returns the layer count."""
    base = open_image(_read(gallery, image_hash))
    blocks = stored_text_blocks(gallery, image_hash)
    mask_hash = next((link.parent for link in gallery.parents(image_hash) if link.role == MASK_ROLE), None)
    mask = open_image(_read(gallery, mask_hash)) if mask_hash else None
    if mask is not None and mask.size != base.size:
        mask = None  # an edit answered at another size: its mask no longer lines up, so it is left out
    write_layered_psd(target, base, blocks, mask=mask)
    return 1 + len(blocks) + (mask is not None)


def export_svg(gallery: Gallery, image_hash: str, target: Path) -> int:
    """The image with its text blocks as live SVG text; returns how many blocks."""
    data = _read(gallery, image_hash)
    base = open_image(data)
    blocks = stored_text_blocks(gallery, image_hash)
    write_svg(target, _as_png(base, data), base.size, blocks)
    return len(blocks)


def _read(gallery: Gallery, image_hash: str) -> bytes:
    try:
        return gallery.read_bytes(image_hash)
    except (NotFoundError, OSError) as exc:
        raise LayeredExportError("The image's file is missing from the library: nothing was exported.") from exc


def _as_png(image: Image.Image, data: bytes) -> bytes:
    """SVG viewers all read PNG; a stored PNG goes in as it is."""
    if data.startswith(b"\x89PNG"):
        return data
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
