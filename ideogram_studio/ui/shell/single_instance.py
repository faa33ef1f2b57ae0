"""One studio per library, as desktop apps do: the running window listens on a local socket named
after its library folder; a second start on the same folder sends it its arguments (files to
open) and quits, and the running window comes to the front and opens them.

The library's own lock (gallery/lock.py) is what keeps two processes from writing to one library;
this is only the courtesy on top of it. Another library folder has another name: two windows on
two libraries are fine.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
#: Longest a second start waits for the running window to answer.
HAND_OVER_TIMEOUT_MS = 3000
_MAX_MESSAGE = 1 << 20


def server_name(library: Path) -> str:
    """A name per user and per library folder (the same folder reached by another path too)."""
    try:
        folder = str(Path(library).resolve())
    except OSError:
        folder = str(Path(library).absolute())
    digest = hashlib.sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    safe_user = "".join(c for c in user if c.isalnum())[:32] or "user"
    return f"ideogram-studio-{safe_user}-{digest}"


def hand_over(library: Path, files: list[Path], timeout_ms: int = HAND_OVER_TIMEOUT_MS) -> bool:
    """Give `files` to the studio already open on `library`; False if none answers."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(library))
    if not socket.waitForConnected(timeout_ms):
        return False
    message = {"files": [str(Path(f).absolute()) for f in files]}
    socket.write(json.dumps(message).encode("utf-8") + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    answered = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()).startswith(b"ok")
    socket.disconnectFromServer()
    return bool(answered)


class InstanceServer(QObject):
    """The running studio's end: `activated(files)` when a second start hands over."""

    activated = Signal(list)

    def __init__(self, library: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(library)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed studio is removed first (we hold the
        library's lock, so no live studio can be behind it)."""
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            log.warning("single instance: cannot listen on %s: %s", self.name, self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.extend(bytes(socket.readAll().data()))
        if len(buffer) > _MAX_MESSAGE:
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        try:
            message = json.loads(line)
            files = [str(f) for f in message.get("files", []) if isinstance(f, str)]
        except (ValueError, AttributeError):
            files = []
        socket.write(b"ok\n")
        socket.flush()
        self.activated.emit(files)
