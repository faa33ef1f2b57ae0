"""The library's reports in words: what the gallery's long work did (import, export, check,
rebuild, purge) and why the library cannot be shown, as the sentences the designer reads.

The gallery returns data (counts, paths, typed problems); every sentence about it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...gallery import ImportReport, IntegrityReport, PurgeReport, RebuildReport
from ...gallery.library_ops import ExportOutcome, LibraryProblem, ProblemKind
from ...gallery.models import ImageRow


@dataclass(frozen=True)
class TaskReport:
    """The end of a long task, in words: a one-line summary and the details (one per line)."""

    title: str
    summary: str
    details: tuple[str, ...] = ()
    ok: bool = True


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def image_words(digest: str, rows: dict[str, ImageRow]) -> str:
    """An image as the designer knows it: its prompt, when it was made and its size; the hash only
    for an image the index has no row for (its prefix, enough to find the file)."""
    row = rows.get(digest)
    if row is None:
        return f"an image with no record in the index ({digest[:12]}…)"
    prompt = " ".join((row.prompt or row.prompt_used or "").split())
    said = f"“{prompt[:60]}{'…' if len(prompt) > 60 else ''}”, " if prompt else "the image "
    return f"{said}made {row.created_at.day} {row.created_at:%b %Y, %H:%M}, {row.width}×{row.height}"


def import_report(r: ImportReport) -> TaskReport:
    parts = [f"Imported {plural(len(r.imported), 'image')}"]
    if r.duplicates:
        parts.append(f"{len(r.duplicates):,} already in the library")
    if r.skipped:
        parts.append(f"skipped {plural(len(r.skipped), 'file')}")
    summary = ", ".join(parts) + "."
    if r.cancelled:
        summary += " Cancelled: the files not reached were not imported; every imported image is complete."
    if r.error:
        summary += f" Stopped: {r.error}"
    details = (*(f"Skipped {p.name}: {why}" for p, why in r.skipped),
               *(f"{p.name}: {note}" for p, note in r.found if note))
    return TaskReport("Import", summary, details, ok=not r.error)


def export_report(r: ExportOutcome, folder: Path) -> TaskReport:
    summary = f"Exported {plural(len(r.written), 'image')} to {folder}."
    if r.missing:
        summary += f" {len(r.missing):,} could not be read (their files are missing)."
    if r.cancelled:
        summary += " Cancelled before the end."
    details = tuple(f"Missing file: {image_words(h, r.rows)}" for h in r.missing)
    return TaskReport("Export", summary, details, ok=not r.missing)


def check_report(r: IntegrityReport) -> TaskReport:
    if r.cancelled:
        return TaskReport("Library check", "Check cancelled.", (), ok=True)
    lines: list[str] = []
    lines += [f"Missing file: {image_words(h, r.rows)}" for h in r.missing]
    lines += [f"Damaged (bytes changed): {image_words(h, r.rows)}" for h in r.mismatched]
    lines += [f"Not in the index: {p.name}" for p in r.orphans]
    lines += [f"Unreadable thumbnail: {p.name}" for p in r.stale_thumbnails]
    lines += [f"Leftover temporary file: {p.name}" for p in r.temp_files]
    lines += [f"Index: {p}" for p in r.index_problems]
    lines += list(r.actions)
    if r.clean:
        summary = "The library is healthy: every image file is there and intact."
        if r.actions:
            summary = "Repaired: " + "; ".join(r.actions)
    else:
        found = []
        for n, what in ((len(r.missing), "missing"), (len(r.mismatched), "damaged"), (len(r.orphans), "unindexed"),
                        (len(r.stale_thumbnails) + len(r.temp_files), "leftover cache")):
            if n:
                found.append(f"{n:,} {what}")
        summary = "Found " + ", ".join(found or ["index problems"]) + ". Repair fixes the index and caches; " \
                  "no image is deleted."
    return TaskReport("Library check", summary, tuple(lines), ok=r.clean)


def rebuild_report(r: RebuildReport) -> TaskReport:
    summary = f"Rebuilt the index from {plural(r.images, 'image file')}."
    if r.jobs_salvaged:
        summary += f" {r.jobs_salvaged:,} job records kept."
    if r.quarantined:
        summary += f" {len(r.quarantined):,} damaged files moved to quarantine."
    details = tuple(f"Quarantined {p.name}: {why}" for p, why in r.quarantined)
    if r.moved_aside is not None:
        details += (f"The previous index was kept as {r.moved_aside.name}.",)
    return TaskReport("Rebuild index", summary, details, ok=not r.quarantined)


def purge_message(r: PurgeReport | None) -> str:
    purged = len(r.purged) if r is not None else 0
    kept = len(r.kept) if r is not None else 0
    return (f"Deleted {purged:,} image(s) for good"
            + (f"; {kept:,} kept as hidden inputs of other images." if kept else "."))


def problem_text(problem: LibraryProblem) -> str:
    """Why the library cannot be shown, and what to do about it."""
    root = problem.folder
    if problem.kind is ProblemKind.FOLDER_MISSING:
        return (f"The library folder {root} cannot be found. It may have been moved or renamed, or its disk "
                "is not connected. Locate it, or reconnect the disk and try again.")
    return (f"The library folder {root} has no index any more. Locate the library, or rebuild the index "
            "from the image files.")
