"""One writer per library: an OS lock on a file in the library folder.

The studio holds it for as long as the library is open; a script (the CLI) that writes to the
library holds it for the length of its command. A second studio on the same folder finds it held
and hands its arguments to the running window instead (ui/shell/single_instance.py); a second
library folder is a different lock, so two windows on two libraries are fine.

The lock is the OS's (flock / LockFileEx), so a crashed or killed holder releases it with its
process: a stale lock file is simply locked again by the next start ("taken over"). Who holds it
is written beside it (pid, host, kind, when), to say so in words. On a file system without locks
(some network shares) the pid is checked instead.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from .errors import LibraryInUseError, storage_error
from .files import atomic_write

log = logging.getLogger(__name__)
LOCK_NAME = ".library.lock"
INFO_NAME = ".library.lock.json"
_WOULD_BLOCK = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES}


def _try_lock(fd: int) -> bool:
    """Take the OS lock without waiting; False if another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _WOULD_BLOCK:
            return False
        raise
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class LibraryLock:
    """The lock of one library folder. `acquire()` or LibraryInUseError; `release()` when closing."""

    def __init__(self, root: Path, *, kind: str = "studio") -> None:
        self.root = root
        self.kind = kind
        self.path = root / LOCK_NAME
        self.info_path = root / INFO_NAME
        #: This holder's session: written in the info file, and on the jobs it runs.
        self.session = uuid.uuid4().hex
        self._fd: int | None = None
        #: The holder found in the info file when the lock was taken over (its process had ended).
        self.taken_over: dict[str, Any] | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> dict[str, Any]:
        """What the info file says about the current (or last) holder; {} if nothing."""
        try:
            text = self.info_path.read_text(encoding="utf-8")
            info = json.loads(text)
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def acquire(self) -> None:
        if self._fd is not None:
            return
        try:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            raise storage_error(exc, "lock the library", self.path, library=self.root) from None
        try:
            locked = _try_lock(fd)
        except OSError as exc:  # no locks on this file system: fall back to the holder's pid
            log.warning("no file locks on %s (%s): checking the holder's process instead", self.root, exc)
            locked = not self._pid_holder_alive()
        if not locked:
            os.close(fd)
            raise self._in_use_error()
        self._fd = fd
        previous = self.holder()
        if previous and previous.get("session") and not previous.get("closed"):
            self.taken_over = previous
            log.info("took over the lock of %s left by pid %s (its process had ended)", self.root, previous.get("pid"))
        self._write_info(closed=False)

    def _pid_holder_alive(self) -> bool:
        info = self.holder()
        pid = info.get("pid")
        return (isinstance(pid, int) and not info.get("closed") and info.get("host") == socket.gethostname()
                and pid != os.getpid() and _pid_alive(pid))

    def _write_info(self, *, closed: bool) -> None:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "kind": self.kind,
            "session": self.session,
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "closed": closed,
        }
        try:
            # 0600 and never through a link, like everything in the library (files.atomic_write).
            atomic_write(self.info_path, json.dumps(info).encode("utf-8"), durable=False,
                         action="note who has the library open", root=self.info_path.parent)  # fmt: skip
        except OSError as exc:  # a full disk must not stop the studio from opening its library
            log.warning("could not write %s: %s", self.info_path, exc)

    def _in_use_error(self) -> LibraryInUseError:
        info = self.holder()
        pid = info.get("pid")
        since = info.get("since", "")
        who = f" (process {pid}, since {since[11:16] or since})" if pid else ""
        if info.get("kind") == "cli":
            text = (f"The library {self.root} is being written by a script{who}. "
                    "Try again when it has finished.")
        else:
            text = f"The library {self.root} is open in another Ideogram Studio window{who}."
        return LibraryInUseError(text, holder=info)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        self._write_info(closed=True)
        with contextlib.suppress(OSError):
            os.close(fd)  # closing the descriptor drops the OS lock

    def __enter__(self) -> LibraryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
