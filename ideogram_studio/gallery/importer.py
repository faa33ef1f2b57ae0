"""Import files and folders into the library; export a selection to a folder.

Imported files are kept byte-exact (never re-encoded, no chunk added): what they say about
themselves (our iTXt chunk, or other tools' text chunks) is read again at every rebuild, and
what they cannot say (original file name, import time) goes into their sidecar. Each file is
stored atomically, so a cancelled or interrupted import leaves whole images only; the report
lists what was done.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..api.metadata_strip import UPLOAD_KEPT_TEXT, MetadataStripError, strip_metadata
from ..private_files import user_file_mode
from ._util import dumps, sha256_hex
from .errors import GalleryError, ImageRejectedError, StorageError, export_error, storage_error
from .files import atomic_write
from .foreign import import_metadata
from .foreign_sources import oversized_chunk
from .ingest import Library, local_file_time, read_embedded, store_bytes
from .models import ImageRef, ImageRow

#: Files larger than this are not read into memory for import.
MAX_IMPORT_BYTES = 512 * 1024 * 1024
Progress = Callable[[int, int, Path], None]
Cancel = threading.Event | Callable[[], bool] | None


@dataclass
class ImportReport:
    imported: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    #: Per file of another tool: what was read from it ("ComfyUI: prompt, seed"), or why nothing was.
    found: list[tuple[Path, str]] = field(default_factory=list)
    cancelled: bool = False
    #: Set when the import stopped early because the library cannot be written (disk full...).
    error: str | None = None

    @property
    def done(self) -> int:
        return len(self.imported) + len(self.duplicates) + len(self.skipped)


def _is_cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus every file under folders named (sorted; hidden files and folders skipped)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
        else:
            out.append(p)
    return out


#: Every image one import brought carries `import <local time>` (the library's "Last import").
IMPORT_TAG_PREFIX = "import "


def import_tag(when: datetime) -> str:
    return f"{IMPORT_TAG_PREFIX}{when:%Y-%m-%d %H:%M:%S}"


def import_files(lib: Library, paths: Iterable[Path], *, progress: Progress | None = None,
                 cancel: Cancel = None) -> ImportReport:
    files = collect_files(paths)
    report = ImportReport()
    total = len(files)
    for i, path in enumerate(files):
        if _is_cancelled(cancel):
            report.cancelled = True
            break
        try:
            _import_one(lib, path, report)
        except StorageError as exc:
            report.error = exc.message
            break
        if progress is not None:
            progress(i + 1, total, path)
    return report


def _import_one(lib: Library, path: Path, report: ImportReport) -> None:
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            report.skipped.append((path, f"larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB"))
            return
        data = path.read_bytes()
    except OSError as exc:
        report.skipped.append((path, f"cannot be read ({exc.strerror or exc})"))
        return
    digest = sha256_hex(data)
    existing = lib.index.get(digest)
    if existing is not None:
        if existing.is_input:
            lib.index.set_is_input(digest, False)  # imported on purpose: show it
        report.duplicates.append((path, digest))
        return
    oversized = oversized_chunk(data)
    if oversized is not None:  # kept byte-exact, such a file would carry its hundreds of MB along
        report.skipped.append((path, f"not imported: its {oversized.removesuffix(': not read')}"))
        return
    embedded = read_embedded(data)
    try:
        if embedded is not None:  # a result from another Ideogram Studio library
            stored = store_bytes(lib, data, metadata=embedded, embed=False, in_file=True, name=path.name)
        else:
            meta = import_metadata(data, filename=path.name, created_at=local_file_time(path))
            stored = store_bytes(lib, data, metadata=meta, embed=False, name=path.name, promote_input=True)
            report.found.append((path, str(meta.get("import_note") or "")))
    except ImageRejectedError as exc:
        report.skipped.append((path, exc.message))
        return
    except StorageError:
        raise
    except GalleryError as exc:
        report.skipped.append((path, exc.message))
        return
    (report.imported if stored.new else report.duplicates).append((path, stored.hash))


# ---- export ---------------------------------------------------------------------------------------

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str | None, max_length: int = 60) -> str:
    """A file-name-safe slug: ASCII letters, digits and dashes, cut at a word boundary."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[1:] else cut[:max_length]
        slug = slug[:max_length].strip("-")
    if slug in _RESERVED:
        slug += "-image"
    return slug


