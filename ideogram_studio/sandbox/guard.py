"""The sandbox's test controls (/sandbox/*) answer only this computer's own tools.

A web page can reach a server on 127.0.0.1: directly with a "simple" cross-origin POST (text/plain,
no preflight), or as if same-origin through DNS rebinding (its own name, resolved to 127.0.0.1).
Both are refused here, for the control endpoints of a sandbox served on a socket:

* the Host header must name the address the sandbox listens on (127.0.0.1, ::1, localhost, or the
  address given with --allow-remote), never another name;
* a request with an Origin header must come from that same host (a page elsewhere is refused);
* a POST must be JSON (application/json is not a "simple" content type: a browser preflights it,
  and the sandbox answers no preflight).

The in-process sandbox (the studio without a key, tests) is not wrapped: nothing reaches it from
a network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/sandbox/"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _hostname(host_header: str) -> str:
    try:
        return (urlsplit(f"//{host_header}").hostname or "").lower()
    except ValueError:
        return ""


class ControlGuard:
    """ASGI middleware guarding the control endpoints; every other path passes through."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS) -> None:
        self.app = app
        self.allowed = frozenset(h.lower().strip("[]") for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(CONTROL_PREFIX):
            refusal = self.refusal(scope)
            if refusal is not None:
                await _forbidden(send, refusal)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if _hostname(host) not in self.allowed:
            return f"the sandbox's controls answer only requests addressed to {', '.join(sorted(self.allowed))}"
        origin = headers.get("origin")
        if origin is not None:
            try:
                origin_host = urlsplit(origin).netloc.lower()
            except ValueError:
                origin_host = ""
            if origin_host != host.lower():
                return "cross-origin requests to the sandbox's controls are refused"
        if scope.get("method") == "POST":
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return "the sandbox's controls take JSON (Content-Type: application/json)"
        return None


async def _forbidden(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
