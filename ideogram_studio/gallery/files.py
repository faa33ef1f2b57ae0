"""Image files on disk: content-addressed, sharded, written atomically, checked before keeping.

Layout under the data folder::

    images/ab/abcdef….png      each image once, named by the SHA-256 of its bytes as stored
    annotations/ab/abcdef….json  the image's sidecar (annotations.py)
    thumbs/256/ab/abcdef….webp   thumbnail cache (thumbnails.py)
    quarantine/                files the integrity check found damaged (never deleted)

Every write goes to a hidden temp file (`.tmp-…`) in the destination folder, is flushed and
fsync'ed, renamed over the destination with os.replace, and the folder is fsync'ed; a crash
leaves either the old state or the new one, plus at worst a temp file that every reader ignores
and the next open or integrity check removes.

Private and link-proof: folders are made 0700 and files 0600 (the library holds every prompt);
writers that know the library's root pass it, and then no symbolic link inside the library is
written through — a link planted as a shard folder, in quarantine/ or as a file is refused with
a sentence (LinkRefusedError) and a note in the log, and temp files are opened O_NOFOLLOW.
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ._util import is_hash, sha256_file
from .errors import ImageRejectedError, StorageError, storage_error

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
#: Formats kept in the library, with the file extension used for them.
FORMAT_EXT = {
    "PNG": ".png",
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "WEBP": ".webp",
    "GIF": ".gif",
    "BMP": ".bmp",
    "TIFF": ".tif",
}
IMAGE_EXTS = tuple(dict.fromkeys(FORMAT_EXT.values()))
_WRITE_CHUNK = 1 << 20
DIR_MODE = 0o700
FILE_MODE = 0o600
#: Temp files are never opened through a link (a planted one would redirect the write).
_OPEN_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


class LinkRefusedError(StorageError):
    """A symbolic link inside the library where the studio was about to write."""


def refuse_links(root: Path, path: Path) -> None:
    """Raise LinkRefusedError if `path`, or a folder between `root` and it, is a symbolic link.

    `root` itself may be a link (a library moved to another disk on purpose); what is inside it
    is the studio's own, and nothing the studio writes there is ever a link."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise StorageError(f"{path} is outside the library {root}; refusing to write there.") from None
    current = root
    for part in parts:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return  # from here on the studio creates the folders itself
        except OSError:
            return  # unreadable: the write will fail and say why
        if stat.S_ISLNK(st.st_mode):
            try:
                target = os.readlink(current)
            except OSError:
                target = "?"
            where = current.relative_to(root).as_posix()
            log.warning("privacy: refused to write through the symbolic link %s -> %s in %s", where, target, root)
            raise LinkRefusedError(
                f"{where} inside the library is a symbolic link (to {target}); the studio never writes through "
                "links inside its library, so nothing was written. If you did not make it, someone else may "
                "have: remove it and try again.",
                detail=f"{current} -> {target}",
            )


@dataclass(frozen=True)
class ProbedImage:
    format: str
    width: int
    height: int
    mode: str


def probe_image(data: bytes, name: str = "The image") -> ProbedImage:
    """Decode fully (a truncated or damaged file is found now) or raise ImageRejectedError."""
    if not data:
        raise ImageRejectedError(f"{name} is empty.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            width, height = img.size
            limit = Image.MAX_IMAGE_PIXELS
            if limit is not None and width * height > limit:
                raise ImageRejectedError(
                    f"{name} declares {width}×{height} pixels, more than the {limit:,} allowed "
                    "(a decompression bomb?); refused."
                )
            if fmt not in FORMAT_EXT:
                raise ImageRejectedError(f"{name} is a {fmt or 'unknown'} image; PNG, JPEG and WebP are kept.")
            img.load()
            mode = img.mode
    except ImageRejectedError:
        raise
    except Image.DecompressionBombError:
        raise ImageRejectedError(f"{name} declares an enormous size (a decompression bomb?); refused.") from None
    except UnidentifiedImageError:
        raise ImageRejectedError(f"{name} is not an image file.") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise ImageRejectedError(f"{name} is damaged and cannot be decoded ({exc}).") from None
    return ProbedImage(fmt, width, height, mode)


# ---- atomic writes -----------------------------------------------------------------------------


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:_WRITE_CHUNK])
        view = view[n:]


def fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """mkdir -p (new folders 0700), fsync'ing each parent that gained an entry (so a new shard
    survives a crash)."""
    if path.is_dir():
        return
    ensure_dir(path.parent)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise storage_error(exc, "create a folder", path / "x") from None
    with contextlib.suppress(OSError):
        fsync_dir(path.parent)


