"""An httpx transport that runs the sandbox in-process and fails the way a socket would.

Every host goes to the app (so result links on "another host" work too). A dropped connection
becomes `httpx.RemoteProtocolError("Server disconnected without sending a response.")`, raised by
the request; a truncated download returns its headers (with the full Content-Length) and raises
`httpx.RemoteProtocolError` while the body is read, after the bytes that did arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .disconnect import DROP_EXTENSION


@dataclass
class _Exchange:
    """What one request's response looked like on the wire, as far as a drop is concerned."""

    dropped: bool = False
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)

    def drop(self) -> None:
        self.dropped = True


class _Dropped(Exception):
    """Raised past the app, after it returned, to stop ASGITransport from building a response."""


# ASGITransport runs the app in the caller's task, so a context variable reaches it unchanged.
_current: ContextVar[_Exchange | None] = ContextVar("sandbox_exchange", default=None)


class _TruncatedStream(httpx.AsyncByteStream):
    def __init__(self, received: bytes, expected: int | None) -> None:
        self._received = received
        self._expected = expected

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._received:
            yield self._received
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body "
            f"(received {len(self._received)} bytes, expected {self._expected})"
        )


class SandboxTransport(httpx.ASGITransport):
    def __init__(self, app: ASGIApp) -> None:
        async def app_that_can_drop(scope: Scope, receive: Receive, send: Send) -> None:
            exchange = _current.get()
            if exchange is None or scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def recording_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    exchange.status = message["status"]
                    exchange.headers = list(message.get("headers", []))
                elif message["type"] == "http.response.body":
                    exchange.body += message.get("body", b"")
                await send(message)

            extensions = {**(scope.get("extensions") or {}), DROP_EXTENSION: exchange.drop}
            await app({**scope, "extensions": extensions}, receive, recording_send)
            if exchange.dropped:
                raise _Dropped

        super().__init__(app=app_that_can_drop)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange()
        token = _current.set(exchange)
        try:
            return await super().handle_async_request(request)
        except _Dropped:
            if exchange.status is None:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                ) from None
            return httpx.Response(
                exchange.status,
                headers=exchange.headers,
                stream=_TruncatedStream(bytes(exchange.body), _content_length(exchange.headers)),
                request=request,
            )
        finally:
            _current.reset(token)


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            return int(value)
    return None


def sandbox_transport(app: ASGIApp) -> httpx.AsyncBaseTransport:
    """A transport for `httpx.AsyncClient(transport=...)` that talks to `app` in-process."""
    return SandboxTransport(app)
