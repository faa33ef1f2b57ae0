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
    """The data folder cannot be written (disk full, read-only, permissions) or read."""


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


_DISK_FULL = {_errno.ENOSPC, getattr(_errno, "EDQUOT", _errno.ENOSPC), _errno.EFBIG}
_READ_ONLY = {_errno.EROFS}
_DENIED = {_errno.EACCES, _errno.EPERM}


def storage_error(exc: OSError, action: str, path: Path) -> StorageError:
    """Turn an OSError into a StorageError whose message says what to do."""
    code = exc.errno
    if code in _DISK_FULL:
        msg = f"Could not {action}: the disk holding {path.parent} is full. Free some space and try again."
    elif code in _READ_ONLY:
        msg = f"Could not {action}: the library folder {path.parent} is on a read-only disk."
    elif code in _DENIED:
        msg = f"Could not {action}: no permission to write in the library folder {path.parent}."
    else:
        reason = exc.strerror or exc.__class__.__name__
        msg = f"Could not {action} in {path.parent} ({reason})."
    return StorageError(msg, errno=code)
