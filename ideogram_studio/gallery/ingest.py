"""Getting image files into the library: store, describe a file for the index, crash recovery.

Order of a store, so a crash at any point leaves the library consistent:

1. check the bytes are an image (full decode) and build the final bytes (PNG: our iTXt chunk
   spliced in; anything else: byte-exact);
2. record the hash in `pending_writes` (committed);
3. write the sidecar if one is needed, then the image file (each atomic);
4. insert the row and its lineage and clear the pending entry, in one transaction.

On the next open, each pending entry left by a crash is finished from the file (which is
intact or absent, never partial) or dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from ._util import dumps, now_iso, sha256_hex, to_iso
from .annotations import SidecarStore
from .errors import GalleryError, ImageRejectedError, StorageError
from .files import FORMAT_EXT, FileStore, ProbedImage, probe_image, remove_temp_files
from .foreign import import_metadata
from .index import GalleryIndex, embeds_metadata, needs_sidecar
from .metadata import KEYWORD, KIND_INPUT, KIND_RESULT, check_no_secrets, index_fields
from .models import NewImage, StoredImage
from .pngchunks import PngFormatError, is_png, read_text, splice_itxt


@dataclass
class Library:
    """The pieces every gallery operation works on."""

    root: Path
    files: FileStore
    sidecars: SidecarStore
    index: GalleryIndex


def read_embedded(data: bytes) -> dict[str, Any] | None:
    """Our metadata from the iTXt chunk of a PNG, or None."""
    if not is_png(data):
        return None
    try:
        text = read_text(data).get(KEYWORD)
    except PngFormatError:
        return None
    if text is None:
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def text_chunks(data: bytes) -> dict[str, str]:
    if not is_png(data):
        return {}
    try:
        return read_text(data)
    except PngFormatError:
        return {}


def probe_header(data: bytes, name: str) -> ProbedImage:
    """Format and size from the header only (for rebuilds, where the hash vouches for the bytes)."""
    import io

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in FORMAT_EXT:
                raise ImageRejectedError(f"{name} is a {fmt or 'unknown'} image.")
            return ProbedImage(fmt, img.width, img.height, img.mode)
    except ImageRejectedError:
        raise
    except UnidentifiedImageError:
        raise ImageRejectedError(f"{name} is not an image file.") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejectedError(f"{name} is damaged ({exc}).") from None


def describe_file(
    lib: Library,
    digest: str,
    path: Path,
    data: bytes,
    probed: ProbedImage,
    *,
    sidecar: dict[str, Any] | None = None,
    filename: str | None = None,
    created_at: str | None = None,
) -> NewImage:
    """The index row of a file in the library, from the file itself and its sidecar."""
    side = sidecar if sidecar is not None else (lib.sidecars.read(digest) or {})
    meta = read_embedded(data)
    if meta is None:
        side_meta = side.get("metadata")
        if isinstance(side_meta, dict):
            meta = side_meta
        else:
            when = created_at or _mtime_iso(path)
            meta = import_metadata(data, filename=filename, created_at=when)
    fallback = created_at or _mtime_iso(path)
    fields = index_fields(meta, probed.width, probed.height, fallback)
    tags = side.get("tags")
    uids = side.get("collections")
    rating = side.get("rating")
    flag = side.get("flag")
    is_input = side.get("is_input")
    return NewImage(
        hash=digest,
        path=lib.files.relative(path),
        width=probed.width,
        height=probed.height,
        format=probed.format,
        bytes=len(data),
        fields=fields,
        metadata=meta,
        added_at=str(side.get("added_at") or now_iso()),
        favourite=bool(side.get("favourite")),
        rating=rating if isinstance(rating, int) and 0 <= rating <= 5 else 0,
        flag=flag if isinstance(flag, int) and -1 <= flag <= 1 else 0,
        trashed_at=side.get("trashed_at") if isinstance(side.get("trashed_at"), str) else None,
        tags=tuple(t for t in tags if isinstance(t, str) and t.strip()) if isinstance(tags, list) else (),
        collection_uids=tuple(u for u in uids if isinstance(u, str)) if isinstance(uids, list) else (),
        is_input=is_input if isinstance(is_input, bool) else None,
    )


def _mtime_iso(path: Path) -> str:
    try:
        return to_iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    except OSError:
        return now_iso()


def store_bytes(
    lib: Library,
    data: bytes,
    *,
    metadata: dict[str, Any],
    embed: bool,
    name: str = "The image",
    promote_input: bool = False,
    in_file: bool = False,
) -> StoredImage:
    """`embed`: splice `metadata` into a PNG. `in_file`: the bytes already carry it (kept as-is)."""
    check_no_secrets(metadata)
    probed = probe_image(data, name)
    final = data
    if embed and probed.format == "PNG":
        try:
            final = splice_itxt(data, KEYWORD, dumps(metadata), tag_srgb=True)
        except PngFormatError as exc:
            raise ImageRejectedError(f"{name} is a damaged PNG ({exc}).") from None
    digest = sha256_hex(final)
    path = lib.files.image_path(digest, probed.format)
    existing = lib.index.get(digest)
    if existing is not None:
        if not (lib.root / existing.path).is_file():
            lib.files.write_image(digest, probed.format, final)  # lost behind our back: heal it
        if promote_input and existing.is_input:
            lib.index.set_is_input(digest, False)
        return StoredImage(digest, lib.root / existing.path, existing.width, existing.height,
                           existing.format, existing.bytes, new=False)
    rel = lib.files.relative(path)
    embedded = (embed or in_file) and probed.format == "PNG"
    kind = metadata.get("kind")
    is_input = kind == KIND_INPUT
    source = "ideogram-studio" if kind == KIND_RESULT else None
    added = now_iso()
    side_doc: dict[str, Any] = {
        "added_at": added,
        "is_input": is_input,
        "favourite": False,
        "rating": 0,
        "trashed_at": None,
        "tags": [],
        "collections": [],
    }
    if not (embedded and embeds_metadata(probed.format, source)):
        side_doc["metadata"] = metadata
    lib.index.add_pending(digest, rel)
    had_file = path.is_file()
    try:
        if needs_sidecar(side_doc):
            lib.sidecars.write(digest, side_doc)
        lib.files.write_image(digest, probed.format, final)
        new = NewImage(
            hash=digest,
            path=rel,
            width=probed.width,
            height=probed.height,
            format=probed.format,
            bytes=len(final),
            fields=index_fields(metadata, probed.width, probed.height, added),
            metadata=metadata,
            added_at=added,
        )
        with lib.index.db.transaction() as conn:
            lib.index.insert(conn, new)
            lib.index.remove_pending(conn, digest)
    except BaseException:
        # Not indexed (a full disk, a crash of the index): leave no file behind that nothing lists.
        if not had_file:
            with contextlib.suppress(OSError):
                path.unlink()
        with contextlib.suppress(Exception):
            lib.sidecars.remove(digest)
        with contextlib.suppress(Exception):
            lib.index.drop_pending(digest)
        raise
    return StoredImage(digest, path, probed.width, probed.height, probed.format, len(final), new=True)


def index_existing_file(lib: Library, path: Path, *, data: bytes | None = None) -> str:
    """Index a file already under images/ (recovery, orphans). Returns its hash.

    Raises ImageRejectedError if it is not an intact image named by its own hash.
    """
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        raise StorageError(f"Cannot read {path.name} ({exc.strerror}).", errno=exc.errno) from None
    digest = sha256_hex(data)
    if path.stem != digest:
        raise ImageRejectedError(f"{path.name} does not match its content (hash {digest[:12]}…).")
    probed = probe_image(data, path.name)
    if lib.files.image_path(digest, probed.format) != path:
        raise ImageRejectedError(f"{path.name} has the wrong extension for a {probed.format} image.")
    new = describe_file(lib, digest, path, data, probed)
    with lib.index.db.transaction() as conn:
        lib.index.insert(conn, new)
    return digest


def recover_pending(lib: Library) -> list[str]:
    """Finish or drop the writes a crash interrupted; returns the hashes recovered into the index."""
    remove_temp_files([lib.sidecars.staging, lib.root])
    recovered: list[str] = []
    for digest, rel in lib.index.pending():
        path = lib.root / rel
        remove_temp_files([path.parent, lib.sidecars.path(digest).parent])
        if lib.index.get(digest) is None and path.is_file():
            try:
                index_existing_file(lib, path)
                recovered.append(digest)
            except ImageRejectedError as exc:
                lib.files.quarantine(path, str(exc))
            except GalleryError:
                pass
        elif lib.index.get(digest) is None:
            lib.sidecars.remove(digest)  # written just before a file that never landed
        lib.index.drop_pending(digest)
    return recovered


def local_file_time(path: Path) -> str:
    """When a file to import was made, as far as the file system knows (its mtime)."""
    try:
        return to_iso(datetime.fromtimestamp(os.stat(path).st_mtime, UTC))
    except OSError:
        return now_iso()
