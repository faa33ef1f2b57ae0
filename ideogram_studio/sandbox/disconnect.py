"""Ending a connection badly, on purpose: no response at all, or a body cut short.

ASGI has no message for "close the socket", and an exception would not do: Starlette's error
middleware answers it with a 500, which is not what a client sees when a server vanishes. So the
server in front of the app puts a callable in the scope's extensions under DROP_EXTENSION that closes
the connection: `server.py` does it for uvicorn, `transport.py` for in-process httpx. Under a server
that offers none, the drop falls back to an error, which at least is not a success.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio.lowlevel
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

DROP_EXTENSION = "ideogram_studio.sandbox.drop_connection"

DropCallable = Callable[[], None]


class _NoDropSupport(RuntimeError):
    """The server running the sandbox offers no way to drop a connection."""


def _drop(scope: Scope) -> None:
    drop: DropCallable | None = (scope.get("extensions") or {}).get(DROP_EXTENSION)
    if drop is None:
        raise _NoDropSupport("this server cannot drop connections; run the sandbox with its own server")
    drop()


async def _let_the_close_land() -> None:
    # One turn of the loop lets the server see the connection lost before our app returns, so it
    # neither logs "returned without a response" nor tries to answer.
    await anyio.lowlevel.checkpoint()


class DroppedConnection(Response):
    """Send nothing; close the connection."""

    def __init__(self) -> None:
        super().__init__(status_code=599)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _drop(scope)
        await _let_the_close_land()


class TruncatedBody(Response):
    """Announce the full Content-Length, send the first `keep` bytes, close the connection."""

    def __init__(self, content: bytes, keep: int, media_type: str) -> None:
        super().__init__(content, media_type=media_type)
        self._keep = keep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: self._keep], "more_body": True})
        _drop(scope)
        await _let_the_close_land()
