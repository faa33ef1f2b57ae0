"""Stand-ins for a form's missing images: the form checks its other fields with a request built
around them (the send button stays blocked by the missing image itself)."""

from __future__ import annotations

from ...api.images import ImageFile, encode_png

_STAND_IN: dict[str, ImageFile] = {}


def stand_in(kind: str) -> ImageFile:
    """A tiny valid image standing in for a missing input, so the other fields can be checked."""
    if kind not in _STAND_IN:
        from PIL import Image  # (on first use: the form takes typing before Pillow is loaded)

        if kind == "mask":
            img = Image.new("L", (8, 8), 255)
            img.paste(0, (0, 0, 4, 8))
        else:
            img = Image.new("RGB", (8, 8), (128, 128, 128))
        _STAND_IN[kind] = encode_png(img, f"{kind}.png")
    return _STAND_IN[kind]
