"""Removing what an image file says about its owner, losslessly: pixels and colour stay, a life does not.

A phone photo carries its place (EXIF and XMP GPS), its camera, its owner, the time it was taken.
None of that is needed to make a picture from it, so none of it is uploaded or exported. The
files are rewritten at the container level — never decoded and re-encoded, so the pixels are
bit-for-bit the same:

* JPEG: APP1 (EXIF, XMP), APP13 (IPTC/Photoshop), comments, other application segments and
  anything after the end of the image (MPO second frames, maker trailers) are dropped. Kept: JFIF,
  the ICC profile (APP2 ICC_PROFILE), Adobe's colour-transform marker (APP14, needed to decode
  some files right). The EXIF orientation, when it is not "upright", is kept as a one-tag EXIF
  block: dropping it would turn a portrait photo on its side.
* PNG: text chunks (tEXt, zTXt, iTXt), eXIf, tIME and unknown ancillary chunks are dropped, except
  text chunks whose keyword the caller keeps (the studio's own request metadata). Kept: every
  critical chunk, transparency, ICC and the other colour chunks, pixel density.
* WebP: EXIF and XMP chunks (and unknown ones) are dropped and the VP8X flags updated; ICC kept.

Pillow reads these formats but cannot rewrite them without re-encoding, and the packages that
can are unmaintained (piexif: EXIF only, 2019) or need GTK (mat2); the formats' container rules
are small enough to follow here, and the tests check the pixels survive unchanged.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Collection

from PIL import Image

#: Keyword of the studio's own PNG text chunk (its request metadata): kept on uploads, so a gallery
#: image sent as a source keeps its bytes and hash (lineage), and on a default export.
STUDIO_KEYWORD = "ideogram-studio"
#: PNG text kept on uploads: ours, and the name of the program that wrote the file (results carry
#: it; it says nothing of the designer). A result sent back as a source keeps its exact bytes.
UPLOAD_KEPT_TEXT = (STUDIO_KEYWORD, "Software")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT_ANCILLARY = frozenset(
    {b"tRNS", b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"sBIT", b"pHYs", b"bKGD", b"hIST", b"sPLT", b"cICP",
     b"mDCv", b"cLLi", b"acTL", b"fcTL", b"fdAT"}
)  # fmt: skip
_PNG_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_WEBP_KEPT = frozenset({b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04
#: In JPEG entropy-coded data, a marker is 0xFF followed by anything but 0x00 (a stuffed byte),
#: a restart marker (D0–D7) or another 0xFF (fill).
_JPEG_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_ORIENTATION_TAG = 0x0112


class MetadataStripError(ValueError):
    """The file's container is not what its format says (truncated, damaged)."""


def strip_metadata(data: bytes, fmt: str, *, keep_text: Collection[str] = ()) -> bytes:
    """`data` without personal metadata; the same object when there was nothing to remove.

    fmt: Pillow's format name ("JPEG", "PNG", "WEBP"; "MPO" is a JPEG). keep_text: PNG text
    keywords to keep. Raises MetadataStripError for a damaged container."""
    try:
        if fmt in ("JPEG", "MPO"):
            return _strip_jpeg(data)
        if fmt == "PNG":
            return _strip_png(data, frozenset(k.encode("latin-1") for k in keep_text))
        if fmt == "WEBP":
            return _strip_webp(data)
    except (IndexError, struct.error) as exc:
        raise MetadataStripError(f"the {fmt} file is damaged ({exc})") from None
    return data


# ---- JPEG ---------------------------------------------------------------------------------------


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xE0:
        return payload.startswith(b"JFIF\x00")
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:
        return payload.startswith(b"Adobe")
    return not (0xE1 <= marker <= 0xEF or marker == 0xFE)  # other APPn, COM


