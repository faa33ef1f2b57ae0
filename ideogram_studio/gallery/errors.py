"""Errors of the gallery, each with a message a designer can act on."""

from __future__ import annotations

import errno as _errno
from pathlib import Path


class GalleryError(Exception):
    """Base of every error the gallery raises on purpose; `str()` is the human message."""

    def __init__(self, message: str, *, errno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errno = errno

    def __str__(self) -> str:
        return self.message


class ImageRejectedError(GalleryError, ValueError):
    """Bytes given as an image are not one we can keep: not an image, damaged, or too large."""


class SecretInMetadataError(GalleryError, ValueError):
    """Metadata handed to the gallery contains a field named like an API key; nothing was written."""


class StorageError(GalleryError, OSError):
    """The data folder cannot be written (disk full, read-only, permissions, I/O error) or read.

    `str()` is the sentence for the designer; `detail` the technical part ("Details…")."""

    def __init__(self, message: str, *, errno: int | None = None, detail: str | None = None) -> None:
        super().__init__(message, errno=errno)
        self.detail = detail

    @property
    def disk_full(self) -> bool:
        return self.errno in _DISK_FULL or self.errno in _QUOTA


class LibraryInUseError(GalleryError):
    """Another running studio (or script) holds this library's lock."""

    def __init__(self, message: str, *, holder: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.holder = holder or {}


class IndexCorruptError(GalleryError):
    """The index database file is damaged. The images are safe; the index can be rebuilt."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The gallery index {path.name} is damaged ({detail}). Your images are not affected: "
            "rebuild the index from the image files (the damaged file is kept aside, not deleted)."
        )
        self.path = path
        self.detail = detail


class NotFoundError(GalleryError, KeyError):
    """No image (or job, or collection) with that hash or id."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return self.message


_DISK_FULL = {_errno.ENOSPC, _errno.EFBIG}
_QUOTA = {getattr(_errno, "EDQUOT", -1)}
_READ_ONLY = {_errno.EROFS}
_DENIED = {_errno.EACCES, _errno.EPERM}
#: SQLite's primary result codes that are storage conditions, as the errno they amount to.
SQLITE_STORAGE_CODES = {
    13: _errno.ENOSPC,  # SQLITE_FULL
    8: _errno.EROFS,  # SQLITE_READONLY
    10: _errno.EIO,  # SQLITE_IOERR
    14: _errno.EACCES,  # SQLITE_CANTOPEN
    3: _errno.EACCES,  # SQLITE_PERM
}


def human_bytes(n: int) -> str:
    """1 234 567 -> "1.2 MB" (decimal units, as file managers show free space)."""
    if n < 1000:
        return f"{n} byte{'' if n == 1 else 's'}"
    for unit in ("KB", "MB", "GB", "TB"):
        n_f = n / 1000
        if n_f < 1000 or unit == "TB":
            return f"{n_f:.1f} {unit}" if n_f < 10 else f"{n_f:.0f} {unit}"
        n = int(n_f)
    return f"{n} bytes"  # pragma: no cover - unreachable


def free_bytes(path: Path) -> int | None:
    """Free space for this user on the disk holding `path` (its nearest existing folder), or None."""
    import shutil

    probe = Path(path)
    for candidate in (probe, *probe.parents):
        try:
            if candidate.exists():
                return shutil.disk_usage(candidate).free
        except OSError:
            return None
    return None


def storage_error(exc: OSError, action: str, path: Path, *, library: Path | None = None) -> StorageError:
    """Turn an OSError into a StorageError whose message says what happened and what to do.

    `library`: the library folder, named in the message (default: the folder of `path`). The
    technical detail (errno, the OS's words, the file) goes to `detail`, shown under "Details…".
    """
    code = exc.errno
    folder = library if library is not None else path.parent
    if code in _DISK_FULL:
        free = free_bytes(folder)
        left = f": {human_bytes(free)} free" if free is not None else ""
        msg = f"The disk holding your library is full ({folder}){left}. Could not {action}. Free some space."
    elif code in _QUOTA:
        msg = f"Your disk quota is used up on the disk holding your library ({folder}). Could not {action}. " \
              "Free some space."
    elif code in _READ_ONLY:
        msg = f"The disk holding your library is read-only ({folder}). Could not {action}."
    elif code in _DENIED:
        msg = f"No permission to write in your library folder ({folder}). Could not {action}."
    else:
        reason = exc.strerror or exc.__class__.__name__
        msg = f"The disk holding your library reported an error ({reason}). Could not {action} in {folder}."
    detail = f"{type(exc).__name__}: [errno {code}] {exc.strerror or exc} ({path})"
    return StorageError(msg, errno=code, detail=detail)


def export_error(
    code: int | None, reason: str, folder: Path, *, written: int = 0, detail: str | None = None
) -> StorageError:
    """An export that could not be written, in words about the folder exported to (not the library)."""
    kept = f" {written:,} image{'s were' if written != 1 else ' was'} exported whole before that." if written else ""
    if code in _DISK_FULL or code in _QUOTA:
        free = free_bytes(folder if folder.is_dir() else folder.parent)
        left = f": {human_bytes(free)} free" if free is not None else ""
        msg = f"The disk you are exporting to is full ({folder}){left}.{kept} No file was left half-written. " \
              "Free some space or choose another folder."
    elif code in _READ_ONLY:
        msg = f"The folder {folder} is on a read-only disk.{kept} Choose another folder."
    elif code in _DENIED:
        msg = f"No permission to write in {folder}.{kept} Choose another folder."
    else:
        msg = f"Could not export to {folder} ({reason}).{kept} No file was left half-written. Choose another folder."
    return StorageError(msg, errno=code, detail=detail)
