"""Getting a source image ready for an image endpoint, without Qt.

* ``prepare``: images the API may not take as they are (CMYK, palette, 16-bit, 1-bit, float, and
  transparency where the endpoint has no use for it) become an 8-bit RGB or RGBA PNG, with a
  note saying what changed. Anything else keeps its exact bytes, so a gallery image sent as a
  source keeps its content hash (and the result's lineage links to it).
* ``downscale_to_fit``: a copy small enough for a file-size limit (only when the designer asks).

Transparency: replace-background reads the subject from it, so it is kept there (``keep_alpha``);
every other endpoint gets the transparent parts flattened on white, and the note says so.
"""

from __future__ import annotations

import io
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from ..api.errors import ImageFileError
from ..api.images import ImageFile
from ..api.limits import ACCEPTED_FORMATS, MB

if TYPE_CHECKING:  # (Pillow itself loads on first use: the forms import this module before any image)
    from PIL import Image

#: JPEG quality of a downscaled copy without transparency.
JPEG_QUALITY = 92
#: Aim this far under the limit, so a re-encode that lands just on it is not refused.
HEADROOM = 0.97
#: Modes kept as they are (with their exact bytes) when nothing else needs a change.
PLAIN_MODES = frozenset({"RGB", "L"})
ALPHA_MODES = frozenset({"RGBA", "LA"})

_MODE_NAMES = {
    "CMYK": "a CMYK image",
    "P": "an indexed-colour (palette) image",
    "PA": "an indexed-colour (palette) image",
    "1": "a 1-bit black-and-white image",
    "I;16": "a 16-bit greyscale image",
    "I;16B": "a 16-bit greyscale image",
    "I;16L": "a 16-bit greyscale image",
    "I": "a 32-bit greyscale image",
    "F": "a floating-point image",
    "YCbCr": "a YCbCr image",
    "LAB": "a Lab image",
    "HSV": "an HSV image",
}


@dataclass(frozen=True)
class Prepared:
    """The image to send, and what was done to it (empty when its bytes are untouched)."""

    image: ImageFile
    note: str = ""

    @property
    def converted(self) -> bool:
        return bool(self.note)


def describe(image: ImageFile) -> str:
    """ "1024×768 PNG · 1.2 MB" """
    return f"{image.width}×{image.height} {image.format} · {format_bytes(len(image.data))}"


