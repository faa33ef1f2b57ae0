"""Free space on the library's disk: checked before a job is sent, and a small reserve for the
job journal.

A job is refused before it is sent when the disk cannot take its results (nothing is billed for
images that could not be kept). Once a job is sent, the journal must still be able to record that
it was billed and where its results are, even if the disk filled up meanwhile: a file of a few MB
is kept allocated in the library, and given back to the journal the moment a write finds the disk
full. It is made again when there is room.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path

from .errors import StorageError, free_bytes, human_bytes

log = logging.getLogger(__name__)
RESERVE_NAME = ".space-reserve"
#: Kept allocated for journal writes on a full disk (each journal write is a few KB).
RESERVE_BYTES = 2 * 1024 * 1024
#: Free space a job needs before it is sent: a margin for the index, plus each image's file.
MIN_FREE_BYTES = 16 * 1024 * 1024
BYTES_PER_IMAGE = 8 * 1024 * 1024


class SpaceGuard:
    def __init__(self, root: Path, *, reserve_bytes: int = RESERVE_BYTES, min_free_bytes: int = MIN_FREE_BYTES,
                 bytes_per_image: int = BYTES_PER_IMAGE) -> None:
        self.root = root
        self.reserve_path = root / RESERVE_NAME
        self.reserve_bytes = reserve_bytes
        self.min_free_bytes = min_free_bytes
        self.bytes_per_image = bytes_per_image
        self._lock = threading.Lock()

    def free(self) -> int | None:
        return free_bytes(self.root)

    def needed(self, images: int) -> int:
        return self.min_free_bytes + self.bytes_per_image * max(0, images)

    def check(self, images: int) -> None:
        """Raise StorageError, before anything is sent, if the disk cannot take `images` results."""
        free = self.free()
        if free is None:
            return  # cannot tell (an odd file system): the writes will say
        need = self.needed(images)
        if free < need:
            what = "this job" if images != 1 else "one image"
            raise StorageError(
                f"The disk holding your library is full ({self.root}): {human_bytes(free)} free. Nothing was "
                f"sent: free some space first ({what} needs about {human_bytes(need)}).",
                errno=28,
                detail=f"free={free} needed={need} (margin {self.min_free_bytes} + {images} x {self.bytes_per_image})",
            )
        self.ensure_reserve()

    def ensure_reserve(self) -> None:
        """Allocate the reserve file if it is missing and the disk has room for it (never fails)."""
        if self.reserve_bytes <= 0:
            return
        with self._lock:
            try:
                if self.reserve_path.stat().st_size >= self.reserve_bytes:
                    return
            except OSError:
                pass
            free = self.free()
            if free is None or free < self.reserve_bytes + self.min_free_bytes:
                return
            try:
                fd = os.open(self.reserve_path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            except OSError:
                return
            try:
                if hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(fd, 0, self.reserve_bytes)
                else:  # real blocks, not a sparse file
                    os.write(fd, b"\0" * self.reserve_bytes)
            except OSError:
                os.close(fd)
                with contextlib.suppress(OSError):
                    self.reserve_path.unlink()
                return
            os.close(fd)

    def release(self) -> bool:
        """Give the reserve back to the disk; True if there was one to give."""
        with self._lock:
            try:
                self.reserve_path.unlink()
            except FileNotFoundError:
                return False
            except OSError as exc:
                log.warning("could not release the space reserve: %s", exc)
                return False
        log.warning("the library's disk is full: the space reserve was released for the job journal")
        return True