def is_temp_name(name: str) -> bool:
    return name.startswith(TMP_PREFIX)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    durable: bool = True,
    action: str = "save a file",
    staging: Path | None = None,
    root: Path | None = None,
    mode: int = FILE_MODE,
    exclusive: bool = False,
) -> None:
    """Write `data` to `path` all-or-nothing. Raises StorageError; never leaves the temp file.

    exclusive: never replace a file already at `path` (an export beside the designer's own files):
    FileExistsError, with nothing written, when the name is taken, even by a file made meanwhile.

    The temp file is made in `path`'s folder, or in `staging` (a folder on the same file system
    whose leftovers are cheap to sweep after a crash: one folder instead of 256 shards).
    root: the library's folder, when `path` is inside it: links there are refused (refuse_links).
    mode: 0600 by default; an export the designer shares passes their usual mode.
    """
    if root is not None:
        refuse_links(root, path)
        if staging is not None:
            refuse_links(root, staging)
    ensure_dir(path.parent)
    tmp_dir = staging or path.parent
    if staging is not None:
        ensure_dir(staging)
    tmp = tmp_dir / f"{TMP_PREFIX}{secrets.token_hex(6)}-{path.name}"
    try:
        fd = os.open(tmp, _OPEN_NEW, mode)
    except OSError as exc:
        raise storage_error(exc, action, path) from None
    try:
        try:
            if mode & ~FILE_MODE and os.name != "nt":
                os.fchmod(fd, mode)  # wider than private on purpose (an export): not masked by the umask
            _write_fully(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            _link_new(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, FileExistsError) and exclusive:
            raise
        if isinstance(exc, OSError):
            raise storage_error(exc, action, path) from None
        raise
    if durable:
        with contextlib.suppress(OSError):
            fsync_dir(path.parent)


def _link_new(tmp: Path, path: Path) -> None:
    """Give the written temp file its name only if no file has it (a hard link fails when the name
    is taken); on a file system without hard links, look first and then rename."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.replace(tmp, path)
    else:
        os.unlink(tmp)


def atomic_write_many(
    files: dict[Path, bytes], *, action: str = "save files", staging: Path | None = None, root: Path | None = None
) -> None:
    """Write many small files atomically, with one flush to disk for all of them.

    Each file goes to its temp name first; then everything is flushed (os.sync where it exists,
    else one fsync per file), then renamed, then each folder is fsync'ed once. A failure removes
    every temp file; renames happen only once everything is written and flushed.
    """
    temps: list[tuple[Path, Path]] = []
    if root is not None:
        for path in (*files, *([staging] if staging is not None else [])):
            refuse_links(root, path)
    if staging is not None:
        ensure_dir(staging)
    try:
        for path, data in files.items():
            ensure_dir(path.parent)
            tmp = (staging or path.parent) / f"{TMP_PREFIX}{secrets.token_hex(6)}-{path.name}"
            fd = os.open(tmp, _OPEN_NEW, FILE_MODE)
            temps.append((tmp, path))
            try:
                _write_fully(fd, data)
                if not hasattr(os, "sync"):
                    os.fsync(fd)
            finally:
                os.close(fd)
        if hasattr(os, "sync"):
            os.sync()
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException as exc:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise storage_error(exc, action, next(iter(files))) from None
        raise
    for folder in {path.parent for path in files}:
        with contextlib.suppress(OSError):
            fsync_dir(folder)


def remove_temp_files(folders: Iterable[Path]) -> list[Path]:
    """Delete leftover temp files (from a crash) in these folders; returns what was removed."""
    removed: list[Path] = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if is_temp_name(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


# ---- the image store ---------------------------------------------------------------------------


class FileStore:
    """Paths and atomic writes of the content-addressed image files. Thread-safe (no state)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.images_dir = root / "images"
        self.quarantine_dir = root / "quarantine"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def image_path(self, digest: str, fmt: str) -> Path:
        return self.images_dir / digest[:2] / f"{digest}{FORMAT_EXT.get(fmt, '.bin')}"

    def find(self, digest: str) -> Path | None:
        """The file of an image, found by its hash alone (no index needed)."""
        if not is_hash(digest):
            return None
        folder = self.images_dir / digest[:2]
        for ext in IMAGE_EXTS:
            p = folder / f"{digest}{ext}"
            if p.is_file():
                return p
        return None

    def write_image(self, digest: str, fmt: str, data: bytes) -> Path:
        """Store `data` (whose SHA-256 is `digest`) unless an intact copy is already there."""
        path = self.image_path(digest, fmt)
        if path.is_file():
            try:
                if path.stat().st_size == len(data) and sha256_file(path) == digest:
                    return path
            except OSError:
                pass
            self.quarantine(path, "replaced by an intact copy")
        atomic_write(path, data, action="save the image", root=self.root)
        return path

    def quarantine(self, path: Path, reason: str) -> Path | None:
        """Move a damaged file aside into quarantine/ (never delete it); returns its new path."""
        refuse_links(self.root, self.quarantine_dir)
        ensure_dir(self.quarantine_dir)
        target = self.quarantine_dir / path.name
        n = 1
        while os.path.lexists(target) or os.path.lexists(target.parent / f"{target.name}.why.txt"):
            n += 1  # a name taken, even by a dangling link, is never reused
            target = self.quarantine_dir / f"{path.stem}-{n}{path.suffix}"
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise storage_error(exc, f"move a damaged file to quarantine ({reason})", path) from None
        with contextlib.suppress(OSError):
            atomic_write(target.parent / f"{target.name}.why.txt", (reason + "\n").encode("utf-8"), durable=False,
                         action="note why a file was quarantined", root=self.root)  # fmt: skip
        return target

    def iter_image_files(self) -> Iterator[Path]:
        """Every non-temp file under images/ (whatever its name)."""
        try:
            shards = sorted(os.scandir(self.images_dir), key=lambda e: e.name)
        except OSError:
            return
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            for entry in sorted(os.scandir(shard.path), key=lambda e: e.name):
                if entry.is_file(follow_symlinks=False) and not is_temp_name(entry.name):
                    yield Path(entry.path)

    def shard_dirs(self) -> list[Path]:
        try:
            return [Path(e.path) for e in os.scandir(self.images_dir) if e.is_dir(follow_symlinks=False)]
        except OSError:
            return []
