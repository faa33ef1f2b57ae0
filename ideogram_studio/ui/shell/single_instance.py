"""One studio per library, as desktop apps do: the running window listens on a local socket named
after its library folder; a second start on the same folder sends it its arguments (files to
open) and quits, and the running window comes to the front and opens them.

The library's own lock (gallery/lock.py) is what keeps two processes from writing to one library;
this is only the courtesy on top of it. Another library folder has another address: two windows on
two libraries are fine. The channel is the standard library's multiprocessing.connection (a Unix
socket in a folder only this user can open; a named pipe on Windows), so the bundle needs no
QtNetwork; it carries one small JSON message each way (bytes, never pickles), after an HMAC handshake.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # multiprocessing is imported only when a studio may be listening (start-up time)
    from multiprocessing.connection import Connection, Listener

# Python's own SHA-256 (what hashlib falls back to): hashlib first loads OpenSSL's _hashlib, ~2.5 ms
# before the window's first frame. The same digest either way.
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha256 import sha256  # (Python 3.11)
    except ImportError:  # pragma: no cover - Python 3.12+
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

log = logging.getLogger(__name__)
#: Longest a second start waits for the running window to answer.
HAND_OVER_TIMEOUT = 3.0
_MAX_FILES = 1000
_MAX_MESSAGE = 1 << 20


def _user() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return "".join(c for c in user if c.isalnum())[:32] or "user"


def _digest(library: Path) -> str:
    try:
        folder = str(Path(library).resolve())
    except OSError:
        folder = str(Path(library).absolute())
    return sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def server_name(library: Path) -> str:
    """A name per user and per library folder (the same folder reached by another path too)."""
    return f"ideogram-studio-{_user()}-{_digest(library)}"


def _private(folder: Path) -> bool:
    """Ours alone: owned by this user, nobody else may enter or write."""
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def _address(library: Path) -> tuple[str, str] | None:
    """(family, address): a named pipe on Windows, else a socket in a private runtime folder;
    None when no folder only this user can open is at hand (then no hand-over, the lock still holds)."""
    name = server_name(library)
    if sys.platform == "win32":  # pragma: no cover - Windows
        return "AF_PIPE", rf"\\.\pipe\{name}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    own = Path(tempfile.gettempdir()) / f"ideogram-{_user()}"
    for base in (Path(runtime) if runtime else None, own):
        if base is own:
            with contextlib.suppress(OSError):
                own.mkdir(mode=0o700, exist_ok=True)
        socket_path = str(base / f"{name}.sock") if base is not None else ""
        # (a Unix socket's path has room for about 100 bytes)
        if base is not None and len(socket_path.encode()) < 100 and _private(base):
            return "AF_UNIX", socket_path
    log.warning("single instance: no folder private to this user for the socket; no hand-over")
    return None


def _authkey(library: Path) -> bytes:
    return sha256(f"ideogram-studio:{server_name(library)}".encode()).digest()


def hand_over(library: Path, files: list[Path], timeout: float = HAND_OVER_TIMEOUT) -> bool:
    """Give `files` to the studio already open on `library`; False if none answers."""
    where = _address(library)
    if where is None:
        return False
    family, address = where
    if family == "AF_UNIX" and not os.path.exists(address):
        return False  # nobody listens: the usual start, without importing multiprocessing
    from multiprocessing.connection import Client

    try:
        conn = Client(address, family=family, authkey=_authkey(library))
    except (OSError, EOFError, ValueError) as exc:  # nobody listens (or a stale socket file)
        log.debug("single instance: no studio at %s (%s)", address, exc)
        return False
    except Exception as exc:  # an odd peer (failed handshake): start normally
        log.info("single instance: %s did not answer properly (%s)", address, exc)
        return False
    with conn:
        try:
            message = {"files": [str(Path(f).absolute()) for f in files][:_MAX_FILES]}
            conn.send_bytes(json.dumps(message).encode("utf-8"))  # bytes, never pickles
            return bool(conn.poll(timeout)) and conn.recv_bytes(16) == b"ok"
        except (OSError, EOFError):
            return False


class InstanceServer(QObject):
    """The running studio's end: `activated(files)` when a second start hands over."""

    activated = Signal(list)

    def __init__(self, library: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(library)
        self._where = _address(library)
        self._authkey = _authkey(library)
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed studio is removed first (we hold the
        library's lock, so no live studio can be behind it)."""
        if self._where is None:
            return False
        family, address = self._where
        from multiprocessing.connection import Listener

        if family == "AF_UNIX":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)
        try:
            self._listener = Listener(address, family=family, authkey=self._authkey)
        except OSError as exc:
            log.warning("single instance: cannot listen on %s: %s", address, exc)
            return False
        self._thread = threading.Thread(target=self._serve, name="single-instance", daemon=True)
        self._thread.start()
        return True

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        with contextlib.suppress(OSError):
            listener.close()  # (accept() in the thread then fails, and the thread ends)
        if self._where is not None and self._where[0] == "AF_UNIX":
            with contextlib.suppress(OSError):
                os.unlink(self._where[1])

    def _serve(self) -> None:
        while (listener := self._listener) is not None:
            try:
                conn = listener.accept()
            except Exception:  # closed (the studio quits), or a peer that failed the handshake
                if self._listener is None:
                    return
                continue
            with conn:
                files = self._read(conn)
                if files is not None:
                    self.activated.emit(files)  # (queued to the GUI thread by Qt)

    @staticmethod
    def _read(conn: Connection) -> list[str] | None:
        try:
            if not conn.poll(HAND_OVER_TIMEOUT):
                return None
            message: Any = json.loads(conn.recv_bytes(_MAX_MESSAGE))  # bytes and JSON: never a pickle
            conn.send_bytes(b"ok")
        except (OSError, EOFError, ValueError):
            return None
        raw = message.get("files", []) if isinstance(message, dict) else []
        return [f for f in raw if isinstance(f, str)][:_MAX_FILES] if isinstance(raw, list) else []