def format_bytes(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def png_bit_depth(data: bytes) -> int | None:
    """The bit depth a PNG declares in its header (8 or 16 for colour), None for other files."""
    if len(data) >= 25 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return data[24]
    return None


def has_transparency(img: Image.Image) -> bool:
    """True when some pixel is not fully opaque (an alpha channel of all 255 does not count)."""
    if img.mode in ALPHA_MODES or img.mode in ("PA", "RGBa", "La"):
        alpha = img.getchannel("A") if img.mode in ALPHA_MODES else img.convert("RGBA").getchannel("A")
    elif "transparency" in img.info:
        alpha = img.convert("RGBA").getchannel("A")
    else:
        return False
    low, _ = alpha.getextrema()
    return isinstance(low, int | float) and low < 255


def prepare(image: ImageFile, *, keep_alpha: bool) -> Prepared:
    """The image as the endpoint should get it; the same object when no change is needed."""
    from PIL import Image

    with Image.open(io.BytesIO(image.data)) as lazy:
        mode, info = lazy.mode, dict(lazy.info)
    wide = image.format == "PNG" and png_bit_depth(image.data) == 16
    if mode in PLAIN_MODES and not wide and "transparency" not in info:
        return Prepared(image)
    img = image.pil()
    transparent = has_transparency(img)
    if mode in ALPHA_MODES and not wide and (keep_alpha or not transparent):
        return Prepared(image)  # RGBA/LA as it is: transparency kept, or there is none to flatten

    what = _MODE_NAMES.get(mode, f"a {mode} image")
    if wide and mode in (*PLAIN_MODES, *ALPHA_MODES):
        what = "a 16-bit-per-channel PNG"
    if transparent and keep_alpha:
        out = to_8bit(img).convert("RGBA")
        note = f"Converted from {what} to an 8-bit RGBA PNG; transparency kept."
    elif transparent:
        out = flatten_on_white(img)
        if mode in ALPHA_MODES and not wide:
            note = "Transparent parts were flattened on white: this mode does not use transparency."
        else:
            note = (
                f"Converted from {what} to an 8-bit RGB PNG; transparent parts were flattened on white "
                "(this mode does not use transparency)."
            )
    else:
        out = to_8bit(img).convert("RGB")
        note = f"Converted from {what} to an 8-bit RGB PNG."
    return Prepared(_encode(out, "PNG", _renamed(image.filename, ".png"), image.colour_note), note)


def to_8bit(img: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale scaled down to 8 bits (rather than clipped at 255)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        wide = img.convert("I") if img.mode != "F" else img
        low, high = wide.getextrema()
        assert isinstance(high, int | float) and isinstance(low, int | float)
        if high > 255:
            scale = 255 / high if img.mode == "F" else 1 / 257
            wide = wide.point(lambda v: v * scale)
        return wide.convert("L")
    return img


def flatten_on_white(img: Image.Image) -> Image.Image:
    rgba = to_8bit(img).convert("RGBA")
    from PIL import Image

    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def downscale_to_fit(image: ImageFile, limit: int, *, keep_alpha: bool) -> tuple[ImageFile, str]:
    """A smaller copy under ``limit`` bytes, and a sentence saying what was done.

    With transparency to keep it stays a PNG (scaled down until it fits); otherwise it becomes a
    JPEG, first at full size, then scaled down. Raises ImageFileError if nothing fits.
    """
    from PIL import Image

    img = image.pil()
    transparent = keep_alpha and has_transparency(img)
    if transparent:
        work, fmt, suffix = to_8bit(img).convert("RGBA"), "PNG", ".png"
    else:
        work = flatten_on_white(img) if has_transparency(img) else to_8bit(img).convert("RGB")
        fmt, suffix = "JPEG", ".jpg"
    target = int(limit * HEADROOM)
    width, height = work.size
    scale = 1.0
    for _ in range(16):
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        candidate = work if size == work.size else work.resize(size, Image.Resampling.LANCZOS)
        data = _encode_bytes(candidate, fmt)
        if len(data) <= target:
            out = _wrap(data, candidate, fmt, _renamed(image.filename, suffix), image.colour_note)
            kind = "PNG" if fmt == "PNG" else f"JPEG (quality {JPEG_QUALITY})"
            if size == (width, height):
                how = f"Re-encoded as {kind} at the same size"
            else:
                how = f"Scaled from {width}×{height} to {size[0]}×{size[1]} and saved as {kind}"
            return out, f"{how}: {format_bytes(len(image.data))} → {format_bytes(len(data))}."
        # The encoded size follows the pixel count, so shrink both sides by the square root.
        scale *= min(0.9, math.sqrt(target / len(data)) * 0.97)
    raise ImageFileError(f"{image.filename} cannot be made smaller than {format_bytes(limit)}.")


def _encode_bytes(img: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG":
        # Through a file: into memory, Pillow's optimised JPEG encoder makes the whole image in one
        # call that keeps the GIL (~0.4 s for a downscaled 8K photo, while the GUI thread's Python
        # waits); into a file it lets the GIL go. The bytes are the same.
        with tempfile.TemporaryDirectory(prefix="ideogram-encode-") as folder:
            path = Path(folder) / "image.jpg"
            img.save(path, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            return path.read_bytes()
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _encode(img: Image.Image, fmt: str, filename: str, colour_note: str = "") -> ImageFile:
    return _wrap(_encode_bytes(img, fmt), img, fmt, filename, colour_note)


def _wrap(data: bytes, img: Image.Image, fmt: str, filename: str, colour_note: str = "") -> ImageFile:
    """The encoded bytes as an ImageFile, without decoding them again (we just wrote them). The
    source's colour note goes with it: what became of its profile is still true of these pixels."""
    return ImageFile(data, filename, ACCEPTED_FORMATS[fmt], img.width, img.height, fmt, img.mode, colour_note)


def _renamed(filename: str, suffix: str) -> str:
    stem = PurePath(filename).stem or "image"
    return stem + suffix