@dataclass
class ExportReport:
    written: list[tuple[str, Path]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rows: dict[str, ImageRow] = field(default_factory=dict)  # of the missing, to name them in words


def export_images(
    lib: Library,
    refs: Sequence[ImageRef],
    folder: Path,
    *,
    sidecar: bool = False,
    max_name_length: int = 60,
    metadata: bool = True,
    namer: Namer | None = None,
    number_from: int = 1,
    total: int | None = None,
) -> ExportReport:
    """Copy images to `folder`, named from their prompts, or by `namer` (a naming template: it
    gets each image's fields, see export_fields, and the extension, and returns one safe name).
    A name already taken in the folder gets -2, -3…: an export never replaces a file.
    number_from, total: where this call's images stand in a longer export (its {n}).

    An exported copy never carries what a file said about its owner (a source photo's place,
    camera, dates: api/metadata_strip.py), losslessly. metadata=True (the default) keeps the
    studio's own request metadata (PNG results: inside; `sidecar`: beside); False exports the
    pixels only (and the colour profile, which is part of how they look), without a sidecar."""
    sidecar = sidecar and metadata
    try:
        folder.mkdir(parents=True, exist_ok=True)
        taken = {p.name.lower() for p in folder.iterdir()}
    except OSError as exc:
        detail = storage_error(exc, "export to this folder", folder / "x").detail
        raise export_error(exc.errno, exc.strerror or type(exc).__name__, folder, detail=detail) from None
    report = ExportReport()
    try:
        _export_each(lib, refs, folder, report, taken, sidecar=sidecar, max_name_length=max_name_length,
                     metadata=metadata, namer=namer, number_from=number_from, total=total)
    except StorageError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise export_error(exc.errno, reason, folder, written=number_from - 1 + len(report.written),
                           detail=exc.detail) from None
    return report


def _export_each(lib: Library, refs: Sequence[ImageRef], folder: Path, report: ExportReport, taken: set[str], *,
                 sidecar: bool, max_name_length: int, metadata: bool, namer: Namer | None, number_from: int,
                 total: int | None) -> None:
    shared = user_file_mode()  # copies to share: the designer's usual mode, not the library's 0600
    for image_id, digest in lib.index.resolve(refs):
        row = lib.index.get(image_id)
        if row is None:
            continue
        src = lib.root / row.path
        try:
            data = src.read_bytes()
        except OSError:
            report.missing.append(digest)
            report.rows[digest] = row
            continue
        try:
            data = strip_metadata(data, row.format, keep_text=UPLOAD_KEPT_TEXT if metadata else ())
        except MetadataStripError:
            report.missing.append(digest)  # a damaged file: the integrity check will say more
            report.rows[digest] = row
            continue
        ext = src.suffix.lower()
        if namer is not None:
            fields = export_fields(
                row, lib.index.metadata(image_id), number_from + len(report.written), total or len(refs)
            )
            base = Path(namer(fields, ext)).stem
        else:
            # Without a prompt: its date and size, as the designer knows it (never the hash).
            base = slugify(row.prompt or row.prompt_used, max_name_length) or (
                f"image-{row.created_at:%Y-%m-%d-%H%M}-{row.width}x{row.height}"
            )
        name, n = f"{base}{ext}", 1
        while True:
            while name.lower() in taken or (sidecar and f"{Path(name).stem}.json".lower() in taken):
                n += 1
                name = f"{base}-{n}{ext}"
            taken.add(name.lower())
            target = folder / name
            try:
                atomic_write(target, data, action="export an image", mode=shared, exclusive=True)
                break
            except FileExistsError:  # made meanwhile by someone else: the next free name
                continue
        if sidecar:
            side_name = f"{target.stem}.json"
            taken.add(side_name.lower())
            atomic_write(folder / side_name, dumps(_export_doc(lib, row.hash)).encode("utf-8"), mode=shared,
                         action="export an image's details")
        report.written.append((digest, target))


#: Names an exported image from its fields and extension (batch/plan.py's export_name, bound to a template).
Namer = Callable[[dict[str, Any], str], str]


def export_fields(row: ImageRow, metadata: dict[str, Any], n: int, total: int) -> dict[str, Any]:
    """What a naming template can say about one image (batch/plan.py EXPORT_FIELDS)."""
    found = metadata.get("response")
    response: dict[str, Any] = found if isinstance(found, dict) else {}
    batch = response.get("batch") or next((t[len("batch "):] for t in row.tags if t.startswith("batch ")), None)
    made = row.created_at.astimezone()
    return {
        "batch": batch,
        "row": response.get("batch_row"),
        "seed": row.seed if row.seed is not None else response.get("seed"),
        "date": made.strftime("%Y-%m-%d"),
        "time": made.strftime("%H%M"),
        "prompt": row.prompt or row.prompt_used,
        "n": str(n).zfill(len(str(max(total, 1)))),
        "width": row.width,
        "height": row.height,
        "preset": (row.style_preset or "").replace("_", " ").title() or None,
        "rating": row.rating or None,
    }


def _export_doc(lib: Library, digest: str) -> dict[str, Any]:
    row = lib.index.get(digest)
    assert row is not None
    return {
        "hash": digest,
        "width": row.width,
        "height": row.height,
        "format": row.format,
        "created_at": row.created_at.isoformat(),
        "prompt": row.prompt,
        "negative_prompt": row.negative_prompt,
        "tags": list(row.tags),
        "favourite": row.favourite,
        "rating": row.rating,
        "metadata": lib.index.metadata(digest),
        "parents": [{"hash": link.parent, "role": link.role} for link in lib.index.parents(digest)],
    }
