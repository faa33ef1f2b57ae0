"""PNG chunks read and spliced in the byte stream, so pixels are never decoded or re-encoded.

A PNG is an 8-byte signature and a list of chunks (length, type, data, CRC-32 of type+data).
Adding metadata means inserting one `iTXt` chunk before `IEND`; every other byte of the file,
including every `IDAT` chunk, stays exactly as it was.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Largest text we will inflate from a compressed text chunk (a zlib bomb stops here).
MAX_TEXT_BYTES = 16 * 1024 * 1024
_LEN = struct.Struct(">I")


class PngFormatError(ValueError):
    """The bytes are not a well-formed PNG chunk stream."""


@dataclass(frozen=True)
class Chunk:
    type: bytes
    data: bytes
    #: Offset of the chunk's length field in the file.
    offset: int

    def encode(self) -> bytes:
        return make_chunk(self.type, self.data)


def is_png(data: bytes) -> bool:
    return data[:8] == SIGNATURE


def make_chunk(ctype: bytes, data: bytes) -> bytes:
    if len(ctype) != 4:
        raise ValueError("a chunk type is four bytes")
    crc = zlib.crc32(ctype + data) & 0xFFFFFFFF
    return _LEN.pack(len(data)) + ctype + data + _LEN.pack(crc)


def iter_chunks(data: bytes, *, check_crc: bool = True) -> Iterator[Chunk]:
    """Every chunk up to and including IEND; raises PngFormatError on any inconsistency."""
    if not is_png(data):
        raise PngFormatError("not a PNG file (bad signature)")
    pos = 8
    end = len(data)
    while True:
        if pos + 12 > end:
            raise PngFormatError("the file is truncated (no IEND chunk)")
        (length,) = _LEN.unpack_from(data, pos)
        ctype = data[pos + 4 : pos + 8]
        if length > 0x7FFFFFFF or pos + 12 + length > end:
            raise PngFormatError(f"chunk {ctype!r} runs past the end of the file")
        body = data[pos + 8 : pos + 8 + length]
        if check_crc:
            (crc,) = _LEN.unpack_from(data, pos + 8 + length)
            if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
                raise PngFormatError(f"chunk {ctype!r} has a bad CRC")
        yield Chunk(ctype, body, pos)
        pos += 12 + length
        if ctype == b"IEND":
            return


def idat_bytes(data: bytes) -> bytes:
    """The concatenated compressed pixel data (what must never change)."""
    return b"".join(c.data for c in iter_chunks(data) if c.type == b"IDAT")


# ---- text chunks -------------------------------------------------------------------------------


def encode_itxt(keyword: str, text: str, *, compress: bool = False) -> bytes:
    """The body of an iTXt chunk: keyword, flags, empty language and translated keyword, text."""
    kw = keyword.encode("latin-1")
    if not 1 <= len(kw) <= 79 or b"\0" in kw:
        raise ValueError("an iTXt keyword is 1-79 Latin-1 characters")
    payload = text.encode("utf-8")
    if compress:
        payload = zlib.compress(payload, 9)
    return kw + b"\0" + bytes([1 if compress else 0, 0]) + b"\0" + b"\0" + payload


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    out = d.decompress(data, MAX_TEXT_BYTES)
    if d.unconsumed_tail:
        raise PngFormatError("a compressed text chunk is too large")
    return out


def decode_text_chunk(chunk: Chunk) -> tuple[str, str] | None:
    """(keyword, text) of a tEXt, zTXt or iTXt chunk; None for other chunks or a damaged one."""
    try:
        if chunk.type == b"tEXt":
            kw, _, text = chunk.data.partition(b"\0")
            return kw.decode("latin-1"), text.decode("latin-1")
        if chunk.type == b"zTXt":
            kw, _, rest = chunk.data.partition(b"\0")
            return kw.decode("latin-1"), _inflate(rest[1:]).decode("latin-1")
        if chunk.type == b"iTXt":
            kw, _, rest = chunk.data.partition(b"\0")
            flag, _method = rest[0], rest[1]
            _lang, _, rest = rest[2:].partition(b"\0")
            _tkw, _, text = rest.partition(b"\0")
            if flag:
                text = _inflate(text)
            return kw.decode("latin-1"), text.decode("utf-8")
    except (IndexError, UnicodeDecodeError, zlib.error, PngFormatError):
        return None
    return None


def read_text(data: bytes) -> dict[str, str]:
    """Every text chunk's keyword and text (the first of repeated keywords wins)."""
    out: dict[str, str] = {}
    for chunk in iter_chunks(data, check_crc=False):
        if chunk.type in (b"tEXt", b"zTXt", b"iTXt"):
            decoded = decode_text_chunk(chunk)
            if decoded is not None:
                out.setdefault(decoded[0], decoded[1])
    return out


#: An `sRGB` chunk (rendering intent 0, perceptual): "these pixels are sRGB" for colour-managed
#: viewers (Photoshop, Affinity, browsers), so a result without a profile is not guessed at.
SRGB_CHUNK_TYPES = (b"iCCP", b"sRGB")


def splice_itxt(data: bytes, keyword: str, text: str, *, compress: bool = False, tag_srgb: bool = False) -> bytes:
    """A copy of `data` with one iTXt chunk `keyword` = `text` before IEND.

    Text chunks with the same keyword are dropped (so splicing twice replaces); every other
    chunk is copied byte for byte. The input must be a well-formed PNG (CRCs checked).
    `tag_srgb`: when the image says nothing of its colour space, an `sRGB` chunk is added after
    IHDR (where the PNG spec puts it); pixels are never touched.
    """
    new_chunk = make_chunk(b"iTXt", encode_itxt(keyword, text, compress=compress))
    kw = keyword.encode("latin-1")
    chunks = list(iter_chunks(data))
    add_srgb = tag_srgb and not any(c.type in SRGB_CHUNK_TYPES for c in chunks)
    parts: list[bytes] = [SIGNATURE]
    for chunk in chunks:
        raw = data[chunk.offset : chunk.offset + 12 + len(chunk.data)]
        if chunk.type in (b"tEXt", b"zTXt", b"iTXt") and chunk.data.partition(b"\0")[0] == kw:
            continue
        if chunk.type == b"IEND":
            parts.append(new_chunk)
        parts.append(raw)
        if chunk.type == b"IHDR" and add_srgb:
            parts.append(make_chunk(b"sRGB", b"\x00"))
    return b"".join(parts)
