"""Where other tools hide their generation settings in a file, read within bounds.

- PNG text chunks (tEXt, zTXt, iTXt), before or after the pixels;
- EXIF UserComment (AUTOMATIC1111, Fooocus and SwarmUI JPEG and WebP files);
- XMP (Draw Things, Midjourney and others): the packet only, never its entities;
- "stealth" metadata in the alpha channel's lowest bits (AUTOMATIC1111's stealth-pnginfo, NovelAI).

Every read is bounded, whatever the file says about itself: a text chunk over MAX_CHUNK_BYTES is
skipped, compressed text inflates to at most MAX_TEXT_BUDGET bytes per file in all, XMP over
MAX_XMP_BYTES and XMP with a DOCTYPE (entity expansion) are refused, the alpha channel is read
for at most MAX_STEALTH_BYTES. What was skipped, and why, is noted for the import report.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass, field

from PIL import Image

from .pngchunks import is_png

#: One text chunk larger than this is not read (real generation settings are a few KB; a
#: ComfyUI workflow rarely passes 1 MB).
MAX_CHUNK_BYTES = 8 * 1024 * 1024
#: All text of one file after inflating compressed chunks (a zlib bomb stops here).
MAX_TEXT_BUDGET = 16 * 1024 * 1024
MAX_TEXT_CHUNKS = 64
MAX_XMP_BYTES = 1024 * 1024
MAX_EXIF_COMMENT_BYTES = 1024 * 1024
#: Stealth payloads (compressed) larger than this are not read.
MAX_STEALTH_BYTES = 1024 * 1024
STEALTH_MAGICS = {b"stealth_pnginfo": False, b"stealth_pngcomp": True}


@dataclass
class Sources:
    """What one file carries, as text, and what could not be read."""

    format: str = ""
    #: PNG only: the eXIf chunk's body, and the file cut down to the chunks pixels need (IHDR,
    #: PLTE, tRNS, IDAT, IEND), so Pillow never reads a hostile text chunk at the end.
    png_exif: bytes | None = None
    png_pixels: bytes | None = None
    texts: dict[str, str] = field(default_factory=dict)
    exif_comment: str | None = None
    xmp: str | None = None
    stealth: str | None = None
    notes: list[str] = field(default_factory=list)


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total

    def inflate(self, data: bytes, wbits: int = zlib.MAX_WBITS) -> bytes | None:
        if self.left <= 0:
            return None
        d = zlib.decompressobj(wbits)
        out = d.decompress(data, self.left)
        if d.unconsumed_tail:
            self.left = 0
            return None
        self.left -= len(out)
        return out


def _decode_text_chunk(ctype: bytes, body: bytes, budget: _Budget) -> tuple[str, str] | str | None:
    """(keyword, text); None if damaged; a str when over the budget (the keyword, for the note)."""
    kw, sep, rest = body.partition(b"\0")
    if not sep or not 1 <= len(kw) <= 79:
        return None
    keyword = kw.decode("latin-1")
    try:
        if ctype == b"tEXt":
            return keyword, rest.decode("latin-1")
        if ctype == b"zTXt":
            out = budget.inflate(rest[1:])
            return keyword if out is None else (keyword, out.decode("latin-1"))
        flag, _method = rest[0], rest[1]
        _lang, _, rest = rest[2:].partition(b"\0")
        _tkw, _, text = rest.partition(b"\0")
        if flag:
            out = budget.inflate(text)
            if out is None:
                return keyword
            text = out
        return keyword, text.decode("utf-8")
    except (IndexError, UnicodeDecodeError, zlib.error):
        return None


_TEXT_TYPES = (b"tEXt", b"zTXt", b"iTXt")
_PIXEL_CHUNKS = (b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND")
MAX_EXIF_BYTES = 1024 * 1024


def png_texts(data: bytes, sources: Sources) -> None:
    """Text chunks, walked by their headers: a chunk too large is skipped without being copied."""
    budget = _Budget(MAX_TEXT_BUDGET)
    count = 0
    view = memoryview(data)
    pos, end = 8, len(data)
    pixels: list[memoryview] = [view[:8]]
    while pos + 12 <= end:
        (length,) = struct.unpack_from(">I", data, pos)
        ctype = bytes(view[pos + 4 : pos + 8])
        if length > 0x7FFFFFFF or pos + 12 + length > end:
            if not sources.texts:
                sources.notes.append(f"PNG chunk {ctype!r} runs past the end of the file")
            return
        if ctype in _PIXEL_CHUNKS:
            pixels.append(view[pos : pos + 12 + length])
            if ctype == b"IEND":
                sources.png_pixels = b"".join(pixels)
        elif ctype == b"eXIf" and length <= MAX_EXIF_BYTES and sources.png_exif is None:
            sources.png_exif = bytes(view[pos + 8 : pos + 8 + length])
        if ctype in _TEXT_TYPES:
            count += 1
            if count > MAX_TEXT_CHUNKS:
                sources.notes.append(f"more than {MAX_TEXT_CHUNKS} text chunks: the rest were not read")
                return
            head = bytes(view[pos + 8 : pos + 8 + min(length, 80)])
            name = head.partition(b"\0")[0].decode("latin-1", "replace")
            if length > MAX_CHUNK_BYTES:
                sources.notes.append(f"text chunk “{name}” is {length // 1048576} MB: not read")
            else:
                decoded = _decode_text_chunk(ctype, bytes(view[pos + 8 : pos + 8 + length]), budget)
                if isinstance(decoded, str):
                    sources.notes.append(
                        f"text chunk “{decoded}” inflates past {MAX_TEXT_BUDGET // 1048576} MB: not read"
                    )
                elif decoded is not None:
                    sources.texts.setdefault(*decoded)
        pos += 12 + length
        if ctype == b"IEND":
            return


def decode_user_comment(raw: bytes | str) -> str | None:
    """EXIF UserComment: an 8-byte charset prefix, then the text (UNICODE is UTF-16, either order)."""
    if isinstance(raw, str):
        return raw.strip("\0") or None
    if len(raw) > MAX_EXIF_COMMENT_BYTES or len(raw) <= 8:
        return None
    prefix, body = raw[:8], raw[8:]
    if prefix.startswith(b"UNICODE"):
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = body.decode("utf-16", "replace")
        else:  # no BOM: guess the order from where the zero bytes are (ASCII-heavy text)
            be = body[0:40:2].count(0) >= body[1:40:2].count(0)
            text = body.decode("utf-16-be" if be else "utf-16-le", "replace")
    elif prefix.startswith(b"ASCII"):
        text = body.decode("ascii", "replace")
    else:
        text = raw.decode("utf-8", "replace")
    return text.strip("\0").strip() or None


def _exif_and_xmp(img: Image.Image, sources: Sources) -> None:
    try:
        if sources.format == "PNG":  # from the eXIf chunk read above: getexif() would load the file
            exif = Image.Exif()
            if sources.png_exif:
                exif.load(sources.png_exif)
        else:
            exif = img.getexif()
        comment = exif.get_ifd(0x8769).get(0x9286)
    except Exception:  # Pillow raises many kinds on damaged EXIF; a note, not a failure
        comment = None
        sources.notes.append("EXIF unreadable")
    if comment is not None:
        sources.exif_comment = decode_user_comment(comment)
    xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "replace") if len(xmp) <= MAX_XMP_BYTES else None
    if isinstance(xmp, str):
        sources.xmp = xmp if len(xmp) <= MAX_XMP_BYTES else None
        if sources.xmp is None:
            sources.notes.append("XMP larger than 1 MB: not read")


_LSB = bytes(i & 1 for i in range(256))


def read_stealth(img: Image.Image) -> tuple[str | None, str | None]:
    """(text, note): AUTOMATIC1111 / NovelAI "stealth" metadata in the alpha channel's lowest
    bits, read column by column; (None, None) when the image carries none."""
    if img.mode not in ("RGBA", "LA"):
        return None, None
    alpha = img.getchannel("A").transpose(Image.Transpose.TRANSPOSE)  # columns become rows
    header_bits = (len(b"stealth_pngcomp") + 4) * 8
    width, height = alpha.size
    if width * height < header_bits:
        return None, None
    bits = alpha.tobytes().translate(_LSB)
    magic = _pack(bits[: 15 * 8])
    if magic not in STEALTH_MAGICS:
        return None, None
    length_bits = int.from_bytes(_pack(bits[15 * 8 : 19 * 8]), "big")
    length = length_bits // 8
    if length > MAX_STEALTH_BYTES or 19 * 8 + length * 8 > len(bits):
        return None, "stealth metadata larger than the image or than 1 MB: not read"
    payload = _pack(bits[19 * 8 : 19 * 8 + length * 8])
    if STEALTH_MAGICS[magic]:
        out = _Budget(MAX_TEXT_BUDGET).inflate(payload, 16 + zlib.MAX_WBITS)
        if out is None:
            return None, "stealth metadata inflates past 16 MB: not read"
        payload = out
    return payload.decode("utf-8", "replace"), None


_AS_DIGIT = bytes.maketrans(b"\x00\x01", b"01")


def _pack(bits: bytes) -> bytes:
    """One bit a byte (0/1) -> packed bytes, most significant bit first (linear: base 2)."""
    n = len(bits) // 8
    if n == 0:
        return b""
    return int(bits[: n * 8].translate(_AS_DIGIT), 2).to_bytes(n, "big")


def _stealth(img: Image.Image, sources: Sources) -> None:
    if sources.format == "PNG":
        if sources.png_pixels is None:
            return
        with Image.open(io.BytesIO(sources.png_pixels)) as pixels:
            sources.stealth, note = read_stealth(pixels)
    else:
        sources.stealth, note = read_stealth(img)
    if note:
        sources.notes.append(note)


def oversized_chunk(data: bytes) -> str | None:
    """Why a PNG is refused for import (a text chunk larger than we read), or None."""
    sources = Sources()
    if is_png(data):
        png_texts(data, sources)
    return next((n for n in sources.notes if n.endswith("MB: not read") and "inflates" not in n), None)


def read_sources(data: bytes, *, want_stealth: bool = True) -> Sources:
    """Everything other tools may have written into `data`, within the bounds above."""
    sources = Sources()
    if is_png(data):
        sources.format = "PNG"
        png_texts(data, sources)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as img:
                sources.format = img.format or sources.format
                if sources.format in ("JPEG", "MPO", "WEBP", "PNG", "TIFF"):
                    _exif_and_xmp(img, sources)
                if want_stealth and sources.format in ("PNG", "WEBP") and img.mode in ("RGBA", "LA"):
                    _stealth(img, sources)
    except Exception as exc:  # a damaged or hostile file: a note, never a failed import
        sources.notes.append(f"image unreadable for metadata ({type(exc).__name__})")
    return sources