def _strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise MetadataStripError("not a JPEG file")
    kept: list[bytes] = [b"\xff\xd8"]
    dropped = False
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise MetadataStripError(f"no marker at byte {i}")
        while data[i] == 0xFF:  # fill bytes before a marker
            i += 1
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image: anything after it (trailers, MPO frames) is dropped
            kept.append(b"\xff\xd9")
            dropped = dropped or i < n
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            kept.append(bytes((0xFF, marker)))
            continue
        (length,) = struct.unpack(">H", data[i : i + 2])
        end = i + length
        if length < 2 or end > n:
            raise MetadataStripError("a segment runs past the end of the file")
        if _keep_jpeg_segment(marker, data[i + 2 : end]):
            kept.append(bytes((0xFF, marker)) + data[i:end])
        else:
            dropped = True
        i = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            found = _JPEG_MARKER_IN_SCAN.search(data, i)
            scan_end = found.start() if found else n
            kept.append(data[i:scan_end])
            i = scan_end
    else:
        dropped = True  # no end-of-image marker: keep what was read, say nothing was "as is"
    if not dropped:
        return data
    orientation = _jpeg_orientation(data)
    if orientation not in (None, 1):
        # After JFIF if there is one (the usual order), else right after the start marker.
        at = 2 if len(kept) > 1 and kept[1].startswith(b"\xff\xe0") else 1
        kept.insert(at, _orientation_segment(orientation))
    return b"".join(kept)


def _jpeg_orientation(data: bytes) -> int | None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            value = img.getexif().get(_ORIENTATION_TAG)
    except Exception:  # an unreadable EXIF block: no orientation to keep
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _orientation_segment(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[_ORIENTATION_TAG] = orientation
    payload = exif.tobytes()  # b"Exif\0\0" + a TIFF block with this one tag
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# ---- PNG ----------------------------------------------------------------------------------------


def _png_keyword(chunk_type: bytes, body: bytes) -> bytes:
    return body.split(b"\x00", 1)[0] if chunk_type in _PNG_TEXT else b""


def _strip_png(data: bytes, keep_text: frozenset[bytes]) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise MetadataStripError("not a PNG file")
    kept: list[bytes] = [_PNG_SIGNATURE]
    dropped = False
    i, n = len(_PNG_SIGNATURE), len(data)
    while i < n:
        length, chunk_type = struct.unpack(">I4s", data[i : i + 8])
        end = i + 12 + length
        if end > n:
            raise MetadataStripError("a chunk runs past the end of the file")
        critical = chunk_type[:1].isupper()
        if critical or chunk_type in _PNG_KEPT_ANCILLARY:
            keep = True
        elif chunk_type in _PNG_TEXT:
            keep = _png_keyword(chunk_type, data[i + 8 : i + 8 + min(length, 80)]) in keep_text
        else:
            keep = False  # eXIf, tIME, and ancillary chunks nobody here knows
        if keep:
            kept.append(data[i:end])
        else:
            dropped = True
        i = end
        if chunk_type == b"IEND":
            dropped = dropped or i < n  # bytes after the end are not part of the image
            break
    return b"".join(kept) if dropped else data


# ---- WebP ---------------------------------------------------------------------------------------


def _strip_webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MetadataStripError("not a WebP file")
    chunks: list[tuple[bytes, bytes]] = []
    dropped = False
    i, n = 12, min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while i + 8 <= n:
        fourcc, size = struct.unpack("<4sI", data[i : i + 8])
        body = data[i + 8 : i + 8 + size]
        if len(body) != size:
            raise MetadataStripError("a chunk runs past the end of the file")
        if fourcc in _WEBP_KEPT:
            chunks.append((fourcc, body))
        else:
            dropped = True
        i += 8 + size + (size & 1)
    if not dropped:
        return data
    out = bytearray()
    for fourcc, body in chunks:
        if fourcc == b"VP8X" and body:
            body = bytes((body[0] & ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF,)) + body[1:]
        out += fourcc + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")
    return b"RIFF" + struct.pack("<I", len(out) + 4) + b"WEBP" + bytes(out)

